"""Fill a database with club data at scale, for the benchmarks (not a test).

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/generate.py --members 20000

Members and their points ledger are inserted set-based in chunks (the services
would take hours at this size) but keep every ledger invariant: each credit has
its expiry lot, cached balances equal the ledger, so `flask points verify` is
clean afterwards (the script runs it). One member, bench@demo.club
(password demo-pass-2026), has a long history to page through.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOW_DEV_SECRET", "1")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, update  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.passwords import hash_password  # noqa: E402
from portal.core.i18n import N_  # noqa: E402
from portal.core.timeutil import utcnow  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.points.models import LedgerEntry, PointsLot  # noqa: E402
from portal.points.services import expiry_for, find_differences  # noqa: E402
from portal.points.services.totals import rebuild_totals, verify_totals  # noqa: E402

CHUNK = 5_000
# Reasons the portal itself writes (portal/points/demo.py), so pages render translated text.
REASONS = [
    (N_("Welcome bonus"), {}),
    (N_("Took part in %(event)s"), {"event": "親子手工工作坊"}),
    (N_("Home purchase reward (%(contract)s)"), {"contract": "JL-2019-0801"}),
]


def _chunks(rows: list[dict], size: int = CHUNK):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def make_members(count: int) -> list[int]:
    password_hash = hash_password("demo-pass-2026")
    first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    rows = [{"email": "bench@demo.club" if n == 0 else f"bench{first + n}@example.com",
             "display_name": f"會員 {first + n}", "password_hash": password_hash,
             "role": "member", "locale": random.choice(["zh_Hant", "zh_Hans", "en"]),
             "timezone": "Asia/Shanghai", "session_token": f"bench-{first + n}",
             "is_active_account": True, "created_at": utcnow(), "password_changed_at": utcnow()}
            for n in range(count)]
    for chunk in _chunks(rows):
        db.session.execute(insert(User), chunk)
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.id >= first).order_by(User.id)))


def make_ledger(member_ids: list[int], per_member: int, heavy_member_entries: int) -> int:
    now = utcnow()
    written = 0
    next_id = (db.session.scalar(select(func.max(LedgerEntry.id))) or 0) + 1
    for block_start in range(0, len(member_ids), 500):
        entries, lots = [], []
        for member_id in member_ids[block_start:block_start + 500]:
            count = heavy_member_entries if member_id == member_ids[0] else per_member
            for n in range(count):
                created = now - timedelta(days=random.randint(0, 700), minutes=n)
                amount = random.choice([50, 100, 200, 500, 1000])
                reason, reason_params = random.choice(REASONS)
                entries.append({
                    "id": next_id, "member_id": member_id, "amount": amount, "kind": "earn",
                    "reason": reason, "reason_params": reason_params, "source_type": "",
                    "created_at": created, "expires_at": expiry_for(created),
                    "idempotency_key": f"bench:{next_id}"})
                lots.append({"member_id": member_id, "entry_id": next_id, "amount": amount,
                             "remaining": amount, "expires_at": expiry_for(created)})
                next_id += 1
        for chunk in _chunks(entries):
            db.session.execute(insert(LedgerEntry), chunk)
        for chunk in _chunks(lots):
            db.session.execute(insert(PointsLot), chunk)
        written += len(entries)
        db.session.commit()
    totals = (select(LedgerEntry.member_id, func.sum(LedgerEntry.amount).label("total"))
              .group_by(LedgerEntry.member_id).subquery())
    db.session.execute(
        update(User).where(User.id == totals.c.member_id)
        .values(points_balance=totals.c.total, points_lifetime=totals.c.total)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--entries-per-member", type=int, default=20)
    parser.add_argument("--heavy-member-entries", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    random.seed(args.seed)
    app = create_app()
    with app.app_context():
        upgrade()
        if db.session.scalar(select(User.id).where(User.email == "bench@demo.club")):
            sys.exit("This database already has bench data; use a new DATABASE_URL.")
        started = time.perf_counter()
        members = make_members(args.members)
        print(f"{len(members):,} members in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        rows = make_ledger(members, args.entries_per_member, args.heavy_member_entries)
        print(f"{rows:,} ledger rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        totals = rebuild_totals()  # the rows went in set-based, past the points service
        db.session.commit()
        print(f"{totals:,} monthly totals in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        differences = find_differences() + verify_totals()
        print(f"points verify: {len(differences)} differences in "
              f"{time.perf_counter() - started:.2f} s")
        if differences:
            sys.exit(1)


if __name__ == "__main__":
    main()
