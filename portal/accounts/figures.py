"""Membership figures for the KPI dashboard, and the development filter other features'
figures use. One function per figure; aggregate SQL only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, exists, func, select

from portal.accounts.models import Building, Ownership, OwnershipStatus, Unit, User
from portal.accounts.permissions import Role
from portal.core.charts import columns
from portal.core.figures import Figure, Period, count_rows
from portal.core.sql import year_month
from portal.core.timeutil import utcnow
from portal.extensions import db

VERIFIED = OwnershipStatus.VERIFIED.value


def unit_in_development(unit_id, development_id: int):
    """SQL condition: the unit `unit_id` (a column) is in the development."""
    return exists().where(Unit.id == unit_id, Building.id == Unit.building_id,
                          Building.development_id == development_id)


def has_verified_home(user_id, development_id: int | None = None):
    """SQL condition: the user `user_id` (a column) has a verified home (in the development)."""
    condition = exists().where(Ownership.user_id == user_id, Ownership.status == VERIFIED)
    if development_id is not None:
        condition = exists().where(Ownership.user_id == user_id, Ownership.status == VERIFIED,
                                   unit_in_development(Ownership.unit_id, development_id))
    return condition


def verified_households(development_id: int | None = None) -> int:
    """Units with at least one verified owner (the households complaint rates are per)."""
    query = select(func.count(distinct(Ownership.unit_id))).where(Ownership.status == VERIFIED)
    if development_id is not None:
        query = query.where(unit_in_development(Ownership.unit_id, development_id))
    return db.session.scalar(query) or 0


def _members(period: Period):
    query = select(User.id).where(User.role == Role.MEMBER.value, User.is_active_account.is_(True))
    if period.development_id is not None:
        query = query.where(has_verified_home(User.id, period.development_id))
    return query


def member_totals(period: Period) -> Figure:
    """Active member accounts, those with a verified home, joined in the period, joined this
    month (with a development: members with a verified home there)."""
    base = _members(period).subquery()
    month_start = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    row = db.session.execute(
        select(func.count(base.c.id),
               func.count(base.c.id).filter(has_verified_home(base.c.id)),
               func.count(base.c.id).filter(User.created_at >= period.starts_at,
                                            User.created_at < period.ends_before),
               func.count(base.c.id).filter(User.created_at >= month_start))
        .select_from(base).join(User, User.id == base.c.id)).one()
    return Figure("members", _l("Members"), [_l("Figure"), _l("Count")], [
        (_l("Members"), row[0]), (_l("Verified homeowners"), row[1]),
        (_l("Joined in the period"), row[2]), (_l("Joined this month"), row[3])],
        definition=_l("Active member accounts (staff and partners not counted)."))


def new_members_by_month(period: Period) -> Figure:
    month = year_month(User.created_at)
    found = dict(db.session.execute(
        select(month, func.count(User.id)).where(
            User.id.in_(_members(period)), User.created_at >= period.starts_at,
            User.created_at < period.ends_before).group_by(month)).all())
    rows = [(m, found.get(m, 0)) for m in period.months()]
    return Figure("new-members", _l("New members by month"), [_l("Month"), _l("New members")], rows,
                  chart=columns(_l("New members by month"), rows))


def homes_waiting(_user) -> int:
    """Home verification requests waiting for staff (the staff home's count)."""
    return count_rows(select(Ownership.id).where(Ownership.status == OwnershipStatus.PENDING.value))
