"""Forum search: Chinese by substring (any script, one character and up) and English
words, always indexed.

Index and query are folded alike (`portal.core.textfold.fold`: Traditional to
Simplified with OpenCC, a few regional words to one form, lower case), so 籃球 finds
篮球 and 噪聲 finds 噪声 and 噪音. How a query is answered (each whitespace-separated
term must match; terms are ANDed):

- a term of 3+ characters uses a trigram index: on SQLite the FTS5 table
  `forum_search_fts` (trigram tokenizer, rowid = post id, columns title/body, folded);
  on PostgreSQL `ILIKE '%term%'` over the GIN `gin_trgm_ops` index on
  `forum_posts.search_text` (the folded title and body, pg_trgm);
- a term of 1 (CJK only) or 2 characters (e.g. 水, 漏水, 物業) cannot be answered by any
  trigram index, so it is looked up in `forum_search_grams`, a table of the distinct
  2-character pieces and single CJK characters of each post, on both databases — an
  exact primary-key lookup, never a scan of the posts;
- a ticket number ("C-2026-000123") finds that complaint's opening post.

All three are written by `index_post`, which the services that write posts call in the
same transaction (not triggers: one code path for both databases, and folding needs
Python). `flask forum reindex` rebuilds them (so did migration 0066_search when the
format changed). Visibility is applied by joining the hits to threads and posts with the
rules of `portal.forum.rules`.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import DDL, delete, event, insert, literal_column, select, table, text
from sqlalchemy.orm import aliased, contains_eager

from portal.core.textfold import fold, is_cjk
from portal.extensions import db
from portal.forum.complaints.tickets import parse_ticket
from portal.forum.models import Complaint, Post, SearchGram, Thread
from portal.forum.rules import visible_posts, visible_threads

FTS_TABLE = "forum_search_fts"
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100

TRGM_INDEX = "ix_forum_posts_search_text_trgm"
# Created by migrations 0040 and 0066 (and by create_all in tests through the events below).
SQLITE_DDL = f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, body, tokenize='trigram')"
POSTGRES_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX {TRGM_INDEX} ON forum_posts USING gin (search_text gin_trgm_ops)",
)
# Autogenerate must not try to drop what the migrations made by hand.
UNMANAGED_SCHEMA = (FTS_TABLE, TRGM_INDEX)


def install_schema_events() -> None:
    """Make `create_all` (tests, `bench/`) build the same search objects as the migration."""
    if event.contains(Post.__table__, "after_create", _after_posts_create):
        return
    event.listen(Post.__table__, "after_create", _after_posts_create)
    event.listen(Post.__table__, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {FTS_TABLE}").execute_if(dialect="sqlite"))


def _after_posts_create(target, connection, **_kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text(SQLITE_DDL))
    elif connection.dialect.name == "postgresql":
        for statement in POSTGRES_DDL:
            connection.execute(text(statement))


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def grams(text_value: str) -> set[str]:
    """The distinct 2-character pieces of `text_value` (folded, no whitespace) and its
    single CJK characters."""
    folded = fold(text_value)
    pieces = {folded[i:i + 2] for i in range(len(folded) - 1)
              if not folded[i].isspace() and not folded[i + 1].isspace()}
    pieces.update(ch for ch in folded if is_cjk(ch))
    return pieces


def index_post(post: Post) -> None:
    """Write (or rewrite) the search entries of one post; call after any change of its text."""
    db.session.flush()
    title = fold(post.thread.title) if post.is_opening else ""
    body = fold(post.body)
    post.search_text = f"{title}\n{body}" if title else body
    if _dialect() == "sqlite":
        # FTS_TABLE is a constant of this module; the values are bound parameters.
        db.session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"),  # nosec B608
                           {"id": post.id})
        db.session.execute(
            text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)"),  # nosec B608
            {"id": post.id, "title": title, "body": body})
    db.session.execute(delete(SearchGram).where(SearchGram.post_id == post.id))
    pieces = grams(f"{title}\n{body}")
    if pieces:
        db.session.execute(insert(SearchGram), [{"gram": g, "post_id": post.id} for g in pieces])


def reindex_all(batch: int = 500) -> int:
    """Rebuild both indexes from the posts table (`flask forum reindex`)."""
    if _dialect() == "sqlite":
        db.session.execute(text(f"DELETE FROM {FTS_TABLE}"))  # nosec B608
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


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching_post_ids(terms: list[str]):
    """Conditions on Post.id, one per term (or one FTS MATCH for all long terms)."""
    conditions = []
    long_terms = [t for t in terms if len(t) >= 3]
    for term in terms:
        if len(term) <= 2:
            conditions.append(Post.id.in_(
                select(SearchGram.post_id).where(SearchGram.gram == term)))
    if long_terms and _dialect() == "sqlite":
        fts = table(FTS_TABLE)
        conditions.append(Post.id.in_(
            select(literal_column("rowid")).select_from(fts).where(
                text(f"{FTS_TABLE} MATCH :fts_query").bindparams(
                    fts_query=" ".join(_fts_phrase(t) for t in long_terms)))))
    elif long_terms:
        for number, term in enumerate(long_terms):
            # A materialized CTE: answered from the trigram index once, not re-checked
            # row by row against whatever the planner reads first.
            matching = aliased(Post)
            hits = (select(matching.id)
                    .where(matching.search_text.ilike(_like_pattern(term), escape="\\"))
                    .cte(f"trgm_hits_{number}").prefix_with("MATERIALIZED"))
            conditions.append(Post.id.in_(select(hits.c.id)))
    return conditions


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
    return (
        select(Post)
        .join(Post.thread).join(Thread.category)
        .options(contains_eager(Post.thread).contains_eager(Thread.category))
        .where(*_matching_post_ids(terms), visible_threads(user), visible_posts(user))
        .order_by(Post.id.desc())
    )

