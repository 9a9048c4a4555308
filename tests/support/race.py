"""Real concurrency on PostgreSQL: a migrated app per test, and workers released together.

Each worker is a thread with its own app context (so its own session and connection),
holding a connection before a threading.Barrier releases them all at once. SQLite and the
Flask test client are serial and prove nothing about races (SECURITY.md).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from tests.conftest import RequestClient, test_config

POOL_SIZE = 60


@contextmanager
def migrated_postgres_app(tmp_path, postgres_server, prefix: str, **overrides) -> Iterator[Flask]:
    """A fresh database on the test server, upgraded by the real migrations (what `flask db
    upgrade` runs); `overrides` change the test configuration."""
    url = postgres_server.create_database(f"{prefix}_{uuid.uuid4().hex[:10]}")
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": POOL_SIZE, "max_overflow": 0}, **overrides))
    app.test_client_class = RequestClient
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@dataclass(frozen=True)
class Race:
    results: list[object]  # per worker: work's value, the refusal as described, or "CRASH …"
    seconds: float  # from the release to the last worker's end

    @property
    def crashes(self) -> list[str]:
        return [r for r in self.results if isinstance(r, str) and r.startswith("CRASH")]


def race(app: Flask, count: int, work: Callable[[int], object], *,
         refusal: type[Exception] | tuple[type[Exception], ...] = (),
         describe: Callable[[Exception], object] = lambda error: type(error).__name__,
         request_path: str | None = None) -> Race:
    """Run `work(i)` in `count` threads released at once; each commits, or rolls back.

    A `refusal` (the feature's domain error) is recorded as `describe(error)`; any other
    exception as "CRASH <repr>", which tests treat as a failure. With `request_path`, each
    worker runs inside a request context for that path (for translated messages).
    """
    barrier = threading.Barrier(count, timeout=30)
    results: list[object] = [None] * count
    released: list[float] = []

    def worker(index: int) -> None:
        context = app.test_request_context(request_path) if request_path else app.app_context()
        with context:
            try:
                db.session.execute(select(1))  # hold a connection before the start line
                if barrier.wait() == 0:
                    released.append(time.perf_counter())
                results[index] = work(index)
                db.session.commit()
            except refusal as error:
                db.session.rollback()
                results[index] = describe(error)
            except Exception as error:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[index] = f"CRASH {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    db.session.expire_all()
    return Race(results, time.perf_counter() - released[0])


def assert_points_verify_clean(app: Flask) -> None:
    db.session.expire_all()
    result = app.test_cli_runner().invoke(args=["points", "verify"])
    assert result.exit_code == 0, result.output
