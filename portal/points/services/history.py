"""Reading points: the ledger history and what the member and staff pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale, gettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.core.i18n import localized
from portal.core.pagination import paginate
from portal.extensions import db
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services.expiry import SOON_DAYS, ExpiringSoon, expiring_soon
from portal.points.services.gifts import can_receive_points
from portal.points.tiers import TierProgress, tier_progress

HISTORY_PER_PAGE = 20
STAFF_HISTORY_PER_PAGE = 30


def kind_label(kind: str) -> Any:
    return LedgerKind.label_of(kind)


def render_reason(entry: LedgerEntry) -> str:
    """The entry's reason in the current language (stored msgid + parameters).

    A parameter stored as `{"zh_Hant": …, "zh_Hans": …, "en": …}` (text staff wrote per
    locale, e.g. a campaign's name) is shown in the reader's language."""
    params = {name: localized(value, str(get_locale())) if isinstance(value, dict) else value
              for name, value in (entry.reason_params or {}).items()}
    try:
        return gettext(entry.reason, **params)
    except (KeyError, ValueError, TypeError):  # a msgid and its parameters out of step
        return entry.reason


def history_query(member_id: int) -> Select:
    """The member's ledger, newest first (index ix_points_ledger_member_history)."""
    return (select(LedgerEntry).where(LedgerEntry.member_id == member_id)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()))


def recent_entries(member_id: int, limit: int = 5) -> list[LedgerEntry]:
    """The member's last few ledger rows (the staff page of the member)."""
    return list(db.session.scalars(history_query(member_id).limit(limit)))


@dataclass(frozen=True)
class PointsOverview:
    """/points: balance (on the member), tier progress, points expiring soon, history."""

    page: Pagination
    progress: TierProgress
    expiring: ExpiringSoon
    soon_days: int


def points_overview(member: User) -> PointsOverview:
    return PointsOverview(paginate(history_query(member.id), HISTORY_PER_PAGE),
                          tier_progress(member), expiring_soon(member.id), SOON_DAYS)


@dataclass(frozen=True)
class MemberPoints:
    """A member's points as staff see them; `collects` is False for staff and partners."""

    page: Pagination
    progress: TierProgress
    collects: bool


def member_points(member: User) -> MemberPoints:
    query = history_query(member.id).options(selectinload(LedgerEntry.actor))
    return MemberPoints(paginate(query, STAFF_HISTORY_PER_PAGE), tier_progress(member),
                        can_receive_points(member))
