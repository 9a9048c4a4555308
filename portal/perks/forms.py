"""Perk forms: marketing's perk editor and stock form, the member's redeem confirmation,
and the service desk's voucher forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import HiddenInput

from portal.core.forms import MAX_AMOUNT, PortalForm, StrictIntegerField, amount_range, select_choices
from portal.perks.models import PerkCategory, RedemptionStatus
from portal.perks.services import PerkData, StockAction
from portal.points.tiers import TierCode

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
MAX_PER_MEMBER = 1000


def _title(label) -> StringField:
    return StringField(label, validators=[Length(max=120)])


def _description(label) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=4000)], render_kw={"rows": 4})


class PerkForm(PortalForm):
    """Create or edit a perk. Times are entered in the staff member's time zone."""

    title_zh_hant = _title(_l("Title (Traditional Chinese)"))
    title_zh_hans = _title(_l("Title (Simplified Chinese)"))
    title_en = _title(_l("Title (English)"))
    description_zh_hant = _description(_l("Description (Traditional Chinese)"))
    description_zh_hans = _description(_l("Description (Simplified Chinese)"))
    description_en = _description(_l("Description (English)"))
    category = SelectField(_l("Category"), choices=PerkCategory.choices())
    cost = StrictIntegerField(_l("Cost in points"), validators=[
        InputRequired(message=_l("Enter the cost in points.")),
        amount_range(1)])
    stock = StrictIntegerField(_l("Stock (empty for unlimited)"), validators=[
        Optional(), NumberRange(min=0, max=MAX_AMOUNT)])
    per_member_limit = StrictIntegerField(_l("Limit per member (empty for no limit)"), validators=[
        Optional(), NumberRange(min=1, max=MAX_PER_MEMBER)])
    min_tier = SelectField(_l("Minimum tier"), choices=TierCode.choices())
    starts_at = DateTimeLocalField(_l("Available from (optional)"), format=DATETIME_FORMAT,
                                   validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Available until (optional)"), format=DATETIME_FORMAT,
                                 validators=[Optional()])
    image = FileField(_l("Image (JPEG, PNG or WebP, at most 5 MB)"))
    remove_image = BooleanField(_l("Remove the current image"))
    is_active = BooleanField(_l("Shown in the catalog"), default=True)
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not any((getattr(self, f"title_{lang}").data or "").strip()
                   for lang in ("zh_hant", "zh_hans", "en")):
            self.title_zh_hant.errors.append(_l("Enter a title in at least one language."))
            valid = False
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(_l("The end must be after the start."))
            valid = False
        return valid

    @classmethod
    def for_perk(cls, perk) -> PerkForm:
        """The edit form, prefilled; stock is changed with `PerkStockForm`."""
        form = cls(obj=perk)
        if not form.is_submitted():
            for name in ("starts_at", "ends_at"):
                value = getattr(perk, name)
                getattr(form, name).data = (
                    to_user_timezone(value).replace(tzinfo=None) if value else None)
        del form.stock
        return form

    def to_data(self) -> PerkData:
        def utc(value):
            return to_utc(value) if value else None

        return PerkData(
            **{name: (getattr(self, name).data or "").strip() for name in (
                "title_zh_hant", "title_zh_hans", "title_en",
                "description_zh_hant", "description_zh_hans", "description_en")},
            category=self.category.data,
            cost=self.cost.data,
            stock=self.stock.data if "stock" in self._fields else None,
            per_member_limit=self.per_member_limit.data,
            min_tier=self.min_tier.data,
            starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data),
            is_active=bool(self.is_active.data),
        )


class PerkStockForm(PortalForm):
    action = SelectField(_l("Change"), choices=StockAction.choices())
    quantity = StrictIntegerField(_l("Units"), validators=[
        Optional(), NumberRange(min=0, max=MAX_AMOUNT)])
    submit = SubmitField(_l("Update stock"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.action.data != StockAction.UNLIMITED and self.quantity.data is None:
            self.quantity.errors.append(_l("Enter a number of units."))
            valid = False
        return valid


NONCE_PATTERN = r"^[A-Za-z0-9_-]{20,64}$"


class RedeemForm(PortalForm):
    """The confirmation step: the nonce makes a replayed POST find the first voucher."""

    nonce = HiddenField(validators=[InputRequired(), Regexp(NONCE_PATTERN)])
    cost = StrictIntegerField(widget=HiddenInput(), validators=[InputRequired(), amount_range(1)])
    submit = SubmitField(_l("Confirm and redeem"))


class VoucherLookupForm(PortalForm):
    code = StringField(_l("Voucher code"), validators=[
        InputRequired(message=_l("Enter or scan a voucher code.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"})
    submit = SubmitField(_l("Find voucher"))


class VoucherFulfilForm(PortalForm):
    code = HiddenField(validators=[InputRequired(), Length(max=40)])
    submit = SubmitField(_l("Mark as used"))


class RedemptionFilterForm(PortalForm):
    """GET filters of the staff list and CSV export (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), validators=[Optional()], choices=select_choices(
        {"": _l("Any status"), **RedemptionStatus.labels()}))
    perk = SelectField(_l("Perk"), choices=select_choices({"": _l("Any perk")}), validators=[Optional()])

    def set_perk_choices(self, perks: list[tuple[str, str]]) -> None:
        self.perk.choices = select_choices({"": _l("Any perk"), **dict(perks)})
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))
