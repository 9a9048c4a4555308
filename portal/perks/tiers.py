"""Minimum tiers of perks, as keys into the points service's tier table.

A perk stores the key of the lowest tier allowed to redeem it. The member's tier
comes from lifetime earned points over thresholds that the points feature owns.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TIER_KEYS = ("member", "silver", "gold", "platinum")
TIER_LABELS = {
    "member": _l("Member"),
    "silver": _l("Silver"),
    "gold": _l("Gold"),
    "platinum": _l("Platinum"),
}
# The defaults of the issue; the points feature lets an admin change them.
DEFAULT_THRESHOLDS = {"member": 0, "silver": 5_000, "gold": 20_000, "platinum": 50_000}


def tier_rank(key: str) -> int:
    return TIER_KEYS.index(key) if key in TIER_KEYS else 0


def member_tier(member) -> str:
    """The tier key of `member` from their lifetime earned points."""
    lifetime = member.points_lifetime or 0
    current = TIER_KEYS[0]
    for key in TIER_KEYS:
        if lifetime >= DEFAULT_THRESHOLDS[key]:
            current = key
    return current


def meets_tier(member, min_tier: str) -> bool:
    return tier_rank(member_tier(member)) >= tier_rank(min_tier)


def tier_label(key: str):
    return TIER_LABELS.get(key, key)
