"""One paginator for every list: the page number comes from the query string, clamped.

`?page=` that is missing, not a number, negative, zero or absurdly large (20 digits
would overflow SQLite and PostgreSQL in OFFSET) gives the nearest real page, never a 500.
"""

from __future__ import annotations

from flask import request
from flask_sqlalchemy.pagination import Pagination

from portal.extensions import db

MAX_PAGE_DIGITS = 7


def requested_page(name: str = "page") -> int:
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS:
        return 1
    return max(int(raw), 1)


def paginate(query, per_page: int, page: int | None = None, count: bool = True) -> Pagination:
    """`db.paginate` of a `select()`; a page past the end shows the last page."""
    page = requested_page() if page is None else max(page, 1)
    result = db.paginate(query, page=page, per_page=per_page, error_out=False, count=count)
    if count and result.pages and page > result.pages:
        result = db.paginate(query, page=result.pages, per_page=per_page, error_out=False)
    return result
