"""The club the seed made so far (members, their homes, the units) and what its later parts share."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import select

from portal.accounts.models import Building, Ownership, OwnershipStatus, Unit, User
from portal.core.timeutil import utcnow
from portal.extensions import db

VERIFIED = OwnershipStatus.VERIFIED.value
BATCH_DAYS, BATCHES = 30, 24  # one sales file a month, two years of them


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random()


def batch_of(signed_on: date, today: date) -> int:
    """The monthly sales file a contract came in: 0 is the latest (signed 1–30 days ago)."""
    return ((today - signed_on).days - 1) // BATCH_DAYS


class Member:
    __slots__ = ("id", "email", "name", "locale", "created_at", "ownership", "unit_id", "status",
                 "contract", "purchased_on", "requested_at", "decided_at", "decided_by_id",
                 "changed")

    def verified_by(self, *, contract: str, purchased_on: date, at: datetime, staff_id: int) -> None:
        """The import verified this member's claim (`record_bought_homes` / `link_unit`)."""
        self.status, self.contract, self.purchased_on = VERIFIED, contract, purchased_on
        self.decided_at, self.decided_by_id, self.changed = at, staff_id, True
        self.requested_at = min(self.requested_at, at - timedelta(hours=1))


class Club:
    """The members and homes the seed made so far, and what the later parts share."""

    def __init__(self, member_ids: list[int], staff_id: int, rng: random.Random) -> None:
        self.rng, self.staff_id, self.now = rng, staff_id, utcnow()
        self.today = self.now.date()
        self.bench_id = member_ids[0]
        self.members: dict[int, Member] = {}
        for row in db.session.execute(
                select(User.id, User.email, User.display_name, User.locale, User.created_at,
                       Ownership.id, Ownership.unit_id, Ownership.status, Ownership.contract_number,
                       Ownership.requested_at, Ownership.decided_at)
                .join(Ownership, Ownership.user_id == User.id)
                .where(User.id >= member_ids[0], User.role == "member")):
            member = Member()
            (member.id, member.email, member.name, member.locale, member.created_at,
             member.ownership, member.unit_id, member.status, member.contract,
             member.requested_at, member.decided_at) = row
            member.purchased_on, member.decided_by_id, member.changed = None, None, False
            self.members[member.id] = member
        self.place = {unit: (building, development) for unit, building, development in
                      db.session.execute(select(Unit.id, Unit.building_id, Building.development_id)
                                         .join(Building, Building.id == Unit.building_id))}
        owned = {m.unit_id for m in self.members.values()}
        self.spare_units = sorted(set(self.place) - owned)
        rng.shuffle(self.spare_units)
        self.invitees: set[int] = set()
        self.ambassador_id = 0  # the member who referred the most
        self.conversions: list[dict] = []  # referral rows converted by an imported purchase
        self.rewarded: Counter[tuple[int, int]] = Counter()  # (referrer, year) → rewarded
        self.surveys: list[dict] = []

    def development_of(self, member: Member) -> int | None:
        return self.place[member.unit_id][1] if member.status == VERIFIED else None

    def import_time(self, batch: int) -> datetime:
        return self.now - timedelta(days=BATCH_DAYS * batch, hours=1)
