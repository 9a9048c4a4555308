"""Form pieces shared by every feature.

WTForms' own messages are translated by Flask-WTF's i18n hook (WTF_I18N_ENABLED);
our validators carry `_l` messages of their own.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import html_params

MAX_AMOUNT = 10_000_000
# Ids are 32-bit on PostgreSQL (`integer`); a bigger number can only be tampering.
MAX_ID = 2**31 - 1


class PortalForm(FlaskForm):
    """The base of every form: text that no database column can hold is refused here.

    PostgreSQL text cannot store NUL (0x00); a NUL in any field — registration's display
    name included, so anyone can send one — is refused with a translated message
    instead of reaching the database.
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if _holds_nul(field.data):
                field.errors = [*field.errors, gettext("This field contains characters that are "
                                                       "not allowed.")]
                valid = False
        return valid


def _holds_nul(data) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, list | tuple):
        return any(isinstance(item, str) and "\x00" in item for item in data)
    return False


class StrictIntegerField(IntegerField):
    """An integer field that refuses `1.5`, `1e3`, `１０`, `1_000`, `٣` and absurd lengths.

    Python's `int()` accepts Unicode digits and underscores; amounts of points
    must be plain ASCII digits with an optional minus sign.
    """

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = valuelist[0].strip()
        body = raw[1:] if raw.startswith("-") else raw
        if not body or not body.isascii() or not body.isdigit() or len(body) > 12:
            self.data = None
            raise ValueError(gettext("Enter a whole number."))
        self.data = int(raw)


class IdField(StrictIntegerField):
    """The id of a row, typed or posted (assignee, unit…): 1 … MAX_ID or a form error."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not 1 <= self.data <= MAX_ID:
            self.data = None
            raise ValidationError(gettext("Not a valid choice."))


class IdSelect:
    """Renders an `IdChoiceField` as a <select> of its `choices`."""

    def __call__(self, field, **kwargs) -> Markup:
        kwargs.setdefault("id", field.id)
        css = f'{kwargs.pop("class", "")} {kwargs.pop("class_", "")}'.replace("form-control",
                                                                        "form-select")
        kwargs["class"] = " ".join(css.split())
        # Markup's `%` escapes the labels and html_params escapes the attribute values.
        options = Markup("").join(
            Markup("<option %s>%s</option>") % (
                Markup(html_params(value="" if value is None else value,  # nosec B704
                                   selected=value == field.data)), label)
            for value, label in field.choices)
        attributes = Markup(html_params(name=field.name, **kwargs))  # nosec B704
        return Markup("<select %s>%s</select>") % (attributes, options)


class IdChoiceField(IdField):
    """The id of a row picked from a list; empty means none.

    `choices` are `(id or None, label)` pairs. With `validate_choice` the id must be one of
    them (the list is what the user may pick from); without it only the list is shown and
    the service decides (e.g. "complaints can only be assigned to complaint handlers").
    """

    widget = IdSelect()

    def __init__(self, label=None, validators=None, choices=(), validate_choice=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)
        self.validate_choice = validate_choice

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)

    def pre_validate(self, form) -> None:
        super().pre_validate(form)
        if (self.validate_choice and self.data is not None
                and self.data not in {value for value, _label in self.choices}):
            raise ValidationError(gettext("Not a valid choice."))


def amount_range(minimum: int, maximum: int = MAX_AMOUNT) -> NumberRange:
    return NumberRange(min=minimum, max=maximum)


class EmptyForm(PortalForm):
    """A form with only the CSRF token, for buttons that POST."""


def select_choices(mapping: dict) -> list[SelectChoice]:
    """SelectField choices from `{value: label}` where labels may be lazy strings
    (WTForms reads a dict with non-`str` values as optgroups)."""
    return [SelectChoice(value=str(value), label=label) for value, label in mapping.items()]
