"""the forum front page's index covers the visibility rule (issue 13, benchmarks at scale)

Revision ID: 0071_forum_latest
Revises: 0070_dashboard_indexes
Create Date: 2026-12-03 18:20:00

`ix_forum_threads_last_post_at_id` (last_post_at, id) becomes `ix_forum_threads_latest`
with the columns `forum.rules.visible_threads` tests, as 0069 did for the category page:
the front page reads its 20 ids from the index and takes its count from the counts per
category it shows anyway.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0071_forum_latest'
down_revision = '0070_dashboard_indexes'
branch_labels = None
depends_on = None

OLD = ['last_post_at', 'id']
NEW = [*OLD, 'merged_into_id', 'is_private', 'is_hidden', 'author_id']


def upgrade():
    op.drop_index('ix_forum_threads_last_post_at_id', table_name='forum_threads')
    op.create_index('ix_forum_threads_latest', 'forum_threads', NEW)


def downgrade():
    op.drop_index('ix_forum_threads_latest', table_name='forum_threads')
    op.create_index('ix_forum_threads_last_post_at_id', 'forum_threads', OLD)
