"""The ledger summed per month and kind (`PointsMonthTotal`), kept in step by every ledger
write of this package: each queues its amounts with `before_commit`, so the totals rows —
which every transaction of the month updates — are locked last and in one order (no
deadlock with the member rows), and a rolled-back write (a replayed key's savepoint)
leaves them alone. `verify_totals` recomputes them from the ledger; `rebuild_totals`
rewrites them (after the bench generator's bulk inserts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, func, insert, select

from portal.core.sql import dialect_insert, year_month
from portal.core.uow import before_commit
from portal.extensions import db
from portal.points.models import LedgerEntry, PointsMonthTotal

TABLE = PointsMonthTotal.__table__


def count_in_month(at: datetime, kind: str, amounts: list[int] | int) -> None:
    """Add ledger amounts written now, dated `at`, to their month's totals at commit."""
    values = amounts if isinstance(amounts, list) else [amounts]
    credits = sum(a for a in values if a > 0)
    debits = sum(a for a in values if a < 0)
    month = at.strftime("%Y-%m")
    before_commit(_add, month, kind, credits, debits, len(values),
                  order=("points_month_totals", month, kind))


def _add(month: str, kind: str, credits: int, debits: int, entries: int) -> None:
    statement = dialect_insert(TABLE, db.session).values(
        month=month, kind=kind, credits=credits, debits=debits, entries=entries)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["month", "kind"],
        set_={"credits": TABLE.c.credits + statement.excluded.credits,
              "debits": TABLE.c.debits + statement.excluded.debits,
              "entries": TABLE.c.entries + statement.excluded.entries}))


def _from_ledger():
    month = year_month(LedgerEntry.created_at)
    return (select(month.label("month"), LedgerEntry.kind,
                   func.coalesce(func.sum(case((LedgerEntry.amount > 0, LedgerEntry.amount), else_=0)), 0),
                   func.coalesce(func.sum(case((LedgerEntry.amount < 0, LedgerEntry.amount), else_=0)), 0),
                   func.count(LedgerEntry.id))
            .group_by(month, LedgerEntry.kind))


@dataclass(frozen=True)
class TotalDifference:
    month: str
    kind: str
    stored: tuple[int, int, int]
    ledger: tuple[int, int, int]


def verify_totals() -> list[TotalDifference]:
    """Months and kinds whose stored totals differ from the ledger's (one scan of it)."""
    ledger = {(m, k): (int(c), int(d), int(n)) for m, k, c, d, n in db.session.execute(_from_ledger())}
    stored = {(t.month, t.kind): (int(t.credits), int(t.debits), t.entries)
              for t in db.session.scalars(select(PointsMonthTotal))}
    return [TotalDifference(m, k, stored.get((m, k), (0, 0, 0)), ledger.get((m, k), (0, 0, 0)))
            for m, k in sorted(set(ledger) | set(stored))
            if stored.get((m, k), (0, 0, 0)) != ledger.get((m, k), (0, 0, 0))]


def rebuild_totals() -> int:
    """Rewrite every total from the ledger (one INSERT … SELECT); returns the rows written."""
    db.session.execute(delete(PointsMonthTotal))
    db.session.execute(insert(PointsMonthTotal).from_select(
        ["month", "kind", "credits", "debits", "entries"], _from_ledger()))
    return db.session.scalar(select(func.count()).select_from(PointsMonthTotal)) or 0
