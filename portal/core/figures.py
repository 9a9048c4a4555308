"""What the KPI dashboard, its CSV exports and any report share: the period asked for,
the figure (a titled table, optionally charted), and medians in SQL. Months, years and
hours between two times are `portal.core.sql` expressions, the same on SQLite and PostgreSQL.

Each feature computes its figures in its own `figures.py`, one function per figure, with
aggregate SQL (no rows loaded into Python to be counted) — the dashboard only displays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select

from portal.core.charts import BarChart
from portal.core.loaders import query_date, query_id
from portal.core.timeutil import utcnow
from portal.extensions import db

MAX_MONTHS = 120  # the longest period a figure is computed for


@dataclass(frozen=True)
class Period:
    """From `start` to `end` (whole days, both included, UTC) and optionally one development."""

    start: date
    end: date
    development_id: int | None = None

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def ends_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def months(self) -> list[str]:
        """'YYYY-MM' of every month the period touches, oldest first."""
        first, last = self.start.year * 12 + self.start.month - 1, self.end.year * 12 + self.end.month - 1
        return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(first, last + 1)]

    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    def to_args(self) -> dict[str, str]:
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.development_id:
            args["development"] = str(self.development_id)
        return args


def default_period(today: date | None = None) -> Period:
    """The last twelve months, this one included."""
    today = today or utcnow().date()
    index = today.year * 12 + today.month - 1 - 11
    return Period(date(index // 12, index % 12 + 1, 1), today)


@dataclass
class PeriodInput:
    period: Period
    errors: dict[str, Any] = field(default_factory=dict)


def parse_period(args: Mapping[str, str], today: date | None = None) -> PeriodInput:
    """The period from a query string (`start`, `end`, `development`); what cannot be
    used is reported per field and replaced by the default."""
    fallback = default_period(today)
    errors: dict[str, Any] = {}
    start, end = fallback.start, fallback.end
    for name in ("start", "end"):
        raw = args.get(name, "")
        if raw:
            value = query_date(raw)
            if value is None:
                errors[name] = _l("Enter a date as YYYY-MM-DD.")
            elif name == "start":
                start = value
            else:
                end = value
    if end < start:
        errors["end"] = _l("The end date must not be before the start date.")
        start, end = fallback.start, fallback.end
    elif len(Period(start, end).months()) > MAX_MONTHS:
        errors["start"] = _l("Choose at most %(count)s months.", count=MAX_MONTHS)
        start, end = fallback.start, fallback.end
    raw_development = args.get("development", "")
    development_id = query_id(raw_development)
    if raw_development and development_id is None:
        errors["development"] = _l("Choose from the list.")
    return PeriodInput(Period(start, end, development_id), errors)


@dataclass(frozen=True)
class Figure:
    """One figure: a table (headers and rows of plain values) with an optional chart.
    `definition` says in words how it is computed; the CSV export is the table."""

    key: str
    title: Any
    headers: Sequence[Any]
    rows: Sequence[Sequence[Any]]
    chart: BarChart | None = None
    definition: Any = None


def medians(values: Select) -> dict[Any, float]:
    """{group: median of value} for a select of (group, value) rows, computed in SQL with
    window functions (the middle row, or the mean of the two middle rows)."""
    inner = values.subquery()
    group, value = inner.c[0], inner.c[1]
    return _middle(group, value)


def median(values: Select) -> float | None:
    """The median of a select of one column (None when it has no rows)."""
    value = values.subquery().c[0]
    return _middle(None, value).get(None)


def _middle(group, value) -> dict[Any, float]:
    ranked = select(
        *([group.label("g")] if group is not None else []), value.label("v"),
        func.row_number().over(partition_by=group, order_by=value).label("rn"),
        func.count().over(partition_by=group).label("n"),
    ).subquery()
    middle = and_(ranked.c.rn >= (ranked.c.n + 1) // 2, ranked.c.rn <= (ranked.c.n + 2) // 2)
    if group is None:
        mean = db.session.scalar(select(func.avg(ranked.c.v)).where(middle))
        return {None: float(mean)} if mean is not None else {}
    rows = db.session.execute(select(ranked.c.g, func.avg(ranked.c.v)).where(middle)
                              .group_by(ranked.c.g)).all()
    return {g: float(v) for g, v in rows}


def count_rows(query: Select) -> int:
    """How many rows `query` returns, counted in SQL (ordering dropped)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def share(part: int | float | None, whole: int | float | None, scale: int = 100) -> float | None:
    """part ÷ whole × scale, rounded to one decimal; None when there is no whole."""
    if not whole:
        return None
    return round((part or 0) * scale / whole, 1)
