"""The member catalog: which perks a member sees, and what each one means for them.

Business rules stay here, not in templates: `PerkStatus` says, for one member and one
perk, whether it is affordable, how many points are missing, whether their tier is too
low, whether it has not started yet — and on a perk's own page, why it cannot be
redeemed now. Templates only display these flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, or_, select

from portal.accounts.permissions import P
from portal.core.pagination import paginate
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.errors import (
    OUT_OF_STOCK,
    LimitReached,
    NotAvailable,
    NotEnoughPoints,
    OutOfStock,
    PerkError,
    TierTooLow,
    not_enough_points,
)
from portal.perks.models import Perk, PerkCategory, Redemption, RedemptionStatus
from portal.perks.tiers import member_tier, tier_label, tier_rank

PER_PAGE = 12


def visible_condition(now: datetime):
    """Active perks whose window has not ended (upcoming ones are shown with their date)."""
    return (Perk.is_active.is_(True)) & or_(Perk.ends_at.is_(None), Perk.ends_at > now)


def catalog_query(*, now: datetime, category: str | None = None,
                  max_cost: int | None = None) -> Select:
    """Perks members can browse, newest first; `max_cost` keeps the affordable ones."""
    query = select(Perk).where(visible_condition(now))
    if category:
        query = query.where(Perk.category == category)
    if max_cost is not None:
        query = query.where(Perk.cost <= max_cost)
    return query.order_by(Perk.created_at.desc(), Perk.id.desc())


def latest_perks(limit: int = 3) -> list[Perk]:
    """The newest perks a member can redeem now (the home page panel)."""
    now = utcnow()
    query = (catalog_query(now=now)
             .where(or_(Perk.starts_at.is_(None), Perk.starts_at <= now))
             .where(or_(Perk.stock.is_(None), Perk.stock > 0))
             .limit(limit))
    return list(db.session.scalars(query))


def home_panel_context(user) -> dict:
    """"New perks" on the member home page: the latest three, for members who can redeem."""
    if not user.can(P.REDEEM_PERKS):
        return {"perks": []}
    return {"perks": latest_perks(3)}


def held_count(member_id: int, perk_id: int) -> int:
    """Vouchers of this perk the member holds or used (cancelled ones do not count)."""
    return db.session.scalar(
        select(func.count()).select_from(Redemption).where(
            Redemption.member_id == member_id, Redemption.perk_id == perk_id,
            Redemption.status != RedemptionStatus.CANCELLED.value)) or 0


def is_visible(perk: Perk) -> bool:
    """Members see active perks only; anything else is a 404 to them."""
    return perk.is_active


def redeem_problem(member, perk: Perk, *, now: datetime, held: int, balance: int,
                   check_stock: bool = True) -> PerkError | None:
    """Why `member` cannot redeem `perk` now (an error carrying a translated message), or None.

    Checked in this order: window, tier, stock, limit, points. `redeem_perk` runs the same
    checks under the member's row lock and takes the stock with a conditional UPDATE.
    """
    if not perk.is_active or (perk.ends_at is not None and perk.ends_at <= now):
        return NotAvailable(_l("This perk is no longer available."))
    if perk.starts_at is not None and perk.starts_at > now:
        return NotAvailable(_l("This perk is not available yet."))
    if tier_rank(member_tier(member)) < tier_rank(perk.min_tier):
        return TierTooLow(_l("This perk is for %(tier)s members and above.",
                             tier=tier_label(perk.min_tier)))
    if check_stock and perk.stock is not None and perk.stock <= 0:
        return OutOfStock(OUT_OF_STOCK)
    if perk.per_member_limit is not None and held >= perk.per_member_limit:
        return LimitReached(_l("You have reached the limit of %(limit)s per member for this perk.",
                               limit=perk.per_member_limit))
    if balance < perk.cost:
        return NotEnoughPoints(not_enough_points(perk.cost - balance))
    return None


def redeem_blocker(member, perk: Perk, *, now: datetime, held: int, balance: int):
    """The translated reason of `redeem_problem`, or None (for pages that only inform)."""
    problem = redeem_problem(member, perk, now=now, held=held, balance=balance)
    return problem.message if problem is not None else None


@dataclass(frozen=True)
class PerkStatus:
    """One perk as one member sees it. `held` and `blocker` are known on the perk's own
    pages only (the catalog does not count vouchers per perk)."""

    perk: Perk
    balance: int
    tier_locked: bool  # the member's tier is below the perk's minimum
    is_upcoming: bool  # shown, but not open yet
    held: int | None = None
    blocker: Any = None  # why it cannot be redeemed now (translated), or None

    @property
    def is_affordable(self) -> bool:
        return self.balance >= self.perk.cost

    @property
    def points_short(self) -> int:
        return max(self.perk.cost - self.balance, 0)

    @property
    def balance_after(self) -> int:
        return self.balance - self.perk.cost

    @property
    def needs_tier(self) -> bool:
        """The perk asks for more than the base tier (its badge says which)."""
        return tier_rank(self.perk.min_tier) > 0

    @property
    def min_tier_label(self) -> Any:
        return tier_label(self.perk.min_tier)

    @property
    def is_out_of_stock(self) -> bool:
        return self.perk.stock is not None and self.perk.stock <= 0

    @property
    def can_redeem(self) -> bool:
        return self.blocker is None


def _status(perk: Perk, *, now: datetime, rank: int, balance: int, **extra) -> PerkStatus:
    return PerkStatus(perk, balance, tier_locked=tier_rank(perk.min_tier) > rank,
                      is_upcoming=perk.starts_at is not None and perk.starts_at > now, **extra)


def statuses(member, perks: list[Perk], now: datetime | None = None) -> list[PerkStatus]:
    """The catalog's view of `perks` for `member` (the member's tier is read once)."""
    now = now or utcnow()
    rank = tier_rank(member_tier(member))
    return [_status(perk, now=now, rank=rank, balance=member.points_balance) for perk in perks]


def perk_status(member, perk: Perk, now: datetime | None = None) -> PerkStatus:
    """A perk's own page (and the redeem confirmation): the catalog flags, plus how many
    vouchers of it the member holds and why it cannot be redeemed now, if it cannot."""
    now = now or utcnow()
    held = held_count(member.id, perk.id)
    balance = member.points_balance
    return _status(perk, now=now, rank=tier_rank(member_tier(member)), balance=balance,
                   held=held, blocker=redeem_blocker(member, perk, now=now, held=held,
                                                     balance=balance))


def preview_status(perk: Perk, now: datetime | None = None) -> PerkStatus:
    """Marketing's preview: the perk's page as a member who may redeem it sees it (enough
    points, the tier it needs, none redeemed yet), whether or not it is live."""
    now = now or utcnow()
    return PerkStatus(perk, balance=perk.cost, tier_locked=False,
                      is_upcoming=perk.starts_at is not None and perk.starts_at > now,
                      held=0, blocker=None)


@dataclass(frozen=True)
class CatalogPage:
    page: Pagination
    perks: list[PerkStatus]
    category: str  # "" for every category
    affordable: bool
    categories: dict[str, Any]


def catalog_page(member, *, category: str | None, affordable: bool) -> CatalogPage:
    """/perks: one page of the catalog, filtered; an unknown category shows every category."""
    categories = PerkCategory.labels()
    category = category if category in categories else ""
    now = utcnow()
    query = catalog_query(now=now, category=category or None,
                          max_cost=member.points_balance if affordable else None)
    page = paginate(query, PER_PAGE)
    return CatalogPage(page, statuses(member, page.items, now), category, affordable, categories)
