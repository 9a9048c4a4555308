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


def units_of_development(development_id: int):
    """SELECT of the ids of the development's units."""
    return (select(Unit.id).join(Building, Building.id == Unit.building_id)
            .where(Building.development_id == development_id))


def unit_in_development(unit_id, development_id: int):
    """SQL condition: the unit `unit_id` (a column) is in the development. A list the
    database builds once and probes, rather than a lookup per row: at 100,000 members a
    development's figures went from 8.3 s to well under one (bench/results)."""
    return unit_id.in_(units_of_development(development_id))


def has_verified_home(user_id, development_id: int | None = None):
    """SQL condition: the user `user_id` (a column) has a verified home (in the development:
    one of the development's few thousand owners, read from the ownership index)."""
    if development_id is None:
        return exists().where(Ownership.user_id == user_id, Ownership.status == VERIFIED)
    return user_id.in_(select(Ownership.user_id).where(
        Ownership.status == VERIFIED, unit_in_development(Ownership.unit_id, development_id)))


def verified_households(development_id: int | None = None) -> int:
    """Units with at least one verified owner (the households complaint rates are per)."""
    query = select(func.count(distinct(Ownership.unit_id))).where(Ownership.status == VERIFIED)
    if development_id is not None:
        query = query.where(unit_in_development(Ownership.unit_id, development_id))
    return db.session.scalar(query) or 0


def _member_conditions(period: Period) -> list:
    conditions = [User.role == Role.MEMBER.value, User.is_active_account.is_(True)]
    if period.development_id is not None:
        conditions.append(has_verified_home(User.id, period.development_id))
    return conditions


def member_totals(period: Period) -> Figure:
    """Active member accounts, those with a verified home, joined in the period, joined this
    month (with a development: members with a verified home there). One scan of users."""
    month_start = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    row = db.session.execute(
        select(func.count(User.id),
               func.count(User.id).filter(has_verified_home(User.id)),
               func.count(User.id).filter(User.created_at >= period.starts_at,
                                          User.created_at < period.ends_before),
               func.count(User.id).filter(User.created_at >= month_start))
        .where(*_member_conditions(period))).one()
    return Figure("members", _l("Members"), [_l("Figure"), _l("Count")], [
        (_l("Members"), row[0]), (_l("Verified homeowners"), row[1]),
        (_l("Joined in the period"), row[2]), (_l("Joined this month"), row[3])],
        definition=_l("Active member accounts (staff and partners not counted)."))


def new_members_by_month(period: Period) -> Figure:
    month = year_month(User.created_at)
    found = dict(db.session.execute(
        select(month, func.count(User.id)).where(
            *_member_conditions(period), User.created_at >= period.starts_at,
            User.created_at < period.ends_before).group_by(month)).all())
    rows = [(m, found.get(m, 0)) for m in period.months()]
    return Figure("new-members", _l("New members by month"), [_l("Month"), _l("New members")], rows,
                  chart=columns(_l("New members by month"), rows))


def homes_waiting(_user) -> int:
    """Home verification requests waiting for staff (the staff home's count)."""
    return count_rows(select(Ownership.id).where(Ownership.status == OwnershipStatus.PENDING.value))
