"""The segment criteria as form fields, for any form that picks an audience.

    class CampaignForm(SegmentForm): ...            # the criteria fields come with it
    form.setup_segment(developments)                # fills the development choices
    form.fill_segment(campaign.segment)             # stored criteria → fields
    form.segment_data()                             # fields → criteria for parse_segment

The template renders them with `segments/_fields.html`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from portal.accounts.permissions import Role
from portal.core.forms import PortalForm, StrictIntegerField, select_choices
from portal.points.tiers import TierCode

YES_NO_ANY = {"": _l("Either"), "yes": _l("Yes"), "no": _l("No")}


class SegmentForm(PortalForm):
    tiers = SelectMultipleField(_l("Tier"), choices=TierCode.choices())
    development_id = SelectField(_l("Development (verified home in it)"), choices=[])
    verified = SelectField(_l("Verified homeowner"), choices=select_choices(YES_NO_ANY))
    roles = SelectMultipleField(_l("Role"), choices=[
        SelectChoice(Role.MEMBER.value, Role.MEMBER.label),
        SelectChoice(Role.PARTNER.value, Role.PARTNER.label)])
    joined_from = DateField(_l("Joined from"), validators=[Optional()])
    joined_to = DateField(_l("Joined until"), validators=[Optional()])
    redeemed = SelectField(_l("Redeemed a perk in the last N days"), choices=select_choices(YES_NO_ANY))
    redeemed_days = StrictIntegerField(_l("N days"), validators=[Optional()])

    def setup_segment(self, developments) -> None:
        self.development_id.choices = [SelectChoice("", _l("Any")),
                                       *[SelectChoice(str(d.id), d.name) for d in developments]]

    def fill_segment(self, segment: dict | None) -> None:
        segment = segment or {}
        self.tiers.data = segment.get("tiers") or []
        self.roles.data = segment.get("roles") or []
        self.development_id.data = str(segment.get("development_id") or "")
        self.verified.data = segment.get("verified") or ""
        self.redeemed.data = segment.get("redeemed") or ""
        self.redeemed_days.data = segment.get("redeemed_days") or None
        self.joined_from.data = _iso_date(segment.get("joined_from"))
        self.joined_to.data = _iso_date(segment.get("joined_to"))

    def segment_data(self) -> dict[str, Any]:
        development = self.development_id.data
        return {
            "tiers": self.tiers.data or [], "roles": self.roles.data or [],
            "development_id": int(development) if development and development.isdigit() else None,
            "verified": self.verified.data or "", "redeemed": self.redeemed.data or "",
            "redeemed_days": self.redeemed_days.data or 0,
            "joined_from": self.joined_from.data.isoformat() if self.joined_from.data else "",
            "joined_to": self.joined_to.data.isoformat() if self.joined_to.data else "",
        }


def _iso_date(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
