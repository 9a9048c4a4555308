"""Campaign rules: drafts, preview (audience, cost, sample), launch, cancel, the staff list.

Plain arguments in, a `Campaign` or a `CampaignError` out; functions flush, never commit.
Launching enqueues the grant job after the commit; every step is audited. After launch a
campaign's rules are read-only: only cancelling is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update

from portal.accounts.models import Development, User
from portal.accounts.permissions import P
from portal.audit.services import record_action
from portal.campaigns.errors import CampaignError
from portal.campaigns.models import (
    LANGS,
    BonusMode,
    Campaign,
    CampaignKind,
    CampaignStatus,
)
from portal.core.jobs import enqueue
from portal.core.rewards import RewardTrigger
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.segments.builder import Audience, Segment, audience_of, parse_segment

MAX_GRANT_POINTS = 100_000  # per member
MAX_BONUS_POINTS = 100_000  # added to one reward
MIN_MULTIPLIER_PCT, MAX_MULTIPLIER_PCT = 101, 1000  # ×1.01 … ×10
MAX_BUDGET = 2_000_000_000  # fits a 32-bit column
EDITABLE = (CampaignStatus.DRAFT.value,)
CANCELLABLE = (CampaignStatus.DRAFT.value, CampaignStatus.SCHEDULED.value, CampaignStatus.RUNNING.value)


@dataclass(frozen=True)
class CampaignInput:
    """What staff submit for a draft (already parsed by the form, checked here again)."""

    kind: str
    names: dict[str, str]
    messages: dict[str, str]
    points: int | None
    bonus_mode: str
    multiplier_pct: int | None
    trigger: str
    segment: dict[str, Any]
    budget: int | None
    starts_at: datetime | None
    ends_at: datetime | None


def _whole(value: Any, low: int, high: int, message, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise CampaignError(message, field=field)
    return value


def _check(data: CampaignInput, now: datetime) -> dict[str, Any]:
    """The draft's column values, or CampaignError naming the first bad field."""
    try:
        kind = CampaignKind(data.kind)
    except ValueError:
        raise CampaignError(_l("Choose from the list."), field="kind") from None
    names = {lang: (data.names.get(lang) or "").strip() for lang in LANGS}
    for lang in LANGS:
        if not names[lang]:
            raise CampaignError(_l("Enter the name in every language."), field=f"name_{lang}")
    messages = {lang: (data.messages.get(lang) or "").strip() for lang in LANGS}
    values: dict[str, Any] = {
        "kind": kind.value, **{f"name_{k}": v for k, v in names.items()},
        **{f"message_{k}": v for k, v in messages.items()},
        "points": 0, "bonus_mode": "", "multiplier_pct": 0, "trigger": "",
    }
    values["budget"] = _whole(data.budget, 1, MAX_BUDGET, _l(
        "Enter a budget between 1 and %(maximum)s points.", maximum=f"{MAX_BUDGET:,}"), "budget")
    if kind == CampaignKind.GRANT:
        values["points"] = _whole(data.points, 1, MAX_GRANT_POINTS, _l(
            "Enter a whole number of points between 1 and %(maximum)s.",
            maximum=f"{MAX_GRANT_POINTS:,}"), "points")
        if data.starts_at is not None and data.starts_at < now:
            raise CampaignError(_l("The start lies in the past."), field="starts_at")
        values["starts_at"], values["ends_at"] = data.starts_at, None
    else:
        try:
            values["trigger"] = RewardTrigger(data.trigger).value
            mode = BonusMode(data.bonus_mode)
        except ValueError:
            raise CampaignError(_l("Choose from the list."), field="trigger") from None
        values["bonus_mode"] = mode.value
        if mode == BonusMode.MULTIPLY:
            values["multiplier_pct"] = _whole(data.multiplier_pct, MIN_MULTIPLIER_PCT, MAX_MULTIPLIER_PCT, _l(
                "Enter a multiplier above 1 and at most 10, e.g. 1.5."), "multiplier")
        else:
            values["points"] = _whole(data.points, 1, MAX_BONUS_POINTS, _l(
                "Enter a whole number of points between 1 and %(maximum)s.",
                maximum=f"{MAX_BONUS_POINTS:,}"), "points")
        if data.starts_at is None or data.ends_at is None:
            raise CampaignError(_l("A bonus rule needs a start and an end."), field="ends_at")
        if data.ends_at <= data.starts_at:
            raise CampaignError(_l("The end must be after the start."), field="ends_at")
        if data.ends_at <= now:
            raise CampaignError(_l("The window lies in the past."), field="ends_at")
        values["starts_at"], values["ends_at"] = data.starts_at, data.ends_at
    segment = parse_segment(data.segment)
    if segment.development_id is not None and db.session.get(Development, segment.development_id) is None:
        raise CampaignError(_l("Choose from the list."), field="development_id")
    values["segment"] = segment.to_json()
    return values


