"""SQLite hands out ids again: without AUTOINCREMENT a new row takes the highest id plus one,
so the id of the newest row, once deleted, goes to the next one. A browser still holding the
old id (a session cookie naming a deleted account, a tab on a discarded attempt or a deleted
milestone) then reaches the newcomer's row. AUTOINCREMENT never hands an id out twice, as
PostgreSQL's sequences never do; there this migration changes nothing.

Revision ID: 0014
Revises: 0013

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TABLES = (
    'users', 'item_versions', 'attempts', 'attempt_items', 'answers', 'skill_scores',
    'skill_estimates', 'education', 'positions', 'certifications', 'activities',
    'share_links', 'api_tokens', 'pending_imports', 'feedback_rounds',
    'feedback_invitations', 'feedback_ratings', 'feedback_comments',
)


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
        ):
            pass


def upgrade():
    _rebuild(True)


def downgrade():
    _rebuild(False)
