"""Gifts: a member moves some of their points to another member (family pooling)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.accounts.permissions import P
from portal.accounts.services import find_user_by_email
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import notify
from portal.points.errors import InsufficientPoints, PointsError, RecipientError
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services.ledger import check_amount, check_key, lock_members, once, write_entry

GIFT_MINIMUM = 100


def gift_cap() -> int:
    return int(current_app.config.get("POINTS_GIFT_DAILY_CAP", 5000))


def gifted_in_last_day(sender_id: int, now: datetime | None = None) -> int:
    since = (now or utcnow()) - timedelta(days=1)
    total = db.session.scalar(
        select(func.coalesce(func.sum(-LedgerEntry.amount), 0)).where(
            LedgerEntry.member_id == sender_id, LedgerEntry.kind == LedgerKind.GIFT.value,
            LedgerEntry.amount < 0, LedgerEntry.created_at >= since))
    return int(total or 0)


@dataclass(frozen=True)
class GiftAllowance:
    """What the gift page tells the sender: the rules and what is left today."""

    minimum: int
    cap: int
    left: int


def gift_allowance(sender: User) -> GiftAllowance:
    cap = gift_cap()
    return GiftAllowance(GIFT_MINIMUM, cap, max(cap - gifted_in_last_day(sender.id), 0))


def can_receive_points(user: User | None) -> bool:
    return user is not None and user.is_active and user.can(P.EARN_POINTS)


def _check_gift(sender: User, recipient: User | None, amount: int) -> User:
    check_amount(amount)
    if amount < GIFT_MINIMUM:
        raise PointsError(_l("A gift is at least %(minimum)s points.", minimum=GIFT_MINIMUM))
    if not can_receive_points(recipient):
        raise RecipientError(_l("There is no member with this email."))
    if recipient.id == sender.id:
        raise RecipientError(_l("You cannot gift points to yourself."))
    return recipient


@dataclass(frozen=True)
class GiftPreview:
    """What the sender confirms before the points move: to whom, how many, what is left."""

    recipient_name: str
    email: str
    amount: int
    balance_after: int


def preview_gift(sender: User, email: str, amount: int) -> GiftPreview:
    """The gift's confirmation page: the same checks as `gift` (recipient, minimum, the
    24-hour cap, the balance), nothing written. The recipient's name is shown so the
    sender can see they typed the right address."""
    recipient = _check_gift(sender, find_user_by_email(email), amount)
    cap = gift_cap()
    left = cap - gifted_in_last_day(sender.id)
    if amount > left:
        raise PointsError(_l("You can gift at most %(cap)s points in 24 hours; %(left)s left.",
                             cap=f"{cap:,}", left=f"{max(left, 0):,}"))
    if amount > sender.points_balance:
        raise InsufficientPoints(_l("Not enough points: this needs %(points)s.",
                                    points=f"{amount:,}"))
    return GiftPreview(recipient.display_name, recipient.email, amount,
                       sender.points_balance - amount)


def gift(sender: User, recipient: User | None, amount: int, *, nonce: str) -> LedgerEntry:
    """Move points from `sender` to `recipient`: two ledger rows in one transaction.

    At least GIFT_MINIMUM points; at most POINTS_GIFT_DAILY_CAP in any 24 hours per sender.
    Both members are locked lowest id first; the sender's debit is the conditional UPDATE,
    so concurrent gifts can never spend the same points twice. `nonce` comes from the form:
    a double submit gifts once. The recipient is told in the app. Returns the sender's
    (negative) entry.
    """
    recipient = _check_gift(sender, recipient, amount)
    key = check_key(f"gift:{sender.id}:{nonce}")

    def write() -> LedgerEntry:
        lock_members(sender.id, recipient.id)
        cap = gift_cap()
        left = cap - gifted_in_last_day(sender.id)
        if amount > left:
            raise PointsError(_l(
                "You can gift at most %(cap)s points in 24 hours; %(left)s left.",
                cap=f"{cap:,}", left=f"{max(left, 0):,}"))
        out = write_entry(sender, -amount, kind=LedgerKind.GIFT, reason=N_("Gift to %(name)s"),
                          key=f"{key}:out", reason_params={"name": recipient.display_name},
                          source=recipient, actor=sender)
        write_entry(recipient, amount, kind=LedgerKind.GIFT, reason=N_("Gift from %(name)s"),
                    key=f"{key}:in", reason_params={"name": sender.display_name}, source=sender,
                    actor=sender)
        notify(recipient, "points_gift", N_("%(name)s gave you %(points)s points."),
               {"name": sender.display_name, "points": amount}, link="/points")
        return out

    entry, _created = once(f"{key}:out", write)
    return entry


def gift_to_email(sender: User, email: str, amount: int, *, nonce: str) -> LedgerEntry:
    """`gift` to the member with this e-mail address (the gift form's way in)."""
    return gift(sender, find_user_by_email(email), amount, nonce=nonce)
