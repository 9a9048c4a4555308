"""Forum search: Chinese by substring (any script, one character and up) and English
words, always indexed.

Index and query are folded alike (`portal.core.textfold.fold`: Traditional to
Simplified with OpenCC, a few regional words to one form, lower case), so 籃球 finds
篮球 and 噪聲 finds 噪声 and 噪音. Each post keeps its folded title and body in
`forum_posts.search_text`; its *grams* are the distinct 2-character pieces of that text
(no whitespace in them) and its single CJK characters. Each whitespace-separated term of
a query must match (terms are ANDed):

- on SQLite, `forum_search_grams_fts` is a contentless FTS5 table with `detail=none`
  whose document for a post is its grams, each as one token (the gram's UTF-8 in hex,
  so punctuation and CJK survive the ascii tokenizer whole). It stores only the post ids
  under each gram, compressed: at 250,000 posts it is about half the size of the text it
  indexes, where a table of (gram, post) rows was 26 times. A term of 1 or 2 characters
  is one token; a longer term is all of its 2-character pieces, and the candidates are
  checked with `search_text LIKE '%term%'`. The hits come from the FTS table in
  descending post id (its own order), so the newest page needs no sort;
- on PostgreSQL a term of 3+ characters is `ILIKE '%term%'` over the GIN `gin_trgm_ops`
  index on `search_text` (pg_trgm), and 1- and 2-character terms are looked up in
  `forum_search_grams`, the (gram, post) table — a primary-key lookup;
- a ticket number ("C-2026-000123") finds that complaint's opening post.

Both are written by `index_post`, which the services that write posts call in the same
transaction (not triggers: one code path, and folding needs Python). `flask forum
reindex` rebuilds them. Visibility is applied by joining the hits to threads and posts
with the rules of `portal.forum.rules`.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import DDL, column, delete, event, insert, select, table, text, update
from sqlalchemy.orm import aliased, contains_eager

from portal.core.textfold import fold, is_cjk
from portal.extensions import db
from portal.forum.complaints.tickets import parse_ticket
from portal.forum.models import Complaint, Post, SearchGram, Thread
from portal.forum.rules import visible_posts, visible_threads

GRAMS_FTS = "forum_search_grams_fts"
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100

TRGM_INDEX = "ix_forum_posts_search_text_trgm"
# Created by migrations 0040, 0066 and 0072 (and by create_all in tests through the events
# below).
SQLITE_DDL = (f"CREATE VIRTUAL TABLE {GRAMS_FTS} USING fts5(grams, content='', detail=none, "
              "tokenize='ascii')")
POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX {TRGM_INDEX} ON forum_posts USING gin (search_text gin_trgm_ops)",
)
# Autogenerate must not try to drop what the migrations made by hand.
UNMANAGED_SCHEMA = (GRAMS_FTS, TRGM_INDEX)


def install_schema_events() -> None:
    """Make `create_all` (tests, `bench/`) build the same search objects as the migration."""
    if event.contains(Post.__table__, "after_create", _after_posts_create):
        return
    event.listen(Post.__table__, "after_create", _after_posts_create)
    event.listen(Post.__table__, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {GRAMS_FTS}").execute_if(dialect="sqlite"))


def _after_posts_create(target, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(SQLITE_DDL))
    elif connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL:
            connection.execute(text(statement))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def folded_grams(folded: str) -> set[str]:
    """The distinct 2-character pieces of already folded text (no whitespace in them)
    and its single CJK characters."""
    pieces = {folded[i:i + 2] for i in range(len(folded) - 1)
              if not folded[i].isspace() and not folded[i + 1].isspace()}
    pieces.update(ch for ch in folded if is_cjk(ch))
    return pieces


def gram_tokens(pieces) -> str:
    """The FTS5 document (or query) of some grams: one hex token per gram."""
    return " ".join(sorted(piece.encode().hex() for piece in pieces))


def index_post(post: Post) -> None:
    """Write (or rewrite) the search entries of one post; call after any change of its text."""
    db.session.flush()
    indexed = post.search_text  # what the index holds for this post ("" when new)
    title = fold(post.thread.title) if post.is_opening else ""
    body = fold(post.body)
    post.search_text = f"{title}\n{body}" if title else body
    pieces = folded_grams(post.search_text)
    if _dialect() == "sqlite":
        # A contentless table forgets a document by being told its tokens again.
        if indexed:
            db.session.execute(text(f"INSERT INTO {GRAMS_FTS} ({GRAMS_FTS}, rowid, grams) "  # nosec B608
                                    "VALUES ('delete', :id, :grams)"),
                               {"id": post.id, "grams": gram_tokens(folded_grams(indexed))})
        db.session.execute(text(f"INSERT INTO {GRAMS_FTS} (rowid, grams) VALUES (:id, :grams)"),  # nosec B608
                           {"id": post.id, "grams": gram_tokens(pieces)})
        return
    db.session.execute(delete(SearchGram).where(SearchGram.post_id == post.id))
    if pieces:
        db.session.execute(insert(SearchGram), [{"gram": g, "post_id": post.id} for g in pieces])


def reindex_all(batch: int = 500) -> int:
    """Rebuild the index from the posts table (`flask forum reindex`)."""
    if _dialect() == "sqlite":
        db.session.execute(text(f"INSERT INTO {GRAMS_FTS} ({GRAMS_FTS}) VALUES ('delete-all')"))  # nosec B608
        db.session.execute(update(Post).values(search_text=""))  # nothing indexed now
    db.session.execute(delete(SearchGram))
    count, last_id = 0, 0
    while True:
        posts = db.session.scalars(
            select(Post).where(Post.id > last_id).order_by(Post.id).limit(batch)).all()
        if not posts:
            return count
        for post in posts:
            index_post(post)
        count += len(posts)
        last_id = posts[-1].id


def _searchable(query: str) -> str:
    """The query with control characters and lone surrogates as spaces: neither can be
    stored or matched (NUL ends an FTS5 string, a surrogate cannot be encoded)."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in query)


