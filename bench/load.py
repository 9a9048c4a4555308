"""Throughput and latency of the main pages under gunicorn, measured with wrk.

    DATABASE_URL=sqlite:////tmp/bench.db .venv/bin/python bench/pages.py [--duration 10]

Starts `gunicorn -w 2` on the database made by bench/generate.py, logs in as
bench@demo.club, and runs `wrk -t2 -c8` against each page. Machines are shared
and noisy, so /healthz (one trivial query) is measured in the same run and
every page is reported as a ratio of it as well as in absolute numbers.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    ("baseline /healthz", "/healthz", False),
    ("landing / (anonymous)", "/", False),
    ("member home /", "/", True),
    ("points /points (5,000-row history)", "/points", True),
    ("points history page 40", "/points?page=40", True),
    ("perks catalog /perks/", "/perks/", True),
    ("my vouchers /perks/redemptions", "/perks/redemptions", True),
    ("notifications", "/notifications/", True),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def log_in(base: str, email: str, password: str) -> str:
    session = requests.Session()
    form = session.get(f"{base}/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    response = session.post(f"{base}/auth/login", allow_redirects=False, data={
        "csrf_token": token.group(1) if token else "", "email": email, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"could not log in as {email}: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def run_wrk(url: str, cookie: str | None, duration: int) -> tuple[float, str]:
    command = ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+(\S+)", output).group(1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url}: {non_2xx.group(1)} error responses")
    return rate, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "ALLOW_DEV_SECRET": "1", "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--log-level", "warning", "app:app"],
        cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for(f"{base}/healthz")
        cookie = log_in(base, "bench@demo.club", "demo-pass-2026")
        results = []
        for label, path, signed_in in PAGES:
            rate, p99 = run_wrk(base + path, cookie if signed_in else None, args.duration)
            results.append((label, rate, p99))
        baseline = results[0][1]
        print("| page | req/s | p99 | share of baseline |\n|---|---:|---:|---:|")
        for label, rate, p99 in results:
            print(f"| {label} | {rate:,.0f} | {p99} | {rate / baseline:.0%} |")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
