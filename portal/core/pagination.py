"""One paginator for every list: the page number comes from the query string, clamped.

`?page=` that is missing, not a number, negative, zero or absurdly large (20 digits
would overflow SQLite and PostgreSQL in OFFSET) gives the nearest real page, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import Select, func, select

from portal.extensions import db

MAX_PAGE_DIGITS = 7


def requested_page(name: str = "page") -> int:
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS:
        return 1
    return max(int(raw), 1)


def paginate(query, per_page: int, page: int | None = None, count: bool = True) -> Pagination:
    """`db.paginate` of a `select()`; a page past the end shows the last page."""
    return _clamped(page, lambda number: db.paginate(
        query, page=number, per_page=per_page, error_out=False, count=count))


class _IdsFirstPagination(SelectPagination):
    """The page's ids from the narrow `select` (an index can answer it, OFFSET included),
    then the rows of those ids from `load(ids)` in the same statement: a deep page skips
    index entries, not joined rows. The count is of the narrow `select` too."""

    def _query_items(self) -> list:
        ids = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        session = self._query_args["session"]
        return list(session.execute(self._query_args["load"](ids)).unique().scalars())

    def _query_count(self) -> int:
        known = self._query_args.get("total")
        return super()._query_count() if known is None else known


def paginate_ids_first(ids: Select, load: Callable[[Select], Select], per_page: int,
                       page: int | None = None, total: int | None = None) -> Pagination:
    """`paginate` for a long list of wide rows: `ids` selects the ids in display order (one
    column, from an index that covers its WHERE), `load` turns the page's ids subquery into
    the select of the rows (`Model.id.in_(ids)`, with the same ORDER BY). `total`, when the
    caller has counted the same rows already, saves counting them again."""
    return _clamped(page, lambda number: _IdsFirstPagination(
        select=ids, load=load, session=db.session, page=number, per_page=per_page,
        error_out=False, count=True, total=total))


class _CappedPagination(SelectPagination):
    """Counts at most `cap` + 1 rows: a count that stops there costs what those rows
    cost, however many match. `total` is at most `cap`; `more` says whether there were
    more (the page then reads "more than 1,000")."""

    def _query_count(self) -> int:
        cap = self._query_args["cap"]
        first = self._query_args["select"].order_by(None).limit(cap + 1).subquery()
        found = self._query_args["session"].execute(select(func.count()).select_from(first))
        counted = found.scalar_one()
        self.more = counted > cap
        return min(counted, cap)


def paginate_capped(query: Select, per_page: int, cap: int, page: int | None = None) -> Pagination:
    """`paginate` for a list nobody reads to the end (search hits): pages stop at `cap`
    rows, and the count stops there too."""
    return _clamped(page, lambda number: _CappedPagination(
        select=query, session=db.session, page=number, cap=cap, per_page=per_page,
        error_out=False, count=True))


def _clamped(page: int | None, at: Callable[[int], Pagination]) -> Pagination:
    """`at(page)` (the requested page when None), or the last page past the end."""
    page = requested_page() if page is None else max(page, 1)
    result = at(page)
    if result.pages and page > result.pages:
        result = at(result.pages)
    return result
