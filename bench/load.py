"""`python -m bench http`: the pages under gunicorn, measured with wrk (not a test).

    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench http \\
        --small sqlite:////tmp/bench-1k.db --out bench/results/$(date +%F)-sqlite.md

Starts `gunicorn -w 2` (sync workers, production settings: no debug, rate limits on)
with the benchmark's app (`bench.wsgi`, which adds the baseline route) on 127.0.0.1,
logs in as bench@demo.club and bench-admin@demo.club through the real login form, and
drives each route with `wrk -t2 -c8` for --duration seconds. The baseline route runs
right before each page, so every ratio compares two runs a few seconds apart on the
same (shared, noisy) machine. Then, in-process, the SQL statements one request of each
route issues (a SQLAlchemy cursor event), on this database and on the --small one.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
from sqlalchemy import event, func, select

from bench.seed import MEMBER_EMAIL, PASSWORD, STAFF_EMAIL
from bench.wsgi import BASELINE

ROOT = Path(__file__).resolve().parent.parent
GUEST, MEMBER, STAFF = "guest", "member", "staff"


@dataclass
class Route:
    label: str
    path: str
    who: str
    kind: str = "member"  # member, staff or dashboard: which target applies


def routes(app) -> list[Route]:
    """The issue's routes, with the ids and slugs of this database."""
    from portal.extensions import db
    from portal.forum.models import Category, Thread
    from portal.forum.reading import THREADS_PER_PAGE

    with app.app_context():
        general = db.session.scalar(select(Category).where(Category.slug == "general"))
        threads = db.session.scalar(select(func.count()).select_from(Thread)
                                    .where(Thread.category_id == general.id))
        deep = max(1, min(1_000, -(-threads // THREADS_PER_PAGE)))
        long_thread = db.session.scalar(select(Thread.id).order_by(Thread.reply_count.desc(),
                                                                   Thread.id).limit(1))
    return [
        Route("/healthz", "/healthz", GUEST),
        Route("/ (landing)", "/", GUEST),
        Route("/ (member home)", "/", MEMBER),
        Route("/points", "/points", MEMBER),
        Route("/perks", "/perks/", MEMBER),
        Route("/forum/", "/forum/", MEMBER),
        Route("/forum/ (anonymous)", "/forum/", GUEST),
        Route("/forum/c/general page 1", "/forum/c/general", MEMBER),
        Route("/forum/c/general deep page", f"/forum/c/general?page={deep}", MEMBER),
        Route("/forum/t/<40-post thread>", f"/forum/t/{long_thread}", MEMBER),
        Route("/forum/search?q=漏水", "/forum/search?q=%E6%BC%8F%E6%B0%B4", MEMBER),
        Route("/referrals", "/referrals", MEMBER),
        Route("/surveys", "/surveys", MEMBER),
        Route("/admin/", "/admin/", STAFF, "staff"),
        Route("/admin/complaints", "/admin/complaints/", STAFF, "staff"),
        Route("/admin/members?q=3-1502", "/admin/members?q=3-1502", STAFF, "staff"),
        Route("/admin/dashboard", "/admin/dashboard", STAFF, "dashboard"),
    ]


def chosen_routes(app, only: list[str]) -> list[Route]:
    return [r for r in routes(app) if not only or any(w in r.label for w in only)]


# --- wrk against gunicorn -------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def form_token(page: str) -> str:
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return token.group(1) if token else ""


def log_in(base: str, email: str) -> str:
    """The cookie header of a session logged in through the real form."""
    session = requests.Session()
    token = form_token(session.get(f"{base}/auth/login").text)
    response = session.post(f"{base}/auth/login", allow_redirects=False, data={
        "csrf_token": token, "email": email, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {email}: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


@dataclass
class Measure:
    rate: float
    p50_ms: float
    p99_ms: float
    timeouts: int = 0


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def run_wrk(url: str, cookie: str | None, duration: int, connections: int) -> Measure:
    # --timeout: a slow page is measured, not dropped (wrk's default gives up after 2 s).
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency",
               url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Latency Distribution" not in output or "Requests/sec" not in output:
        raise SystemExit(f"{url}: wrk said\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} error responses")
    # The distribution's own lines ("     50%   10.53ms"), not a "+/- Stdev" column that
    # happens to end in 50% or 99%.
    # wrk pads seconds ("1.31s ").
    percentile = {p: re.search(rf"^\s+{p}%[ \t]+(\S+)[ \t]*$", output, re.M).group(1)
                  for p in (50, 99)}
    timeouts = re.search(r"timeout (\d+)", output)
    return Measure(float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
                   _ms(percentile[50]), _ms(percentile[99]),
                   int(timeouts.group(1)) if timeouts else 0)


def _warm_up(url: str, cookie: str | None, concurrent: int, route: Route) -> None:
    """`concurrent` requests at once, so each sync worker serves at least one: templates
    compiled and per-process caches (the dashboard's kept sections) filled in every worker,
    as in a portal that has been serving for a while."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_):
        return requests.get(url, timeout=120, allow_redirects=False, headers={"Cookie": cookie or ""})

    with ThreadPoolExecutor(concurrent) as pool:
        for response in pool.map(get, range(concurrent)):
            if response.status_code != 200:
                raise SystemExit(f"{route.path} as {route.who}: {response.status_code}")


def measure_http(chosen: list[Route], duration: int, connections: int, workers: int):
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ALLOW_DEV_SECRET": os.environ.get("ALLOW_DEV_SECRET", "1")}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-k", "sync",
         "-b", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "--log-level", "warning",
         "bench.wsgi:make_app()"], cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(base + BASELINE)
        cookies = {GUEST: None, MEMBER: log_in(base, MEMBER_EMAIL), STAFF: log_in(base, STAFF_EMAIL)}
        for route in chosen:  # every route answers 200 in every worker before anything is timed
            _warm_up(base + route.path, cookies[route.who], 2 * workers, route)
        results = []
        for route in chosen:
            # Again just before its own run: the whole run outlasts the dashboard's
            # DASHBOARD_CACHE_SECONDS, and a page timed just as its kept sections expire
            # measures eight connections recomputing them at once, not the steady state.
            _warm_up(base + route.path, cookies[route.who], 2 * workers, route)
            baseline = run_wrk(base + BASELINE, None, duration, connections)
            page = run_wrk(base + route.path, cookies[route.who], duration, connections)
            results.append((route, baseline, page, os.getloadavg()[0]))
            print(f"{route.label:<34} {page.rate:7.0f} req/s  p99 {page.p99_ms:7.1f} ms  "
                  f"{page.rate / baseline.rate:5.0%} of baseline ({baseline.rate:.0f})",
                  flush=True)
        return results
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


# --- SQL statements per request, in-process ----------------------------------------------------

def log_in_client(app, email: str):
    """A test client of `app` logged in through the real login form."""
    client = app.test_client()
    token = form_token(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"csrf_token": token, "email": email,
                                                "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"in-process login as {email}: {response.status_code}")
    return client


def count_statements(url: str, only: list[str], overrides: dict | None = None) -> dict[str, int]:
    """Statements one request of each route issues (after one warm-up request); -1 for a
    route that did not answer 200."""
    from bench.wsgi import make_app
    from portal.extensions import db

    app = make_app({"SQLALCHEMY_DATABASE_URI": url, "JOBS_URL": "memory://", **(overrides or {})})
    chosen = chosen_routes(app, only)
    counts: dict[str, int] = {}
    with app.app_context():  # requests push their own context (g must not be shared)
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *_args, **_kw: statements.append(1))
    clients = {GUEST: app.test_client(), MEMBER: log_in_client(app, MEMBER_EMAIL),
               STAFF: log_in_client(app, STAFF_EMAIL)}
    for route in [Route("baseline", BASELINE, GUEST), *chosen]:
        clients[route.who].get(route.path)
        statements.clear()
        response = clients[route.who].get(route.path)
        counts[route.label] = len(statements) if response.status_code == 200 else -1
    engine.dispose()
    return counts


# --- the report -------------------------------------------------------------------------------

TARGETS = {"member": (0.35, 100), "staff": (0.20, None), "dashboard": (0.10, 300)}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def report(url: str, results, big: dict[str, int], small: dict[str, int] | None,
           extra: str = "") -> str:
    dialect = url.split(":", 1)[0].split("+", 1)[0]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text()
                .splitlines() if line.startswith("model name")), platform.processor())
    lines = [
        f"# Benchmarks: {dialect}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- machine: {platform.node()}, {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}, shared with other sessions",
        f"- database: {dialect} (`{url.rsplit('/', 1)[-1] if dialect == 'sqlite' else dialect}`)",
        f"- commit: {_git('rev-parse', '--short', 'HEAD')} ({_git('log', '-1', '--format=%s')[:70]})",
        f"- load average when the run ended: {', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "- gunicorn -w 2 (sync), wrk -t2 -c8, each page right after the baseline route "
        f"(`{BASELINE}`: the base layout, no database work); ratio = page ÷ that baseline",
        "",
        "| route | req/s | p50 ms | p99 ms | baseline req/s | ratio | target | SQL (100k) "
        "| SQL (1k) | load |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for route, baseline, page, load in results:
        share, p99 = TARGETS[route.kind]
        ratio = page.rate / baseline.rate
        met = ratio >= share and (p99 is None or page.p99_ms < p99)
        target = f"≥{share:.0%}" + (f", p99<{p99}" if p99 else "") + (" ✓" if met else " ✗")
        if route.path == "/healthz":
            target = "—"
        lines.append(
            f"| `{route.label}` | {page.rate:,.0f}{f' ({page.timeouts} timeouts)' if page.timeouts else ''}"
            f" | {page.p50_ms:.1f} | {page.p99_ms:.1f} | "
            f"{baseline.rate:,.0f} | {ratio:.0%} | {target} | {big.get(route.label, '')} | "
            f"{'' if small is None else small.get(route.label, '')} | {load:.1f} |")
    lines += ["", f"Baseline route: {big.get('baseline')} SQL statements per request.", ""]
    return "\n".join(lines) + extra


def run(args) -> int:
    from bench.wsgi import make_app

    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL to a database made by `python -m bench seed`")
    only = [w for w in args.only.split(",") if w]
    chosen = chosen_routes(make_app({"JOBS_URL": "memory://"}), only)
    big = count_statements(url, only)
    small = count_statements(args.small, only) if args.small else None
    results = measure_http(chosen, args.duration, args.connections, args.workers)
    text = report(url, results, big, small)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    return 0
