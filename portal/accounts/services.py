"""Account rules: registration, authentication, passwords, homes and roles.

Services take plain arguments, flush, and leave the commit to the unit of work; the
e-mails they send are queued for after the commit (`send_email`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal.accounts.models import (
    NON_MEMBER_SQL,
    Building,
    Development,
    Ownership,
    OwnershipStatus,
    Unit,
    User,
    new_session_token,
)
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.accounts.permissions import ROLE_PERMISSIONS, P, Role
from portal.audit.services import record_action
from portal.core.errors import DomainError
from portal.core.i18n import N_
from portal.core.signals import user_registered
from portal.core.timeutil import utcnow
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.notifications.services import notify, send_email


class AccountError(DomainError):
    """A rule was broken; the message is translated and safe to show."""


def staff_with(permission: P) -> Select:
    """The active accounts whose role has `permission` (which members' never has), by
    name. The explicit `role <> 'member'` and the order are those of ix_users_non_members,
    so the plan reads that small index in order whatever the statistics say of roles."""
    roles = [role.value for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    if Role.MEMBER.value in roles:
        raise ValueError(f"members have {permission}: not a staff permission")
    return (select(User).where(text(NON_MEMBER_SQL), User.role.in_(roles), User.is_active_account)
            .order_by(User.display_name, User.id))


def normalise_email(email: str) -> str:
    """Lower-case and IDNA-normalise; raises AccountError for an invalid address."""
    try:
        info = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(_l("Enter a valid email address."), field="email") from exc
    return info.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    try:
        normalised = normalise_email(email)
    except AccountError:
        return None
    return db.session.scalar(select(User).where(User.email == normalised))


def register_user(
    *, email: str, password_hash: str, display_name: str, phone: str | None = None,
    locale: str = "zh_Hant", role: Role = Role.MEMBER,
) -> User:
    """A new account with an already hashed password (the password itself is never kept,
    not even while a sign-up waits for its e-mail link)."""
    normalised = normalise_email(email)
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == normalised)):
        raise AccountError(_l("An account with this email already exists."), field="email")
    user = User(
        email=normalised, password_hash=password_hash,
        display_name=display_name.strip(), phone=(phone or "").strip() or None,
        locale=locale, role=role.value,
    )
    try:
        # UNIQUE(email) decides when two registrations race past the check above.
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise AccountError(_l("An account with this email already exists."), field="email") from exc
    return user


@dataclass(frozen=True)
class SignUp:
    user: User
    notices: list[str] = field(default_factory=list)  # translated, for the new member


def sign_up(*, email: str, password_hash: str, display_name: str, phone: str | None,
            locale: str, extra: dict[str, Any] | None = None) -> SignUp:
    """A visitor registers: the account, then `user_registered` for the features that care.
    Called when the visitor confirms by the e-mailed link (`portal.accounts.signup`).

    `extra` holds the values of the fields other features added to the form
    (`portal.core.hooks.add_registration_field`). A receiver that cannot use its value
    answers with a notice (the account is created all the same); one that raises a
    DomainError refuses the registration.
    """
    user = register_user(email=email, password_hash=password_hash, display_name=display_name,
                         phone=phone, locale=locale)
    answers = user_registered.send(user, extra=dict(extra or {}))
    return SignUp(user, [str(notice) for _receiver, notice in answers if notice])


def update_profile(user: User, *, display_name: str, phone: str | None, locale: str,
                   timezone: str) -> None:
    """A member edits their own profile (the form has checked every value)."""
    user.display_name = display_name.strip()
    user.phone = (phone or "").strip() or None
    user.locale = locale
    user.timezone = timezone
    db.session.flush()


def set_locale(user: User, locale: str) -> None:
    """The language switcher of a signed-in member: kept for the next visit and e-mails."""
    user.locale = locale
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; unknown emails cost the same time."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active_account:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session and remember cookie of this user."""
    user.session_token = new_session_token()


def set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_sessions(user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError(_l("The current password is wrong."))
    set_password(user, new_password)


# --- password reset ------------------------------------------------------------

@dataclass(frozen=True)
class ResetTokens:
    """Signed, expiring tokens bound to the password: a reset or change kills them."""

    secret_key: str
    max_age: int

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt="password-reset")

    def make(self, user: User) -> str:
        return self._serializer().dumps({"u": user.id, "p": user.password_hash[-16:]})

    def user_for(self, token: str) -> User | None:
        try:
            data = self._serializer().loads(token, max_age=self.max_age)
        except (SignatureExpired, BadSignature):
            return None
        if not isinstance(data, dict):
            return None
        user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
        if user is None or user.password_hash[-16:] != data.get("p"):
            return None
        return user


def request_password_reset(email: str, tokens: ResetTokens) -> None:
    """E-mail a reset link to the account using `email`, if it exists and is active.

    The caller answers the same either way; the e-mail goes out after the commit, from the
    job worker, so neither the answer nor its timing tells whether the account exists.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    send_email(user, N_("Reset your Homeowner Club password"), N_(
        "Hello %(name)s,\n\n"
        "Someone (we hope you) asked to reset the password of your Homeowner Club "
        "account. To choose a new password, open this link within %(minutes)s minutes:"
        "\n\n%(link)s\n\n"
        "If you did not ask for this, ignore this email: your password stays the same."),
        {"name": user.display_name, "minutes": tokens.max_age // 60,
         "link": absolute_url("auth.reset_password", token=tokens.make(user))})


def reset_password(token_user: User, new_password: str) -> None:
    """Set a forgotten password; the token dies with the old hash, every session ends."""
    set_password(token_user, new_password)


# --- homes ----------------------------------------------------------------------

def find_unit(development_id: int, building_name: str, unit_number: str) -> Unit | None:
    return db.session.scalar(
        select(Unit).join(Building).where(
            Building.development_id == development_id,
            func.lower(Building.name) == building_name.strip().lower(),
            func.lower(Unit.number) == unit_number.strip().lower(),
        )
    )


def request_verification(
    user: User, unit: Unit, contract_number: str, purchased_on: date | None
) -> Ownership:
    existing = db.session.scalar(
        select(Ownership).where(Ownership.user_id == user.id, Ownership.unit_id == unit.id)
    )
    if existing is not None and existing.status != OwnershipStatus.REJECTED:
        raise AccountError(_l("You have already asked for this unit."))
    # By ids, not relationships: the row is added inside the savepoint below, not before.
    ownership = existing or Ownership(user_id=user.id, unit_id=unit.id)
    ownership.status = OwnershipStatus.PENDING.value
    ownership.contract_number = contract_number.strip()
    ownership.purchased_on = purchased_on
    ownership.requested_at = utcnow()
    ownership.reject_reason = ""
    try:
        # UNIQUE(user_id, unit_id): a double submit racing past the check above.
        with db.session.begin_nested():
            db.session.add(ownership)
    except IntegrityError as exc:
        raise AccountError(_l("You have already asked for this unit.")) from exc
    return ownership


def decide_verification(
    ownership: Ownership, staff: User, *, approve: bool, reason: str = "", ip: str | None = None
) -> None:
    if not approve and not reason.strip():
        raise AccountError(_l("Give a reason for the rejection."))
    # Conditional update: when two staff decide at once, only the first one counts.
    decided = db.session.execute(
        update(Ownership)
        .where(Ownership.id == ownership.id, Ownership.status == OwnershipStatus.PENDING.value)
        .values(status=(OwnershipStatus.VERIFIED if approve else OwnershipStatus.REJECTED).value,
                reject_reason="" if approve else reason.strip(), decided_at=utcnow(),
                decided_by_id=staff.id)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:
        db.session.refresh(ownership)
        raise AccountError(_l("This request has already been decided."))
    db.session.refresh(ownership)
    record_action(staff, "ownership.approve" if approve else "ownership.reject", ownership,
                  {"unit": ownership.unit.label, "reason": ownership.reject_reason}, ip)
    _tell_owner(ownership)


def _tell_owner(ownership: Ownership, by_email: bool = True) -> None:
    """The decision on a home, in the app and by e-mail: one text for both."""
    if ownership.status == OwnershipStatus.VERIFIED:
        message, params = N_("Your home %(unit)s is verified."), {"unit": ownership.unit.label}
    else:
        message = N_("Your request for %(unit)s was declined: %(reason)s")
        params = {"unit": ownership.unit.label, "reason": ownership.reject_reason}
    notify(ownership.user, "homes", message, params, link="/account/homes")
    if by_email:
        send_email(ownership.user, N_("Your home verification"), message, params)


def _ownership_of(user: User, unit: Unit) -> Ownership:
    """The member's ownership row of the unit, a new pending one if there is none. Two staff
    linking the unit at once both find none: the second insert meets UNIQUE(user, unit)
    once the first commits, and then reads that row, as if it had come a moment later."""
    query = select(Ownership).where(Ownership.user_id == user.id, Ownership.unit_id == unit.id)
    ownership = db.session.scalar(query)
    if ownership is not None:
        return ownership
    try:
        with db.session.begin_nested():
            ownership = Ownership(user=user, unit=unit, status=OwnershipStatus.PENDING.value)
            db.session.add(ownership)
            db.session.flush()
    except IntegrityError:
        return db.session.scalars(query.execution_options(populate_existing=True)).one()
    return ownership


def link_unit(
    user: User, unit: Unit, staff: User, *, contract_number: str = "",
    purchased_on: date | None = None, ip: str | None = None, by_email: bool = False,
) -> Ownership:
    """Staff link a unit to a member directly: a verified ownership at once.

    The member is told in the app, and also by e-mail with `by_email` (the staff page; a
    referral purchase sends its own welcome e-mail, the demo seeder none).
    """
    ownership = _ownership_of(user, unit)
    if ownership.status == OwnershipStatus.VERIFIED:
        raise AccountError(_l("This member already owns this unit."))
    ownership.status = OwnershipStatus.VERIFIED.value
    ownership.contract_number = contract_number.strip()
    ownership.purchased_on = purchased_on
    ownership.decided_at = utcnow()
    ownership.decided_by = staff
    ownership.reject_reason = ""
    db.session.add(ownership)
    db.session.flush()
    record_action(staff, "ownership.link", ownership, {"unit": unit.label}, ip)
    _tell_owner(ownership, by_email=by_email)
    return ownership


def set_role(user: User, role: Role, admin: User, ip: str | None = None) -> None:
    if user.id == admin.id:
        raise AccountError(_l("You cannot change your own role."))
    before = user.role
    user.role = role.value
    end_sessions(user)
    db.session.flush()
    record_action(admin, "user.role", user, {"before": before, "after": role.value}, ip)


def set_account_active(user: User, active: bool, admin: User, reason: str = "",
                       ip: str | None = None) -> None:
    """Suspend or reactivate an account. A suspended member is logged out at their next
    request (the session token changes and inactive accounts never load)."""
    if user.id == admin.id:
        raise AccountError(_l("You cannot suspend or reactivate your own account."))
    if user.is_active_account == active:
        raise AccountError(_l("The account is already active.") if active
                           else _l("The account is already suspended."))
    reason = (reason or "").strip()
    if not active and not reason:
        raise AccountError(_l("Give the reason for the suspension."), field="reason")
    user.is_active_account = active
    if not active:
        end_sessions(user)
    db.session.flush()
    record_action(admin, "user.reactivate" if active else "user.suspend", user,
                  {"reason": reason} if reason else {}, ip)


def developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))


def selling_developments() -> list[Development]:
    """The developments now selling, for the public landing page."""
    return list(db.session.scalars(
        select(Development).where(Development.is_selling).order_by(Development.name)))


def _unit_path():
    return joinedload(Ownership.unit).joinedload(Unit.building).joinedload(Building.development)


def ownerships_of(user: User) -> list[Ownership]:
    """A member's units and requests, newest request first, with unit labels loaded."""
    return list(db.session.scalars(
        select(Ownership).where(Ownership.user_id == user.id)
        .options(_unit_path()).order_by(Ownership.requested_at.desc(), Ownership.id.desc())
    ))


def pending_verifications() -> Select:
    """Staff queue: pending requests, oldest first (index status, requested_at)."""
    return (
        select(Ownership).where(Ownership.status == OwnershipStatus.PENDING.value)
        .options(_unit_path(), joinedload(Ownership.user))
        .order_by(Ownership.requested_at, Ownership.id)
    )


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# "3-1502", "3座 1502", "T3/1502": a building and a unit number, as staff type them.
_UNIT_QUERY = re.compile(r"^\s*(.+?)\s*[-/\s]\s*([^\s/-]+)\s*$")
_BUILDING_WORDS = re.compile(r"(座|棟|栋|幢|号楼|號樓|楼|樓|block|tower|bldg\.?)", re.IGNORECASE)


def _building_key(name: str) -> str:
    return _BUILDING_WORDS.sub("", name).strip().lower()


def _owner_of_unit(text: str) -> tuple[Any, bool] | None:
    """Members with a home (any status) whose unit is `text`, and whether `text` named the
    building too: "3-1502" (building 3 — "3座", "3棟", "Tower 3" — unit 1502, which must
    exist) or a unit number alone; None when `text` is neither."""
    match = _UNIT_QUERY.match(text)
    if match:
        building, number = _building_key(match.group(1)), match.group(2)
        buildings = [building_id for building_id, name in db.session.execute(
            select(Building.id, Building.name)) if _building_key(name) == building] if building else []
        if not buildings:
            return None
        units = list(db.session.scalars(
            select(Unit.id).where(Unit.building_id.in_(buildings), Unit.number == number)))
        if not units:  # "A man": not an address after all
            return None
        exact = True
    elif text.isalnum() and len(text) <= 20:
        units, exact = select(Unit.id).where(Unit.number == text), False
    else:
        return None
    return User.id.in_(select(Ownership.user_id).where(Ownership.unit_id.in_(units))), exact


def search_members(text: str = "") -> Select:
    """Members whose email, display name or phone contains `text`, or who have the unit
    `text` names, newest first. A building and unit ("3-1502") is an address, not a
    fragment of text: it finds that unit's owners alone, from the indexes, where a text
    search reads every member (at 100,000 members 3 pages a second against 100)."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    text = text.strip()
    if text:
        by_unit = _owner_of_unit(text)
        if by_unit is not None and by_unit[1]:
            return query.where(by_unit[0]).options(selectinload(User.ownerships))
        pattern = _like_pattern(text.lower())
        conditions = [
            func.lower(User.email).like(pattern, escape="\\"),
            func.lower(User.display_name).like(pattern, escape="\\"),
            User.phone.like(pattern, escape="\\"),
        ]
        if by_unit is not None:
            conditions.append(by_unit[0])
        query = query.where(or_(*conditions))
    return query.options(selectinload(User.ownerships))
