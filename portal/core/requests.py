"""The app class and the request guards every route shares.

`PortalFlask` runs each view in the request's unit of work (`portal.core.uow`), the
way indico's `RH.process` does. The `int` URL converter is bounded to the id range of
the database, so `/perks/99999999999999999999` is a 404, not an overflow; a NUL byte
in the query string is a 400 (PostgreSQL cannot hold it, SQLite FTS chokes on it).
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

from portal.core.forms import MAX_ID
from portal.core.uow import run_request


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` matching 0 … MAX_ID only (werkzeug's own has no upper bound)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False) -> None:
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PortalFlask(Flask):
    def dispatch_request(self):
        return run_request(super().dispatch_request)


def _refuse_nul_in_query() -> None:
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def init_requests(app: Flask) -> None:
    app.before_request(_refuse_nul_in_query)


def make_app(import_name: str, **kwargs) -> PortalFlask:
    app = PortalFlask(import_name, **kwargs)
    app.url_map.converters["int"] = BoundedIntegerConverter
    return app
