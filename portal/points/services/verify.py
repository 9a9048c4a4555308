"""`flask points verify`: every cached balance recomputed from the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from portal.accounts.models import User
from portal.extensions import db
from portal.points.models import LIFETIME_KINDS, LedgerEntry, PointsLot


@dataclass(frozen=True)
class Difference:
    member_id: int
    email: str
    balance: int
    ledger_balance: int
    lifetime: int
    ledger_lifetime: int
    lots_remaining: int

    def describe(self) -> str:
        return (f"member {self.member_id} <{self.email}>: balance {self.balance} vs ledger "
                f"{self.ledger_balance}; lifetime {self.lifetime} vs ledger {self.ledger_lifetime}; "
                f"unexpired lots {self.lots_remaining}")


def find_differences() -> list[Difference]:
    """Recompute every member's balance and lifetime from the ledger (one set-based query).

    A member differs when the cached balance or lifetime earned disagrees with the ledger,
    or when the expiry lots do not add up to the balance.
    """
    earned = case((and_(LedgerEntry.amount > 0, LedgerEntry.kind.in_([k.value for k in LIFETIME_KINDS])),
                   LedgerEntry.amount), else_=0)
    ledger = (select(LedgerEntry.member_id.label("member_id"),
                     func.sum(LedgerEntry.amount).label("balance"),
                     func.sum(earned).label("lifetime"))
              .group_by(LedgerEntry.member_id).subquery())
    lots = (select(PointsLot.member_id.label("member_id"),
                   func.sum(PointsLot.remaining).label("remaining"))
            .group_by(PointsLot.member_id).subquery())
    ledger_balance = func.coalesce(ledger.c.balance, 0)
    ledger_lifetime = func.coalesce(ledger.c.lifetime, 0)
    lots_remaining = func.coalesce(lots.c.remaining, 0)
    rows = db.session.execute(
        select(User.id, User.email, User.points_balance, ledger_balance, User.points_lifetime,
               ledger_lifetime, lots_remaining)
        .outerjoin(ledger, ledger.c.member_id == User.id)
        .outerjoin(lots, lots.c.member_id == User.id)
        .where(or_(User.points_balance != ledger_balance, User.points_lifetime != ledger_lifetime,
                   lots_remaining != ledger_balance))
        .order_by(User.id)
    ).all()
    return [Difference(*row) for row in rows]
