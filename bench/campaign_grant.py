"""A campaign grant to N members, set-based, against the naive way (not a test).

    .venv/bin/python bench/campaign_grant.py --members 100000 [--naive-sample 2000]
    DATABASE_URL=postgresql://… .venv/bin/python bench/campaign_grant.py

Seeds N members set-based into a fresh database, launches a grant to all of them through
the real services and times the job (`run_to_end`: recipients frozen, chunks of 2,000
credited with `bulk_credit`, bulk notifications, one commit per chunk). Then the naive
way: one `points.services.credit` (one ORM ledger object, its lot, its balance UPDATE)
per member (committed per 2,000, like the grant's chunks), on a sample of other members
(default 2,000), extrapolated to N. Prints both
times, the ratio, and whether `flask points verify` is clean.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOW_DEV_SECRET", "1")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.permissions import Role  # noqa: E402
from portal.core.i18n import N_  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.points.models import LedgerKind  # noqa: E402
from portal.points.services import credit, find_differences  # noqa: E402

CHUNK = 10_000


def _seed(count: int, role: str, prefix: str) -> None:
    for start in range(0, count, CHUNK):
        rows = [{"email": f"{prefix}{n}@bench.club", "password_hash": "x",
                 "display_name": f"Bench {n}", "role": role,
                 "locale": ("zh_Hant", "zh_Hans", "en")[n % 3], "session_token": f"t{prefix}{n}"}
                for n in range(start, min(start + CHUNK, count))]
        db.session.execute(insert(User), rows)
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--naive-sample", type=int, default=2_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    tmp = tempfile.mkdtemp(prefix="campaign-bench-")
    if not url:
        url = f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_URL": "memory://", "JOBS_IMMEDIATE": False,
                      "ALLOW_DEV_SECRET": True})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        from portal.campaigns import services
        from portal.campaigns.execution import run_to_end
        staff = User(email="marketing@bench.club", password_hash="x", display_name="Marketing",
                     role=Role.MARKETING.value, session_token="tm")
        db.session.add(staff)
        db.session.commit()
        started = time.perf_counter()
        _seed(args.members, Role.MEMBER.value, "m")
        # The naive sample: partners, so the grant's segment (members) leaves them out.
        _seed(args.naive_sample, Role.PARTNER.value, "p")
        if db.engine.dialect.name == "postgresql":
            # A live database has planner statistics; a freshly seeded one has none until
            # autovacuum comes round, and the grant's anti-join would be planned blind.
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        seconds = time.perf_counter() - started
        print(f"seeded {args.members:,} members + {args.naive_sample:,} in {seconds:.1f} s")

        data = services.CampaignInput(
            kind="grant", names={"zh_Hant": "中秋節禮遇", "zh_Hans": "中秋节礼遇", "en": "Mid-Autumn gift"},
            messages={"zh_Hant": "", "zh_Hans": "", "en": ""}, points=800, bonus_mode="",
            multiplier_pct=None, trigger="", segment={"roles": ["member"]}, budget=2_000_000_000,
            starts_at=None, ends_at=None)
        campaign = services.save_draft(None, data, actor=staff)
        services.launch(campaign, actor=staff)
        db.session.commit()  # JOBS_IMMEDIATE off: the queued job is not run; we run it here
        started = time.perf_counter()
        final = run_to_end(campaign.id)
        grant_seconds = time.perf_counter() - started
        print(f"grant: {final.reached:,} members credited in {grant_seconds:.2f} s ({final.status})")

        sample = list(db.session.scalars(select(User).where(User.role == Role.PARTNER.value)
                                         .order_by(User.id)))
        started = time.perf_counter()
        for n, member in enumerate(sample, 1):
            credit(member, 800, kind=LedgerKind.CAMPAIGN, reason=N_("Campaign: %(name)s"),
                   reason_params={"name": data.names}, idempotency_key=f"naive:{member.id}")
            if n % 2_000 == 0:  # the same chunking as the grant: one commit per 2,000
                db.session.commit()
        db.session.commit()
        naive_seconds = time.perf_counter() - started
        naive_all = naive_seconds / max(len(sample), 1) * args.members
        print(f"naive: {len(sample):,} members in {naive_seconds:.2f} s → {naive_all:.1f} s "
              f"extrapolated to {args.members:,}")
        print(f"ratio: {naive_all / grant_seconds:.1f}× faster")
        started = time.perf_counter()
        differences = find_differences()
        ledger_rows = db.session.scalar(select(func.count()).select_from(User))
        print(f"points verify: {'clean' if not differences else f'{len(differences)} differences'} "
              f"({time.perf_counter() - started:.1f} s, {ledger_rows:,} users)")


if __name__ == "__main__":
    main()
