"""Staff decisions on a referral: log a visit, record the purchase (and reward), reject, cancel.

Every decision first locks the referral row (SELECT … FOR UPDATE) and only then reads
its status, so two staff members — or a double click — are served one after the other
and the second is refused with a reason. The points service's idempotency keys
(`referral:<id>:referrer`, `referral:<id>:invitee`) are the second line of defence: a
re-run can never credit twice. Every decision is audited. Functions flush, never commit;
the members' notices and e-mails (one text for both) go out only if the decision commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import Ownership, OwnershipStatus, Unit, User
from portal.accounts.permissions import P
from portal.accounts.services import AccountError, link_unit
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import notify, send_email
from portal.points.models import LedgerKind
from portal.points.services import clawback, credit, lock_members
from portal.referrals.models import CONVERTED_STATUSES, OPEN_STATUSES, Referral, ReferralStatus
from portal.referrals.services import ReferralError, current_rule, mask_name, reward_for

CAP_NOTE = N_("Yearly cap of rewarded referrals reached: no points for the referrer.")
REFERRER_REWARDED = N_("%(name)s bought a home with us: you earned %(points)s points. Thank you!")
INVITEE_REWARDED = N_("Welcome home! You earned %(points)s points for buying through a referral.")
REWARD_TAKEN_BACK = N_("A purchase was cancelled, so its referral reward of %(points)s points was "
                       "taken back.")


def _tell(member: User, message: str, params: dict, link: str, subject: str | None = None) -> None:
    """The in-app notice and, with a `subject`, the same text by e-mail (sent after the commit)."""
    notify(member, "referrals", message, params, link=link)
    if subject is not None:
        send_email(member, subject, message, params)


@dataclass(frozen=True)
class Decisions:
    """What `user` may decide on a referral now: the rules `_begin` enforces, for the page."""

    allowed: bool  # holds the permission and is not a party to the referral
    party: bool  # the user is the referrer or the new member
    convert: bool  # log a visit, record the purchase, reject
    cancel: bool  # cancel the recorded purchase


def decisions_for(referral: Referral, user: User) -> Decisions:
    """The decision forms the referral page shows `user` (the template only displays them)."""
    party = user.id in (referral.referrer_id, referral.invitee_id)
    allowed = user.can(P.RECORD_PURCHASES) and not party
    return Decisions(allowed=allowed, party=party and user.can(P.RECORD_PURCHASES),
                     convert=allowed and referral.status in OPEN_STATUSES,
                     cancel=allowed and referral.status in CONVERTED_STATUSES)


def lock_referral(referral_id: int) -> Referral:
    """The referral, re-read under a row lock (fresh values even if already in the session)."""
    referral = db.session.scalars(
        select(Referral).where(Referral.id == referral_id).with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if referral is None:
        raise ReferralError(_l("This referral does not exist."))
    return referral


def _status_error(referral: Referral) -> ReferralError:
    messages = {
        ReferralStatus.REWARDED: _l("This referral was already rewarded."),
        ReferralStatus.PURCHASED: _l("The purchase of this referral is already recorded."),
        ReferralStatus.REJECTED: _l("This referral was rejected: %(reason)s", reason=referral.reason),
        ReferralStatus.CANCELLED: _l("The purchase of this referral was cancelled."),
    }
    return ReferralError(messages.get(ReferralStatus(referral.status),
                                      _l("This referral is not converted yet.")))


def _begin(referral: Referral, staff: User, allowed: tuple[ReferralStatus, ...]) -> Referral:
    """Lock, refuse a staff member who is a party to the referral, check the status."""
    locked = lock_referral(referral.id)
    if staff.id in (locked.referrer_id, locked.invitee_id):
        raise ReferralError(_l("You cannot decide on a referral you are part of."))
    if locked.status not in allowed:
        raise _status_error(locked)
    return locked


def _check_date(referral: Referral, day: date) -> None:
    if day > utcnow().date() or day < referral.created_at.date():
        raise ReferralError(_l("The date must be between the referral (%(start)s) and today.",
                               start=referral.created_at.date().isoformat()))


def log_visit(referral: Referral, staff: User, visited_on: date, ip: str | None = None) -> Referral:
    """The invitee visited the sales office (optional step; a later visit replaces the date)."""
    referral = _begin(referral, staff, OPEN_STATUSES)
    _check_date(referral, visited_on)
    referral.visited_on = visited_on
    referral.status = ReferralStatus.VISITED.value
    db.session.flush()
    record_action(staff, "referral.visit", referral, {"visited_on": visited_on.isoformat()}, ip)
    return referral


def _owned_before(referral: Referral) -> bool:
    """Did the invitee already own a home (verified, bought) before being referred?"""
    return bool(db.session.scalar(
        select(func.count()).select_from(Ownership).where(
            Ownership.user_id == referral.invitee_id,
            Ownership.status == OwnershipStatus.VERIFIED.value,
            Ownership.purchased_on < referral.created_at.date(),
        )
    ))


def record_purchase(referral: Referral, staff: User, *, unit: Unit, purchased_on: date,
                    contract_number: str, ip: str | None = None) -> Referral:
    """The invitee bought `unit`: their verified ownership is created and both are rewarded.

    The reward is `reward_for(referral)` at this moment (rule in force, yearly cap,
    campaign modifiers); a (0, 0) reward leaves the referral `purchased`.
    """
    referral = _begin(referral, staff, OPEN_STATUSES)
    _check_date(referral, purchased_on)
    contract_number = contract_number.strip()
    if not contract_number:
        raise ReferralError(_l("Enter the contract number."))
    if _owned_before(referral):
        raise ReferralError(_l("The new member already owned a home before the referral."))
    # Both members' rows, lowest id first (as points gifts do): the yearly cap is counted
    # and the points credited by one conversion at a time per referrer.
    lock_members(referral.referrer_id, referral.invitee_id)
    try:
        ownership = link_unit(referral.invitee, unit, staff, contract_number=contract_number,
                              purchased_on=purchased_on, ip=ip)
    except AccountError as error:
        raise ReferralError(error.args[0]) from error

    referral.purchased_on = purchased_on
    referral.contract_number = contract_number
    referral.unit_id = unit.id
    referral.development_id = unit.building.development_id
    referral.ownership_id = ownership.id
    referral.purchase_recorded_at = utcnow()
    referrer_points, invitee_points = reward_for(referral)
    referral.referrer_points, referral.invitee_points = referrer_points, invitee_points
    referral.reward_note = CAP_NOTE if not referrer_points and current_rule().referrer_points else ""
    invitee_name = mask_name(referral.invitee.display_name)
    if referrer_points:
        credit(referral.referrer, referrer_points, kind=LedgerKind.REFERRAL,
               reason=N_("Referral reward: %(name)s bought a home"), reason_params={"name": invitee_name},
               idempotency_key=f"referral:{referral.id}:referrer", source=referral, actor=staff)
        _tell(referral.referrer, REFERRER_REWARDED, {"name": invitee_name, "points": referrer_points},
              "/referrals", subject=N_("Your referral bought a home"))
    if invitee_points:
        credit(referral.invitee, invitee_points, kind=LedgerKind.REFERRAL,
               reason=N_("Welcome reward for buying a home through a referral"),
               idempotency_key=f"referral:{referral.id}:invitee", source=referral, actor=staff)
        _tell(referral.invitee, INVITEE_REWARDED, {"points": invitee_points}, "/points",
              subject=N_("Welcome home"))
    rewarded = bool(referrer_points or invitee_points)
    referral.status = (ReferralStatus.REWARDED if rewarded else ReferralStatus.PURCHASED).value
    referral.rewarded_at = utcnow() if rewarded else None
    db.session.flush()
    record_action(staff, "referral.purchase", referral, {
        "unit": unit.label, "purchased_on": purchased_on.isoformat(), "contract": contract_number,
        "referrer_points": referrer_points, "invitee_points": invitee_points}, ip)
    return referral


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReferralError(_l("Give a reason."))
    return reason[:500]


def reject_referral(referral: Referral, staff: User, reason: str, ip: str | None = None) -> Referral:
    """Staff refuse a referral that is not converted yet; it will never be rewarded."""
    reason = _reason(reason)
    referral = _begin(referral, staff, OPEN_STATUSES)
    referral.status = ReferralStatus.REJECTED.value
    referral.reason = reason
    referral.decided_at = utcnow()
    referral.decided_by_id = staff.id
    db.session.flush()
    record_action(staff, "referral.reject", referral, {"reason": reason}, ip)
    return referral


def cancel_purchase(referral: Referral, staff: User, reason: str, ip: str | None = None) -> Referral:
    """The purchase fell through: take the reward back, as far as the balances allow.

    What a member has already spent cannot be taken; it is kept on the referral
    (`referrer_owed`, `invitee_owed`) and shown to staff.
    """
    reason = _reason(reason)
    referral = _begin(referral, staff, CONVERTED_STATUSES)
    lock_members(referral.referrer_id, referral.invitee_id)
    sides = (("referrer", referral.referrer, referral.referrer_points),
             ("invitee", referral.invitee, referral.invitee_points))
    owed = {}
    for side, member, points in sides:
        owed[side] = 0
        if not points:
            continue
        _entry, owed[side] = clawback(
            member, points, kind=LedgerKind.REFERRAL,
            reason=N_("Referral reward taken back: the purchase was cancelled"),
            idempotency_key=f"referral:{referral.id}:{side}:clawback", source=referral, actor=staff)
        _tell(member, REWARD_TAKEN_BACK, {"points": points}, "/points")
    referral.referrer_owed, referral.invitee_owed = owed["referrer"], owed["invitee"]
    referral.status = ReferralStatus.CANCELLED.value
    referral.reason = reason
    referral.decided_at = utcnow()
    referral.decided_by_id = staff.id
    db.session.flush()
    record_action(staff, "referral.cancel", referral, {
        "reason": reason, "referrer_owed": owed["referrer"], "invitee_owed": owed["invitee"]}, ip)
    return referral
