"""`python -m bench forum`: the forum's write and search costs in-process, on the
seeded database (not a test).

- replies posted through `forum.services.reply` (rendering, indexing, counters) for
  --replies posts by random members on random threads, in one transaction that is rolled
  back, so the database stays as seeded: posts/s;
- the search index's size against the text it indexes (SQLite: `dbstat`; PostgreSQL:
  `pg_total_relation_size`);
- `forum.reading.search_page` (the page the search route shows: 20 hits and the count)
  for each query of bench/forum_search.py, --runs times: p50 and p99 in ms.
"""

from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import func, select, text

from portal.accounts.models import User
from portal.extensions import db
from portal.forum import services
from portal.forum.models import Post, Thread
from portal.forum.reading import search_page
from portal.forum.search import GRAMS_FTS, GRAMS_INDEX

QUERIES = ["漏水", "天花板", "停在兩層", "泳池", "lift", "leaking ceiling", "contract", "水",
           "噪音 night", "zzz不存在"]


def reply_rate(count: int, rng: random.Random) -> float:
    last_thread = db.session.scalar(select(func.max(Thread.id)))
    members = db.session.scalars(select(User).where(User.role == "member").limit(2_000)).all()
    bodies = db.session.scalars(select(Post.body).limit(500)).all()
    started = time.perf_counter()
    try:
        for n in range(count):
            thread = db.session.get(Thread, rng.randint(1, last_thread))
            services.reply(rng.choice(members), thread, f"{rng.choice(bodies)} ({n})")
            db.session.flush()
        return count / (time.perf_counter() - started)
    finally:
        db.session.rollback()


def index_size() -> tuple[int, int]:
    """(bytes of the search index, bytes of the folded text it indexes)."""
    indexed = db.session.scalar(select(func.sum(func.length(func.cast(Post.search_text,
                                                                       db.LargeBinary)))))
    if db.engine.dialect.name == "sqlite":
        size = db.session.scalar(text(
            f"SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '{GRAMS_FTS}%'"))  # nosec B608
    else:
        size = db.session.scalar(text(f"SELECT pg_relation_size('{GRAMS_INDEX}')"))
    return int(size or 0), int(indexed or 0)


def search_times(runs: int) -> dict[str, tuple[int, float, float]]:
    reader = db.session.scalar(select(User).where(User.role == "member").limit(1))
    found = {}
    for query in QUERIES:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            page = search_page(reader, query)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        found[query] = (page.results.total if page.results else 0, statistics.median(samples),
                        samples[min(len(samples) - 1, int(len(samples) * 0.99))])
    return found


def run(args) -> str:
    rng = random.Random(2026)
    rate = reply_rate(args.replies, rng)
    size, indexed = index_size()
    posts = db.session.scalar(select(func.count()).select_from(Post))
    lines = [f"## Forum in-process ({posts:,} posts)", "",
             f"- replies through `forum.services.reply`: **{rate:,.0f} posts/s** "
             f"({args.replies} posts, rolled back; target ≥ 200)",
             f"- search index {size / 2**20:,.0f} MiB for {indexed / 2**20:,.0f} MiB of folded "
             f"text: **{size / max(indexed, 1):.1f}×** (target ≤ 3×)", "",
             f"| query | hits | p50 ms | p99 ms ({args.runs} runs; target < 50) |",
             "|---|---:|---:|---:|"]
    for query, (hits, p50, p99) in search_times(args.runs).items():
        lines.append(f"| `{query}` | {hits:,} | {p50:.1f} | {p99:.1f} |")
    return "\n".join(lines) + "\n"
