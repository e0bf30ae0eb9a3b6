"""A rater's saved answers belong to the browser that saved them: feedback_invitations keeps
the hash of that browser's random device key (a cookie), so whoever else holds the link (the
person who made it and passed it on) cannot read, change or submit a draft.

Revision ID: 0015
Revises: 0014

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feedback_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_hash', sa.String(length=64), nullable=True))
    # A draft saved before this revision belongs to no known browser: marked with a value no
    # browser's hash can take, it is shown to nobody, and whoever opens the link may start
    # again (the rater too, who loses that draft: the price of not showing it to anyone else).
    op.execute(
        "UPDATE feedback_invitations SET device_hash = 'unknown' WHERE submitted_at IS NULL"
        " AND round_id IN (SELECT id FROM feedback_rounds WHERE closed_at IS NULL) AND ("
        "EXISTS (SELECT 1 FROM feedback_ratings r WHERE r.invitation_id = feedback_invitations.id)"
        " OR EXISTS (SELECT 1 FROM feedback_comments c"
        " WHERE c.invitation_id = feedback_invitations.id))"
    )


def downgrade():
    with op.batch_alter_table(
        'feedback_invitations', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('device_hash')
