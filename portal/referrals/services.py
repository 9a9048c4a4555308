"""Referral rules ("old brings new"): codes, attaching an invitee, the lifecycle, the reward.

Services take plain arguments, flush, never commit; a broken rule raises
`ReferralError` whose message is translated and safe to show.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.accounts.models import Ownership, OwnershipStatus, User
from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.core import codes
from portal.core.errors import DomainError
from portal.core.phones import phone_digits
from portal.core.rewards import RewardTrigger, adjusted_reward
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import Referral, ReferralCode, ReferralRule, ReferralStatus


class ReferralError(DomainError):
    """A referral rule was broken; the message is translated and safe to show."""


# --- codes -------------------------------------------------------------------------

# Crockford's base 32 (portal.core.codes), as stored since the start: 8 upper-case
# characters. 32**8 ≈ 1.1e12 codes; /join is rate limited, so guessing one is hopeless.
CODE_LENGTH = 8
COOKIE_NAME = "club_ref"


def normalise_code(raw: str | None) -> str | None:
    """The canonical code for what a person typed or pasted, or None when it cannot be one.

    What `portal.core.codes.normalise_code` forgives (case, spaces, dashes, O/I/L for
    0/1/1), and a whole pasted link: only its last path segment is the code.
    """
    if not raw:
        return None
    return codes.normalise_code(raw.strip()[:200].rsplit("/", 1)[-1], CODE_LENGTH)


def code_of(user: User) -> ReferralCode | None:
    return db.session.scalar(select(ReferralCode).where(ReferralCode.user_id == user.id))


def ensure_code(user: User) -> ReferralCode:
    """The member's code, created on first use; retries the (very unlikely) collision."""
    existing = code_of(user)
    if existing is not None:
        return existing
    for _attempt in range(5):
        candidate = ReferralCode(user_id=user.id, code=codes.random_code(CODE_LENGTH))
        try:
            with db.session.begin_nested():
                db.session.add(candidate)
        except IntegrityError:
            # Either the same member in another tab (user_id) or a code collision (code).
            existing = code_of(user)
            if existing is not None:
                return existing
            continue
        return candidate
    raise ReferralError(_l("Could not create a referral code. Please try again."))


def find_referrer(raw_code: str | None) -> User | None:
    """The active member behind a code, or None for a malformed or unknown one."""
    code = normalise_code(raw_code)
    if code is None:
        return None
    user = db.session.scalar(
        select(User).join(ReferralCode, ReferralCode.user_id == User.id).where(ReferralCode.code == code)
    )
    if user is None or not user.is_active_account or not user.can(P.EARN_POINTS):
        return None
    return user


# --- the signed cookie that remembers a code between the landing page and registration --

def _cookie_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="referral-code")


def cookie_max_age() -> int:
    return current_app.config["REFERRAL_COOKIE_DAYS"] * 86400


def sign_code(code: str) -> str:
    return _cookie_serializer().dumps(code)


def code_from_cookie(value: str | None) -> str | None:
    if not value:
        return None
    try:
        code = _cookie_serializer().loads(value, max_age=cookie_max_age())
    except BadSignature:  # includes SignatureExpired
        return None
    return normalise_code(code) if isinstance(code, str) else None


def remembered_code(args: Mapping[str, str], cookies: Mapping[str, str]) -> str:
    """What the registration form's code field starts with: `?ref=`, else the landing cookie."""
    typed = (args.get("ref") or "").strip()[:32]
    return typed or code_from_cookie(cookies.get(COOKIE_NAME)) or ""


# --- privacy -------------------------------------------------------------------------

def _is_cjk(char: str) -> bool:
    return char.isalpha() and unicodedata.east_asian_width(char) in ("W", "F")


def mask_name(name: str | None) -> str:
    """王小明 → 王**, John Smith → J. S.: enough for the referrer to recognise a friend."""
    name = (name or "").strip()
    if not name:
        return "***"
    if _is_cjk(name[0]):
        return name[0] + "**"
    words = [word for word in name.split() if word[0].isalpha()]
    initials = " ".join(word[0].upper() + "." for word in words[:2])
    return initials or "***"


# --- attaching an invitee at registration ----------------------------------------------

NEW_MEMBER_WINDOW = timedelta(hours=1)


def _canonical_email(email: str) -> str:
    local, _, domain = email.lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def _same_person(a: User, b: User) -> bool:
    if a.id == b.id or _canonical_email(a.email) == _canonical_email(b.email):
        return True
    phone = phone_digits(a.phone)
    return bool(phone) and phone == phone_digits(b.phone)


def _phone_taken_by_other(user: User) -> bool:
    digits = phone_digits(user.phone)
    if not digits:
        return False
    stored = User.phone
    for char in (" ", "-", "(", ")", "+"):
        stored = func.replace(stored, char, "")
    return bool(db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.id != user.id, User.phone.is_not(None), stored.like(f"%{digits}"))
    ))


def _is_new_member(invitee: User) -> bool:
    """Only a person who joins now, owns nothing and has no other account may be referred."""
    if invitee.created_at is not None and invitee.created_at < utcnow() - NEW_MEMBER_WINDOW:
        return False
    has_home = db.session.scalar(
        select(func.count()).select_from(Ownership).where(
            Ownership.user_id == invitee.id, Ownership.status != OwnershipStatus.REJECTED.value)
    )
    return not has_home and not _phone_taken_by_other(invitee)


