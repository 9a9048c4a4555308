"""Referral forms: staff decisions and the reward rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.accounts.forms import UnitFieldsForm
from portal.core.forms import PortalForm, StrictIntegerField, amount_range
from portal.core.timeutil import utcnow


def _not_in_future(_form, field) -> None:
    if field.data and field.data > utcnow().date():
        raise ValidationError(_l("The date cannot be in the future."))


class VisitForm(PortalForm):
    visited_on = DateField(_l("Visit date"), validators=[
        DataRequired(message=_l("Enter the date of the visit.")), _not_in_future])
    submit = SubmitField(_l("Log the visit"))


class PurchaseForm(UnitFieldsForm, PortalForm):
    """Which unit, when, which contract: creates the invitee's verified ownership.

    PortalForm is named as well, so the NUL guard holds whatever accounts' base derives from.
    """

    purchased_on = DateField(_l("Purchase date"), validators=[
        DataRequired(message=_l("Enter the purchase date.")), _not_in_future])
    contract_number = StringField(_l("Contract number"), validators=[
        DataRequired(message=_l("Enter the contract number.")), Length(max=64)])
    submit = SubmitField(_l("Record the purchase and reward"))


class ReasonForm(PortalForm):
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Give a reason.")), Length(max=500)])
    submit = SubmitField(_l("Confirm"))


class RejectForm(ReasonForm):
    submit = SubmitField(_l("Reject the referral"))


class CancelForm(ReasonForm):
    submit = SubmitField(_l("Cancel the purchase and reverse the reward"))


class RuleForm(PortalForm):
    referrer_points = StrictIntegerField(_l("Points for the referrer"), validators=[
        InputRequired(message=_l("Enter a number of points.")), amount_range(0, 1_000_000)])
    invitee_points = StrictIntegerField(_l("Points for the new buyer"), validators=[
        InputRequired(message=_l("Enter a number of points.")), amount_range(0, 1_000_000)])
    yearly_cap = StrictIntegerField(_l("Rewarded referrals per referrer per year"), validators=[
        InputRequired(message=_l("Enter a number.")), amount_range(0, 1000)])
    submit = SubmitField(_l("Put this rule in force"))
