"""SQL that differs between SQLite and PostgreSQL: expressions for reports, idempotent inserts."""

from __future__ import annotations

from sqlalchemy import Insert, String, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from portal.extensions import db


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


def insert_ignoring_duplicates(table: Table, *unique_columns: str) -> Insert:
    """`INSERT … ON CONFLICT (unique_columns) DO NOTHING` on SQLite and PostgreSQL.

    Set-based idempotent writes: rows another transaction already wrote are skipped (on
    PostgreSQL after waiting for that transaction), and `.returning(...)` gives only the
    rows this statement inserted.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(index_elements=list(unique_columns))
