"""Staff pages: preview before saving, draft, launch with confirmation, read-only, report, CSV."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.campaigns import services
from portal.campaigns.models import Campaign, CampaignStatus
from portal.core.timeutil import in_club_zone
from portal.points.models import LedgerEntry
from tests.campaigns.helpers import grant_input, members

FORM = {
    "kind": "grant", "name_zh_Hant": "中秋節禮遇", "name_zh_Hans": "中秋节礼遇", "name_en": "Mid-Autumn gift",
    "message_zh_Hant": "", "message_zh_Hans": "", "message_en": "Enjoy!", "points": "800",
    "bonus_mode": "", "multiplier": "", "trigger": "", "budget": "100000", "starts_at": "",
    "ends_at": "", "development_id": "", "verified": "", "joined_from": "", "joined_to": "",
    "redeemed": "", "redeemed_days": "",
}

BONUS = {"kind": "bonus", "bonus_mode": "multiply", "trigger": "referral_converted"}


def _count(db):
    return db.session.scalar(select(func.count()).select_from(Campaign))


def test_preview_shows_audience_cost_and_sample_without_saving(client, db, login):
    login("marketing")
    people = members(3)
    db.session.commit()
    response = client.post("/admin/campaigns/new", data={**FORM, "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Audience: 3 members" in page and "Total cost: 2,400 points" in page
    assert people[0].display_name in page
    assert _count(db) == 0


def test_create_launch_with_confirmation_and_report(client, db, login):
    login("marketing")
    member = members(2)[0]
    db.session.commit()
    response = client.post("/admin/campaigns/new", data={**FORM, "submit": "1"})
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    confirm = client.get(f"/admin/campaigns/{campaign.id}/launch").get_data(as_text=True)
    assert "Audience: 2 members" in confirm and "Total cost: 1,600 points" in confirm
    assert client.post(f"/admin/campaigns/{campaign.id}/launch").status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == CampaignStatus.FINISHED
    page = client.get(f"/admin/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<svg" in page and "campaign-report" in page and "1,600" in page
    csv = client.get(f"/admin/campaigns/{campaign.id}/recipients.csv").get_data(as_text=True)
    assert str(member.id) in csv and "800" in csv
    credited = db.session.scalar(select(LedgerEntry.created_at).where(
        LedgerEntry.member_id == member.id, LedgerEntry.source_type == "campaigns"))
    row = next(line for line in csv.splitlines() if line.startswith(f"{member.id},"))
    assert row.endswith(in_club_zone(credited).strftime("%Y-%m-%d %H:%M"))
    assert "UTC" not in csv.splitlines()[0]  # the club's time, not UTC
    # The member reads the grant on their points page, with the message in the notification.
    client.get("/logout")
    from tests.conftest import log_in
    log_in(client, member)
    history = client.get("/points", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Campaign: Mid-Autumn gift" in history


def test_bad_form_input_is_refused_with_400_and_nothing_saved(client, db, login):
    login("marketing")
    for changes in ({"points": "0"}, {"points": "-3"}, {"points": "1.5"}, {"points": "99999999999"},
                    {"budget": "abc"}, {"name_en": ""}, {"starts_at": "2001-01-01T00:00"},
                    {**BONUS, "multiplier": "0.5",
                     "starts_at": "2099-01-01T00:00", "ends_at": "2099-02-01T00:00"},
                    {**BONUS, "multiplier": "1e9"},
                    {**BONUS, "bonus_mode": "add", "points": "5",
                     "starts_at": "2099-02-01T00:00", "ends_at": "2099-01-01T00:00"}):
        response = client.post("/admin/campaigns/new", data={**FORM, **changes, "submit": "1"})
        assert response.status_code == 400, changes
    assert _count(db) == 0


def test_launch_refused_for_budget_below_cost_and_empty_segment(client, db, login):
    staff = login("marketing")
    members(3)
    costly = services.save_draft(None, grant_input(budget=100), actor=staff)
    empty = services.save_draft(None, grant_input(segment={"roles": ["partner"]}), actor=staff)
    db.session.commit()
    response = client.post(f"/admin/campaigns/{costly.id}/launch")
    assert response.status_code == 409 and "more than its budget" in response.get_data(as_text=True)
    response = client.post(f"/admin/campaigns/{empty.id}/launch")
    assert response.status_code == 409 and "Nobody is in this segment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {c.status for c in db.session.scalars(select(Campaign))} == {"draft"}
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_launched_campaign_cannot_be_edited(client, db, login):
    staff = login("marketing")
    members(1)
    campaign = services.save_draft(None, grant_input(), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    assert client.get(f"/admin/campaigns/{campaign.id}/edit").status_code == 302
    response = client.post(f"/admin/campaigns/{campaign.id}/edit",
                           data={**FORM, "points": "5", "submit": "1"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).points == 800


def test_members_and_service_cannot_launch(client, db, login):
    staff = services.save_draft  # noqa: F841
    from portal.accounts.permissions import Role
    from tests import factories
    marketing = factories.make_user(Role.MARKETING)
    members(1)
    campaign = services.save_draft(None, grant_input(), actor=marketing)
    db.session.commit()
    for role in ("member", "service"):
        login(role)
        assert client.post(f"/admin/campaigns/{campaign.id}/launch").status_code == 403
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == "draft"


def test_start_and_end_are_read_and_shown_in_the_staff_members_time_zone(client, db, login):
    staff = login("marketing")
    staff.timezone = "Asia/Shanghai"  # UTC+8
    db.session.commit()
    form = {**FORM, **BONUS, "points": "", "multiplier": "2", "starts_at": "2027-01-01T09:00",
            "ends_at": "2027-01-31T21:30", "submit": "1"}
    assert client.post("/admin/campaigns/new", data=form).status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.starts_at.isoformat() == "2027-01-01T01:00:00"
    assert campaign.ends_at.isoformat() == "2027-01-31T13:30:00"
    page = client.get(f"/admin/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="2027-01-01T09:00"' in page and 'value="2027-01-31T21:30"' in page
