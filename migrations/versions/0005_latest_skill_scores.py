"""Latest score per (user, skill), backfilled from skill_scores; index for recent attempts.

Revision ID: 0005
Revises: 0004

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
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
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index('ix_attempts_user_status', ['user_id', 'status', 'id'], unique=False)

    # Backfill: for each (user, skill) the score from the newest skill_scores row.
    op.execute(
        "INSERT INTO latest_skill_scores (user_id, skill_id, attempt_id, combined_score, scored_at) "
        "SELECT a.user_id, s.skill_id, s.attempt_id, s.combined_score, a.submitted_at "
        "FROM skill_scores s JOIN attempts a ON a.id = s.attempt_id "
        "WHERE s.id IN (SELECT max(s2.id) FROM skill_scores s2 "
        "JOIN attempts a2 ON a2.id = s2.attempt_id GROUP BY a2.user_id, s2.skill_id)"
    )


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_attempts_user_status')

    op.drop_table('latest_skill_scores')
