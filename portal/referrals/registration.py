"""Referrals at registration: the code field on the form, and attaching the referrer.

Accounts knows nothing of referrals: the field is added through
`portal.core.hooks.add_registration_field` and the new account reaches us through the
`user_registered` signal (ARCHITECTURE.md, "One way through a request").
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from portal.core.hooks import add_registration_field
from portal.core.signals import user_registered
from portal.referrals.services import ReferralError, attach_referral, remembered_code

FIELD = "referral_code"


def referral_code_field() -> StringField:
    # A code that cannot be used does not block registration (see `on_user_registered`).
    return StringField(_l("Referral code (optional)"), validators=[Optional(), Length(max=100)])


def on_user_registered(user, extra: dict | None = None, **_kwargs) -> str | None:
    """Link the new member to the member whose code they used. A code that cannot be used
    leaves the account without a referrer and answers why (shown after sign-up)."""
    if "referrals" not in current_app.blueprints:  # an app built without this feature
        return None
    try:
        attach_referral(user, (extra or {}).get(FIELD))
    except ReferralError as error:
        return str(error)
    return None


def init_registration(app: Flask) -> None:
    add_registration_field(app, FIELD, referral_code_field,
                           initial=lambda request: remembered_code(request.args, request.cookies))
    # A module-level receiver, connected once however many apps are built (tests).
    user_registered.connect(on_user_registered)