def attach_referral(invitee: User, raw_code: str | None) -> Referral | None:
    """Link a member who is registering to the member whose code they used.

    No code → None. A code that cannot be used raises ReferralError; nothing is
    written then, so registration goes on without a referrer.
    """
    if not raw_code or not raw_code.strip():
        return None
    referrer = find_referrer(raw_code)
    if referrer is None:
        raise ReferralError(_l("The referral code %(code)s does not exist, so your account has no "
                               "referrer.", code=raw_code.strip()[:32]))
    if _same_person(referrer, invitee):
        raise ReferralError(_l("You cannot use your own referral code."))
    if not _is_new_member(invitee):
        raise ReferralError(_l("Referral codes are for new members only."))
    if db.session.scalar(select(func.count()).select_from(Referral)
                         .where(Referral.invitee_id == invitee.id)):
        raise ReferralError(_l("You were already referred by another member."))
    referral = Referral(referrer_id=referrer.id, invitee_id=invitee.id,
                        code=normalise_code(raw_code) or "")
    try:
        with db.session.begin_nested():
            db.session.add(referral)
    except IntegrityError as exc:  # UNIQUE(invitee_id): another request was first
        raise ReferralError(_l("You were already referred by another member.")) from exc
    return referral


# --- the rule in force and the reward ------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    referrer_points: int
    invitee_points: int
    yearly_cap: int
    since: datetime | None  # None: the configured defaults, never changed on the admin page


def current_rule() -> Rule:
    row = db.session.scalar(select(ReferralRule).order_by(ReferralRule.id.desc()).limit(1))
    if row is not None:
        return Rule(row.referrer_points, row.invitee_points, row.yearly_cap, row.created_at)
    config = current_app.config
    return Rule(config["REFERRAL_REWARD_REFERRER"], config["REFERRAL_REWARD_INVITEE"],
                config["REFERRAL_YEARLY_CAP"], None)


def set_rule(admin: User, *, referrer_points: int, invitee_points: int, yearly_cap: int,
             ip: str | None = None) -> ReferralRule:
    """Put a new rule in force; earlier conversions keep the points they got."""
    if min(referrer_points, invitee_points, yearly_cap) < 0:
        raise ReferralError(_l("Points and the cap cannot be negative."))
    before = current_rule()
    row = ReferralRule(referrer_points=referrer_points, invitee_points=invitee_points,
                       yearly_cap=yearly_cap, created_by_id=admin.id)
    db.session.add(row)
    db.session.flush()
    record_action(admin, "referral.rule", row, {
        "before": [before.referrer_points, before.invitee_points, before.yearly_cap],
        "after": [referrer_points, invitee_points, yearly_cap]}, ip)
    return row


@dataclass(frozen=True)
class RulePage:
    current: Rule
    history: list[ReferralRule]  # newest first


def rule_page(limit: int = 20) -> RulePage:
    """The rule in force and the rules that were, for the admin page."""
    history = db.session.scalars(
        select(ReferralRule).options(joinedload(ReferralRule.created_by))
        .order_by(ReferralRule.id.desc()).limit(limit)
    ).all()
    return RulePage(current_rule(), list(history))


def rewarded_in_year(referrer_id: int, year: int) -> int:
    """Referrals of this referrer whose referrer reward was credited in `year` (UTC)."""
    return db.session.scalar(
        select(func.count()).select_from(Referral).where(
            Referral.referrer_id == referrer_id,
            Referral.status == ReferralStatus.REWARDED.value,
            Referral.referrer_points > 0,
            Referral.rewarded_at >= datetime(year, 1, 1),
            Referral.rewarded_at < datetime(year + 1, 1, 1),
        )
    ) or 0


def reward_for(referral: Referral) -> tuple[int, int]:
    """(referrer points, invitee points) due if `referral` converts now — the one place it is decided.

    The rule in force; the referrer gets nothing once the yearly cap of rewarded
    referrals is reached (the invitee still gets theirs: they really bought);
    then the referrer's part goes through `adjusted_reward` (campaign boosts).
    """
    rule = current_rule()
    referrer_points = rule.referrer_points
    if rewarded_in_year(referral.referrer_id, utcnow().year) >= rule.yearly_cap:
        referrer_points = 0
    referrer_points = adjusted_reward(RewardTrigger.REFERRAL_CONVERTED, referral.referrer_id, referrer_points)
    return referrer_points, rule.invitee_points


# --- what members see ---------------------------------------------------------------------

def referrals_of(referrer: User):
    """The referrer's referrals, newest first (a query for `portal.core.pagination.paginate`)."""
    return (select(Referral).where(Referral.referrer_id == referrer.id)
            .order_by(Referral.created_at.desc(), Referral.id.desc()))


@dataclass(frozen=True)
class Summary:
    referred: int
    bought: int
    points: int


def summary_of(referrer: User) -> Summary:
    converted = (ReferralStatus.PURCHASED.value, ReferralStatus.REWARDED.value)
    row = db.session.execute(
        select(func.count(Referral.id),
               func.count(Referral.id).filter(Referral.status.in_(converted)),
               func.coalesce(func.sum(Referral.referrer_points)
                             .filter(Referral.status == ReferralStatus.REWARDED.value), 0))
        .where(Referral.referrer_id == referrer.id)
    ).one()
    return Summary(row[0], row[1], row[2])
