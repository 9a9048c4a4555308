"""the category list index covers the visibility rule (issue 13, benchmarks at scale)

Revision ID: 0069_bench_thread_list
Revises: 0068_routing
Create Date: 2026-12-03 15:15:00

`ix_forum_threads_category_list` (category_id, is_pinned, last_post_at, id) gains the columns
`forum.rules.visible_threads` tests (merged_into_id, is_private, is_hidden, author_id), so a
category page's ids and count, and the forum index's threads per category, are read from
the index without a table lookup per thread. At 100,000 members (27,000 threads in one
category) page 1,000 of a category went from 113 ms of SQL to 5 ms, its count from 54 to
5 ms, the counts per category from 104 to 11 ms (bench/results/2026-12-03-sqlite.md).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0069_bench_thread_list'
down_revision = '0068_routing'
branch_labels = None
depends_on = None

OLD = ['category_id', 'is_pinned', 'last_post_at', 'id']
NEW = [*OLD, 'merged_into_id', 'is_private', 'is_hidden', 'author_id']


def upgrade():
    op.drop_index('ix_forum_threads_category_list', table_name='forum_threads')
    op.create_index('ix_forum_threads_category_list', 'forum_threads', NEW)


def downgrade():
    op.drop_index('ix_forum_threads_category_list', table_name='forum_threads')
    op.create_index('ix_forum_threads_category_list', 'forum_threads', OLD)
