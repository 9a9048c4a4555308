"""Points a feature pays a member for something they did once (rating a complaint, the
month's first login): the amount passes through the bonus rules of running campaigns
(`portal.core.rewards.adjusted_reward`) exactly once per real-world event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from portal.accounts.models import User
from portal.accounts.permissions import P
from portal.core.i18n import N_
from portal.core.rewards import RewardTrigger, adjusted_reward
from portal.core.timeutil import utcnow
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services.ledger import check_key, credit, find_entry, lock_members

MONTHLY_LOGIN_REASON = N_("First login of the month (%(month)s)")
COMPLAINT_RATED_REASON = N_("Thank you for rating complaint #%(thread)s")


def reward(member: User, trigger: RewardTrigger, base: int, *, idempotency_key: str, reason: str,
           reason_params: dict | None = None, source: object | None = None,
           kind: LedgerKind = LedgerKind.EARN) -> LedgerEntry | None:
    """Credit `base` points, as bonus rules adjust them, once per key; None when the member
    earns no points or nothing is due. The member's row is locked before the key is looked
    up, so a concurrent replay waits and then finds the entry, and a campaign's budget is
    never booked for a reward that is not paid."""
    if base <= 0 or not member.can(P.EARN_POINTS):
        return None
    key = check_key(idempotency_key)
    lock_members(member.id)
    existing = find_entry(key)
    if existing is not None:
        return existing
    points = adjusted_reward(trigger, member.id, base)
    if points <= 0:
        return None
    return credit(member, points, kind=kind, reason=reason, idempotency_key=key,
                  reason_params=reason_params, source=source)


def reward_first_login_of_month(member: User, now: datetime | None = None) -> LedgerEntry | None:
    """`POINTS_MONTHLY_LOGIN` points for the first login of each calendar month in the
    member's own time zone (0 turns it off)."""
    try:
        zone = ZoneInfo(member.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    except (KeyError, ValueError):
        zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    month = (now or utcnow()).replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%Y-%m")
    return reward(member, RewardTrigger.FIRST_LOGIN_OF_MONTH, current_app.config["POINTS_MONTHLY_LOGIN"],
                  idempotency_key=f"login:{member.id}:{month}", reason=MONTHLY_LOGIN_REASON,
                  reason_params={"month": month})


def reward_complaint_rating(member: User, thread_id: int) -> LedgerEntry | None:
    """`POINTS_COMPLAINT_RATED` points for rating the handling of one's own complaint
    (whatever the rating: the reward must not sway it)."""
    return reward(member, RewardTrigger.COMPLAINT_RATED, current_app.config["POINTS_COMPLAINT_RATED"],
                  idempotency_key=f"complaint-rated:{thread_id}", reason=COMPLAINT_RATED_REASON,
                  reason_params={"thread": thread_id})
