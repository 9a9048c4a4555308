"""search: on PostgreSQL the grams of each post under a GIN index, no gram table (issue 13)

Revision ID: 0076_search_grams_gin
Revises: 0075_forum_thread_tallies
Create Date: 2026-12-04 22:00:00

PostgreSQL searched 1- and 2-character terms in `forum_search_grams` (a row per gram and
post, two B-tree indexes) and longer ones with a pg_trgm GIN index on the text: 47 times
the size of the text it indexes. Both give way to `forum_grams(text)`, an IMMUTABLE SQL
function computing the grams portal/forum/search.py computes in Python, and a GIN index
on `forum_grams(search_text)`, whose compressed posting lists are about the size of the
text. pg_trgm is no longer used and is dropped. SQLite has searched with its FTS5 table
since 0072 and its `forum_search_grams` has been empty since: it is dropped too.

Downgrade fills the gram table again from the function before dropping it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0076_search_grams_gin'
down_revision = '0075_forum_thread_tallies'
branch_labels = None
depends_on = None

# portal/forum/search.py's GRAMS_FUNCTION on 2026-12-04.
GRAMS_FUNCTION = r"""CREATE FUNCTION forum_grams(folded text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT coalesce(array_agg(DISTINCT gram COLLATE "C"), '{}') FROM (
    SELECT m[1] FROM regexp_matches(folded, '..', 'g') AS m
    UNION ALL
    SELECT m[1] FROM regexp_matches(substr(folded, 2), '..', 'g') AS m
    UNION ALL
    SELECT m[1] FROM regexp_matches(folded, '[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f'
        '\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff'
        '\U00020000-\U0003134f]', 'g') AS m
) AS grams(gram)
WHERE gram !~ '[\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028'
    '\u2029\u202f\u205f\u3000]'
$$"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(GRAMS_FUNCTION)
        op.execute("CREATE INDEX ix_forum_posts_grams ON forum_posts "
                   "USING gin (forum_grams(search_text))")
        op.execute("DROP INDEX IF EXISTS ix_forum_posts_search_text_trgm")
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
    with op.batch_alter_table('forum_search_grams', schema=None) as batch_op:
        batch_op.drop_index('ix_forum_search_grams_post_id')
    op.drop_table('forum_search_grams')


def downgrade():
    op.create_table('forum_search_grams',
    sa.Column('gram', sa.String(length=2), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['forum_posts.id'], name=op.f('fk_forum_search_grams_post_id_forum_posts')),
    sa.PrimaryKeyConstraint('gram', 'post_id', name=op.f('pk_forum_search_grams'))
    )
    with op.batch_alter_table('forum_search_grams', schema=None) as batch_op:
        batch_op.create_index('ix_forum_search_grams_post_id', ['post_id'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("INSERT INTO forum_search_grams (gram, post_id) "
               "SELECT unnest(forum_grams(search_text)), id FROM forum_posts")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE INDEX ix_forum_posts_search_text_trgm ON forum_posts "
               "USING gin (search_text gin_trgm_ops)")
    op.execute("DROP INDEX ix_forum_posts_grams")
    op.execute("DROP FUNCTION forum_grams(text)")
