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
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from tests.conftest import RequestClient, test_config

POOL_SIZE = 60


@contextmanager
def migrated_postgres_app(tmp_path, postgres_server, prefix: str, **overrides) -> Iterator[Flask]:
    """A fresh database on the test server, upgraded by the real migrations (what `flask db
    upgrade` runs; a copy of the server's migrated template); `overrides` change the test
    configuration."""
    url = postgres_server.migrated_database(f"{prefix}_{uuid.uuid4().hex[:10]}",
                                            lambda template: migrate(tmp_path, template))
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": POOL_SIZE, "max_overflow": 0}, **overrides))
    app.test_client_class = RequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def migrate(tmp_path, url: str) -> None:
    """Run the real migrations (what `flask db upgrade` runs) on the database at `url`."""
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade()
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


# --- an interleaving made on purpose: hold a row, see who waits for it ---------------------------

LOCK_MODES = ("FOR NO KEY UPDATE", "FOR UPDATE")


@contextmanager
def member_locked(member_id: int, mode: str = "FOR NO KEY UPDATE") -> Iterator[None]:
    """Hold the member's row lock on a connection of the test's own: the work that needs
    the row next waits there, its transaction open, until the block ends. Release it
    before waiting for that work. FOR NO KEY UPDATE is what the points service takes;
    FOR UPDATE also stops rows that refer to the member (a foreign key check) being written."""
    assert mode in LOCK_MODES
    with db.engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text(f"SELECT 1 FROM users WHERE id = :id {mode}"), {"id": member_id})
        try:
            yield
        finally:
            transaction.rollback()


def in_background(app: Flask, work: Callable[[], object]) -> Future:
    """`work()` in a thread of its own with its own app context (session, connection),
    committed, or rolled back on an exception; the future holds the result or the exception."""
    future: Future = Future()

    def run() -> None:
        with app.app_context():
            try:
                value = work()
                db.session.commit()
                future.set_result(value)
            except Exception as error:  # noqa: BLE001 - handed to the test
                db.session.rollback()
                future.set_exception(error)
            finally:
                db.session.remove()

    threading.Thread(target=run, daemon=True).start()
    return future


def _waiting_for_locks() -> list[tuple[int, int]]:
    with db.engine.connect() as connection:
        return [(row.pid, row.client_port) for row in connection.execute(text(
            "SELECT pid, client_port FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"))]


def lock_waiters(count: int = 1, timeout: float = 30) -> list[tuple[int, int]]:
    """(backend pid, client port) of each connection of this database waiting for a lock,
    once `count` of them wait."""
    deadline = time.monotonic() + timeout
    while len(waiting := _waiting_for_locks()) < count:
        if time.monotonic() > deadline:
            pytest.fail(f"{len(waiting)} connections wait for a lock, not {count}")
        time.sleep(0.05)
    return waiting


def lock_waiter() -> tuple[int, int]:
    [waiter] = lock_waiters(1)
    return waiter


def wait_until_gone(backend: int, timeout: float = 30) -> None:
    """A killed client's backend ends (rolling its transaction back) once it runs again."""
    deadline = time.monotonic() + timeout
    while True:
        with db.engine.connect() as connection:
            if connection.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"),
                                  {"pid": backend}).first() is None:
                return
        if time.monotonic() > deadline:
            pytest.fail(f"backend {backend} of the killed process is still there")
        time.sleep(0.05)
