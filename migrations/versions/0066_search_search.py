"""search across scripts: folded search text, one-character CJK grams

Revision ID: 0066_search
Revises: 0065_ticket
Create Date: 2026-12-03 06:10:00

The forum search index changes format (portal/forum/search.py): posts keep their title
and body folded (Traditional → Simplified with OpenCC, regional words, lower case) in
`forum_posts.search_text`, which PostgreSQL's trigram index now covers instead of the
raw body and title; the SQLite FTS table holds the folded text; the gram table also
holds each post's single CJK characters. Everything is rebuilt here; the downgrade
rebuilds the old format.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0066_search'
down_revision = '0065_ticket'
branch_labels = None
depends_on = None

BATCH = 500
posts = sa.table('forum_posts', sa.column('id', sa.Integer), sa.column('thread_id', sa.Integer),
                 sa.column('body', sa.Text), sa.column('is_opening', sa.Boolean),
                 sa.column('search_text', sa.Text))
threads = sa.table('forum_threads', sa.column('id', sa.Integer), sa.column('title', sa.String))
grams_table = sa.table('forum_search_grams', sa.column('gram', sa.String),
                       sa.column('post_id', sa.Integer))


def _old_grams(text):
    folded = text.casefold()
    return {folded[i:i + 2] for i in range(len(folded) - 1)
            if not folded[i].isspace() and not folded[i + 1].isspace()}


def _rebuild(folded: bool) -> None:
    """Rewrite every post's search entries, in the new (folded) or the old format."""
    from portal.core.textfold import fold, is_cjk

    connection = op.get_bind()
    sqlite = connection.dialect.name == 'sqlite'
    if sqlite:
        connection.execute(sa.text("DELETE FROM forum_search_fts"))
    connection.execute(grams_table.delete())
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.body, posts.c.is_opening, threads.c.title)
            .join(threads, threads.c.id == posts.c.thread_id)
            .where(posts.c.id > last_id).order_by(posts.c.id).limit(BATCH)).all()
        if not rows:
            return
        gram_rows = []
        for post_id, body, is_opening, thread_title in rows:
            title = thread_title if is_opening else ''
            if folded:
                title, body = fold(title), fold(body)
                text = f"{title}\n{body}"
                pieces = {text[i:i + 2] for i in range(len(text) - 1)
                          if not text[i].isspace() and not text[i + 1].isspace()}
                pieces.update(ch for ch in text if is_cjk(ch))
                connection.execute(posts.update().where(posts.c.id == post_id).values(
                    search_text=f"{title}\n{body}" if title else body))
            else:
                pieces = _old_grams(f"{title}\n{body}")
            if sqlite:
                connection.execute(sa.text(
                    "INSERT INTO forum_search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                    {"id": post_id, "title": title, "body": body})
            gram_rows.extend({"gram": g, "post_id": post_id} for g in pieces)
        if gram_rows:
            connection.execute(grams_table.insert(), gram_rows)
        last_id = rows[-1][0]


def upgrade():
    with op.batch_alter_table('forum_posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_forum_threads_title_trgm")
        op.execute("DROP INDEX IF EXISTS ix_forum_posts_body_trgm")
        op.execute("CREATE INDEX ix_forum_posts_search_text_trgm ON forum_posts "
                   "USING gin (search_text gin_trgm_ops)")
    _rebuild(folded=True)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_forum_posts_search_text_trgm")
        op.execute("CREATE INDEX ix_forum_threads_title_trgm ON forum_threads "
                   "USING gin (title gin_trgm_ops)")
        op.execute("CREATE INDEX ix_forum_posts_body_trgm ON forum_posts "
                   "USING gin (body gin_trgm_ops)")
    # Not batch mode: recreating forum_posts on SQLite would break the foreign keys that
    # point at it; SQLite (3.35+) and PostgreSQL both drop a column in place.
    op.drop_column('forum_posts', 'search_text')
    _rebuild(folded=False)
