"""Campaign services: drafts, bad input, segments, launch, the grant job, idempotency, resume."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.permissions import Role
from portal.audit.models import AuditEntry
from portal.campaigns import execution, services
from portal.campaigns.errors import CampaignError
from portal.campaigns.models import Campaign, CampaignStatus
from portal.core.errors import DomainError
from portal.core.timeutil import utcnow
from portal.notifications.models import Notification
from portal.notifications.services import render_message
from portal.points.models import LedgerEntry, PointsLot
from portal.points.services import find_differences, render_reason
from portal.segments.builder import audience_of, parse_segment
from tests import factories
from tests.campaigns.helpers import bonus_input, grant_input, marketing, members


def _ledger_count(campaign_id):
    from portal.extensions import db
    return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                             .where(LedgerEntry.source_id == campaign_id,
                                    LedgerEntry.source_type == "campaigns"))


def test_grant_credits_every_member_once_and_verify_stays_clean(app, db, english):
    staff = marketing()
    people = members(5)
    factories.make_user(Role.SERVICE)  # staff are never in a segment
    campaign = services.save_draft(None, grant_input(), actor=staff)
    assert services.preview(campaign).audience.size == 5
    services.launch(campaign, actor=staff)
    db.session.commit()  # the job runs after the commit (JOBS_IMMEDIATE)
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.total, campaign.processed, campaign.reached, campaign.spent) == (5, 5, 5, 4000)
    for person in people:
        db.session.refresh(person)
        assert person.points_balance == 800 and person.points_lifetime == 800
    assert _ledger_count(campaign.id) == 5
    assert db.session.scalar(select(func.count()).select_from(PointsLot)) == 5
    assert find_differences() == []
    notes = db.session.scalars(select(Notification).where(Notification.kind == "campaign")).all()
    assert len(notes) == 5
    assert render_message(notes[0]) == "800 points from the campaign “Mid-Autumn gift”"
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"campaign.create", "campaign.launch", "campaign.finish"} <= actions


def test_history_shows_the_campaign_name_in_the_readers_language(app, db):
    staff = marketing()
    member = members(1)[0]
    campaign = services.save_draft(None, grant_input(), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.member_id == member.id))
    from flask_babel import force_locale
    with app.test_request_context("/"):
        for locale, text in (("en", "Mid-Autumn gift"), ("zh_Hant", "中秋節禮遇"), ("zh_Hans", "中秋节礼遇")):
            with force_locale(locale):
                assert text in render_reason(entry)


def test_rerun_and_resume_after_a_crash_credit_exactly_once(app, db, monkeypatch):
    staff = marketing()
    people = members(7)
    monkeypatch.setattr(execution, "CHUNK_SIZE", 3)
    campaign = services.save_draft(None, grant_input(points=100), actor=staff)
    calls = {"n": 0}
    real = execution.bulk_credit

    def crash_on_second_chunk(*args, **kwargs):
        calls["n"] += 1
        result = real(*args, **kwargs)
        if calls["n"] == 2:
            raise RuntimeError("kill -9")  # the worker dies after writing, before commit
        return result

    monkeypatch.setattr(execution, "bulk_credit", crash_on_second_chunk)
    monkeypatch.setattr(services, "enqueue", lambda *args: None)  # the worker runs it below
    services.launch(campaign, actor=staff)
    db.session.commit()
    with pytest.raises(RuntimeError, match="kill -9"):
        execution.run_to_end(campaign.id)
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == CampaignStatus.RUNNING and campaign.processed == 3
    assert _ledger_count(campaign.id) == 3  # the first chunk committed, the second rolled back
    monkeypatch.setattr(execution, "bulk_credit", real)
    execution.run_to_end(campaign.id)
    execution.run_to_end(campaign.id)  # a second run changes nothing
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == CampaignStatus.FINISHED
    assert (campaign.processed, campaign.reached, campaign.spent) == (7, 7, 700)
    assert _ledger_count(campaign.id) == 7
    assert all(db.session.get(type(p), p.id).points_balance == 100 for p in people)
    assert find_differences() == []


def test_resume_with_lost_cursor_skips_members_already_credited(app, db):
    staff = marketing()
    members(4)
    campaign = services.save_draft(None, grant_input(points=50), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    campaign = db.session.get(Campaign, campaign.id)
    # As if the counters were lost: the ledger's unique key still stops a second credit.
    campaign.status, campaign.cursor, campaign.processed = CampaignStatus.RUNNING.value, 0, 0
    db.session.commit()
    execution.run_to_end(campaign.id)
    assert _ledger_count(campaign.id) == 4
    assert db.session.get(Campaign, campaign.id).reached == 4
    assert find_differences() == []


def test_scheduled_grant_starts_from_the_scheduler(app, db):
    staff = marketing()
    members(2)
    later = utcnow() + timedelta(hours=1)
    campaign = services.save_draft(None, grant_input(starts_at=later), actor=staff)
    services.launch(campaign, actor=staff)
    db.session.commit()
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.SCHEDULED
    assert execution.start_due(now=utcnow()) == []
    assert execution.start_due(now=later + timedelta(seconds=1)) == [campaign.id]
    db.session.commit()  # the job runs after the commit
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).status == CampaignStatus.FINISHED
    assert _ledger_count(campaign.id) == 2


def test_segment_filters(app, db):
    verified, plain = members(2)
    partner = factories.make_user(Role.PARTNER)
    unit = factories.make_unit(development="Sea View")
    factories.make_ownership(verified, unit)
    dev_id = unit.building.development_id

    def ids(**criteria):
        return [u.id for u in audience_of(parse_segment(criteria)).sample]

    assert ids(verified="yes") == [verified.id]
    assert ids(verified="no") == [plain.id, partner.id]
    assert ids(roles=["partner"]) == [partner.id]
    assert ids(development_id=dev_id) == [verified.id]
    assert ids(redeemed="yes", redeemed_days=30) == []
    assert ids(tiers=["gold"]) == []
    assert len(ids(tiers=["member"])) == 3
    assert ids(joined_from=(utcnow() + timedelta(days=1)).date().isoformat()) == []


@pytest.mark.parametrize("changes, field", [
    ({"points": 0}, "points"), ({"points": -5}, "points"), ({"points": 1.5}, "points"),
    ({"points": 10**12}, "points"), ({"points": None}, "points"), ({"budget": 0}, "budget"),
    ({"budget": 10**15}, "budget"), ({"names": {"en": "x"}}, "name_zh_Hant"),
    ({"starts_at": utcnow() - timedelta(days=1)}, "starts_at"),
    ({"segment": {"tiers": ["diamond"]}}, "tiers"),
    ({"segment": {"joined_from": "2025-05-02", "joined_to": "2025-05-01"}}, "joined_to"),
    ({"segment": {"redeemed": "no"}}, "redeemed_days"),
    ({"segment": {"development_id": 999999}}, "development_id"),
])
def test_bad_grant_input_is_refused(app, db, english, changes, field):
    staff = marketing()
    with pytest.raises(DomainError) as refused:
        services.save_draft(None, grant_input(**changes), actor=staff)
    assert refused.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


@pytest.mark.parametrize("changes, field", [
    ({"multiplier_pct": 100}, "multiplier"), ({"multiplier_pct": 0}, "multiplier"),
    ({"multiplier_pct": -150}, "multiplier"), ({"multiplier_pct": 100_000}, "multiplier"),
    ({"bonus_mode": "add", "points": 0}, "points"),
    ({"ends_at": utcnow() - timedelta(days=2)}, "ends_at"),
    ({"starts_at": utcnow() - timedelta(days=3), "ends_at": utcnow() - timedelta(days=2)}, "ends_at"),
    ({"trigger": "moon_landing"}, "trigger"),
])
def test_bad_bonus_input_is_refused(app, db, english, changes, field):
    with pytest.raises(CampaignError) as refused:
        services.save_draft(None, bonus_input(**changes), actor=marketing())
    assert refused.value.field == field


def test_launch_refuses_empty_segment_over_budget_and_non_staff(app, db, english):
    staff = marketing()
    members(3)
    empty = services.save_draft(None, grant_input(segment={"roles": ["partner"]}), actor=staff)
    with pytest.raises(CampaignError, match="Nobody is in this segment"):
        services.launch(empty, actor=staff)
    costly = services.save_draft(None, grant_input(points=800, budget=2000), actor=staff)
    with pytest.raises(CampaignError, match="more than its budget"):
        services.launch(costly, actor=staff)
    fine = services.save_draft(None, grant_input(), actor=staff)
    for role in (Role.MEMBER, Role.SERVICE):
        with pytest.raises(CampaignError, match="Only marketing staff"):
            services.launch(fine, actor=factories.make_user(role))
    assert {c.status for c in db.session.scalars(select(Campaign))} == {"draft"}
    assert _ledger_count(fine.id) == 0


def test_launched_campaign_is_read_only_and_launches_once(app, db, english):
    staff = marketing()
    members(1)
    campaign = services.save_draft(None, grant_input(), actor=staff)
    services.launch(campaign, actor=staff)
    with pytest.raises(CampaignError, match="Only a draft"):
        services.launch(campaign, actor=staff)
    with pytest.raises(CampaignError, match="can no longer change"):
        services.save_draft(campaign, grant_input(points=5), actor=staff)
    assert campaign.points == 800


def test_cancel_stops_a_running_grant(app, db, english):
    staff = marketing()
    members(2)
    campaign = services.save_draft(None, grant_input(), actor=staff)
    services.cancel(campaign, actor=staff)
    assert campaign.status == CampaignStatus.CANCELLED
    with pytest.raises(CampaignError):
        services.cancel(campaign, actor=staff)
