"""Staff adjustments: add or remove a member's points with a reason the member sees."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.notifications.services import notify, send_email
from portal.points.errors import PointsError, RecipientError
from portal.points.models import LedgerEntry, LedgerKind
from portal.points.services.gifts import can_receive_points
from portal.points.services.ledger import check_amount, check_key, once, write_entry

ADJUSTED_REASON = N_("Adjustment by the club: %(note)s")
ADDED_NOTICE = N_("The club added %(points)s points to your balance: %(note)s")
REMOVED_NOTICE = N_("The club removed %(points)s points from your balance: %(note)s")
EMAIL_SUBJECT = N_("Your points balance has changed")
EMAIL_BODY = N_("The club adjusted your points by %(points)s: %(note)s\n"
                "Your balance is now %(balance)s points.")


@dataclass(frozen=True)
class Adjustment:
    entry: LedgerEntry
    created: bool  # False when the form was submitted twice


def adjust(member: User, amount: int, *, note: str, actor: User, nonce: str,
           ip: str | None = None) -> Adjustment:
    """Staff add (amount > 0) or remove (amount < 0) points with a mandatory reason.

    Audited; the member is told in the app and by e-mail (after the commit). A removal
    larger than the balance is refused. A double submit (same `nonce`) acts once.
    """
    if not can_receive_points(member):
        raise RecipientError(_l("This account does not collect points."), field=None)
    note = (note or "").strip()
    if not note:
        raise PointsError(_l("Give a reason for the adjustment."), field="reason")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise PointsError(_l("Enter a whole number of points other than zero."))
    check_amount(abs(amount))
    key = check_key(f"adjust:{actor.id}:{nonce}")

    def write() -> LedgerEntry:
        entry = write_entry(member, amount, kind=LedgerKind.ADJUST, reason=ADJUSTED_REASON,
                            key=key, reason_params={"note": note}, actor=actor)
        record_action(actor, "points.adjust", member,
                      {"amount": amount, "reason": note, "balance_after": member.points_balance},
                      ip=ip)
        notify(member, "points_adjust", ADDED_NOTICE if amount > 0 else REMOVED_NOTICE,
               {"points": abs(amount), "note": note}, link="/points")
        send_email(member, EMAIL_SUBJECT, EMAIL_BODY,
                   {"points": f"{amount:+,}", "note": note,
                    "balance": f"{member.points_balance:,}"})
        return entry

    entry, created = once(key, write)
    return Adjustment(entry, created)
