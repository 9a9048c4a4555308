"""The forum's jobs: the escalation sweep on the schedule, and the follower fan-out run by
the worker after the commit — not by the request."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.core import jobs
from portal.core.timeutil import utcnow
from portal.extensions import db as _db
from portal.forum import services
from portal.forum.common import ForumError
from portal.forum.complaints import escalation_sweep
from portal.forum.models import Complaint, Follow, Thread
from portal.forum.services import tell_followers
from portal.notifications.models import Notification
from tests import factories
from tests.conftest import test_config
from tests.forum.helpers import make_complaint, make_thread

SWEEP = f"{escalation_sweep.__module__}.{escalation_sweep.__qualname__}"


def test_forum_error_is_a_domain_error():
    from portal.core.errors import DomainError

    error = ForumError("No.", field="body")
    assert isinstance(error, DomainError) and error.field == "body" and str(error) == "No."


@pytest.mark.parametrize(("minute", "runs"), [(0, True), (15, True), (30, True), (45, True),
                                              (7, False), (59, False)])
def test_the_escalation_sweep_is_scheduled_every_15_minutes(app, minute, runs):
    huey = jobs.queue(app).huey
    due = {task.name for task in huey.read_periodic(datetime(2026, 3, 2, 9, minute))}
    assert (SWEEP in due) is runs


def test_the_periodic_sweep_escalates_overdue_complaints_once(app, db, caplog):
    overdue = make_complaint(now=utcnow() - timedelta(hours=30))
    fresh = make_complaint()
    admin = factories.make_user("admin")
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    task = jobs.queue(app).tasks[SWEEP]
    task()  # what the scheduler starts (immediate in tests: runs now, in its own unit of work)
    db.session.expire_all()
    assert overdue.escalated_at is not None and overdue.escalation_reason == "first_response"
    assert fresh.escalated_at is None
    assert f"e-mail to {admin.email}: Escalated complaint C-" in caplog.text
    first = overdue.escalated_at
    caplog.clear()
    task()  # idempotent: nothing twice
    db.session.expire_all()
    assert overdue.escalated_at == first and "e-mail to" not in caplog.text
    assert db.session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.escalated_at.is_not(None))) == 1


@pytest.fixture
def queued_app(tmp_path):
    """Jobs wait in a memory queue until the test runs them, as a worker would."""
    app = create_app(test_config(tmp_path, JOBS_IMMEDIATE=False))
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _forum_notes() -> int:
    return _db.session.scalar(select(func.count()).select_from(Notification)
                              .where(Notification.kind == "forum"))


def test_a_reply_enqueues_one_job_and_the_worker_tells_every_follower(queued_app):
    huey = jobs.queue(queued_app).huey
    thread = make_thread()
    followers = [factories.make_member() for _ in range(30)]
    for member in followers:
        _db.session.add(Follow(user_id=member.id, thread_id=thread.id))
    _db.session.commit()
    huey.flush()
    services.reply(factories.make_user("service"), _db.session.get(Thread, thread.id), "News!")
    _db.session.commit()
    assert _forum_notes() == 0  # the request wrote no notification…
    assert huey.pending_count() == 1  # …but queued one job (with the post id)
    huey.execute(huey.dequeue())
    assert _forum_notes() == 31  # the 30 followers and the thread's author
    assert huey.pending_count() == 31  # their e-mails, one job each


def test_the_fan_out_job_skips_a_post_that_is_gone(app, db):
    tell_followers(987654)
    assert _forum_notes() == 0
