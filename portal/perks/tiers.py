"""Minimum tiers of perks: a perk stores the code of the lowest tier allowed to redeem it.

Tiers (codes, translated names, admin-editable thresholds) belong to the points feature;
this module only compares a member's tier with a perk's minimum.
"""

from __future__ import annotations

from portal.points.tiers import TIER_CODES, TIER_NAMES, TierCode
from portal.points.tiers import member_tier as _points_member_tier

TIER_KEYS = TIER_CODES
TIER_LABELS = TIER_NAMES


def tier_rank(code: str) -> int:
    """The rank of a tier code; an unknown code ranks lowest (it can only make a perk easier)."""
    return TIER_CODES.index(code) if code in TIER_CODES else 0


def member_tier(member) -> str:
    """The code of `member`'s tier from their lifetime earned points."""
    return _points_member_tier(member).code


def meets_tier(member, min_tier: str) -> bool:
    return tier_rank(member_tier(member)) >= tier_rank(min_tier)


def tier_label(code: str):
    return TierCode.label_of(code)
