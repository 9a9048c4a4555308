"""Redemptions: redeem a perk for a voucher, cancel it, fulfil it at the counter.

Concurrency (tested on PostgreSQL in tests/postgres/test_perks_concurrency.py):
- The member's row is locked first (`points.services.lock_members`), which serialises one
  member's redemptions and cancellations: the per-member limit and the nonce are checked
  after the lock, so they see every earlier commit (Read Committed takes a new snapshot
  per statement).
- Stock is taken with `UPDATE perks SET stock = stock - 1 WHERE id = :id AND stock > 0`;
  its row count decides. PostgreSQL re-checks the WHERE on the newest row version, so
  the last unit goes to exactly one transaction.
- Points are debited by the points service's conditional UPDATE.
- Lock order is always users → perks, so redemptions and cancellations cannot deadlock.
Everything runs in a SAVEPOINT: a refusal leaves the caller's transaction as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.audit.services import record_action
from portal.core.codes import ALPHABET, normalise_code, random_code
from portal.core.i18n import N_
from portal.core.pagination import paginate
from portal.core.qr import qr_svg
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import notify
from portal.perks.catalog import held_count, redeem_problem
from portal.perks.errors import (
    OUT_OF_STOCK,
    NonceReused,
    NotEnoughPoints,
    OutOfStock,
    PerkError,
    VoucherError,
    not_enough_points,
)
from portal.perks.models import Perk, Redemption, RedemptionStatus
from portal.points.models import LedgerKind
from portal.points.services import InsufficientPoints, debit, lock_members, refund

CODE_ALPHABET = ALPHABET  # Crockford's base 32: read aloud or typed without ambiguity
CODE_LENGTH = 12  # 60 random bits
ISSUED = RedemptionStatus.ISSUED.value
MY_VOUCHERS_PER_PAGE = 20
__all__ = ["NonceReused", "VoucherError"]  # re-exported for callers of this module


def new_voucher_code() -> str:
    return random_code(CODE_LENGTH)


def voucher_days() -> int:
    return int(current_app.config["PERK_VOUCHER_DAYS"])


def cancel_days() -> int:
    return int(current_app.config["PERK_CANCEL_DAYS"])


def can_cancel(redemption: Redemption, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (redemption.status == ISSUED and redemption.expires_at > now
            and redemption.created_at > now - timedelta(days=cancel_days()))


def voucher_qr_svg(redemption: Redemption) -> str:
    """The voucher code as a QR code (SVG paths only: no script, no external reference)."""
    return qr_svg(redemption.voucher_code)


# --- redeem -----------------------------------------------------------------------------------

def redeem_perk(member, perk: Perk, *, nonce: str,
                expected_cost: int | None = None) -> tuple[Redemption, bool]:
    """Spend `perk.cost` points on a voucher: stock down, points down, one redemption row.

    `nonce` comes from the confirmation form. Replaying it returns the voucher it made and
    `created=False`; nothing changes. Raises a `PerkError` (NotAvailable, TierTooLow,
    OutOfStock, LimitReached, NotEnoughPoints, ...) with a translated message, and then
    nothing was written. `expected_cost` is the cost the member confirmed.
    """
    lock_members(member.id)
    db.session.refresh(member, ["points_balance", "points_lifetime"])
    existing = _replayed(member, perk, nonce)
    if existing is not None:
        return existing, False

    db.session.refresh(perk)
    if expected_cost is not None and expected_cost != perk.cost:
        raise PerkError(_l("The cost of this perk is now %(points)s points. Please confirm again.",
                           points=perk.cost))
    now = utcnow()
    # The stock read here is only a hint: the conditional UPDATE below decides.
    problem = redeem_problem(member, perk, now=now, held=held_count(member.id, perk.id),
                             balance=member.points_balance, check_stock=False)
    if problem is not None:
        raise problem

    try:
        redemption = _issue(member, perk, nonce, now)
    except IntegrityError:
        # The same nonce inserted by a parallel request that our lock did not serialise.
        existing = _replayed(member, perk, nonce)
        if existing is None:
            raise
        return existing, False
    db.session.expire(perk, ["stock"])
    return redemption, True


def _replayed(member, perk: Perk, nonce: str) -> Redemption | None:
    """The voucher this confirmation already made, or None; another's nonce is refused."""
    existing = db.session.scalar(select(Redemption).where(Redemption.nonce == nonce))
    if existing is None:
        return None
    if existing.member_id == member.id and existing.perk_id == perk.id:
        return existing
    raise NonceReused(_l("This confirmation was already used. Please start again."))


def _issue(member, perk: Perk, nonce: str, now: datetime) -> Redemption:
    """Stock, voucher row and debit in one SAVEPOINT: a refusal undoes all three."""
    with db.session.begin_nested():
        if perk.stock is not None:
            taken = db.session.execute(
                update(Perk).where(Perk.id == perk.id, Perk.stock > 0)
                .values(stock=Perk.stock - 1)
                .execution_options(synchronize_session=False)).rowcount
            if taken != 1:
                raise OutOfStock(OUT_OF_STOCK)
        redemption = Redemption(
            perk_id=perk.id, member_id=member.id, nonce=nonce, voucher_code=new_voucher_code(),
            cost=perk.cost, status=ISSUED, created_at=now,
            expires_at=now + timedelta(days=voucher_days()))
        db.session.add(redemption)
        db.session.flush()
        try:
            debit(member, perk.cost, kind=LedgerKind.REDEEM, reason=N_("Redeemed: %(perk)s"),
                  reason_params={"perk": perk.titles()},  # shown in the reader's language
                  idempotency_key=f"perk-redeem:{nonce}", source=redemption)
        except InsufficientPoints:
            # Not expected while we hold the member's lock; the debit's own check is the backstop.
            raise NotEnoughPoints(not_enough_points(perk.cost - member.points_balance)) from None
    return redemption


