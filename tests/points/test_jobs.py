"""The nightly points expiry: a periodic job on the queue, the same chunked service as
`flask points expire`, idempotent and resumable after a crash."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.core import jobs
from portal.core.timeutil import utcnow
from portal.extensions import db as _db
from portal.points.jobs import expire_points
from portal.points.models import LedgerEntry
from portal.points.services import expiry, find_differences
from tests.factories import make_member
from tests.points.helpers import earn


def _expire_rows() -> int:
    return _db.session.scalar(select(func.count()).select_from(LedgerEntry)
                              .where(LedgerEntry.kind == "expire"))


def _members_with_expired_points(app, count: int = 3) -> list:
    app.config["POINTS_EXPIRY_MONTHS"] = 1
    members = [make_member() for _ in range(count)]
    for index, member in enumerate(members):
        earn(member, 100 + index, f"old:{index}")
    app.config["POINTS_EXPIRY_MONTHS"] = 24
    earn(members[0], 50, "recent")
    _db.session.commit()
    return members


def test_the_job_runs_at_0305_shanghai_time(app):
    """huey's crontab is UTC: 19:05 UTC is 03:05 in Asia/Shanghai (UTC+8, no DST)."""
    huey = jobs.queue(app).huey
    name = f"{expire_points.__module__}.{expire_points.__qualname__}"
    due = [task.name for task in huey.read_periodic(datetime(2026, 6, 1, 19, 5))]
    assert name in due
    assert name not in [task.name for task in huey.read_periodic(datetime(2026, 6, 1, 3, 5))]
    assert name not in [task.name for task in huey.read_periodic(datetime(2026, 6, 1, 19, 6))]


def test_the_job_through_the_queue_expires_points_and_a_second_run_changes_nothing(
        app, db, monkeypatch):
    members = _members_with_expired_points(app)
    later = utcnow() + timedelta(days=45)
    monkeypatch.setattr("portal.points.jobs.utcnow", lambda: later)
    task = jobs.queue(app).task(expire_points)

    task().get()  # immediate mode: the worker's code path, run now, in its own unit of work

    db.session.expire_all()
    assert [m.points_balance for m in members] == [50, 0, 0]
    assert _expire_rows() == 3
    assert find_differences() == []

    task().get()
    db.session.expire_all()
    assert [m.points_balance for m in members] == [50, 0, 0]
    assert _expire_rows() == 3


def test_the_job_function_returns_what_it_did(app, db, monkeypatch):
    _members_with_expired_points(app, count=2)
    monkeypatch.setattr("portal.points.jobs.utcnow", lambda: utcnow() + timedelta(days=45))
    assert expire_points() == expiry.ExpiryRun(rows=2, points=201, members=2)
    assert expire_points() == expiry.ExpiryRun(rows=0, points=0, members=0)


def test_a_crash_mid_run_keeps_the_chunks_done_and_a_rerun_finishes(app, db, monkeypatch):
    """Each chunk commits on its own: a kill loses at most the chunk in flight."""
    members = _members_with_expired_points(app, count=5)
    later = utcnow() + timedelta(days=45)
    real = expiry.expire_for_members
    calls = []

    def crash_on_second_chunk(member_ids, now):
        calls.append(member_ids)
        result = real(member_ids, now)
        if len(calls) == 2:
            raise RuntimeError("killed")
        return result

    monkeypatch.setattr(expiry, "expire_for_members", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        expiry.expire_due(later, chunk=2)
    db.session.expire_all()
    assert _expire_rows() == 2  # the first chunk only; the second was rolled back
    assert find_differences() == []

    monkeypatch.setattr(expiry, "expire_for_members", real)
    run = expiry.expire_due(later, chunk=2)
    assert (run.rows, run.members) == (3, 3)
    db.session.expire_all()
    assert [m.points_balance for m in members] == [50, 0, 0, 0, 0]
    assert find_differences() == []


def test_progress_is_reported_per_chunk(app, db):
    _members_with_expired_points(app, count=5)
    done = []
    expiry.expire_due(utcnow() + timedelta(days=45), chunk=2, progress=done.append)
    assert done == [2, 2, 1]
