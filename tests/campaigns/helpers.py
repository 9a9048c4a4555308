"""Helpers for campaign tests: a marketing user, campaign inputs, members in bulk."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from portal.accounts.permissions import Role
from portal.campaigns import services
from portal.core.timeutil import utcnow
from tests import factories

NAMES = {"zh_Hant": "中秋節禮遇", "zh_Hans": "中秋节礼遇", "en": "Mid-Autumn gift"}


def grant_input(**changes) -> services.CampaignInput:
    data = services.CampaignInput(
        kind="grant", names=dict(NAMES), messages={"zh_Hant": "", "zh_Hans": "", "en": ""},
        points=800, bonus_mode="", multiplier_pct=None, trigger="", segment={},
        budget=1_000_000, starts_at=None, ends_at=None)
    return replace(data, **changes)


def bonus_input(**changes) -> services.CampaignInput:
    now = utcnow()
    data = services.CampaignInput(
        kind="bonus", names={"zh_Hant": "雙倍", "zh_Hans": "双倍", "en": "Double"},
        messages={"zh_Hant": "", "zh_Hans": "", "en": ""}, points=None, bonus_mode="multiply",
        multiplier_pct=200, trigger="referral_converted", segment={}, budget=10_000,
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=7))
    return replace(data, **changes)


def marketing():
    return factories.make_user(Role.MARKETING)


def members(count: int, **fields):
    return [factories.make_member(**fields) for _ in range(count)]
