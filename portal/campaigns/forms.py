"""Campaign forms: the draft (rules + segment) and the launch / cancel confirmations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.campaigns.models import BonusMode, Campaign, CampaignKind
from portal.campaigns.services import CampaignInput
from portal.core.forms import StrictIntegerField
from portal.core.rewards import RewardTrigger
from portal.core.timeutil import local_to_utc, utc_to_local
from portal.segments.forms import SegmentForm

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


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


class CampaignForm(SegmentForm):
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
    # In the staff member's own time zone (their profile); stored in UTC.
    # The first format is what the field renders: the only one a browser's datetime-local takes.
    starts_at = DateTimeLocalField(_l("Starts (your time zone; empty: at launch)"),
                                   format=LOCAL_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends (your time zone; bonus rules)"), format=LOCAL_FORMATS,
                                 validators=[Optional()])
    preview = SubmitField(_l("Preview the audience"))
    submit = SubmitField(_l("Save the draft"))

    def validate_multiplier(self, field) -> None:
        if field.data and parse_multiplier(field.data) is None:
            raise ValidationError(_l("Enter a multiplier above 1 and at most 10, e.g. 1.5."))

    def fill(self, campaign: Campaign) -> None:
        for name in ("kind", "name_zh_Hant", "name_zh_Hans", "name_en", "message_zh_Hant",
                     "message_zh_Hans", "message_en", "bonus_mode", "trigger", "budget"):
            getattr(self, name).data = getattr(campaign, name)
        self.starts_at.data = utc_to_local(campaign.starts_at)
        self.ends_at.data = utc_to_local(campaign.ends_at)
        self.points.data = campaign.points or None
        self.multiplier.data = campaign.multiplier
        self.fill_segment(campaign.segment)

    def to_input(self) -> CampaignInput:
        return CampaignInput(
            kind=self.kind.data,
            names={k: getattr(self, f"name_{k}").data for k in ("zh_Hant", "zh_Hans", "en")},
            messages={k: getattr(self, f"message_{k}").data for k in ("zh_Hant", "zh_Hans", "en")},
            points=self.points.data, bonus_mode=self.bonus_mode.data or "",
            multiplier_pct=parse_multiplier(self.multiplier.data), trigger=self.trigger.data or "",
            budget=self.budget.data, starts_at=local_to_utc(self.starts_at.data),
            ends_at=local_to_utc(self.ends_at.data),
            segment=self.segment_data())