# --- cancel -----------------------------------------------------------------------------------

def _voucher_problem(redemption: Redemption, now: datetime) -> VoucherError:
    if redemption.status == RedemptionStatus.USED:
        return VoucherError(_l("This voucher has already been used."))
    if redemption.status == RedemptionStatus.CANCELLED:
        return VoucherError(_l("This voucher was cancelled."))
    if redemption.expires_at <= now:
        return VoucherError(_l("This voucher has expired."))
    return VoucherError(_l("Vouchers can be cancelled only within %(days)s days of redeeming.",
                           days=cancel_days()))


def cancel_redemption(member, redemption: Redemption) -> Redemption:
    """Cancel an unused voucher within the cancellation window: points refunded, stock back.

    A voucher used at the counter meanwhile cannot be cancelled: both are conditional
    UPDATEs on `status = 'issued'`, so exactly one wins.
    """
    lock_members(member.id)
    now = utcnow()
    with db.session.begin_nested():
        changed = db.session.execute(
            update(Redemption).where(
                Redemption.id == redemption.id, Redemption.member_id == member.id,
                Redemption.status == ISSUED, Redemption.expires_at > now,
                Redemption.created_at > now - timedelta(days=cancel_days()))
            .values(status=RedemptionStatus.CANCELLED.value, cancelled_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            db.session.refresh(redemption)
            raise _voucher_problem(redemption, now)
        db.session.execute(
            update(Perk).where(Perk.id == redemption.perk_id, Perk.stock.is_not(None))
            .values(stock=Perk.stock + 1).execution_options(synchronize_session=False))
        refund(member, redemption.cost, reason=N_("Voucher cancelled: %(perk)s"),
               reason_params={"perk": redemption.perk.titles()},
               idempotency_key=f"perk-cancel:{redemption.id}", source=redemption)
    db.session.refresh(redemption)
    db.session.expire(redemption.perk, ["stock"])
    return redemption


# --- staff: fulfil ----------------------------------------------------------------------------

def find_voucher(raw_code: str) -> Redemption | None:
    """The voucher behind a typed or scanned code (case, dashes, O/I/L look-alikes forgiven)."""
    code = normalise_code(raw_code, CODE_LENGTH)
    if code is None:
        return None
    return db.session.scalar(
        select(Redemption).where(Redemption.voucher_code == code)
        .options(joinedload(Redemption.perk), joinedload(Redemption.member)))


def fulfil_voucher(raw_code: str, *, actor, ip: str | None = None) -> Redemption:
    """Mark a voucher used at the counter (audited; the member is notified).

    Refused for an unknown code and for vouchers already used, cancelled or expired.
    """
    redemption = find_voucher(raw_code)
    if redemption is None:
        raise VoucherError(_l("No voucher has this code."))
    now = utcnow()
    changed = db.session.execute(
        update(Redemption).where(Redemption.id == redemption.id, Redemption.status == ISSUED,
                                 Redemption.expires_at > now)
        .values(status=RedemptionStatus.USED.value, used_at=now, used_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(redemption)
    if changed != 1:
        raise _voucher_problem(redemption, now)
    record_action(actor, "perk.voucher_used", redemption,
                  {"code": redemption.voucher_code, "perk_id": redemption.perk_id,
                   "member_id": redemption.member_id}, ip)
    member = redemption.member
    notify(member, "perk_voucher_used", N_("Your voucher for %(perk)s was used."),
           {"perk": redemption.perk.title(member.locale)}, link="/perks/redemptions")
    return redemption


# --- my vouchers --------------------------------------------------------------------------------

@dataclass(frozen=True)
class VoucherCard:
    """One voucher as its member sees it: the page shows the QR code and a cancel button
    only when these say so."""

    redemption: Redemption
    can_cancel: bool

    @property
    def shows_qr(self) -> bool:
        return self.redemption.is_usable


def voucher_card(redemption: Redemption, now: datetime | None = None) -> VoucherCard:
    return VoucherCard(redemption, can_cancel(redemption, now))


def recent_redemptions(member_id: int, limit: int = 5) -> list[Redemption]:
    """The member's last few vouchers (the staff page of the member)."""
    return list(db.session.scalars(my_redemptions_query(member_id).limit(limit)))


@dataclass(frozen=True)
class MyVouchers:
    page: Pagination
    cards: list[VoucherCard]


def my_redemptions_query(member_id: int) -> Select:
    """The member's vouchers, newest first (index member_id, created_at, id)."""
    return (select(Redemption).where(Redemption.member_id == member_id)
            .options(joinedload(Redemption.perk))
            .order_by(Redemption.created_at.desc(), Redemption.id.desc()))


def my_vouchers(member) -> MyVouchers:
    """/perks/redemptions: one page of the member's vouchers."""
    page = paginate(my_redemptions_query(member.id), MY_VOUCHERS_PER_PAGE)
    now = utcnow()
    return MyVouchers(page, [voucher_card(redemption, now) for redemption in page.items])
