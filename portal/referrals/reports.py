"""What marketing and management read: the filtered list, the funnel, the referral share of
purchases, top referrers, the CSV export. Each figure is one grouped query (no N+1).

Months are calendar months in UTC ('YYYY-MM').
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, and_, distinct, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.core.sql import year_month
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import CONVERTED_STATUSES, Referral, ReferralStatus

OWED = "owed"  # pseudo status in the filter: reward not fully recovered after a cancellation
STATUS_FILTERS = [s.value for s in ReferralStatus] + [OWED]
_MONTH_RE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_CONVERTED = [s.value for s in CONVERTED_STATUSES]
WINDOWS = (3, 6, 12, 24)


# --- the list and its filters -------------------------------------------------------------

@dataclass
class Filters:
    status: str = ""
    development_id: int | None = None
    month: str = ""  # 'YYYY-MM' of registration
    referrer: str = ""  # as typed: an id or an email
    member_id: int | None = None  # referrer or invitee (link from the member admin page)

    def args(self) -> dict[str, str]:
        """The query arguments that reproduce these filters (for the export link)."""
        values = {"status": self.status, "development": self.development_id or "",
                  "month": self.month, "referrer": self.referrer, "member": self.member_id or ""}
        return {key: str(value) for key, value in values.items() if value}


def _int_arg(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the list filters from query arguments; anything unknown is ignored, not an error."""
    filters = Filters()
    status = args.get("status", "")
    filters.status = status if status in STATUS_FILTERS else ""
    filters.development_id = _int_arg(args.get("development"))
    month = args.get("month", "").strip()
    filters.month = month if _MONTH_RE.fullmatch(month) else ""
    filters.referrer = args.get("referrer", "").strip()[:254]
    filters.member_id = _int_arg(args.get("member"))
    return filters


def _month_range(month: str) -> tuple[datetime, datetime]:
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1)
    end = datetime(year + (number == 12), number % 12 + 1, 1)
    return start, end


def referral_query(filters: Filters) -> Select:
    """Referrals matching `filters`, newest first, with the people and places they show."""
    query = select(Referral).options(
        joinedload(Referral.referrer), joinedload(Referral.invitee),
        joinedload(Referral.development), joinedload(Referral.unit).joinedload(Unit.building),
    )
    if filters.status == OWED:
        query = query.where(or_(Referral.referrer_owed > 0, Referral.invitee_owed > 0))
    elif filters.status:
        query = query.where(Referral.status == filters.status)
    if filters.development_id:
        query = query.where(Referral.development_id == filters.development_id)
    if filters.month:
        start, end = _month_range(filters.month)
        query = query.where(Referral.created_at >= start, Referral.created_at < end)
    if filters.referrer:
        referrer_id = _int_arg(filters.referrer)
        if referrer_id is not None:
            query = query.where(Referral.referrer_id == referrer_id)
        else:
            query = query.join(User, User.id == Referral.referrer_id).where(
                User.email == filters.referrer.lower())
    if filters.member_id:
        query = query.where(or_(Referral.referrer_id == filters.member_id,
                                Referral.invitee_id == filters.member_id))
    return query.order_by(Referral.created_at.desc(), Referral.id.desc())


# --- the report -----------------------------------------------------------------------------

def months_back(count: int, today: date | None = None) -> list[str]:
    """The last `count` months, oldest first, ending with the current one."""
    today = today or utcnow().date()
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


@dataclass(frozen=True)
class FunnelRow:
    month: str
    registered: int
    visited: int
    purchased: int


def funnel(months: list[str]) -> list[FunnelRow]:
    """Per registration month: how many registered, went on to visit, went on to buy.

    A purchase counts as a visit too (the visit step is optional); a cancelled purchase
    no longer counts as a purchase.
    """
    month = year_month(Referral.created_at)
    reached_visit = or_(Referral.visited_on.is_not(None), Referral.purchased_on.is_not(None))
    rows = db.session.execute(
        select(month, func.count(Referral.id),
               func.count(Referral.id).filter(reached_visit),
               func.count(Referral.id).filter(Referral.status.in_(_CONVERTED)))
        .where(Referral.created_at >= _month_range(months[0])[0])
        .group_by(month)
    ).all()
    found = {row[0]: row[1:] for row in rows}
    return [FunnelRow(m, *found.get(m, (0, 0, 0))) for m in months]