def _require_manager(actor: User) -> None:
    if actor is None or not actor.can(P.MANAGE_CAMPAIGNS):
        raise CampaignError(_l("Only marketing staff can manage campaigns."))


def save_draft(campaign: Campaign | None, data: CampaignInput, *, actor: User,
               ip: str | None = None) -> Campaign:
    """Create a draft (campaign None) or change one; launched campaigns are read-only."""
    _require_manager(actor)
    if campaign is not None and campaign.status not in EDITABLE:
        raise CampaignError(_l("This campaign has been launched: its rules can no longer change."))
    values = _check(data, utcnow())
    created = campaign is None
    if created:
        campaign = Campaign(created_by_id=actor.id, status=CampaignStatus.DRAFT.value)
        db.session.add(campaign)
    for name, value in values.items():
        setattr(campaign, name, value)
    db.session.flush()
    record_action(actor, "campaign.create" if created else "campaign.edit", campaign,
                  {"kind": campaign.kind, "points": campaign.points, "budget": campaign.budget,
                   "segment": campaign.segment}, ip=ip)
    return campaign


@dataclass(frozen=True)
class Preview:
    audience: Audience
    cost: int | None  # grants: audience × points; bonus rules: unknown in advance (None)
    over_budget: bool


def preview(campaign: Campaign) -> Preview:
    """Audience size, total cost and a sample of ten, as they are now."""
    audience = audience_of(segment_of(campaign))
    cost = audience.size * campaign.points if campaign.is_grant else None
    return Preview(audience, cost, cost is not None and cost > campaign.budget)


def segment_of(campaign: Campaign) -> Segment:
    return parse_segment(campaign.segment)


def launch(campaign: Campaign, *, actor: User, ip: str | None = None) -> Campaign:
    """Launch a draft: scheduled if it starts later, else running (grants: job enqueued).

    Refused for an empty audience, a grant costing more than its budget, a window already
    over, anyone without P.MANAGE_CAMPAIGNS; two launches at once: one wins (conditional UPDATE).
    """
    _require_manager(actor)
    if not campaign.is_draft:
        raise CampaignError(_l("Only a draft can be launched."))
    now = utcnow()
    view = preview(campaign)
    if view.audience.size == 0:
        raise CampaignError(_l("Nobody is in this segment: change the criteria."))
    if view.over_budget:
        raise CampaignError(_l("The grant costs %(cost)s points, more than its budget of %(budget)s.",
                               cost=f"{view.cost:,}", budget=f"{campaign.budget:,}"))
    if campaign.ends_at is not None and campaign.ends_at <= now:
        raise CampaignError(_l("The window lies in the past."))
    starts_later = campaign.starts_at is not None and campaign.starts_at > now
    status = CampaignStatus.SCHEDULED if starts_later else CampaignStatus.RUNNING
    won = db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.status == CampaignStatus.DRAFT.value)
        .values(status=status.value, launched_at=now), execution_options={"synchronize_session": False},
    ).rowcount
    if not won:
        raise CampaignError(_l("Only a draft can be launched."))
    db.session.refresh(campaign)
    record_action(actor, "campaign.launch", campaign, {
        "status": status.value, "audience": view.audience.size, "cost": view.cost}, ip=ip)
    if status == CampaignStatus.RUNNING and campaign.is_grant:
        from portal.campaigns.execution import run_grant
        enqueue(run_grant, campaign.id)
    return campaign


def cancel(campaign: Campaign, *, actor: User, ip: str | None = None) -> Campaign:
    """Stop a campaign: a grant stops before its next chunk (credits made stay), a bonus
    rule pays nothing more."""
    _require_manager(actor)
    won = db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.status.in_(CANCELLABLE))
        .values(status=CampaignStatus.CANCELLED.value, finished_at=utcnow()),
        execution_options={"synchronize_session": False},
    ).rowcount
    if not won:
        raise CampaignError(_l("This campaign has already ended."))
    db.session.refresh(campaign)
    record_action(actor, "campaign.cancel", campaign, {"processed": campaign.processed,
                                                      "spent": campaign.spent}, ip=ip)
    return campaign


def campaigns_query() -> Select:
    """The staff list, newest first (ix_campaigns_created_at_id)."""
    return select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())


def developments() -> list[Development]:
    return list(db.session.scalars(select(Development).order_by(Development.name)))
