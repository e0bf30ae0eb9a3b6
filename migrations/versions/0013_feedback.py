"""Feedback from raters (issue 25): rounds, invitations (hashed secrets), ratings, comments,
addresses that opted out (hashed), and share links that may carry the aggregates.

Revision ID: 0013
Revises: 0012

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('feedback_opt_outs',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_feedback_opt_outs'))
    )
    op.create_table('feedback_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role_slug', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feedback_rounds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_rounds'))
    )
    with op.batch_alter_table('feedback_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_rounds_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_feedback_rounds_one_open', ['user_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.create_table('feedback_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=80), server_default='', nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("relationship IN ('manager', 'peer', 'direct_report', 'mentor', 'other')", name=op.f('ck_feedback_invitations_relationship')),
    sa.ForeignKeyConstraint(['round_id'], ['feedback_rounds.id'], name=op.f('fk_feedback_invitations_round_id_feedback_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_invitations')),
    sa.UniqueConstraint('round_id', 'email', name=op.f('uq_feedback_invitations_round_id_email')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feedback_invitations_token_hash'))
    )
    with op.batch_alter_table('feedback_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_invitations_round_id'), ['round_id'], unique=False)

    op.create_table('feedback_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['feedback_invitations.id'], name=op.f('fk_feedback_comments_invitation_id_feedback_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_comments')),
    sa.UniqueConstraint('invitation_id', 'skill_id', name=op.f('uq_feedback_comments_invitation_id_skill_id'))
    )
    op.create_table('feedback_ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=80), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.CheckConstraint('level IS NULL OR (level >= 1 AND level <= 5)', name=op.f('ck_feedback_ratings_level_range')),
    sa.ForeignKeyConstraint(['invitation_id'], ['feedback_invitations.id'], name=op.f('fk_feedback_ratings_invitation_id_feedback_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_ratings')),
    sa.UniqueConstraint('invitation_id', 'item_id', name=op.f('uq_feedback_ratings_invitation_id_item_id'))
    )
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('include_feedback', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('share_links', schema=None) as batch_op:
        batch_op.drop_column('include_feedback')

    op.drop_table('feedback_ratings')
    op.drop_table('feedback_comments')
    with op.batch_alter_table('feedback_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_invitations_round_id'))

    op.drop_table('feedback_invitations')
    with op.batch_alter_table('feedback_rounds', schema=None) as batch_op:
        batch_op.drop_index('uq_feedback_rounds_one_open', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_feedback_rounds_user_id'))

    op.drop_table('feedback_rounds')
    op.drop_table('feedback_opt_outs')
