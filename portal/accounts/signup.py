"""Sign-up confirmed by e-mail: the register form never tells whether an address has an
account (SECURITY.md, "Enumeration").

The form's answer is the same for every address. A new address gets a pending sign-up
(`PendingSignup`: the password already hashed, the token kept as its SHA-256) and a mail
with the link; an address with an account gets a warning instead, and nothing else
changes. The account is made only when the link's page is POSTed (`confirm_sign_up`),
through `services.sign_up`, so its rules and the `user_registered` receivers act then.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import PendingSignup, User
from portal.accounts.passwords import hash_password
from portal.accounts.services import AccountError, SignUp, find_user_by_email, normalise_email, sign_up
from portal.core.i18n import N_
from portal.core.timeutil import utcnow
from portal.core.urls import absolute_url
from portal.extensions import db
from portal.notifications.services import send_email


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def request_sign_up(*, email: str, password: str, display_name: str, phone: str | None,
                    locale: str, extra: dict[str, Any], max_age: int) -> None:
    """Someone filled in the register form: mail a confirmation link to a new address, or a
    warning to the owner of an existing account. The caller answers the same either way.

    The password is hashed in both cases, so the answer takes as long; the mails go out
    after the commit, from the job worker. A repeat request for a waiting address replaces
    its details and token (the older link stops working): one pending row per address.
    """
    normalised = normalise_email(email)
    password_hash = hash_password(password)
    user = find_user_by_email(normalised)
    if user is not None:
        if user.is_active_account:  # a suspended account is not told to log in
            _warn_owner(user)
        return
    token = secrets.token_urlsafe(32)
    values = {"token_hash": _digest(token), "password_hash": password_hash,
              "display_name": display_name.strip(), "phone": (phone or "").strip() or None,
              "locale": locale, "extra": dict(extra), "created_at": utcnow()}
    pending = _pending_for(normalised)
    if pending is None:
        try:
            # UNIQUE(email): two requests for one new address racing past the lookup above;
            # the later one then finds the row and takes it over, as if it came a moment later.
            with db.session.begin_nested():
                pending = PendingSignup(email=normalised, **values)
                db.session.add(pending)
        except IntegrityError:
            pending = _pending_for(normalised, fresh=True)
    for name, value in values.items():
        setattr(pending, name, value)
    db.session.flush()
    send_email(pending, N_("Confirm your Homeowner Club account"), N_(
        "Hello %(name)s,\n\n"
        "To finish creating your Homeowner Club account, open this link within %(hours)s "
        "hours and press the button on the page:\n\n%(link)s\n\n"
        "If you did not ask for an account, ignore this email: no account is created."),
        {"name": pending.display_name, "hours": max_age // 3600,
         "link": absolute_url("auth.confirm_sign_up", token=token)})


def _pending_for(email: str, fresh: bool = False) -> PendingSignup | None:
    query = select(PendingSignup).where(PendingSignup.email == email)
    if fresh:
        query = query.execution_options(populate_existing=True)
    return db.session.scalar(query)


def _warn_owner(user: User) -> None:
    send_email(user, N_("Someone tried to sign up with your email address"), N_(
        "Hello %(name)s,\n\n"
        "Someone tried to create a Homeowner Club account with this email address, which "
        "already has one. Nothing has changed in your account.\n\n"
        "If it was you, log in:\n%(login)s\n\n"
        "If you have forgotten your password, choose a new one here:\n%(reset)s\n\n"
        "If it was not you, ignore this email."),
        {"name": user.display_name, "login": absolute_url("auth.login"),
         "reset": absolute_url("auth.reset_request")})


def find_pending_sign_up(token: str) -> PendingSignup | None:
    """The sign-up waiting for this link's token, or None (unknown, replaced or used)."""
    return db.session.scalar(select(PendingSignup).where(PendingSignup.token_hash == _digest(token)))


def has_expired(pending: PendingSignup, max_age: int) -> bool:
    return pending.created_at < utcnow() - timedelta(seconds=max_age)


def confirm_sign_up(pending: PendingSignup) -> SignUp:
    """The visitor pressed the button on the link's page: the account is made, with the
    details of the sign-up, and the pending row goes.

    The row is claimed first with a conditional DELETE: of two confirmations at once only
    one deletes it (the other waits on the row, then finds it gone and is refused); an
    account made meanwhile for the address (by another way in) is refused by
    `register_user`'s unique e-mail.
    """
    details = {"email": pending.email, "password_hash": pending.password_hash,
               "display_name": pending.display_name, "phone": pending.phone,
               "locale": pending.locale, "extra": dict(pending.extra or {})}
    claimed = db.session.execute(
        delete(PendingSignup)
        .where(PendingSignup.id == pending.id, PendingSignup.token_hash == pending.token_hash)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise AccountError(_l("This link has already been used. Log in with your email and "
                              "password."))
    return sign_up(**details)


def purge_pending_sign_ups(max_age: int) -> int:
    """Delete the sign-ups whose link has expired; returns how many."""
    cutoff = utcnow() - timedelta(seconds=max_age)
    return db.session.execute(delete(PendingSignup).where(PendingSignup.created_at < cutoff)).rowcount
