"""Form pieces shared by every feature.

WTForms' own messages are translated by Flask-WTF's i18n hook (WTF_I18N_ENABLED);
our validators carry `_l` messages of their own.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

MAX_AMOUNT = 10_000_000


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


def amount_range(minimum: int, maximum: int = MAX_AMOUNT) -> NumberRange:
    return NumberRange(min=minimum, max=maximum)


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""


def select_choices(mapping: dict) -> list[SelectChoice]:
    """SelectField choices from `{value: label}` where labels may be lazy strings
    (WTForms reads a dict with non-`str` values as optgroups)."""
    return [SelectChoice(value=str(value), label=label) for value, label in mapping.items()]
