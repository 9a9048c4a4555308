"""Background jobs on one task queue (huey), with a scheduler for periodic work.

Features declare jobs with `@job` / `@periodic_job` on plain functions that take plain,
picklable arguments (ids, strings), and start them with `enqueue(func, …)`, which waits
for the commit of the current unit of work: a rolled-back request starts nothing. Each
job runs in its own app context and unit of work (commit on success, rollback on error).

Storage: `JOBS_URL` — `redis://…` in production (any number of `flask jobs worker`
processes on any hosts), a SQLite file in instance/ by default (`make run` starts one
worker beside the portal), `memory://` with `JOBS_IMMEDIATE` in tests (jobs run at once,
in the caller's thread, still after the commit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from portal.core.uow import after_commit, unit_of_work

__all__ = ["crontab", "enqueue", "job", "periodic_job", "queue"]


@dataclass(frozen=True)
class JobSpec:
    func: Callable[..., Any]
    schedule: Any = None  # a huey crontab for periodic jobs
    retries: int = 0
    retry_delay: int = 60

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


_SPECS: dict[str, JobSpec] = {}


def job(func: Callable | None = None, *, retries: int = 0, retry_delay: int = 60):
    """Declare `func` a job (usable bare or with options); it stays a plain function."""

    def declare(func: Callable) -> Callable:
        spec = JobSpec(func, retries=retries, retry_delay=retry_delay)
        _SPECS[spec.name] = spec
        return func

    return declare(func) if func is not None else declare


def periodic_job(schedule, *, retries: int = 0, retry_delay: int = 60):
    """Declare `func` a job the worker's scheduler runs on `schedule` (a `crontab`, UTC)."""

    def declare(func: Callable) -> Callable:
        spec = JobSpec(func, schedule=schedule, retries=retries, retry_delay=retry_delay)
        _SPECS[spec.name] = spec
        return func

    return declare


def _make_huey(app: Flask) -> Huey:
    url = app.config.get("JOBS_URL") or ""
    immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("portal", url=url, immediate=immediate)
    if url == "memory://":
        return MemoryHuey("portal", immediate=immediate)
    filename = url.removeprefix("sqlite:///") if url else str(Path(app.instance_path) / "jobs.db")
    return SqliteHuey("portal", filename=filename, immediate=immediate)


class JobQueue:
    """The app's huey instance with a task for every declared job."""

    def __init__(self, app: Flask) -> None:
        self.huey = _make_huey(app)
        self.tasks: dict[str, Any] = {}
        for spec in _SPECS.values():
            self._register(app, spec)

    def _register(self, app: Flask, spec: JobSpec) -> None:
        def run(*args, **kwargs):
            with app.app_context(), unit_of_work():
                return spec.func(*args, **kwargs)

        options = {"name": spec.name, "retries": spec.retries, "retry_delay": spec.retry_delay}
        if spec.schedule is not None:
            self.tasks[spec.name] = self.huey.periodic_task(spec.schedule, **options)(run)
        else:
            self.tasks[spec.name] = self.huey.task(**options)(run)

    def task(self, func: Callable) -> Any:
        try:
            return self.tasks[JobSpec(func).name]
        except KeyError:
            raise LookupError(f"{func!r} is not declared with @job") from None


def queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions["jobs"]


def enqueue(func: Callable, *args: Any, **kwargs: Any) -> None:
    """Start the job `func(*args, **kwargs)` once the current unit of work commits."""
    jobs = queue()
    after_commit(_start, jobs, jobs.task(func), args, kwargs)


def _start(jobs: JobQueue, task, args: tuple, kwargs: dict) -> None:
    result = task(*args, **kwargs)
    if jobs.huey.immediate and result is not None:
        result.get()  # immediate mode (tests): a failing job raises here instead of hiding


def init_jobs(app: Flask) -> None:
    app.extensions["jobs"] = JobQueue(app)
