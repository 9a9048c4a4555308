"""What staff see of a campaign: the draft's preview, progress, and the report with its chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, select

from portal.accounts.models import User
from portal.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from portal.campaigns.services import Preview, preview
from portal.core.figures import count_rows
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.perks.models import Redemption, RedemptionStatus
from portal.points.models import LedgerEntry
from portal.segments.builder import SEGMENT_ROLES

CHART_WIDTH = 320  # px of the longest bar
WINDOW = timedelta(days=30)  # redemptions compared in the 30 days before and after the start


@dataclass(frozen=True)
class Bar:
    label: object
    value: int
    width: int  # px
    y: int


def _bars(values: list[tuple[object, int]]) -> list[Bar]:
    top = max((v for _label, v in values), default=0) or 1
    return [Bar(label, value, value * CHART_WIDTH // top, 10 + i * 34)
            for i, (label, value) in enumerate(values)]


@dataclass(frozen=True)
class GroupFigures:
    """Redemptions of one group of members in the window before and after the start."""

    members: int
    redeemers_before: int
    redeemers_after: int
    redemptions_before: int
    redemptions_after: int

    def share(self, redeemers: int) -> float:
        """Per cent of the group's members who redeemed (one decimal)."""
        return round(redeemers * 100 / self.members, 1) if self.members else 0.0

    @property
    def share_before(self) -> float:
        return self.share(self.redeemers_before)

    @property
    def share_after(self) -> float:
        return self.share(self.redeemers_after)


@dataclass(frozen=True)
class Comparison:
    """Did the campaign move redemptions? Its recipients against the members it did not
    reach (active members and partners who had joined before the start), each group in the
    30 days before and after the start; the before figures show how far the groups
    differed already."""

    start: datetime
    days_observed: int  # < 30 while the window is still open
    recipients: GroupFigures
    others: GroupFigures
    bars: list[Bar]  # share redeeming, per mille for the chart's integer widths
    chart_height: int

    @property
    def lift(self) -> float:
        """Change of the recipients' share minus the change of the others' (points of %)."""
        return round((self.recipients.share_after - self.recipients.share_before)
                     - (self.others.share_after - self.others.share_before), 1)


def _group_figures(member_ids, start: datetime) -> GroupFigures:
    members = db.session.scalar(select(func.count()).select_from(member_ids.subquery())) or 0
    after = Redemption.created_at >= start
    row = db.session.execute(
        select(func.count(distinct(Redemption.member_id)).filter(~after),
               func.count(distinct(Redemption.member_id)).filter(after),
               func.count(Redemption.id).filter(~after), func.count(Redemption.id).filter(after))
        .where(Redemption.member_id.in_(member_ids),
               Redemption.status != RedemptionStatus.CANCELLED.value,
               Redemption.created_at >= start - WINDOW, Redemption.created_at < start + WINDOW)
    ).one()
    return GroupFigures(members, *row)


def comparison_of(campaign: Campaign) -> Comparison | None:
    """Recipients vs the others (see `Comparison`); None before the campaign has started."""
    start = campaign.starts_at or campaign.launched_at
    now = utcnow()
    if campaign.is_draft or start is None or start > now:
        return None
    reached = select(CampaignRecipient.member_id).where(CampaignRecipient.campaign_id == campaign.id)
    others = select(User.id).where(User.is_active_account.is_(True), User.role.in_(SEGMENT_ROLES),
                                   User.created_at < start, User.id.not_in(reached))
    recipients, rest = _group_figures(reached, start), _group_figures(others, start)
    bars = _bars([(_l("Recipients, 30 days before"), int(recipients.share_before * 10)),
                  (_l("Recipients, 30 days after"), int(recipients.share_after * 10)),
                  (_l("Others, 30 days before"), int(rest.share_before * 10)),
                  (_l("Others, 30 days after"), int(rest.share_after * 10))])
    days = min(WINDOW.days, (now - start).days)
    return Comparison(start, days, recipients, rest, bars, 20 + len(bars) * 34)


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
    comparison: Comparison | None


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
    bars = _bars(values)
    used = issued * 100 // campaign.budget if campaign.budget else 0
    return Report(campaign, reached, issued, campaign.budget, used, bars, 20 + len(bars) * 34,
                  preview(campaign) if campaign.is_draft else None, comparison_of(campaign))


def export_rows(campaign: Campaign):
    """Recipients credited by a grant (member id, name, points, when), in id order."""
    rows = db.session.execute(
        select(LedgerEntry.member_id, User.display_name, LedgerEntry.amount, LedgerEntry.created_at)
        .join(User, User.id == LedgerEntry.member_id)
        .where(LedgerEntry.source_type == "campaigns", LedgerEntry.source_id == campaign.id)
        .order_by(LedgerEntry.member_id)
        .execution_options(yield_per=2000))
    for member_id, name, amount, created_at in rows:
        yield [member_id, name, amount, created_at]  # the club's time zone (core.csvexport)


def running_count(_user) -> int:
    """Campaigns running now (the staff home's count)."""
    return count_rows(select(Campaign.id).where(Campaign.status == CampaignStatus.RUNNING.value))
