"""Bonus rules: campaigns that raise the reward a feature already computes.

Every feature passes the reward it pays through `portal.core.rewards.adjusted_reward`;
`campaign_bonus` is registered there by `init_app`, so no feature imports campaign code.
A running rule for that trigger whose window holds now and whose segment holds the member
adds to the reward (×multiplier or +points),
paid from its budget by one conditional UPDATE (`WHERE spent + :n <= budget`): the rule
stops paying exactly when the budget is spent, also under concurrency (the UPDATE holds
the campaign row until the conversion commits, a rollback gives the points back).
"""

from __future__ import annotations

from sqlalchemy import select, update

from portal.campaigns.models import BonusMode, Campaign, CampaignKind, CampaignRecipient, CampaignStatus
from portal.core.sql import dialect_insert
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.segments.builder import contains, parse_segment


def bonus_for(campaign: Campaign, base: int) -> int:
    """What the rule adds to a reward of `base` points."""
    if campaign.bonus_mode == BonusMode.MULTIPLY:
        return base * campaign.multiplier_pct // 100 - base
    return campaign.points if base > 0 else 0


def running_rules(trigger: str) -> list[Campaign]:
    now = utcnow()
    return list(db.session.scalars(select(Campaign).where(
        Campaign.kind == CampaignKind.BONUS.value, Campaign.status == CampaignStatus.RUNNING.value,
        Campaign.trigger == trigger, Campaign.starts_at <= now, Campaign.ends_at > now,
    ).order_by(Campaign.id)))


def pay_from_budget(campaign_id: int, points: int) -> bool:
    """Take `points` from the rule's budget if they fit; True when paid."""
    return db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id,
                               Campaign.status == CampaignStatus.RUNNING.value,
                               Campaign.spent + points <= Campaign.budget)
        .values(spent=Campaign.spent + points, reached=Campaign.reached + 1),
        execution_options={"synchronize_session": False},
    ).rowcount == 1


def campaign_bonus(trigger: str, member_id: int, points: int) -> int:
    """The reward modifier: each running rule for `trigger` whose segment holds the member
    adds its bonus, as long as its budget lasts."""
    base = points
    for campaign in running_rules(trigger):
        extra = bonus_for(campaign, base)
        if extra <= 0 or not contains(parse_segment(campaign.segment), member_id):
            continue
        if pay_from_budget(campaign.id, extra):
            points += extra
            db.session.execute(dialect_insert(CampaignRecipient.__table__, db.session)
                               .values(campaign_id=campaign.id, member_id=member_id)
                               .on_conflict_do_nothing())
    return points
