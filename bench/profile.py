"""`python -m bench profile PATH [--as member|staff|guest]`: where one page's time goes.

Renders PATH in-process (the benchmark's app, logged in through the real form) --runs
times under pyinstrument and prints the call tree, so a fix starts from the profile.
"""

from __future__ import annotations

import os
import sys


def run(args) -> int:
    from pyinstrument import Profiler

    from bench.load import GUEST, MEMBER_EMAIL, STAFF_EMAIL, log_in_client
    from bench.wsgi import make_app

    app = make_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"],
                    "JOBS_URL": "memory://"})
    email = {"member": MEMBER_EMAIL, "staff": STAFF_EMAIL}.get(args.who)
    client = app.test_client() if args.who == GUEST else log_in_client(app, email)
    client.get(args.path)  # warm-up: templates compiled, caches filled
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(args.runs):
        status = client.get(args.path).status_code
    profiler.stop()
    print(f"{args.path} as {args.who}: {status}, {args.runs} runs", file=sys.stderr)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    return 0
