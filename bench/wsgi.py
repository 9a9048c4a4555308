"""The benchmark's app: the portal as gunicorn serves it (production settings), plus
the baseline route `/_bench/baseline`, registered only here.

    gunicorn -w 2 -b 127.0.0.1:8000 'bench.wsgi:make_app()'

The baseline renders the base layout for an anonymous visitor with no database work:
what a page costs on this machine before it does anything of its own (Flask, the
session, CSRF, the locale, Jinja and the layout), so each page is measured against it.
"""

from __future__ import annotations

from flask import current_app, render_template

from portal import create_app
from portal.accounts.permissions import public

BASELINE = "/_bench/baseline"


@public  # every view declares its access (tests/test_permissions.py)
def baseline():
    template = current_app.extensions.get("bench_baseline")
    if template is None:  # compiled once, like a template file
        template = current_app.jinja_env.from_string('{% extends "layout/base.html" %}')
        current_app.extensions["bench_baseline"] = template
    return render_template(template)


def make_app(overrides: dict | None = None):
    app = create_app(overrides)
    app.add_url_rule(BASELINE, "bench_baseline", baseline)
    return app