@dataclass(frozen=True)
class Share:
    referred: int
    total: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.referred / self.total if self.total else None


@dataclass
class ShareReport:
    months: list[str]
    by_month: dict[str, Share]  # all developments
    by_development: list[tuple[str, Share]]  # whole window
    cells: dict[tuple[str, str], Share]  # (development name, month)


def referral_share(months: list[str]) -> ShareReport:
    """Purchases by referred buyers / all recorded purchases (verified ownerships with a
    purchase date), per development and purchase month."""
    month = year_month(Ownership.purchased_on)
    referral = aliased(Referral)
    rows = db.session.execute(
        select(Development.name, month, func.count(distinct(Ownership.id)),
               func.count(distinct(referral.id)))
        .join(Unit, Unit.id == Ownership.unit_id).join(Building, Building.id == Unit.building_id)
        .join(Development, Development.id == Building.development_id)
        .outerjoin(referral, and_(referral.ownership_id == Ownership.id,
                                  referral.status.in_(_CONVERTED)))
        .where(Ownership.status == OwnershipStatus.VERIFIED.value,
               Ownership.purchased_on >= _month_range(months[0])[0].date(),
               Ownership.purchased_on < _month_range(months[-1])[1].date())
        .group_by(Development.name, month)
    ).all()
    cells: dict[tuple[str, str], Share] = {}
    month_totals: dict[str, list[int]] = {m: [0, 0] for m in months}
    development_totals: dict[str, list[int]] = {}
    for name, ym, total, referred in rows:
        cells[(name, ym)] = Share(referred, total)
        month_totals[ym][0] += referred
        month_totals[ym][1] += total
        development_totals.setdefault(name, [0, 0])
        development_totals[name][0] += referred
        development_totals[name][1] += total
    return ShareReport(
        months=months,
        by_month={m: Share(*month_totals[m]) for m in months},
        by_development=[(name, Share(*development_totals[name])) for name in sorted(development_totals)],
        cells=cells,
    )


@dataclass(frozen=True)
class TopReferrer:
    user_id: int
    name: str
    referred: int
    bought: int
    points: int


def top_referrers(months: list[str], limit: int = 10) -> list[TopReferrer]:
    """Referrers of the window's referrals, most purchases first."""
    bought = func.count(Referral.id).filter(Referral.status.in_(_CONVERTED))
    points = func.coalesce(func.sum(Referral.referrer_points).filter(
        Referral.status == ReferralStatus.REWARDED.value), 0)
    rows = db.session.execute(
        select(User.id, User.display_name, func.count(Referral.id), bought, points)
        .join(User, User.id == Referral.referrer_id)
        .where(Referral.created_at >= _month_range(months[0])[0])
        .group_by(User.id, User.display_name)
        .order_by(bought.desc(), func.count(Referral.id).desc(), User.id)
        .limit(limit)
    ).all()
    return [TopReferrer(*row) for row in rows]


# --- export -----------------------------------------------------------------------------------

def export_rows(filters: Filters, labels: Mapping[str, str]) -> Iterator[list[object]]:
    """One row per referral matching `filters`, fetched in batches."""
    result = db.session.execute(referral_query(filters).execution_options(yield_per=500))
    for referral in result.scalars():
        yield [
            referral.id, str(labels.get(referral.status, referral.status)),
            referral.created_at.isoformat(sep=" ", timespec="minutes"),
            referral.referrer_id, referral.referrer.display_name,
            referral.invitee_id, referral.invitee.display_name,
            referral.visited_on.isoformat() if referral.visited_on else "",
            referral.purchased_on.isoformat() if referral.purchased_on else "",
            referral.development.name if referral.development else "",
            f"{referral.unit.building.name} · {referral.unit.number}" if referral.unit else "",
            referral.contract_number,
            referral.referrer_points, referral.invitee_points, referral.points_owed, referral.reason,
        ]
