"""Campaigns in every state, the finished grants with their recipients and credits (see `bench.club`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bench.club.base import Club
from bench.rows import Credits, insert_rows, next_id
from portal.accounts.models import Development
from portal.campaigns.execution import REASON as GRANT_REASON
from portal.campaigns.execution import key_prefix
from portal.campaigns.models import (
    BonusMode,
    Campaign,
    CampaignKind,
    CampaignRecipient,
    CampaignStatus,
)
from portal.core.rewards import RewardTrigger
from portal.extensions import db
from portal.points.models import LedgerKind
from portal.segments.builder import parse_segment

# Ten campaigns in a row: grants and bonus rules in each state (50 at 100,000 members).
CAMPAIGN_PATTERN = ["finished_grant", "draft", "running_bonus", "finished_grant", "scheduled",
                    "finished_grant", "finished_bonus", "cancelled", "finished_grant", "draft"]


def _campaign_row(campaign_id: int, club: Club, kind: CampaignKind, status: CampaignStatus,
                  names: tuple[str, str, str], segment: dict) -> dict:
    return {"id": campaign_id, "kind": kind.value, "status": status.value,
            **dict(zip(("name_zh_Hant", "name_zh_Hans", "name_en"), names, strict=True)),
            "message_zh_Hant": "", "message_zh_Hans": "", "message_en": "", "points": 0,
            "bonus_mode": "", "multiplier_pct": 0, "trigger": "",
            "segment": parse_segment(segment).to_json(), "budget": 100_000, "spent": 0,
            "starts_at": None, "ends_at": None, "processed": 0, "total": 0, "reached": 0,
            "cursor": 0, "created_by_id": club.staff_id, "created_at": club.now,
            "launched_at": None, "finished_at": None, "heartbeat_at": None}


def grant_audience(club: Club, development_id: int, joined_to: date) -> list[int]:
    """The members a grant to a development's verified owners who joined by `joined_to`
    reaches (what `segments.builder.member_ids_query` selects)."""
    end = datetime.combine(joined_to + timedelta(days=1), time.min)
    return sorted(m.id for m in club.members.values()
                  if club.development_of(m) == development_id and m.created_at < end)


def make_campaigns(club: Club, count: int, credits: Credits) -> tuple[int, int]:
    """Campaigns in every state; returns (campaigns, grant recipients credited)."""
    rng, now = club.rng, club.now
    developments = dict(db.session.execute(select(Development.id, Development.name)
                                           .order_by(Development.id)).all())
    bench = club.members[club.bench_id]
    order = [club.development_of(bench)] + [d for d in developments if d != club.development_of(bench)]
    rows, recipients = [], []
    campaign_id = next_id(Campaign.id)
    grants = 0
    for n in range(count):
        state = CAMPAIGN_PATTERN[n % len(CAMPAIGN_PATTERN)]
        development = order[grants % len(order)]
        name = developments[development]
        if state == "finished_grant":
            launched = now - timedelta(days=rng.randint(40, 600))
            joined_to = (launched - timedelta(days=1)).date()
            audience = grant_audience(club, development, joined_to)
            if not audience:
                state = "draft"
        if state == "finished_grant":
            grants += 1
            points = rng.choice([300, 500, 800])
            row = _campaign_row(campaign_id, club, CampaignKind.GRANT, CampaignStatus.FINISHED,
                                (f"{name}業主禮遇", f"{name}业主礼遇", f"{name} owners' gift"),
                                {"development_id": development, "verified": "yes",
                                 "joined_to": joined_to.isoformat()})
            spent = points * len(audience)
            row.update(points=points, budget=-(-spent // 10_000) * 10_000 + 10_000, spent=spent,
                       processed=len(audience), total=len(audience), reached=len(audience),
                       cursor=audience[-1], created_at=launched - timedelta(days=2),
                       launched_at=launched, heartbeat_at=launched + timedelta(minutes=4),
                       finished_at=launched + timedelta(minutes=5))
            at = launched + timedelta(minutes=1)
            for member_id in audience:
                recipients.append({"campaign_id": campaign_id, "member_id": member_id})
                credits.add(member_id, points, kind=LedgerKind.CAMPAIGN, reason=GRANT_REASON,
                            params={"name": row_names(row), "campaign": campaign_id},
                            key=f"{key_prefix(campaign_id)}{member_id}", source_type="campaigns",
                            source_id=campaign_id, actor_id=club.staff_id, at=at)
        elif state in ("draft", "scheduled", "cancelled"):
            starts = now + timedelta(days=rng.randint(5, 40))
            status = {"draft": CampaignStatus.DRAFT, "scheduled": CampaignStatus.SCHEDULED,
                      "cancelled": CampaignStatus.CANCELLED}[state]
            row = _campaign_row(campaign_id, club, CampaignKind.GRANT, status,
                                ("新春積分禮遇", "新春积分礼遇", "Lunar New Year points"),
                                {"roles": ["member"], "verified": "yes"})
            created = now - timedelta(days=rng.randint(1, 30))
            row.update(points=rng.choice([100, 200]), budget=50_000_000, starts_at=starts,
                       created_at=created)
            if state == "scheduled":
                row["launched_at"] = created + timedelta(hours=2)
            if state == "cancelled":
                row.update(starts_at=created + timedelta(days=3),
                           finished_at=created + timedelta(days=1))
        else:
            running = state == "running_bonus"
            starts = now - timedelta(days=rng.randint(5, 20) if running else rng.randint(200, 500))
            ends = now + timedelta(days=30) if running else starts + timedelta(days=60)
            # They boost complaint ratings (the seed has none): no referral, survey or
            # suggestion reward here was, or is, boosted.
            row = _campaign_row(campaign_id, club, CampaignKind.BONUS,
                                CampaignStatus.RUNNING if running else CampaignStatus.FINISHED,
                                ("評價有禮", "评价有礼", "Rate us for double points"), {})
            row.update(bonus_mode=BonusMode.MULTIPLY.value, multiplier_pct=200,
                       trigger=RewardTrigger.COMPLAINT_RATED.value,
                       starts_at=starts, ends_at=ends, created_at=starts - timedelta(days=3),
                       launched_at=starts - timedelta(days=1),
                       finished_at=None if running else ends)
        rows.append(row)
        campaign_id += 1
    insert_rows(Campaign, rows)
    insert_rows(CampaignRecipient, recipients, size=20_000)
    db.session.commit()
    return len(rows), len(recipients)


def row_names(row: dict) -> dict[str, str]:
    return {lang: row[f"name_{lang}"] for lang in ("zh_Hant", "zh_Hans", "en")}
