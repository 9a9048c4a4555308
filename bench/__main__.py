"""`python -m bench seed|http|cpu|forum|dashboard|profile`: the benchmarks at scale (see bench/README.md).

    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench seed --members 100000
    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench http
    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench forum
    DATABASE_URL=sqlite:////tmp/bench-100k.db .venv/bin/python -m bench dashboard
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    seed = commands.add_parser("seed", help="build a club at scale on DATABASE_URL")
    seed.add_argument("--members", type=int, default=100_000)
    seed.add_argument("--entries-per-member", type=int, default=20)
    seed.add_argument("--heavy-member-entries", type=int, default=5_000)
    seed.add_argument("--sample", type=int, default=30, help="posts compared with the services")
    seed.add_argument("--seed", type=int, default=2026)
    http = commands.add_parser("http", help="wrk against gunicorn on the seeded DATABASE_URL")
    http.add_argument("--duration", type=int, default=10)
    http.add_argument("--connections", type=int, default=8)
    http.add_argument("--workers", type=int, default=2)
    http.add_argument("--only", default="", help="comma-separated route labels (substrings)")
    http.add_argument("--small", default="", help="DATABASE_URL of the 1,000-member copy, "
                      "for the SQL statement counts at both sizes")
    http.add_argument("--out", default="", help="write the Markdown report here")
    cpu = commands.add_parser("cpu", help="CPU ms per request of each route against the "
                              "baseline, in-process on the seeded DATABASE_URL")
    cpu.add_argument("--runs", type=int, default=30, help="requests of a route a round")
    cpu.add_argument("--rounds", type=int, default=3)
    cpu.add_argument("--only", default="", help="comma-separated route labels (substrings)")
    cpu.add_argument("--out", default="", help="append the Markdown section to this file")
    forum = commands.add_parser("forum", help="reply posts/s, index size and search latency, "
                                "in-process on the seeded DATABASE_URL")
    forum.add_argument("--replies", type=int, default=500)
    forum.add_argument("--runs", type=int, default=100, help="runs of each search query")
    forum.add_argument("--out", default="", help="append the Markdown section to this file")
    dashboard = commands.add_parser("dashboard", help="the KPI dashboard's render time, cache off "
                                    "and on, in-process on the seeded DATABASE_URL")
    dashboard.add_argument("--runs", type=int, default=20)
    dashboard.add_argument("--out", default="", help="append the Markdown section to this file")
    profile = commands.add_parser("profile", help="pyinstrument tree of one page, in-process")
    profile.add_argument("path")
    profile.add_argument("--who", choices=["guest", "member", "staff"], default="member")
    profile.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    os.environ.setdefault("ALLOW_DEV_SECRET", "1")
    from portal import create_app

    if args.command == "seed":
        from flask_migrate import upgrade

        from bench.seed import seed as run_seed

        app = create_app({"JOBS_IMMEDIATE": True, "JOBS_URL": "memory://"})
        with app.app_context(), app.test_request_context():
            upgrade()
            run_seed(args.members, entries_per_member=args.entries_per_member,
                     heavy_member_entries=args.heavy_member_entries, sample=args.sample,
                     rng_seed=args.seed)
        return 0
    if args.command in ("forum", "dashboard", "cpu"):
        if args.command == "cpu":
            from bench.cpu import run as run_cpu

            section = run_cpu(args)
        elif args.command == "forum":
            from bench.forum import run as run_forum

            app = create_app({"JOBS_URL": "memory://"})
            with app.app_context(), app.test_request_context():
                section = run_forum(args)
        else:
            from bench.dashboard import run as run_dashboard

            section = run_dashboard(args)
        print(section)
        if args.out:
            from pathlib import Path

            with Path(args.out).open("a") as out:
                out.write("\n" + section)
        return 0
    if args.command == "profile":
        from bench.profile import run as run_profile

        return run_profile(args)
    from bench.load import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
