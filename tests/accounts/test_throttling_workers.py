"""Login throttling holds across gunicorn workers when the limits live in Redis (issue 14):
a real gunicorn with three workers on loopback, a real Redis server (tests/support/redis.py),
and concurrent guesses through the real login form. With per-process memory each worker
would allow its own five guesses; with Redis the sixth guess anywhere is refused."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.conftest import test_config
from tests.support.gunicorn import Browser, running_gunicorn
from tests.support.redis import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.redis


@pytest.fixture
def gunicorn(tmp_path, redis_url):  # noqa: F811
    database = f"sqlite:///{tmp_path / 'workers.db'}"
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=database))
    with app.app_context():
        db.create_all()
        factories.make_member(email="target@example.com")
        db.session.commit()
        db.engine.dispose()
    env = {"DATABASE_URL": database, "SECRET_KEY": "workers-test",
           "RATELIMIT_STORAGE_URI": redis_url.replace("/0", "/3"), "JOBS_URL": "memory://",
           "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes", "LOGIN_LIMIT_PER_IP": "1000 per minute",
           "UPLOAD_FOLDER": str(tmp_path / "uploads"), "MAIL_SUPPRESS_SEND": "1"}
    with running_gunicorn(env, tmp_path) as server:
        yield server


def _guess(base: str, n: int) -> int:
    """One stranger's guess: their own session, the form's CSRF token, a wrong password."""
    with Browser(base) as browser:
        fields = browser.fields("/auth/login")
        time.sleep(0.05)  # keep this worker busy a little, so the others take guesses too
        return browser.post("/auth/login", data={
            **fields, "email": "Target@Example.com", "password": f"guess-{n}"}).status_code


def test_the_limit_on_one_account_is_shared_by_every_worker(gunicorn):
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda n: _guess(gunicorn.base, n), range(15)))
    assert sorted(statuses) == [400] * 5 + [429] * 10  # five wrong passwords in all, not per worker
    posts = [row for row in gunicorn.requests_served() if row[1] == "POST"]
    workers = {pid for pid, _method, _path, _status in posts}
    assert len(posts) == 15 and len(workers) >= 2, workers
    # The refusal page is a page in the visitor's language, not a stack trace.
    with Browser(gunicorn.base, "zh-TW") as browser:
        fields = browser.fields("/auth/login")
        refused = browser.post("/auth/login", data={**fields, "email": "target@example.com", "password": "x"})
    assert refused.status_code == 429 and "嘗試次數過多" in refused.text
