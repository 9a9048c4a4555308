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
- on PostgreSQL the grams are `forum_grams(search_text)`, an IMMUTABLE SQL function
  computing exactly what `folded_grams` does, under a GIN index on that expression (GIN
  compresses each gram's list of posts): 0.9 times the text at 250,000 posts built at once,
  1.4 times grown by inserts, where the (gram, post) table and a pg_trgm index on the text
  were 44 times. Every term is checked with `search_text LIKE '%term%'` (exact: both
  sides are folded, and a gram is among a post's grams exactly when it is in its text),
  and all the terms' grams are one `@>` for the index, unless the terms are common among
  the newest posts and across the table (`_common`): then the posts are read newest
  first and the LIKE alone decides. The index keeps itself;
- a ticket number ("C-2026-000123") finds that complaint's opening post.

`index_post`, which the services that write posts call in the same transaction (not
triggers: one code path, and folding needs Python), writes `search_text` and, on SQLite,
the FTS document. `flask forum reindex` rebuilds them. Visibility is applied by joining
the hits to threads and posts with the rules of `portal.forum.rules`.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import DDL, Text, and_, column, event, func, select, table, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import contains_eager

from portal.core.textfold import fold, is_cjk
from portal.extensions import db
from portal.forum.complaints.tickets import parse_ticket
from portal.forum.models import Complaint, Post, Thread
from portal.forum.rules import visible_posts, visible_threads

GRAMS_FTS = "forum_search_grams_fts"
GRAMS_INDEX = "ix_forum_posts_grams"
MAX_TERMS = 5
MAX_QUERY_LENGTH = 100
# PostgreSQL reads posts newest first, not through the index, for terms in 3 % or more of
# the newest posts and of posts across the table (see _common).
COMMON_SHARE = 0.03
NEWEST_SAMPLE = 2_000  # read in a row: cheap
SPREAD_SAMPLE = 500  # one index lookup each

# Created by migrations 0040, 0066, 0072 and 0076 (and by create_all in tests through the
# events below).
SQLITE_DDL = (f"CREATE VIRTUAL TABLE {GRAMS_FTS} USING fts5(grams, content='', detail=none, "
              "tokenize='ascii')")
# `folded_grams` in SQL: the pairs at even and at odd offsets, those with whitespace (each
# character for which str.isspace() is true) dropped, and the characters `is_cjk` accepts
# (the same ranges as textfold._CJK). Regular expression ranges here go by code point,
# whatever the collation. tests/postgres/test_forum_search.py compares it with Python
# over every code point.
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
POSTGRES_DDL = (
    GRAMS_FUNCTION,
    f"CREATE INDEX {GRAMS_INDEX} ON forum_posts USING gin (forum_grams(search_text))",
)
# Autogenerate must not try to drop what the migrations made by hand.
UNMANAGED_SCHEMA = (GRAMS_FTS, GRAMS_INDEX)


def install_schema_events() -> None:
    """Make `create_all` (tests, `bench/`) build the same search objects as the migration."""
    if event.contains(Post.__table__, "after_create", _after_posts_create):
        return
    event.listen(Post.__table__, "after_create", _after_posts_create)
    event.listen(Post.__table__, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {GRAMS_FTS}").execute_if(dialect="sqlite"))
    event.listen(Post.__table__, "after_drop",  # its index went with the table
                 DDL("DROP FUNCTION IF EXISTS forum_grams(text)").execute_if(dialect="postgresql"))


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
    if _dialect() != "sqlite":
        return  # PostgreSQL: the GIN index on forum_grams(search_text) follows the text
    # A contentless table forgets a document by being told its tokens again.
    if indexed:
        db.session.execute(text(f"INSERT INTO {GRAMS_FTS} ({GRAMS_FTS}, rowid, grams) "  # nosec B608
                                "VALUES ('delete', :id, :grams)"),
                           {"id": post.id, "grams": gram_tokens(folded_grams(indexed))})
    db.session.execute(text(f"INSERT INTO {GRAMS_FTS} (rowid, grams) VALUES (:id, :grams)"),  # nosec B608
                       {"id": post.id, "grams": gram_tokens(folded_grams(post.search_text))})


def reindex_all(batch: int = 500) -> int:
    """Rebuild the index from the posts table (`flask forum reindex`)."""
    if _dialect() == "sqlite":
        db.session.execute(text(f"INSERT INTO {GRAMS_FTS} ({GRAMS_FTS}) VALUES ('delete-all')"))  # nosec B608
        db.session.execute(update(Post).values(search_text=""))  # nothing indexed now
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


def _containing(column, terms: list[str]) -> list:
    return [column.like(_like_pattern(t), escape="\\") for t in terms]


def _matching_posts(statement, terms: list[str]):
    """`statement` (of posts) narrowed to the posts matching every term, newest first."""
    grams = set().union(*map(_term_grams, terms))
    if _dialect() == "sqlite":
        hits = table(GRAMS_FTS, column("rowid"))
        return (statement.join(hits, hits.c.rowid == Post.id)
                .where(text(f"{GRAMS_FTS} MATCH :grams").bindparams(grams=gram_tokens(grams)),
                       *_containing(Post.search_text, [t for t in terms if len(t) > 2]))
                .order_by(hits.c.rowid.desc()))
    # Every term as LIKE: exact on its own (a gram is among a post's grams exactly when it
    # is in its text), so posts can also be read newest first without the index.
    checks = _containing(Post.search_text, terms)
    if not _common(terms):
        checks.append(func.forum_grams(Post.search_text, type_=ARRAY(Text)).contains(sorted(grams)))
    return statement.where(*checks).order_by(Post.id.desc())


def _common(terms: list[str]) -> bool:
    """Whether the terms match COMMON_SHARE or more of the newest posts and of posts
    spread across the table, by samples (PostgreSQL).

    The GIN index gives its hits in no order, so the newest page costs a read of every
    hit and its thread: 19,000 for "lift" at 250,000 posts, 70 ms. Where hits are that
    common among the newest posts, reading posts newest first and checking each with LIKE
    finds a page, and the capped count, within some thousands of rows; where they are
    rare that reads the whole table, and the index is the way. Common across the table
    too, because the planner goes by the table-wide share (its statistics): for a word
    common only lately it would scan the whole table (190 ms) instead of reading newest
    first, and the index answers it better.
    """
    last = db.session.scalar(select(func.max(Post.id))) or 0
    step = max(last // SPREAD_SAMPLE, 1)
    newest = Post.id > last - NEWEST_SAMPLE
    spread = Post.id.in_(select(func.generate_series(step, last, step)))
    return all(_share(sample, terms) >= COMMON_SHARE for sample in (newest, spread))


def _share(sample, terms: list[str]) -> float:
    """The share of the posts in `sample` that contain every term."""
    hits, posts = db.session.execute(select(
        func.count().filter(and_(*_containing(Post.search_text, terms))), func.count())
        .where(sample)).one()
    return hits / max(posts, 1)


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

