"""Pooled skill estimates replace the latest score per skill; each answer keeps its credit.

The estimates and the credit of answers saved before this revision are computed by the
application (`flask scores rebuild`), not here: they need the question bank and the model.

Revision ID: 0006
Revises: 0005

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('skill_estimates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('low', sa.Float(), nullable=False),
    sa.Column('high', sa.Float(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('low <= score AND score <= high', name=op.f('ck_skill_estimates_band_holds_score')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_skill_estimates_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_estimates')),
    sa.UniqueConstraint('user_id', 'skill_id', name=op.f('uq_skill_estimates_user_id_skill_id'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credit', sa.Float(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_answers_credit_range'), 'credit IS NULL OR (credit >= 0 AND credit <= 1)')
    op.drop_table('latest_skill_scores')


def downgrade():
    op.create_table('latest_skill_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.String(length=64), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('combined_score', sa.Float(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_latest_skill_scores_attempt_id_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_latest_skill_scores_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_latest_skill_scores')),
    sa.UniqueConstraint('user_id', 'skill_id', name=op.f('uq_latest_skill_scores_user_id_skill_id'))
    )
    # The same backfill as revision 0005: the newest skill_scores row per (user, skill).
    op.execute(
        "INSERT INTO latest_skill_scores (user_id, skill_id, attempt_id, combined_score, scored_at) "
        "SELECT a.user_id, s.skill_id, s.attempt_id, s.combined_score, a.submitted_at "
        "FROM skill_scores s JOIN attempts a ON a.id = s.attempt_id "
        "WHERE s.id IN (SELECT max(s2.id) FROM skill_scores s2 "
        "JOIN attempts a2 ON a2.id = s2.attempt_id GROUP BY a2.user_id, s2.skill_id)"
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_answers_credit_range'), type_='check')
        batch_op.drop_column('credit')
    op.drop_table('skill_estimates')
