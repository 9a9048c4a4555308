"""Referral forms (staff decisions, the reward rule) and the status labels."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.accounts.forms import UnitFieldsForm
from portal.core.forms import StrictIntegerField, amount_range
from portal.core.timeutil import utcnow
from portal.referrals.models import ReferralStatus

STATUS_LABELS = {
    ReferralStatus.REGISTERED.value: _l("Registered"),
    ReferralStatus.VISITED.value: _l("Visited the sales office"),
    ReferralStatus.PURCHASED.value: _l("Purchased"),
    ReferralStatus.REWARDED.value: _l("Rewarded"),
    ReferralStatus.REJECTED.value: _l("Rejected"),
    ReferralStatus.CANCELLED.value: _l("Purchase cancelled"),
}

# What the referrer sees: no staff wording such as "rejected".
MEMBER_STATUS_LABELS = STATUS_LABELS | {
    ReferralStatus.REJECTED.value: _l("Not eligible"),
}


def _not_in_future(_form, field) -> None:
    if field.data and field.data > utcnow().date():
        raise ValidationError(_l("The date cannot be in the future."))


class VisitForm(FlaskForm):
    visited_on = DateField(_l("Visit date"), validators=[
        DataRequired(message=_l("Enter the date of the visit.")), _not_in_future])
    submit = SubmitField(_l("Log the visit"))


class PurchaseForm(UnitFieldsForm):
    """Which unit, when, which contract: creates the invitee's verified ownership."""

    purchased_on = DateField(_l("Purchase date"), validators=[
        DataRequired(message=_l("Enter the purchase date.")), _not_in_future])
    contract_number = StringField(_l("Contract number"), validators=[
        DataRequired(message=_l("Enter the contract number.")), Length(max=64)])
    submit = SubmitField(_l("Record the purchase and reward"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(message=_l("Give a reason.")), Length(max=500)])
    submit = SubmitField(_l("Confirm"))


class RejectForm(ReasonForm):
    submit = SubmitField(_l("Reject the referral"))


class CancelForm(ReasonForm):
    submit = SubmitField(_l("Cancel the purchase and reverse the reward"))


class RuleForm(FlaskForm):
    referrer_points = StrictIntegerField(_l("Points for the referrer"), validators=[
        InputRequired(message=_l("Enter a number of points.")), amount_range(0, 1_000_000)])
    invitee_points = StrictIntegerField(_l("Points for the new buyer"), validators=[
        InputRequired(message=_l("Enter a number of points.")), amount_range(0, 1_000_000)])
    yearly_cap = StrictIntegerField(_l("Rewarded referrals per referrer per year"), validators=[
        InputRequired(message=_l("Enter a number.")), amount_range(0, 1000)])
    submit = SubmitField(_l("Put this rule in force"))
