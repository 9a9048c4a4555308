"""A sales file of N rows through preview and import, then the same file again (not a test).

    .venv/bin/python bench/sales_import.py --rows 10000 [--members 3000] [--referrals 500]
    DATABASE_URL=postgresql://… .venv/bin/python bench/sales_import.py

Seeds a fresh database set-based: one development with N units (500 per building),
`--members` members whose e-mail the file's buyers use (their homes get verified) and
`--referrals` of them registered through a referral whose code the file carries (each
converts and rewards both members through the referrals service). Writes the file as a
sales system exports it (UTF-8 with BOM), then times, through the real services:
the preview (`stage_file`: parse, match, classify, store the batch), the import
(`confirm_batch` + `run_import`, one transaction per chunk as the job and the CLI run it),
and a second upload + import of the same file (every row already imported: nothing
changes). Ends with `points verify`. Issue 11 asks for 10,000 rows under 30 s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOW_DEV_SECRET", "1")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from bench.club import referral_code  # noqa: E402
from portal import create_app  # noqa: E402
from portal.accounts.models import Building, Development, Unit, User  # noqa: E402
from portal.accounts.permissions import Role  # noqa: E402
from portal.core.timeutil import utcnow  # noqa: E402
from portal.core.uow import unit_of_work  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.points.services import find_differences  # noqa: E402
from portal.referrals.models import Referral, ReferralStatus  # noqa: E402
from portal.sales.models import Purchase  # noqa: E402

PER_BUILDING = 500
COLUMNS = ("contract_no", "development", "building", "unit", "buyer_name", "buyer_phone",
           "buyer_email", "signed_on", "price", "referral_code")


def _seed(rows: int, members: int, referrals: int) -> None:
    development = Development(name="Bench Bay", city="Shenzhen", is_selling=True)
    db.session.add(development)
    db.session.flush()
    buildings = (rows + PER_BUILDING - 1) // PER_BUILDING
    db.session.execute(insert(Building), [{"development_id": development.id, "name": str(b + 1)}
                                          for b in range(buildings)])
    ids = dict(db.session.execute(select(Building.name, Building.id)
                                  .where(Building.development_id == development.id)).all())
    db.session.execute(insert(Unit), [{"building_id": ids[str(n // PER_BUILDING + 1)],
                                       "number": str(n % PER_BUILDING + 101)} for n in range(rows)])
    user_rows = [{"email": f"buyer{n}@bench.club", "password_hash": "x", "display_name": f"Buyer {n}",
                  "role": Role.MEMBER.value, "session_token": f"b{n}"} for n in range(members)]
    user_rows += [{"email": f"referrer{n}@bench.club", "password_hash": "x",
                   "display_name": f"Referrer {n}", "role": Role.MEMBER.value, "session_token": f"r{n}"}
                  for n in range(referrals)]
    db.session.execute(insert(User), user_rows)
    by_email = dict(db.session.execute(select(User.email, User.id)).all())
    registered = utcnow() - timedelta(days=60)
    if referrals:
        db.session.execute(insert(Referral), [
            {"referrer_id": by_email[f"referrer{n}@bench.club"],
             "invitee_id": by_email[f"buyer{n}@bench.club"], "code": referral_code(n),
             "status": ReferralStatus.REGISTERED.value, "created_at": registered}
            for n in range(referrals)])
    db.session.add(User(email="service@bench.club", password_hash="x", display_name="Service",
                        role=Role.SERVICE.value, session_token="staff"))
    db.session.commit()


def _file(rows: int, members: int, referrals: int) -> bytes:
    signed = (utcnow() - timedelta(days=5)).date().isoformat()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n in range(rows):
        writer.writerow([f"BB-{n:06d}", "Bench Bay", str(n // PER_BUILDING + 1), str(n % PER_BUILDING + 101),
                         f"買家 {n}", "", f"buyer{n}@bench.club" if n < members else "", signed,
                         f"{3_000_000 + n:,}.00", referral_code(n) if n < referrals else ""])
    return buffer.getvalue().encode("utf-8-sig")


def _import(data: bytes, staff: User) -> tuple[float, float, float, dict]:
    """Preview and import seconds (wall clock), and the CPU seconds of this process for both
    (the machines are shared: the CPU time varies less with the other sessions' load)."""
    from portal.sales.importer import confirm_batch, run_import
    from portal.sales.staging import stage_file

    cpu = time.process_time()
    started = time.perf_counter()
    with unit_of_work():
        batch = stage_file("bench.csv", data, staff)
    preview = time.perf_counter() - started
    started = time.perf_counter()
    with unit_of_work():
        confirm_batch(batch, staff, valid_only=False)
    run_import(batch.id, transaction=unit_of_work)
    imported = time.perf_counter() - started
    db.session.refresh(batch)
    return preview, imported, time.process_time() - cpu, {**batch.counts, **batch.result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=3_000)
    parser.add_argument("--referrals", type=int, default=500)
    args = parser.parse_args()
    members = min(args.members, args.rows)
    referrals = min(args.referrals, members)
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='sales-bench-')}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_URL": "memory://", "JOBS_IMMEDIATE": False,
                      "ALLOW_DEV_SECRET": True})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        _seed(args.rows, members, referrals)
        staff = db.session.scalar(select(User).where(User.email == "service@bench.club"))
        data = _file(args.rows, members, referrals)
        print(f"{db.engine.dialect.name}: {args.rows:,} rows ({len(data) / 1e6:.1f} MB), "
              f"{members:,} buyers are members, {referrals:,} referred")

        print(f"load average before: {os.getloadavg()[0]:.1f}")
        preview, imported, cpu, counts = _import(data, staff)
        total = preview + imported
        print(f"first import:  preview {preview:.2f} s + import {imported:.2f} s = {total:.2f} s "
              f"(CPU {cpu:.2f} s); "
              f"created {counts['created']:,}, homes verified {counts['homes']:,}, "
              f"referrals converted {counts['converted']:,}")
        preview, imported, cpu, counts = _import(data, staff)
        total = preview + imported
        print(f"second import: preview {preview:.2f} s + import {imported:.2f} s = {total:.2f} s "
              f"(CPU {cpu:.2f} s); "
              f"to create {counts['new']:,}, already imported and unchanged {counts['unchanged']:,}, "
              f"created {counts['created']:,}")
        purchases = db.session.scalar(select(func.count()).select_from(Purchase))
        rewarded = db.session.scalar(select(func.count()).select_from(Referral)
                                     .where(Referral.status == ReferralStatus.REWARDED.value))
        differences = find_differences()
        print(f"purchases {purchases:,}, referrals rewarded {rewarded:,}, points verify: "
              f"{'clean' if not differences else f'{len(differences)} differences'}")


if __name__ == "__main__":
    main()