def parse_terms(query: str) -> list[str]:
    """Split a query into terms of 2+ characters, or one CJK character (at most
    MAX_TERMS), as typed. Any text is a valid query: quotes, FTS operators and LIKE
    wildcards are matched as plain characters."""
    terms = [t for t in _searchable(query[:MAX_QUERY_LENGTH]).split()
             if len(t) >= 2 or is_cjk(t)]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def folded_terms(terms: list[str]) -> list[str]:
    """The terms in the index's form (duplicates after folding dropped)."""
    return list(dict.fromkeys(fold(t) for t in terms))


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _term_grams(term: str) -> set[str]:
    return {term} if len(term) == 1 else {term[i:i + 2] for i in range(len(term) - 1)}


def _matching_posts(statement, terms: list[str]):
    """`statement` (of posts) narrowed to the posts matching every term, newest first."""
    if _dialect() == "sqlite":
        longer = [Post.search_text.like(_like_pattern(t), escape="\\")
                  for t in terms if len(t) > 2]
        hits = table(GRAMS_FTS, column("rowid"))
        tokens = gram_tokens(set().union(*map(_term_grams, terms)))
        return (statement.join(hits, hits.c.rowid == Post.id)
                .where(text(f"{GRAMS_FTS} MATCH :grams").bindparams(grams=tokens), *longer)
                .order_by(hits.c.rowid.desc()))
    conditions = [Post.id.in_(select(SearchGram.post_id).where(SearchGram.gram == t))
                  for t in terms if len(t) <= 2]
    for number, term in enumerate(t for t in terms if len(t) > 2):
        # A materialized CTE: answered from the trigram index once, not re-checked
        # row by row against whatever the planner reads first.
        matching = aliased(Post)
        found = (select(matching.id)
                 .where(matching.search_text.ilike(_like_pattern(term), escape="\\"))
                 .cte(f"trgm_hits_{number}").prefix_with("MATERIALIZED"))
        conditions.append(Post.id.in_(select(found.c.id)))
    return statement.where(*conditions).order_by(Post.id.desc())


def search_query(user, query: str):
    """A select of the posts matching `query` that `user` may see, newest first.

    Returns None when the query has no usable term (every term shorter than 2, except
    a single CJK character).
    """
    ticket = parse_ticket(query[:MAX_QUERY_LENGTH])
    if ticket is not None:  # "C-2026-000123": that complaint's opening post
        return (
            select(Post)
            .join(Post.thread).join(Thread.category).join(Complaint, Complaint.thread_id == Thread.id)
            .options(contains_eager(Post.thread).contains_eager(Thread.category))
            .where(Complaint.ticket_number == ticket, Post.is_opening, visible_threads(user),
                   visible_posts(user))
            .order_by(Post.id.desc())
        )
    terms = folded_terms(parse_terms(query))
    if not terms:
        return None
    return _matching_posts(
        select(Post)
        .join(Post.thread).join(Thread.category)
        .options(contains_eager(Post.thread).contains_eager(Thread.category))
        .where(visible_threads(user), visible_posts(user)),
        terms)

