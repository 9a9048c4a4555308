"""What staff see of a campaign: the draft's preview, progress, and the report with its chart."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.campaigns.models import Campaign
from portal.campaigns.services import Preview, preview
from portal.extensions import db
from portal.points.models import LedgerEntry

CHART_WIDTH = 320  # px of the longest bar


@dataclass(frozen=True)
class Bar:
    label: object
    value: int
    width: int  # px
    y: int


@dataclass(frozen=True)
class Report:
    campaign: Campaign
    reached: int
    issued: int
    budget: int
    budget_used_pct: int
    bars: list[Bar]
    chart_height: int
    preview: Preview | None


def report_of(campaign: Campaign) -> Report:
    """Members reached, points issued (from the ledger for grants), budget used, a chart."""
    if campaign.is_grant:
        reached, issued = db.session.execute(
            select(func.count(LedgerEntry.id), func.coalesce(func.sum(LedgerEntry.amount), 0))
            .where(LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == campaign.id)).one()
    else:
        reached, issued = campaign.reached, campaign.spent
    values = [(_l("Budget"), campaign.budget), (_l("Points issued"), issued),
              (_l("Budget left"), max(campaign.budget - issued, 0))]
    top = max((v for _label, v in values), default=0) or 1
    bars = [Bar(label, value, value * CHART_WIDTH // top, 10 + i * 34)
            for i, (label, value) in enumerate(values)]
    used = issued * 100 // campaign.budget if campaign.budget else 0
    return Report(campaign, reached, issued, campaign.budget, used, bars, 20 + len(bars) * 34,
                  preview(campaign) if campaign.is_draft else None)


def export_rows(campaign: Campaign):
    """Recipients credited by a grant (member id, name, points, when), in id order."""
    rows = db.session.execute(
        select(LedgerEntry.member_id, User.display_name, LedgerEntry.amount, LedgerEntry.created_at)
        .join(User, User.id == LedgerEntry.member_id)
        .where(LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == campaign.id)
        .order_by(LedgerEntry.member_id)
        .execution_options(yield_per=2000))
    for member_id, name, amount, created_at in rows:
        yield [member_id, name, amount, created_at.isoformat(timespec="seconds")]
