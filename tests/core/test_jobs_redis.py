"""The production queue: jobs on a real Redis server, run by a real huey consumer."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.core import jobs
from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories
from tests.conftest import test_config
from tests.core.test_jobs import note_for
from tests.support.redis import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.redis


def test_a_worker_runs_jobs_queued_in_redis_after_the_commit(tmp_path, redis_url):  # noqa: F811
    app = create_app(test_config(tmp_path, JOBS_URL=redis_url, JOBS_IMMEDIATE=False))
    huey = jobs.queue(app).huey
    huey.flush()
    with app.app_context():
        db.create_all()
        user_id = factories.make_member().id
        jobs.enqueue(note_for, user_id, "from redis")
        assert huey.pending_count() == 0
        db.session.commit()
    assert huey.pending_count() == 1
    consumer = huey.create_consumer(workers=1, periodic=False, initial_delay=0.01, max_delay=0.1)
    consumer.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            with app.app_context():
                done = db.session.scalar(select(func.count()).select_from(Notification))
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    assert done == 1
    assert huey.pending_count() == 0
    with app.app_context():
        db.engine.dispose()
