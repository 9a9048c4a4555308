"""Rewards one feature pays and another may boost (campaign bonus rules).

Each feature that pays points for something a member does decides the amount in one
place and passes it through `adjusted_reward(trigger, member_id, points)` before it
credits. Campaigns register a modifier with `add_reward_modifier`; the paying feature
and the ledger import no campaign code.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask_babel import lazy_pgettext as _lp

from portal.core.enums import LabelledEnum
from portal.core.hooks import hooks

RewardModifier = Callable[[str, int, int], int]


class RewardTrigger(LabelledEnum):
    """What a member does that a feature rewards (the triggers a bonus rule can boost)."""

    REFERRAL_CONVERTED = "referral_converted", _lp("reward trigger", "Referral converted")
    COMPLAINT_RATED = "complaint_rated", _lp("reward trigger", "Complaint rated")
    FIRST_LOGIN_OF_MONTH = "first_login_of_month", _lp("reward trigger", "First login of the month")
    SURVEY_COMPLETED = "survey_completed", _lp("reward trigger", "Survey completed")
    SUGGESTION_ADOPTED = "suggestion_adopted", _lp("reward trigger", "Suggestion adopted")


def add_reward_modifier(app: Flask, modifier: RewardModifier) -> None:
    """`modifier(trigger, member_id, points)` returns the points to pay instead.

    It runs inside the paying transaction, so whatever it books (a campaign's budget)
    rolls back with the reward.
    """
    hooks(app).reward_modifiers.append(modifier)


def adjusted_reward(trigger: RewardTrigger, member_id: int, points: int) -> int:
    """The points to pay `member_id` for `trigger` once every modifier has had its say."""
    for modifier in hooks().reward_modifiers:
        points = modifier(trigger.value, member_id, points)
    return max(0, int(points))
