"""What staff read: the filtered list, one referral, the funnel, the referral share of
purchases, top referrers, the CSV export. Each figure is one grouped query (no N+1).

Months are calendar months in UTC ('YYYY-MM'). Query-string values are parsed here and
never trusted: an unknown status, a malformed month or a 20-digit id is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, distinct, false, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.core.loaders import query_id
from portal.core.months import month_range, months_back, parse_month
from portal.core.pagination import paginate
from portal.core.sql import year_month
from portal.extensions import db
from portal.referrals.lifecycle import Decisions, decisions_for
from portal.referrals.models import CONVERTED_STATUSES, Referral, ReferralStatus

OWED = "owed"  # pseudo status in the filter: reward not fully recovered after a cancellation
STATUS_FILTERS = [s.value for s in ReferralStatus] + [OWED]
_CONVERTED = [s.value for s in CONVERTED_STATUSES]
WINDOWS = (3, 6, 12, 24)
DEFAULT_WINDOW = 12
PAGE_SIZE = 30


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


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Read the list filters from query arguments; anything unknown is ignored, not an error."""
    filters = Filters()
    status = args.get("status", "")
    filters.status = status if status in STATUS_FILTERS else ""
    filters.development_id = query_id(args.get("development", "").strip())
    filters.month = parse_month(args.get("month"))
    filters.referrer = args.get("referrer", "").strip()[:254]
    filters.member_id = query_id(args.get("member", "").strip())
    return filters


def status_choices() -> list[tuple[str, object]]:
    """The status filter's options: every status, then the pseudo status "owed"."""
    return [(status.value, status.label) for status in ReferralStatus] + [
        (OWED, _l("Points not recovered"))]


def parse_window(raw: str | None) -> int:
    """The report's period in months: one of WINDOWS, else the default."""
    months = query_id((raw or "").strip())
    return months if months in WINDOWS else DEFAULT_WINDOW


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
        start, end = month_range(filters.month)
        query = query.where(Referral.created_at >= start, Referral.created_at < end)
    if filters.referrer:
        if filters.referrer.isascii() and filters.referrer.isdigit():
            referrer_id = query_id(filters.referrer)
            # An id no row can have (0, 20 digits) matches nothing rather than everything.
            query = query.where(Referral.referrer_id == referrer_id if referrer_id else false())
        else:
            query = query.join(User, User.id == Referral.referrer_id).where(
                User.email == filters.referrer.lower())
    if filters.member_id:
        query = query.where(or_(Referral.referrer_id == filters.member_id,
                                Referral.invitee_id == filters.member_id))
    return query.order_by(Referral.created_at.desc(), Referral.id.desc())


@dataclass(frozen=True)
class ListPage:
    page: Pagination  # of Referral
    developments: list[Development]  # for the filter
    statuses: list[tuple[str, object]]


def list_page(filters: Filters, page: int) -> ListPage:
    """One page of the staff list (a page past the end shows the last one)."""
    return ListPage(paginate(referral_query(filters), PAGE_SIZE, page=page), developments(),
                    status_choices())


def developments() -> list[Development]:
    """Every development, by name (list filter, purchase form)."""
    return list(db.session.scalars(select(Development).order_by(Development.name)))


# --- one referral ----------------------------------------------------------------------------

DETAIL_OPTIONS = (
    joinedload(Referral.referrer), joinedload(Referral.invitee), joinedload(Referral.decided_by),
    joinedload(Referral.unit).joinedload(Unit.building).joinedload(Building.development),
)


def other_referrals(referral: Referral, limit: int = 10) -> list[Referral]:
    """The referrer's other referrals, newest first (shown beside one referral)."""
    return list(db.session.scalars(
        select(Referral).where(Referral.referrer_id == referral.referrer_id, Referral.id != referral.id)
        .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit)
        .options(joinedload(Referral.invitee))
    ))


@dataclass(frozen=True)
class DetailPage:
    referral: Referral
    others: list[Referral]
    decisions: Decisions


def detail_page(referral: Referral, user: User) -> DetailPage:
    """One referral for staff: the referrer's other referrals and what `user` may decide."""
    return DetailPage(referral, other_referrals(referral), decisions_for(referral, user))


# --- the report -----------------------------------------------------------------------------

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
        .where(Referral.created_at >= month_range(months[0])[0])
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
               Ownership.purchased_on >= month_range(months[0])[0].date(),
               Ownership.purchased_on < month_range(months[-1])[1].date())
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
        .where(Referral.created_at >= month_range(months[0])[0])
        .group_by(User.id, User.display_name)
        .order_by(bought.desc(), func.count(Referral.id).desc(), User.id)
        .limit(limit)
    ).all()
    return [TopReferrer(*row) for row in rows]


@dataclass(frozen=True)
class ReportPage:
    window: int
    windows: tuple[int, ...]
    months: list[str]
    funnel: list[FunnelRow]
    share: ShareReport
    top: list[TopReferrer]


def report_page(window: int) -> ReportPage:
    """Every figure of the report over the last `window` months."""
    months = months_back(window)
    return ReportPage(window, WINDOWS, months, funnel(months), referral_share(months),
                      top_referrers(months))


# --- export -----------------------------------------------------------------------------------

def export_rows(filters: Filters, labels: Mapping[str, str]) -> Iterator[list[object]]:
    """One row per referral matching `filters`, fetched in batches."""
    result = db.session.execute(referral_query(filters).execution_options(yield_per=500))
    for referral in result.scalars():
        yield [
            referral.id, str(labels.get(referral.status, referral.status)),
            referral.created_at,  # the club's time zone (core.csvexport)
            referral.referrer_id, referral.referrer.display_name,
            referral.invitee_id, referral.invitee.display_name,
            referral.visited_on.isoformat() if referral.visited_on else "",
            referral.purchased_on.isoformat() if referral.purchased_on else "",
            referral.development.name if referral.development else "",
            f"{referral.unit.building.name} · {referral.unit.number}" if referral.unit else "",
            referral.contract_number,
            referral.referrer_points, referral.invitee_points, referral.points_owed, referral.reason,
        ]


def referrals_by(member_id: int, limit: int = 5) -> dict:
    """The friends a member referred: the last few and how many (the member's staff page)."""
    mine = select(Referral).where(Referral.referrer_id == member_id)
    recent = db.session.scalars(mine.options(joinedload(Referral.invitee))
                                .order_by(Referral.created_at.desc(), Referral.id.desc()).limit(limit)).all()
    total = db.session.scalar(select(func.count()).select_from(mine.subquery())) or 0
    return {"referrals": recent, "total": total}
