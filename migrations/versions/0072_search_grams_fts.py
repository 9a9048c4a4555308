"""search: the grams of each post in a contentless FTS5 table on SQLite

Revision ID: 0072_search_grams_fts
Revises: 0071_forum_latest
Create Date: 2026-12-04 19:40:00

On SQLite the forum search index was an FTS5 trigram table (which kept a copy of the
text) and a table of (gram, post) rows with two B-tree indexes: 30 times the size of
the text at 250,000 posts. Both give way to `forum_search_grams_fts`, a contentless
FTS5 table with detail=none whose document for a post is its grams as hex tokens (see
portal/forum/search.py): about half the size of the text. Built here from
`forum_posts.search_text`, which already holds the folded text. PostgreSQL keeps its
gram table and trigram index: nothing changes there.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0072_search_grams_fts'
down_revision = '0071_forum_latest'
branch_labels = None
depends_on = None

BATCH = 2_000
posts = sa.table('forum_posts', sa.column('id', sa.Integer), sa.column('is_opening', sa.Boolean),
                 sa.column('search_text', sa.Text))
grams_table = sa.table('forum_search_grams', sa.column('gram', sa.String),
                       sa.column('post_id', sa.Integer))


def _grams(folded: str) -> set[str]:
    """The grams of folded text as portal/forum/search.py made them on 2026-12-04."""
    from portal.core.textfold import is_cjk

    pieces = {folded[i:i + 2] for i in range(len(folded) - 1)
              if not folded[i].isspace() and not folded[i + 1].isspace()}
    pieces.update(ch for ch in folded if is_cjk(ch))
    return pieces


def _batches(connection):
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.is_opening, posts.c.search_text)
            .where(posts.c.id > last_id).order_by(posts.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name != 'sqlite':
        return
    op.execute("CREATE VIRTUAL TABLE forum_search_grams_fts USING fts5("
               "grams, content='', detail=none, tokenize='ascii')")
    for rows in _batches(connection):
        connection.execute(
            sa.text("INSERT INTO forum_search_grams_fts (rowid, grams) VALUES (:id, :grams)"),
            [{"id": post_id,
              "grams": " ".join(sorted(g.encode().hex() for g in _grams(text or '')))}
             for post_id, _opening, text in rows])
    op.execute("DROP TABLE forum_search_fts")
    connection.execute(grams_table.delete())


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name != 'sqlite':
        return
    op.execute("CREATE VIRTUAL TABLE forum_search_fts USING fts5(title, body, tokenize='trigram')")
    for rows in _batches(connection):
        fts_rows, gram_rows = [], []
        for post_id, opening, text in rows:
            text = text or ''
            title, _, body = text.partition("\n") if opening else ('', '', text)
            fts_rows.append({"id": post_id, "title": title, "body": body})
            gram_rows.extend({"gram": g, "post_id": post_id} for g in _grams(text))
        connection.execute(sa.text(
            "INSERT INTO forum_search_fts (rowid, title, body) VALUES (:id, :title, :body)"),
            fts_rows)
        if gram_rows:
            connection.execute(grams_table.insert(), gram_rows)
    op.execute("DROP TABLE forum_search_grams_fts")
