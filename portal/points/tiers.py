"""Tiers from lifetime earned points over thresholds admins can edit.

Tiers are fixed (codes and translated names); only the thresholds are settings,
kept in `points_settings` under `tier.<code>`. Other features compare tiers by
`rank` (e.g. a perk's minimum tier): `member_tier(user).rank >= tier_by_code("gold").rank`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from sqlalchemy import select

from portal.audit.services import record_action
from portal.core.enums import LabelledEnum
from portal.core.forms import MAX_AMOUNT
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.points.errors import PointsError
from portal.points.models import PointsSetting


class TierCode(LabelledEnum):
    """The tiers, lowest first. "Member" the tier (普通會員) is not "member" the role."""

    MEMBER = "member", _lp("tier", "Member")
    SILVER = "silver", _lp("tier", "Silver")
    GOLD = "gold", _lp("tier", "Gold")
    PLATINUM = "platinum", _lp("tier", "Platinum")


TIER_CODES = tuple(tier.value for tier in TierCode)
TIER_NAMES = TierCode.labels()
BASE_TIER = TierCode.MEMBER
DEFAULT_THRESHOLDS = {"member": 0, "silver": 5_000, "gold": 20_000, "platinum": 50_000}


@dataclass(frozen=True)
class Tier:
    code: str
    threshold: int  # lifetime earned points needed
    rank: int  # 0 for the lowest tier

    @property
    def name(self) -> Any:
        return TierCode.label_of(self.code)


@dataclass(frozen=True)
class TierProgress:
    tier: Tier
    next_tier: Tier | None
    lifetime: int

    @property
    def points_to_next(self) -> int:
        return max(self.next_tier.threshold - self.lifetime, 0) if self.next_tier else 0

    @property
    def span(self) -> int:
        """The progress bar's maximum: points from this tier's threshold to the next."""
        return self.next_tier.threshold - self.tier.threshold if self.next_tier else 1

    @property
    def done(self) -> int:
        return min(self.lifetime - self.tier.threshold, self.span) if self.next_tier else 1


def thresholds() -> dict[str, int]:
    stored = dict(db.session.execute(
        select(PointsSetting.key, PointsSetting.value).where(PointsSetting.key.like("tier.%"))
    ).all())
    values = {code: stored.get(f"tier.{code}", default) for code, default in DEFAULT_THRESHOLDS.items()}
    values["member"] = 0
    return values


def tiers() -> list[Tier]:
    values = thresholds()
    return [Tier(code, values[code], rank) for rank, code in enumerate(TIER_CODES)]


def tier_by_code(code: str) -> Tier:
    for tier in tiers():
        if tier.code == code:
            return tier
    raise KeyError(code)


def tier_for(lifetime: int, tier_list: list[Tier] | None = None) -> Tier:
    current = None
    for tier in tier_list or tiers():
        if lifetime >= tier.threshold:
            current = tier
    if current is None:  # settings keep the lowest threshold at 0
        raise ValueError(f"no tier for {lifetime} lifetime points")
    return current


def member_tier(member: Any) -> Tier:
    return tier_for(member.points_lifetime)


def tier_progress(member: Any) -> TierProgress:
    tier_list = tiers()
    tier = tier_for(member.points_lifetime, tier_list)
    next_tier = tier_list[tier.rank + 1] if tier.rank + 1 < len(tier_list) else None
    return TierProgress(tier, next_tier, member.points_lifetime)


def set_thresholds(values: dict[str, int], *, actor: Any, ip: str | None = None) -> dict[str, int]:
    """Save new thresholds (silver < gold < platinum, all above 0); audited."""
    new = {"member": 0, **{code: values[code] for code in TIER_CODES[1:]}}
    ordered = [new[code] for code in TIER_CODES]
    if any(not isinstance(v, int) or isinstance(v, bool) or v > MAX_AMOUNT for v in ordered) \
            or any(a >= b for a, b in zip(ordered, ordered[1:], strict=False)):
        raise PointsError(_l("Each tier needs more points than the one below it, and more than 0."),
                          field="silver")
    old = thresholds()
    for code in TIER_CODES[1:]:
        setting = db.session.get(PointsSetting, f"tier.{code}")
        if setting is None:
            db.session.add(PointsSetting(key=f"tier.{code}", value=new[code]))
        elif setting.value != new[code]:
            setting.value = new[code]
            setting.updated_at = utcnow()
    db.session.flush()
    record_action(actor, "points.tiers", None, {"before": old, "after": new}, ip=ip)
    return new
