"""Partner forms: organisations, accounts, contracts and the attribution of a complaint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.core.forms import IdField, PortalForm
from portal.partners.models import ContractScope, PartnerKind


class OrganisationForm(PortalForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind of partner"), choices=PartnerKind.choices())
    submit = SubmitField(_l("Save"))


class AccountAddForm(PortalForm):
    email = EmailField(_l("E-mail of the partner account"), validators=[DataRequired(), Length(max=254)])
    submit = SubmitField(_l("Add the account"))


class ContractForm(PortalForm):
    development_id = SelectField(_l("Development"), coerce=str)
    scope = SelectField(_l("Scope"), choices=ContractScope.choices())
    reference = StringField(_l("Contract number (optional)"), validators=[Optional(), Length(max=64)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    is_renewed = BooleanField(_l("Renewed"))
    submit = SubmitField(_l("Save the contract"))


class AttributionForm(PortalForm):
    organisation_id = IdField(_l("Responsible partner"), validators=[DataRequired()])
    needed_repair = BooleanField(_l("Needed a repair (rework)"))
    submit = SubmitField(_l("Attribute"))
