"""A real gunicorn on loopback, and browsers that use it as a person would (issue 14).

`running_gunicorn(env, folder)` starts `gunicorn app:app` with sync workers on a free port
of 127.0.0.1, configured only by the environment (as in production), and waits until every
worker is up. Its access log names the worker of each request, so a test can show the
requests were spread over the workers; `worker_pids()` lets a test kill one.

`Browser` is a `requests.Session` that logs in through the real login form and posts forms
with the fields the page rendered (CSRF token, nonces), scraped as a browser would send
them. `at_once` releases many browsers' requests together.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.factories import PASSWORD
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 30  # seconds any one request may take
T = TypeVar("T")


@dataclass
class Gunicorn:
    base: str
    process: subprocess.Popen
    workers: int
    access_log: Path
    error_log: Path

    def worker_pids(self) -> set[int]:
        """The master's children: its workers (Linux /proc)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in path.read_text().split()}

    def wait_until_serving(self, timeout: float = 30) -> None:
        """/healthz answers and every worker has booted (also after one was killed)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                healthy = requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                healthy = False
            if healthy and len(self.worker_pids()) == self.workers:
                return
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"gunicorn is not serving: {self.error_log.read_text()[-3000:]}")
            time.sleep(0.1)

    def requests_served(self) -> list[tuple[str, str, str, int]]:
        """(worker pid, method, path, status) of every request answered so far."""
        time.sleep(0.2)  # a line is written after its response
        rows = []
        for line in self.access_log.read_text().splitlines():
            pid, method, path, status = line.split()
            rows.append((pid, method, path, int(status)))
        return rows


@contextmanager
def running_gunicorn(env: dict[str, str], folder: Path, workers: int = 3) -> Iterator[Gunicorn]:
    """`gunicorn -w <workers> app:app` on a free loopback port with `env` as its whole
    environment (plus PATH); stopped (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    access, errors = folder / "access.log", folder / "gunicorn.err"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--access-logfile", str(access), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "app:app"],
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", **env}, stdout=subprocess.DEVNULL, stderr=stderr)
        server = Gunicorn(f"http://127.0.0.1:{port}", process, workers, access, errors)
        try:
            server.wait_until_serving()
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class _Forms(HTMLParser):
    """Every <form>: its action and the values its inputs would submit as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
        elif tag == "input" and self.forms and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attributes:
                return
            if kind not in ("submit", "button", "file"):
                self.forms[-1][1][attributes["name"]] = attributes.get("value") or ""


def form_fields(html: str, action: str, page: str = "") -> dict[str, str]:
    """The fields of the form posting to `action` (a path), as rendered; a form without an
    action posts to its own `page`."""
    parser = _Forms()
    parser.feed(html)
    for form_action, fields in parser.forms:
        if (urlsplit(form_action).path or page) == action:
            return fields
    raise AssertionError(f"no form posting to {action} on the page")


class Browser(requests.Session):
    """One person's browser: cookies, a language, forms filled from the pages it was shown."""

    def __init__(self, base: str, language: str = "en") -> None:
        super().__init__()
        self.base = base
        self.headers["Accept-Language"] = language

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        return super().request(method, urljoin(self.base, url), *args, **kwargs)

    def page(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.text

    def fields(self, page_path: str, action: str | None = None) -> dict[str, str]:
        """The form on `page_path` that posts to `action` (default: the page itself)."""
        path = urlsplit(page_path).path
        return form_fields(self.page(page_path), action or path, path)

    def log_in(self, email: str, password: str = PASSWORD) -> Browser:
        fields = self.fields("/auth/login")
        response = self.post("/auth/login", data={**fields, "email": email, "password": password})
        assert response.status_code == 302, (email, response.status_code, response.text[:500])
        return self

    def twin(self) -> Browser:
        """A second tab of the same session (same cookies): a double click, a replay."""
        other = Browser(self.base, self.headers["Accept-Language"])
        other.cookies.update(self.cookies)
        return other

    def flashes(self, response: requests.Response) -> str:
        """The page a redirect leads to (where its flash message is shown), or the page itself."""
        if response.status_code in (302, 303):
            return self.page(response.headers["Location"])
        return response.text


def at_once(count: int, prepare: Callable[[int], Callable[[], T]], timeout: float = 60) -> list[T]:
    """`prepare(i)` in `count` threads (log in, load the form), then all the returned calls
    released together by a barrier; their results in order. Bounded by `timeout`."""
    barrier = threading.Barrier(count, timeout=timeout)

    def run(index: int) -> T:
        fire = prepare(index)
        barrier.wait()
        return fire()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run, index) for index in range(count)]
        return [future.result(timeout=timeout) for future in futures]
