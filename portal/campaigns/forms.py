"""Campaign forms: the draft (rules + segment) and the launch / cancel confirmations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.campaigns.models import BonusMode, Campaign, CampaignKind
from portal.campaigns.services import CampaignInput
from portal.core.forms import PortalForm, StrictIntegerField, select_choices
from portal.core.rewards import RewardTrigger
from portal.points.tiers import TierCode

YES_NO_ANY = {"": _l("Either"), "yes": _l("Yes"), "no": _l("No")}


def parse_multiplier(raw: str | None) -> int | None:
    """"1.5" → 150 (hundredths); None when it is not a plain decimal with at most 2 places."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 8 or not raw.isascii():
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        return None
    return int(value * 100)


class CampaignForm(PortalForm):
    kind = SelectField(_l("Kind"), choices=CampaignKind.choices())
    name_zh_Hant = StringField(_l("Name (Traditional Chinese)"), validators=[Length(max=120)])  # noqa: N815
    name_zh_Hans = StringField(_l("Name (Simplified Chinese)"), validators=[Length(max=120)])  # noqa: N815
    name_en = StringField(_l("Name (English)"), validators=[Length(max=120)])
    message_zh_Hant = TextAreaField(_l("Message to members (Traditional Chinese)"),  # noqa: N815
                                    validators=[Length(max=400)])
    message_zh_Hans = TextAreaField(_l("Message to members (Simplified Chinese)"),  # noqa: N815
                                    validators=[Length(max=400)])
    message_en = TextAreaField(_l("Message to members (English)"), validators=[Length(max=400)])
    points = StrictIntegerField(_l("Points (per member for a grant; added for a bonus rule)"),
                                validators=[Optional()])
    bonus_mode = SelectField(_l("Bonus"), choices=[SelectChoice("", "—"), *BonusMode.choices()])
    multiplier = StringField(_l("Multiplier (e.g. 1.5)"), validators=[Length(max=8)])
    trigger = SelectField(_l("When the member does this"),
                          choices=[SelectChoice("", "—"), *RewardTrigger.choices()])
    budget = StrictIntegerField(_l("Budget (points)"), validators=[
        InputRequired(message=_l("Enter a budget."))])
    starts_at = DateTimeLocalField(_l("Starts (UTC; empty: at launch)"), validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends (UTC; bonus rules)"), validators=[Optional()])
    tiers = SelectMultipleField(_l("Tier"), choices=TierCode.choices())
    development_id = SelectField(_l("Development (verified home in it)"), choices=[])
    verified = SelectField(_l("Verified homeowner"), choices=select_choices(YES_NO_ANY))
    roles = SelectMultipleField(_l("Role"), choices=[])
    joined_from = DateField(_l("Joined from"), validators=[Optional()])
    joined_to = DateField(_l("Joined until"), validators=[Optional()])
    redeemed = SelectField(_l("Redeemed a perk in the last N days"), choices=select_choices(YES_NO_ANY))
    redeemed_days = StrictIntegerField(_l("N days"), validators=[Optional()])
    preview = SubmitField(_l("Preview the audience"))
    submit = SubmitField(_l("Save the draft"))

    def setup(self, developments, roles) -> CampaignForm:
        self.development_id.choices = [SelectChoice("", _l("Any")),
                                       *[SelectChoice(str(d.id), d.name) for d in developments]]
        self.roles.choices = roles
        return self

    def validate_multiplier(self, field) -> None:
        if field.data and parse_multiplier(field.data) is None:
            raise ValidationError(_l("Enter a multiplier above 1 and at most 10, e.g. 1.5."))

    def fill(self, campaign: Campaign) -> None:
        for name in ("kind", "name_zh_Hant", "name_zh_Hans", "name_en", "message_zh_Hant",
                     "message_zh_Hans", "message_en", "bonus_mode", "trigger", "budget",
                     "starts_at", "ends_at"):
            getattr(self, name).data = getattr(campaign, name)
        self.points.data = campaign.points or None
        self.multiplier.data = campaign.multiplier
        segment = campaign.segment or {}
        self.tiers.data = segment.get("tiers") or []
        self.roles.data = segment.get("roles") or []
        self.development_id.data = str(segment.get("development_id") or "")
        self.verified.data = segment.get("verified") or ""
        self.redeemed.data = segment.get("redeemed") or ""
        self.redeemed_days.data = segment.get("redeemed_days") or None
        for name in ("joined_from", "joined_to"):
            raw = segment.get(name)
            getattr(self, name).data = _iso_date(raw)

    def to_input(self) -> CampaignInput:
        development = self.development_id.data
        return CampaignInput(
            kind=self.kind.data,
            names={k: getattr(self, f"name_{k}").data for k in ("zh_Hant", "zh_Hans", "en")},
            messages={k: getattr(self, f"message_{k}").data for k in ("zh_Hant", "zh_Hans", "en")},
            points=self.points.data, bonus_mode=self.bonus_mode.data or "",
            multiplier_pct=parse_multiplier(self.multiplier.data), trigger=self.trigger.data or "",
            budget=self.budget.data, starts_at=self.starts_at.data, ends_at=self.ends_at.data,
            segment={
                "tiers": self.tiers.data or [], "roles": self.roles.data or [],
                "development_id": int(development) if development and development.isdigit() else None,
                "verified": self.verified.data or "", "redeemed": self.redeemed.data or "",
                "redeemed_days": self.redeemed_days.data or 0,
                "joined_from": self.joined_from.data.isoformat() if self.joined_from.data else "",
                "joined_to": self.joined_to.data.isoformat() if self.joined_to.data else "",
            })


def _iso_date(raw):
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
