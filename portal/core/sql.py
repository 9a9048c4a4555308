"""SQL that differs between SQLite and PostgreSQL: expressions for reports and dashboards,
and the dialect's INSERT (for ON CONFLICT DO NOTHING)."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class year_month(FunctionElement):  # noqa: N801  (reads like a SQL function)
    """'YYYY-MM' of a date or (naive UTC) datetime column: group rows by month."""

    type = String()
    inherit_cache = True
    name = "year_month"


@compiles(year_month, "postgresql")
def _year_month_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month)
def _year_month_default(element, compiler, **kw):  # SQLite (qmark parameters: a plain %)
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


class year_of(FunctionElement):  # noqa: N801
    """The year (an integer) of a date or datetime column."""

    type = Integer()
    inherit_cache = True
    name = "year_of"


@compiles(year_of, "postgresql")
def _year_of_pg(element, compiler, **kw):
    return f"CAST(extract(year FROM {compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(year_of)
def _year_of_default(element, compiler, **kw):
    return f"CAST(strftime('%Y', {compiler.process(element.clauses, **kw)}) AS INTEGER)"


class hours_between(FunctionElement):  # noqa: N801
    """`hours_between(start, end)`: (end − start) in hours, a float, of two datetime columns."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "postgresql")
def _hours_between_pg(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(extract(epoch FROM ({end} - {start})) / 3600.0)"


@compiles(hours_between)
def _hours_between_default(element, compiler, **kw):
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


def dialect_insert(table, session):
    """The INSERT of the session's dialect, which has `.on_conflict_do_nothing()`."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
