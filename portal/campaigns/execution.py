"""Running campaigns: the grant job (chunked, set-based, resumable) and the scheduler.

A grant first freezes its audience into `campaign_recipients` (one INSERT … SELECT), then
works through it `CHUNK_SIZE` members at a time, each chunk its own unit of work: the
campaign row is locked (so two runners take turns), the chunk is credited with
`points.services.bulk_credit` (idempotent by `campaign:<id>:member:<member_id>`), the
recipients are notified with one INSERT … SELECT, and the counters and the resume point
(`cursor`) move. A kill -9 loses at most the chunk in flight, which the next run redoes;
members credited before are skipped by the ledger's unique key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import String, case, func, insert, literal, select

from portal.accounts.models import User
from portal.audit.services import record_action
from portal.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from portal.core.i18n import N_
from portal.core.jobs import crontab, enqueue, job, periodic_job
from portal.core.timeutil import utcnow
from portal.core.uow import unit_of_work
from portal.extensions import db
from portal.notifications.models import Notification
from portal.points.models import LedgerKind
from portal.points.services import bulk_credit
from portal.segments.builder import member_ids_query, parse_segment

log = logging.getLogger(__name__)

CHUNK_SIZE = 2_000
STALLED_AFTER = timedelta(minutes=5)  # a running grant with no chunk done for this long is resumed
REASON = N_("Campaign: %(name)s")
NOTIFICATION = N_("%(points)s points from the campaign “%(name)s”")


def key_prefix(campaign_id: int) -> str:
    return f"campaign:{campaign_id}:member:"


def _locked(campaign_id: int) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.id == campaign_id)
                             .with_for_update().execution_options(populate_existing=True))


def _freeze_recipients(campaign: Campaign) -> None:
    """The audience as it is when the grant starts; refused (cancelled) if over budget."""
    ids = member_ids_query(parse_segment(campaign.segment)).order_by(None)
    db.session.execute(insert(CampaignRecipient).from_select(
        ["campaign_id", "member_id"], select(literal(campaign.id), ids.subquery().c.id)))
    campaign.total = db.session.scalar(
        select(func.count()).where(CampaignRecipient.campaign_id == campaign.id)) or 0
    if campaign.total * campaign.points > campaign.budget:
        campaign.status = CampaignStatus.CANCELLED.value
        campaign.finished_at = utcnow()
        record_action(None, "campaign.refused", campaign, {
            "reason": "over budget", "audience": campaign.total, "budget": campaign.budget})


def _by_locale(values: dict[str, str]):
    return case((User.locale == "en", literal(values["en"], String)),
                (User.locale == "zh_Hans", literal(values["zh_Hans"], String)),
                else_=literal(values["zh_Hant"], String))


def _json_object(*pairs):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_build_object(*pairs)
    return func.json_object(*pairs)


def _notify(campaign: Campaign, member_ids: list[int]) -> None:
    """One in-app notification per recipient, one INSERT … SELECT. The member-facing message
    staff wrote, in the member's language; without one, the standard text naming the
    campaign in the member's language."""
    written = _by_locale(campaign.messages)
    standard = written == ""
    message = case((standard, literal(NOTIFICATION, String)), else_=written)
    params = case((standard, _json_object(literal("points", String), literal(f"{campaign.points:,}", String),
                                          literal("name", String), _by_locale(campaign.names))),
                  else_=_json_object())
    db.session.execute(insert(Notification).from_select(
        ["user_id", "kind", "message", "params", "link", "created_at"],
        select(User.id, literal("campaign", String), message, params, literal("/points", String),
               literal(utcnow())).where(User.id.in_(member_ids))))


def grant_chunk(campaign_id: int) -> bool:
    """Credit the next chunk; False when there is nothing left (the grant is then finished)."""
    campaign = _locked(campaign_id)
    if campaign is None or campaign.status != CampaignStatus.RUNNING.value or not campaign.is_grant:
        return False
    if campaign.total == 0 and campaign.processed == 0 and campaign.cursor == 0:
        exists_already = db.session.scalar(
            select(CampaignRecipient.member_id).where(CampaignRecipient.campaign_id == campaign.id).limit(1))
        if exists_already is None:
            _freeze_recipients(campaign)
            if campaign.status != CampaignStatus.RUNNING.value:
                return False
    chunk = list(db.session.scalars(
        select(CampaignRecipient.member_id)
        .where(CampaignRecipient.campaign_id == campaign.id, CampaignRecipient.member_id > campaign.cursor)
        .order_by(CampaignRecipient.member_id).limit(CHUNK_SIZE)))
    now = utcnow()
    if not chunk:
        campaign.status = CampaignStatus.FINISHED.value
        campaign.finished_at = now
        record_action(None, "campaign.finish", campaign, {
            "reached": campaign.reached, "spent": campaign.spent})
        return False
    credited = bulk_credit(
        chunk, campaign.points, kind=LedgerKind.CAMPAIGN, reason=REASON,
        reason_params={"name": campaign.names, "campaign": campaign.id},
        key_prefix=key_prefix(campaign.id), source_type="campaigns", source_id=campaign.id,
        actor_id=campaign.created_by_id, at=now)
    if credited:
        _notify(campaign, credited)
    campaign.processed += len(chunk)
    campaign.reached += len(credited)
    campaign.spent += len(credited) * campaign.points
    campaign.cursor = chunk[-1]
    campaign.heartbeat_at = now
    return True


def run_to_end(campaign_id: int, on_chunk: Callable[[Campaign], None] | None = None) -> Campaign | None:
    """Work through a running grant chunk by chunk, one unit of work each."""
    while True:
        with unit_of_work():
            more = grant_chunk(campaign_id)
            campaign = db.session.get(Campaign, campaign_id)
        if on_chunk is not None and campaign is not None:
            on_chunk(campaign)
        if not more:
            return campaign


@job
def run_grant(campaign_id: int) -> None:
    """The queue's grant job (enqueued by `services.launch` and by the scheduler)."""
    run_to_end(campaign_id)


def start_due(now=None) -> list[int]:
    """Scheduled campaigns whose start has come → running; bonus rules past their end →
    finished; grants running but stalled (a killed worker) → resumed. Returns grants to run."""
    now = now or utcnow()
    to_run = []
    due = db.session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.SCHEDULED.value, Campaign.starts_at <= now)
        .with_for_update()).all()
    for campaign in due:
        campaign.status = CampaignStatus.RUNNING.value
        record_action(None, "campaign.start", campaign, {"scheduled_for": campaign.starts_at.isoformat()})
        if campaign.is_grant:
            to_run.append(campaign.id)
    over = db.session.scalars(select(Campaign).where(
        Campaign.status == CampaignStatus.RUNNING.value, Campaign.ends_at.is_not(None),
        Campaign.ends_at <= now)).all()
    for campaign in over:
        campaign.status = CampaignStatus.FINISHED.value
        campaign.finished_at = now
        record_action(None, "campaign.finish", campaign, {"spent": campaign.spent})
    stalled = db.session.scalars(select(Campaign.id).where(
        Campaign.status == CampaignStatus.RUNNING.value, Campaign.kind == "grant",
        func.coalesce(Campaign.heartbeat_at, Campaign.launched_at) <= now - STALLED_AFTER)).all()
    to_run.extend(i for i in stalled if i not in to_run)
    for campaign_id in to_run:
        enqueue(run_grant, campaign_id)
    return to_run


@periodic_job(crontab(minute="*"))
def launch_due_campaigns() -> None:
    """Every minute: start what is due, end what is over, resume stalled grants."""
    started = start_due()
    if started:
        log.info("campaigns started or resumed: %s", started)
