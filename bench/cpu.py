"""`python -m bench cpu`: the CPU time one request of each route costs in-process, against
the baseline route measured the same way (not a test).

`bench http` measures what a client gets from gunicorn, and on a shared machine its
baseline swings with the other work (223–739 req/s within one run at load 5–7). The CPU
time of this process is what the portal's own code costs and moves far less with the
load, so a change is compared here first: each route runs `--runs` times right after the
baseline, in `--rounds` rounds, and the median round is reported.
"""

from __future__ import annotations

import os
import time

from bench.load import GUEST, MEMBER, STAFF, chosen_routes, log_in_client
from bench.seed import MEMBER_EMAIL, STAFF_EMAIL
from bench.wsgi import BASELINE, make_app


def _cpu_ms(client, path: str, runs: int) -> float:
    started = time.process_time()
    for _ in range(runs):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    return (time.process_time() - started) / runs * 1000


def run(args, url: str | None = None, overrides: dict | None = None) -> str:
    app = make_app({"SQLALCHEMY_DATABASE_URI": url or os.environ["DATABASE_URL"],
                    "JOBS_URL": "memory://", **(overrides or {})})
    clients = {GUEST: app.test_client(), MEMBER: log_in_client(app, MEMBER_EMAIL),
               STAFF: log_in_client(app, STAFF_EMAIL)}
    lines = ["## CPU per request, in-process", "",
             f"The test client, {args.runs} requests a round, median of {args.rounds} rounds; "
             "baseline = the base layout for a visitor (no database work), timed right before "
             "each route.", "",
             "| route | CPU ms | baseline CPU ms | baseline ÷ route |", "|---|---:|---:|---:|"]
    for route in chosen_routes(app, [o for o in args.only.split(",") if o]):
        client = clients[route.who]
        # Warm: templates compiled, caches filled (twice: a first request fills what the
        # second reads).
        _cpu_ms(clients[GUEST], BASELINE, 2)
        _cpu_ms(client, route.path, 2)
        rounds = [(_cpu_ms(clients[GUEST], BASELINE, args.runs), _cpu_ms(client, route.path, args.runs))
                  for _ in range(args.rounds)]
        baseline, page = sorted(rounds, key=lambda pair: pair[1])[len(rounds) // 2]
        lines.append(f"| `{route.label}` | {page:.1f} | {baseline:.1f} | {baseline / page:.0%} |")
        print(lines[-1], flush=True)
    return "\n".join(lines) + "\n"
