"""Login throttling holds across gunicorn workers when the limits live in Redis (issue 14):
a real gunicorn with three workers on loopback, a real Redis server (tests/support/redis.py),
and concurrent guesses through the real login form. With per-process memory each worker
would allow its own five guesses; with Redis the sixth guess anywhere is refused."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.conftest import test_config
from tests.support.redis import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path, redis_url):  # noqa: F811
    database = f"sqlite:///{tmp_path / 'workers.db'}"
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=database))
    with app.app_context():
        db.create_all()
        factories.make_member(email="target@example.com")
        db.session.commit()
        db.engine.dispose()
    port, log = _free_port(), tmp_path / "access.log"
    errors = (tmp_path / "gunicorn.err").open("wb")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database, "SECRET_KEY": "workers-test",
           "RATELIMIT_STORAGE_URI": redis_url.replace("/0", "/3"), "JOBS_URL": "memory://",
           "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes", "LOGIN_LIMIT_PER_IP": "1000 per minute",
           "UPLOAD_FOLDER": str(tmp_path / "uploads"), "MAIL_SUPPRESS_SEND": "1"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "3", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(m)s %(s)s", "app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            errors.close()
            pytest.fail(f"gunicorn did not start: {(tmp_path / 'gunicorn.err').read_text()[-2000:]}")
        time.sleep(0.2)
    yield base, log
    server.terminate()
    server.wait(timeout=20)
    errors.close()


def _guess(base: str, n: int) -> int:
    """One stranger's guess: their own session, the form's CSRF token, a wrong password."""
    with requests.Session() as browser:
        token = TOKEN.search(browser.get(f"{base}/auth/login", timeout=10).text).group(1)
        time.sleep(0.05)  # keep this worker busy a little, so the others take guesses too
        return browser.post(f"{base}/auth/login", timeout=10, data={
            "csrf_token": token, "email": "Target@Example.com", "password": f"guess-{n}"}).status_code


def test_the_limit_on_one_account_is_shared_by_every_worker(gunicorn):
    base, log = gunicorn
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda n: _guess(base, n), range(15)))
    assert sorted(statuses) == [400] * 5 + [429] * 10  # five wrong passwords in all, not per worker
    time.sleep(0.5)  # the access log is written after each response
    posts = [line.split() for line in log.read_text().splitlines() if " POST " in line]
    workers = {pid for pid, _method, _status in posts}
    assert len(posts) == 15 and len(workers) >= 2, workers
    # The refusal page is a page in the visitor's language, not a stack trace.
    with requests.Session() as browser:
        token = TOKEN.search(browser.get(f"{base}/auth/login").text).group(1)
        refused = browser.post(f"{base}/auth/login", headers={"Accept-Language": "zh-TW"}, data={
            "csrf_token": token, "email": "target@example.com", "password": "x"})
    assert refused.status_code == 429 and "嘗試次數過多" in refused.text
