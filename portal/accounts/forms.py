"""Account forms. Labels are lazy; the language is chosen per request."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.accounts.models import Unit
from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, is_common
from portal.accounts.permissions import Role
from portal.accounts.services import find_unit
from portal.core.forms import IdChoiceField, PortalForm, select_choices
from portal.core.hooks import registration_fields
from portal.core.i18n import LANGUAGE_NAMES
from portal.core.timeutil import TIME_ZONE_NAMES


def _check_password_policy(_form, field) -> None:
    if field.data and is_common(field.data):
        raise ValidationError(_l("This password is too common. Choose another."))


def new_password_field(label) -> PasswordField:
    return PasswordField(label, validators=[
        DataRequired(message=_l("Enter a password.")),
        Length(min=MIN_LENGTH, max=MAX_LENGTH,
               message=_l("Use between %(min)d and %(max)d characters.")),
        _check_password_policy,
    ])


def confirm_field(other: str) -> PasswordField:
    return PasswordField(_l("Repeat the password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo(other, message=_l("The passwords do not match.")),
    ])


def language_field() -> SelectField:
    return SelectField(_l("Language"), choices=dict(LANGUAGE_NAMES))


class RegisterForm(PortalForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email.")), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[
        DataRequired(message=_l("Enter a display name.")), Length(max=80)])
    phone = StringField(_l("Phone (optional)"), validators=[
        Optional(), Length(max=32),
        Regexp(r"^\+?[0-9 ()-]{6,31}$", message=_l("Enter a valid phone number."))])
    locale = language_field()
    # Fields other features add (`add_registration_field`) come here, after `locale`.
    password = new_password_field(_l("Password"))
    confirm = confirm_field("password")
    submit = SubmitField(_l("Create account"))
    extra_fields: tuple[str, ...] = ()

    def extra_data(self) -> dict[str, Any]:
        """What the visitor entered in the fields other features added (for the signal)."""
        return {name: self[name].data for name in self.extra_fields}


def registration_form(**defaults) -> RegisterForm:
    """The registration form with the fields that features registered, prefilled from the
    request where they say so (e.g. the referral code from `?ref=` or a cookie)."""
    extras = registration_fields()
    form_class = type("RegisterForm", (RegisterForm,), {
        "extra_fields": tuple(extra.name for extra in extras),
        **{extra.name: extra.field() for extra in extras},
    })
    for extra in extras:
        if extra.initial is not None:
            defaults.setdefault(extra.name, extra.initial(request))
    return form_class(**defaults)


class LoginForm(PortalForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password.")), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Remember me on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileForm(PortalForm):
    display_name = StringField(_l("Display name"), validators=[
        DataRequired(message=_l("Enter a display name.")), Length(max=80)])
    phone = StringField(_l("Phone (optional)"), validators=[
        Optional(), Length(max=32),
        Regexp(r"^\+?[0-9 ()-]{6,31}$", message=_l("Enter a valid phone number."))])
    locale = language_field()
    timezone = SelectField(_l("Time zone"), choices=select_choices(TIME_ZONE_NAMES))
    submit = SubmitField(_l("Save"))


class PasswordChangeForm(PortalForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password.")), Length(max=MAX_LENGTH)])
    new_password = new_password_field(_l("New password"))
    confirm = confirm_field("new_password")
    submit = SubmitField(_l("Change password"))


class ResetRequestForm(PortalForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(message=_l("Enter your email.")), Length(max=254)])
    submit = SubmitField(_l("Send me a link"))


class ResetPasswordForm(PortalForm):
    password = new_password_field(_l("New password"))
    confirm = confirm_field("password")
    submit = SubmitField(_l("Set the new password"))


class UnitFieldsForm(PortalForm):
    """Which unit: development (choices set by the view), building and unit number.

    Validation looks the unit up and keeps it in `unit`, so every form that names a
    unit (home requests, staff links, referral purchases) refuses an unknown one alike.
    """

    development = SelectField(_l("Development"), coerce=int, choices=[],
                              validate_choice=True)
    building = StringField(_l("Building"), validators=[
        DataRequired(message=_l("Enter the building.")), Length(max=60)])
    unit_number = StringField(_l("Unit number"), validators=[
        DataRequired(message=_l("Enter the unit number.")), Length(max=20)])
    unit: Unit | None = None

    def set_development_choices(self, developments) -> None:
        self.development.choices = {dev.id: f"{dev.name} ({dev.city})" for dev in developments}

    def validate_unit_number(self, field) -> None:
        if self.development.errors or self.building.errors:
            return
        self.unit = find_unit(self.development.data, self.building.data, field.data)
        if self.unit is None:
            raise ValidationError(
                _l("We cannot find this unit. Check the development, building and unit number."))


class HomeRequestForm(PortalForm):
    """The last step of "My homes": the unit is picked from the chosen building's units
    (choices set by the view from `accounts.homes.unit_picker`), not typed."""

    unit = IdChoiceField(_l("Unit"), validators=[InputRequired(message=_l("Choose your unit."))])
    contract_number = StringField(_l("Contract number"), validators=[
        DataRequired(message=_l("Enter the contract number.")), Length(max=64)])
    purchased_on = DateField(_l("Purchase date (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Ask for verification"))


class LinkUnitForm(UnitFieldsForm):
    contract_number = StringField(_l("Contract number (optional)"), validators=[
        Optional(), Length(max=64)])
    purchased_on = DateField(_l("Purchase date (optional)"), validators=[Optional()])
    submit = SubmitField(_l("Link this unit"))


class RejectHomeForm(PortalForm):
    reason = StringField(_l("Reason for rejection"), validators=[
        DataRequired(message=_l("Give a reason for the rejection.")), Length(max=500)])
    submit = SubmitField(_l("Reject"))


class RoleForm(PortalForm):
    role = SelectField(_l("Role"), choices=[])
    submit = SubmitField(_l("Change role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = Role.choices()


class AccountStatusForm(PortalForm):
    """Suspend (with a reason) or reactivate an account; both ask for a confirmation."""

    reason = TextAreaField(_l("Reason (kept in the audit log)"), validators=[Length(max=500)])
    confirm = BooleanField(_l("Yes, I am sure"), validators=[
        DataRequired(message=_l("Tick the box to confirm."))])
    submit = SubmitField(_l("Confirm"))

