"""Demo campaigns (`flask seed-demo`, order 70): a finished grant and a running bonus rule,
made and launched through the real services by the demo marketing account."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.demo import demo_user
from portal.campaigns import services
from portal.campaigns.execution import grant_chunk
from portal.campaigns.models import Campaign
from portal.core.timeutil import utcnow
from portal.extensions import db

GRANT = services.CampaignInput(
    kind="grant",
    names={"zh_Hant": "中秋節禮遇", "zh_Hans": "中秋节礼遇", "en": "Mid-Autumn gift"},
    messages={"zh_Hant": "中秋節快樂！業主會送上800積分。", "zh_Hans": "中秋节快乐！业主会送上800积分。",
              "en": "Happy Mid-Autumn Festival! The club gives you 800 points."},
    points=800, bonus_mode="", multiplier_pct=None, trigger="",
    segment={"roles": ["member"]}, budget=1_000_000, starts_at=None, ends_at=None)


def _bonus(now) -> services.CampaignInput:
    return services.CampaignInput(
        kind="bonus",
        names={"zh_Hant": "推薦獎賞雙倍積分", "zh_Hans": "老带新推荐双倍积分",
               "en": "Double referral points"},
        messages={"zh_Hant": "", "zh_Hans": "", "en": ""},
        points=None, bonus_mode="multiply", multiplier_pct=200, trigger="referral_converted",
        segment={}, budget=50_000, starts_at=now, ends_at=now + timedelta(days=60))


def seed_campaigns() -> None:
    if db.session.scalar(select(Campaign.id).limit(1)) is not None:
        return
    marketing = demo_user("marketing@demo.club")
    grant = services.save_draft(None, GRANT, actor=marketing)
    services.launch(grant, actor=marketing)  # the job starts after the commit …
    while grant_chunk(grant.id):  # … the demo runs it now (flushes only, as seeders do)
        pass
    bonus = services.save_draft(None, _bonus(utcnow()), actor=marketing)
    services.launch(bonus, actor=marketing)
