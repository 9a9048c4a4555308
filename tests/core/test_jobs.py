"""The job queue: jobs start only after the commit, run in their own unit of work, and the
worker (not the request) does the work when the queue is not immediate."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.core import jobs
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests import factories
from tests.conftest import test_config


@jobs.job
def note_for(user_id: int, text: str) -> None:
    """A job that writes: its row must be committed by the job's own unit of work."""
    from portal.accounts.models import User

    notify(db.session.get(User, user_id), "test", text)


@pytest.fixture(scope="module")
def queued_app(tmp_path_factory):
    """Jobs wait in a memory queue until the test runs them, as a worker would."""
    app = create_app(test_config(tmp_path_factory.mktemp("jobs"), JOBS_IMMEDIATE=False))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification))


def test_job_waits_for_the_commit_then_the_worker_runs_it(queued_app):
    huey = jobs.queue(queued_app).huey
    huey.flush()
    with queued_app.app_context():
        user_id = factories.make_member().id
        jobs.enqueue(note_for, user_id, "hello")
        assert huey.pending_count() == 0  # not before the commit
        db.session.commit()
    assert huey.pending_count() == 1
    assert _count(queued_app) == 0  # the request did not do the work
    huey.execute(huey.dequeue())
    assert _count(queued_app) == 1


def test_rolled_back_work_enqueues_nothing(queued_app):
    huey = jobs.queue(queued_app).huey
    huey.flush()
    with queued_app.app_context(), pytest.raises(RuntimeError), unit_of_work():
        jobs.enqueue(note_for, factories.make_member().id, "never")
        raise RuntimeError("rolled back")
    assert huey.pending_count() == 0


def test_immediate_queue_runs_jobs_right_after_the_commit(app, db):
    user = factories.make_member()
    jobs.enqueue(note_for, user.id, "now")
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1


def test_undeclared_function_cannot_be_enqueued(app):
    with pytest.raises(LookupError):
        jobs.enqueue(print, "x")


@pytest.mark.parametrize(("url", "kind"), [("memory://", "MemoryHuey"),
                                           ("redis://127.0.0.1:1/0", "RedisHuey")])
def test_storage_follows_jobs_url(tmp_path, url, kind):
    app = create_app(test_config(tmp_path, JOBS_URL=url, JOBS_IMMEDIATE=False))
    assert type(jobs.queue(app).huey).__name__ == kind


def test_default_storage_is_a_sqlite_file_in_instance(tmp_path):
    app = create_app(test_config(tmp_path, JOBS_URL="", JOBS_IMMEDIATE=False))
    huey = jobs.queue(app).huey
    assert type(huey).__name__ == "SqliteHuey"
    assert huey.storage.filename.endswith("jobs.db")
