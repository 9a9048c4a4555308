"""The segment builder: criteria (stored as JSON on a campaign or survey) → a `select()` of member ids.

Criteria: tier, development (a verified home in it), verified homeowner or not, role
(member / partner), joined between two dates, has / has not redeemed a perk in the last
N days. Staff, service and inactive accounts are never in a segment. Birthday month is
not offered: users have no date of birth.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, or_, select

from portal.accounts.models import Building, Ownership, OwnershipStatus, Unit, User
from portal.accounts.permissions import Role
from portal.core.errors import DomainError
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import Redemption
from portal.points.tiers import TIER_CODES, tiers

SEGMENT_ROLES = (Role.MEMBER.value, Role.PARTNER.value)
YES_NO = ("", "yes", "no")
MAX_DAYS = 3650
SAMPLE_SIZE = 10


class SegmentError(DomainError):
    """Criteria that cannot be used; `field` names the criterion that is wrong."""


@dataclass(frozen=True)
class Segment:
    tiers: list[str] = field(default_factory=list)  # empty: any tier
    development_id: int | None = None
    verified: str = ""  # "yes", "no" or "" (either)
    roles: list[str] = field(default_factory=list)  # empty: members and partners
    joined_from: str = ""  # ISO dates, inclusive
    joined_to: str = ""
    redeemed: str = ""  # "yes": redeemed in the last `redeemed_days` days; "no": did not
    redeemed_days: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _date(raw: Any, name: str) -> date | None:
    if raw in ("", None):
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise SegmentError(_l("Enter a valid date."), field=name) from None


def parse_segment(data: dict | None) -> Segment:
    """Check stored or submitted criteria; SegmentError names the field that is wrong."""
    data = data or {}
    tier_list = [str(t) for t in data.get("tiers") or []]
    roles = [str(r) for r in data.get("roles") or []]
    if any(t not in TIER_CODES for t in tier_list) or any(r not in SEGMENT_ROLES for r in roles):
        raise SegmentError(_l("Choose from the list."), field="tiers")
    development_id = data.get("development_id")
    if development_id is not None and (isinstance(development_id, bool)
                                       or not isinstance(development_id, int)):
        raise SegmentError(_l("Choose from the list."), field="development_id")
    verified, redeemed = data.get("verified") or "", data.get("redeemed") or ""
    if verified not in YES_NO or redeemed not in YES_NO:
        raise SegmentError(_l("Choose from the list."), field="verified")
    days = data.get("redeemed_days") or 0
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
        raise SegmentError(_l("Enter a number of days between 1 and %(maximum)s.", maximum=MAX_DAYS),
                            field="redeemed_days")
    if redeemed and not days:
        raise SegmentError(_l("Enter a number of days between 1 and %(maximum)s.", maximum=MAX_DAYS),
                            field="redeemed_days")
    joined_from = _date(data.get("joined_from"), "joined_from")
    joined_to = _date(data.get("joined_to"), "joined_to")
    if joined_from and joined_to and joined_to < joined_from:
        raise SegmentError(_l("The end date must not be before the start date."), field="joined_to")
    return Segment(sorted(set(tier_list)), development_id, verified, sorted(set(roles)),
                   joined_from.isoformat() if joined_from else "",
                   joined_to.isoformat() if joined_to else "", redeemed, days if redeemed else 0)


def _tier_condition(codes: list[str]):
    bounds = []
    tier_list = tiers()
    for tier in tier_list:
        if tier.code not in codes:
            continue
        upper = tier_list[tier.rank + 1].threshold if tier.rank + 1 < len(tier_list) else None
        low = User.points_lifetime >= tier.threshold
        bounds.append(low if upper is None else and_(low, User.points_lifetime < upper))
    return or_(*bounds)


def member_ids_query(segment: Segment, now: datetime | None = None) -> Select:
    """The segment's member ids (one column `id`), in id order."""
    now = now or utcnow()
    query = select(User.id).where(User.is_active_account.is_(True),
                                  User.role.in_(segment.roles or SEGMENT_ROLES))
    if segment.tiers:
        query = query.where(_tier_condition(segment.tiers))
    verified_home = (exists().where(Ownership.user_id == User.id,
                                    Ownership.status == OwnershipStatus.VERIFIED.value))
    if segment.verified == "yes":
        query = query.where(verified_home)
    elif segment.verified == "no":
        query = query.where(~verified_home)
    if segment.development_id is not None:
        query = query.where(exists().where(
            Ownership.user_id == User.id, Ownership.status == OwnershipStatus.VERIFIED.value,
            Ownership.unit_id == Unit.id, Unit.building_id == Building.id,
            Building.development_id == segment.development_id))
    if segment.joined_from:
        start = date.fromisoformat(segment.joined_from)
        query = query.where(User.created_at >= datetime.combine(start, time.min))
    if segment.joined_to:
        end = date.fromisoformat(segment.joined_to) + timedelta(days=1)
        query = query.where(User.created_at < datetime.combine(end, time.min))
    if segment.redeemed:
        recent = exists().where(Redemption.member_id == User.id,
                                Redemption.created_at >= now - timedelta(days=segment.redeemed_days))
        query = query.where(recent if segment.redeemed == "yes" else ~recent)
    return query.order_by(User.id)


@dataclass(frozen=True)
class Audience:
    size: int
    sample: list[User]


def audience_of(segment: Segment) -> Audience:
    """How many members the segment holds now, and the first ten of them (the preview)."""
    ids = member_ids_query(segment).subquery()
    size = db.session.scalar(select(func.count()).select_from(ids)) or 0
    sample = list(db.session.scalars(
        select(User).where(User.id.in_(member_ids_query(segment).limit(SAMPLE_SIZE).scalar_subquery()))
        .order_by(User.id)))
    return Audience(size, sample)


def contains(segment: Segment, member_id: int) -> bool:
    return db.session.scalar(
        select(exists(member_ids_query(segment).where(User.id == member_id).order_by(None)))) or False
