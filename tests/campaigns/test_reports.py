"""The campaign report's comparison: recipients against the members it did not reach,
redemptions in the 30 days before and after the start."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.campaigns import reports, services
from portal.campaigns.models import Campaign, CampaignRecipient
from portal.referrals.services import reward_for
from tests import factories
from tests.campaigns.helpers import bonus_input, grant_input, marketing
from tests.referrals.helpers import make_referral


def _started_grant(db, days_ago: int):
    """A finished grant to verified homeowners (two of four members), started `days_ago`."""
    homeowners = [factories.make_member() for _ in range(2)]
    for member in homeowners:
        factories.make_ownership(member)
    others = [factories.make_member() for _ in range(2)]
    staff = marketing()
    campaign = services.save_draft(None, grant_input(segment={"verified": "yes"}), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign = db.session.get(Campaign, campaign.id)
    start = campaign.launched_at - timedelta(days=days_ago)
    campaign.launched_at = start
    for member in homeowners + others:
        member.created_at = start - timedelta(days=60)
    return campaign, start, homeowners, others


def test_recipients_are_compared_with_the_members_not_reached(app, db):
    campaign, start, (a, b), (c, d) = _started_grant(db, days_ago=10)
    factories.make_redemption(a, created_at=start + timedelta(days=2))
    factories.make_redemption(a, created_at=start + timedelta(days=3))
    factories.make_redemption(b, created_at=start - timedelta(days=5))
    factories.make_redemption(c, created_at=start + timedelta(days=1))
    factories.make_redemption(d, created_at=start - timedelta(days=40))  # outside both windows
    factories.make_redemption(d, created_at=start + timedelta(days=4), status="cancelled")
    comparison = reports.comparison_of(campaign)
    assert comparison.days_observed == 10
    recipients, rest = comparison.recipients, comparison.others
    assert (recipients.members, recipients.redeemers_before, recipients.redeemers_after,
            recipients.redemptions_after) == (2, 1, 1, 2)
    assert (rest.members, rest.redeemers_before, rest.redeemers_after) == (2, 0, 1)
    assert (recipients.share_before, recipients.share_after, rest.share_after) == (50.0, 50.0, 50.0)
    assert comparison.lift == -50.0  # recipients flat, the others up 50 points
    assert [bar.value for bar in comparison.bars] == [500, 500, 0, 500]


def test_members_who_joined_after_the_start_and_staff_are_not_in_the_other_group(app, db):
    campaign, start, _homeowners, _others = _started_grant(db, days_ago=3)
    factories.make_member()  # joined now, after the start
    factories.make_user("service")
    assert reports.comparison_of(campaign).others.members == 2


def test_no_comparison_for_drafts_and_campaigns_that_have_not_started(app, db):
    staff = marketing()
    draft = services.save_draft(None, grant_input(), actor=staff)
    assert reports.comparison_of(draft) is None
    factories.make_member()
    later = services.save_draft(None, bonus_input(starts_at=draft.created_at + timedelta(days=1),
                                                  ends_at=draft.created_at + timedelta(days=2)),
                                actor=staff)
    services.launch(later, actor=staff)
    assert reports.comparison_of(later) is None


def test_members_a_bonus_rule_paid_are_its_recipients(app, db):
    staff = marketing()
    factories.make_member()
    campaign = services.save_draft(None, bonus_input(), actor=staff)
    services.launch(campaign, actor=staff)
    referral = make_referral()
    reward_for(referral)
    reward_for(make_referral(referrer=referral.referrer))
    reached = db.session.scalars(select(CampaignRecipient.member_id)
                                 .where(CampaignRecipient.campaign_id == campaign.id)).all()
    assert reached == [referral.referrer_id]


def test_report_page_shows_the_comparison_chart_and_table(app, db, client, login):
    campaign, start, (a, _b), _others = _started_grant(db, days_ago=40)
    factories.make_redemption(a, created_at=start + timedelta(days=2))
    db.session.commit()
    login("marketing")
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'id="comparison-chart"' in page and 'id="comparison-table"' in page
    assert "50.0%" in page and "+50.0" in page
    assert "not over" not in page
