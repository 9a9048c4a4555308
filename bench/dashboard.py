"""The KPI dashboard's render time on a database at scale (not a test).

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/generate.py --members 100000
    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/dashboard.py [--runs 20]

Renders `/admin/dashboard` (every section, the default twelve months) in-process as an
admin `--runs` times after one warm-up and prints p50 / p95 / max, then the time of each
section's figures alone, so a slow figure is named.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ALLOW_DEV_SECRET", "1")

from flask_login import FlaskLoginClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.accounts.permissions import Role  # noqa: E402
from portal.core.figures import default_period  # noqa: E402
from portal.core.hooks import dashboard_sections  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.points.models import LedgerEntry  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a database filled by bench/generate.py")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_URL": "memory://", "WTF_CSRF_ENABLED": False})
    app.test_client_class = FlaskLoginClient
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == "dashboard@bench.club"))
        if admin is None:
            admin = User(email="dashboard@bench.club", password_hash="x", display_name="Bench admin",
                         role=Role.ADMIN.value, locale="en")
            db.session.add(admin)
            db.session.commit()
        members = db.session.scalar(select(func.count()).select_from(User))
        ledger = db.session.scalar(select(func.count()).select_from(LedgerEntry))
        print(f"database: {members:,} users, {ledger:,} ledger rows")
        with app.test_client(user=admin) as client:
            assert client.get("/admin/dashboard").status_code == 200  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get("/admin/dashboard")
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"/admin/dashboard: p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
              f"max {times[-1]:.0f} ms ({args.runs} runs)")
        with app.test_request_context("/?lang=en"):
            period = default_period()
            for section in dashboard_sections(admin):
                started = time.perf_counter()
                section.figures(period)
                print(f"  {section.key:<12} {(time.perf_counter() - started) * 1000:7.0f} ms")


if __name__ == "__main__":
    main()
