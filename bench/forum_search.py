"""Time forum search on a few thousand posts (not a test).

    .venv/bin/python bench/forum_search.py --posts 5000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench .venv/bin/python bench/forum_search.py

Posts are written through the services (Markdown rendering and search indexing included,
so the write cost is measured too) into a fresh database (migrations applied). Each query
is timed as the search page runs it: the first page of 20 hits plus the total count,
median of --repeat runs, against a full-scan LIKE over the same posts for comparison.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOW_DEV_SECRET", "1")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.core.timeutil import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.forum import services  # noqa: E402
from portal.forum.models import Post  # noqa: E402
from portal.forum.search import search_query  # noqa: E402

ZH = [
    "廚房天花板漏水", "牆身起泡發霉", "電梯經常停在兩層之間",
    "東門夜間施工噪音很大", "車位合同面積與交付不符", "窗戶密封不好下雨滲水",
    "物業管理費上漲沒有公告", "地下車庫照明不足", "垃圾站氣味難聞",
    "會所泳池何時開放", "小區綠化帶被佔用", "樓上裝修打鑽到晚上",
    "熱水器安裝位置不合理", "外牆瓷磚脫落危險", "保安巡邏次數太少",
]
EN = ["the lift stops between floors", "water leaking from the bathroom ceiling", "noise from the "
      "construction site at night", "parking space smaller than in the contract", "the window seal "
      "is broken", "management fee went up without notice", "garbage room smells", "when will the "
      "pool open", "tiles falling off the facade", "security guards rarely patrol"]
QUERIES = ["天花板", "漏水", "停在兩層", "泳池", "lift", "leaking ceiling", "contract",
           "(#4321)", "zzz不存在", "噪音 night"]


def fill(posts: int, seed: int) -> float:
    rng = random.Random(seed)
    password = hash_password("bench-only-password")
    authors = [User(email=f"forum-bench{n}@example.com", display_name=f"業主 {n}",
                    password_hash=password, role="member") for n in range(50)]
    db.session.add_all(authors)
    admin = User(email="forum-bench-admin@example.com", display_name="Admin", role="admin",
                 password_hash=password)
    db.session.add(admin)
    db.session.flush()
    categories = [services.save_category(None, admin, {
        "slug": f"bench-{kind}-{n}", "kind": kind, "name_zh_hant": f"分類{n}",
        "name_zh_hans": f"分类{n}", "name_en": f"Category {n}"})
        for n, kind in enumerate(["complaint", "complaint", "discussion"])]
    start = time.perf_counter()
    now = utcnow() - timedelta(days=60)
    threads = []
    for n in range(posts):
        body = "，".join(rng.choice(ZH) for _ in range(rng.randint(2, 6)))
        body += "。 " + ". ".join(rng.choice(EN) for _ in range(rng.randint(1, 4))) + f" (#{n})"
        author = rng.choice(authors)
        now += timedelta(minutes=10)
        if not threads or rng.random() < 0.2:
            threads.append(services.start_thread(
                author, rng.choice(categories), rng.choice(ZH) + f" {n}", body, now=now,
                is_private=False).thread)
        else:
            services.reply(author, rng.choice(threads), body, now=now)
        if n % 500 == 499:
            db.session.commit()
    db.session.commit()
    return time.perf_counter() - start


def timed(fn, repeat: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    app = create_app({"UPLOAD_FOLDER": "/tmp/forum-bench-uploads"})
    with app.app_context(), app.test_request_context():
        upgrade()
        if not db.session.scalar(select(func.count()).select_from(Post)):
            seconds = fill(args.posts, args.seed)
            print(f"wrote {args.posts} posts through the services in {seconds:.1f} s "
                  f"({args.posts / seconds:.0f} posts/s, rendering + indexing)")
        # Fresh statistics (and, on PostgreSQL, GIN pending lists merged), as autovacuum
        # would keep them in production.
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE" if db.engine.dialect.name == "postgresql"
                                    else "ANALYZE"))
        total = db.session.scalar(select(func.count()).select_from(Post))
        reader = db.session.scalar(select(User).where(User.role == "member").limit(1))
        print(f"{db.engine.dialect.name}: {total} posts; median of {args.repeat} runs, ms")
        print(f"{'query':<18}{'hits':>6}{'indexed':>10}{'LIKE scan':>11}")
        for query in QUERIES:
            statement = search_query(reader, query)

            def page(statement=statement):
                hits = db.session.scalars(statement.limit(20)).all()
                count = db.session.scalar(select(func.count()).select_from(
                    statement.order_by(None).subquery()))
                return count, hits

            indexed_ms, (count, _hits) = timed(page, args.repeat)
            terms = query.split()

            def scan(terms=terms):
                like = select(func.count()).select_from(Post).where(
                    *[Post.body.like(f"%{t}%") for t in terms])
                return db.session.scalar(like)

            scan_ms, _ = timed(scan, args.repeat)
            print(f"{query:<18}{count:>6}{indexed_ms:>10.1f}{scan_ms:>11.1f}")


if __name__ == "__main__":
    main()
