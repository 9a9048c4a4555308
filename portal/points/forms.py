"""Points forms. Amounts use StrictIntegerField: plain ASCII digits only."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp, ValidationError

from portal.core.forms import MAX_AMOUNT, PortalForm, StrictIntegerField
from portal.points.services.gifts import GIFT_MINIMUM

NONCE_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


def new_nonce() -> str:
    """A one-time token per form display: submitting the same form twice acts once."""
    return secrets.token_urlsafe(18)


def _nonce_field() -> HiddenField:
    return HiddenField(validators=[
        Regexp(NONCE_PATTERN, message=_l("This form has expired. Please submit it again."))])


def _points_required():
    return InputRequired(message=_l("Enter a number of points."))


class OnceForm(PortalForm):
    """A form carrying a nonce, refreshed whenever the form is shown again."""

    nonce = _nonce_field()

    def ensure_nonce(self) -> None:
        if not self.nonce.data or self.nonce.errors:
            self.nonce.data = new_nonce()


class GiftForm(OnceForm):
    """Two steps: the first submit shows who receives the points (`confirmed` empty), the
    second, from that page, gifts them (`confirmed` = "1")."""

    confirmed = HiddenField()
    email = EmailField(_l("Recipient's email"), validators=[
        DataRequired(message=_l("Enter the email of the member you want to gift points to.")),
        Length(max=254)])
    amount = StrictIntegerField(_l("Points"), validators=[
        _points_required(),
        NumberRange(min=GIFT_MINIMUM, max=MAX_AMOUNT,
                    message=_l("Enter between %(min)s and %(max)s points."))])
    submit = SubmitField(_l("Gift points"))


def _not_zero(_form, field) -> None:
    if field.data == 0:
        raise ValidationError(_l("Enter a whole number of points other than zero."))


class AdjustForm(OnceForm):
    amount = StrictIntegerField(_l("Points (negative to remove)"), validators=[
        _points_required(),
        NumberRange(min=-MAX_AMOUNT, max=MAX_AMOUNT,
                    message=_l("Enter between %(min)s and %(max)s points.")),
        _not_zero])
    reason = TextAreaField(_l("Reason (the member sees it)"), validators=[
        DataRequired(message=_l("Give a reason for the adjustment.")), Length(max=300)])
    submit = SubmitField(_l("Adjust points"))


def _threshold_field(label):
    return StrictIntegerField(label, validators=[
        _points_required(),
        NumberRange(min=1, max=MAX_AMOUNT, message=_l("Enter between %(min)s and %(max)s points."))])


class TierSettingsForm(PortalForm):
    silver = _threshold_field(_l("Silver from (lifetime points)"))
    gold = _threshold_field(_l("Gold from (lifetime points)"))
    platinum = _threshold_field(_l("Platinum from (lifetime points)"))
    submit = SubmitField(_l("Save thresholds"))


class MemberLookupForm(PortalForm):
    class Meta:
        csrf = False  # a GET search form

    email = EmailField(_l("Member's email"), validators=[DataRequired(), Length(max=254)])
