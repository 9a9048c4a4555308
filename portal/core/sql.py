"""SQL that differs between SQLite and PostgreSQL: expressions for reports and dashboards,
and the dialect's INSERT (for ON CONFLICT DO NOTHING)."""

from __future__ import annotations

from sqlalchemy import String
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


def dialect_insert(table, session):
    """The INSERT of the session's dialect, which has `.on_conflict_do_nothing()`."""
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
