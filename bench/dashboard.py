"""`python -m bench dashboard`: the KPI dashboard's render time at scale, in-process.

Renders `/admin/dashboard` (every section, the default twelve months, then one
development) as the benchmark's staff member, logged in through the real form, `--runs`
times after one warm-up, with the fragment cache off (every figure computed: the first
reader after the cache expires) and on (what every other reader in the next
`DASHBOARD_CACHE_SECONDS` gets), and prints p50 / p95 / max of each, then the time of
each section's figures alone so a slow figure is named.
"""

from __future__ import annotations

import os
import statistics
import time


def _timings(client, path: str, runs: int) -> list[float]:
    assert client.get(path).status_code == 200  # warm-up: templates compiled, cache filled
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return sorted(times)


def _line(label: str, times: list[float]) -> str:
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    return (f"| {label} | {statistics.median(times):.0f} ms | {p95:.0f} ms | {times[-1]:.0f} ms "
            f"| {len(times)} |")


def run(args, url: str | None = None, overrides: dict | None = None) -> str:
    from sqlalchemy import func, select

    from bench.load import STAFF_EMAIL, log_in_client
    from bench.wsgi import make_app
    from portal.accounts.models import Development, User
    from portal.core.figures import Period, default_period
    from portal.core.hooks import dashboard_sections
    from portal.extensions import db
    from portal.points.models import LedgerEntry

    lines = ["## Dashboard, in-process", "",
             "| Render | p50 | p95 | max | runs |", "|---|---:|---:|---:|---:|"]
    for label, seconds in (("every figure computed (cache off)", 0), ("sections kept (cache on)", 300)):
        app = make_app({"SQLALCHEMY_DATABASE_URI": url or os.environ["DATABASE_URL"], "JOBS_URL": "memory://",
                        **(overrides or {}), "DASHBOARD_CACHE_SECONDS": seconds})
        client = log_in_client(app, STAFF_EMAIL)
        with app.app_context():
            development = db.session.scalar(select(Development.id).order_by(Development.id))
        for scope, path in (("all developments", "/admin/dashboard"),
                            ("one development", f"/admin/dashboard?development={development}")):
            lines.append(_line(f"{label}, {scope}", _timings(client, path, args.runs)))
    with app.test_request_context("/"):
        staff = db.session.scalar(select(User).where(User.email == STAFF_EMAIL))
        members = db.session.scalar(select(func.count()).select_from(User))
        ledger = db.session.scalar(select(func.count()).select_from(LedgerEntry))
        lines += ["", f"{members:,} users, {ledger:,} ledger rows. Each section's figures alone "
                  "(all developments / one development):", ""]
        every, one = default_period(), Period(default_period().start, default_period().end, development)
        for section in dashboard_sections(staff):
            spent = []
            for period in (every, one):
                started = time.perf_counter()
                section.figures(period)
                spent.append((time.perf_counter() - started) * 1000)
            lines.append(f"- {section.key}: {spent[0]:.0f} ms / {spent[1]:.0f} ms")
    return "\n".join(lines) + "\n"
