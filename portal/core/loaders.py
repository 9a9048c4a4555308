"""Load one row for a view: 404 when it does not exist or `visible(row)` says no.

Ids from a URL are bounded by the `int` converter; ids from elsewhere (query strings)
are checked here too, so a 20-digit number is a 404 rather than an overflow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from flask import abort

from portal.core.forms import MAX_ID
from portal.extensions import db

T = TypeVar("T")


def get_or_404(model: type[T], ident: Any, *, options: Sequence = (),
               visible: Callable[[T], bool] | None = None) -> T:
    if not isinstance(ident, int) or isinstance(ident, bool) or not 1 <= ident <= MAX_ID:
        abort(404)
    row = db.session.get(model, ident, options=list(options))
    if row is None or (visible is not None and not visible(row)):
        abort(404)
    return row


def query_id(raw: str | None) -> int | None:
    """An id from a query string (a filter), or None when absent or not a plausible id."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def query_date(raw: str | None) -> date | None:
    """A YYYY-MM-DD date from a query string (a filter), or None when absent or not one."""
    if not raw or len(raw) != 10 or not raw.isascii():
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return None
    return value if date(2000, 1, 1) <= value <= date(2100, 12, 31) else None
