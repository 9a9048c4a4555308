"""Choosing a home instead of typing it: development → building → unit, from the units
that exist, and what staff must know before verifying one.

The member's "My homes" page walks the three choices with one GET per step
(`?development=ID&building=ID`), so it works without JavaScript; only the last step
posts. Whatever the query string says, a choice that does not exist or does not belong
to the one before it is dropped, never an error (it is the member's browser address).
Buildings and units are listed in natural order ("2座" before "10座", "801" before "1201").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.core.loaders import query_id
from portal.extensions import db


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """"10座" after "2座": runs of digits compare as numbers (before letters at the same
    place), the rest case-folded."""
    return [(0, int(piece)) if piece.isascii() and piece.isdigit() else (1, piece.casefold())
            for piece in re.split(r"(\d+)", text) if piece]


def developments_with_units() -> list[Development]:
    """The developments a member can pick: those with at least one unit, by name."""
    return list(db.session.scalars(
        select(Development).where(exists().where(
            Building.development_id == Development.id, Unit.building_id == Building.id))
        .order_by(Development.name)))


def buildings_with_units(development_id: int) -> list[Building]:
    buildings = db.session.scalars(
        select(Building).where(Building.development_id == development_id,
                               exists().where(Unit.building_id == Building.id))).all()
    return sorted(buildings, key=lambda b: natural_key(b.name))


def units_of(building_id: int) -> list[Unit]:
    units = db.session.scalars(
        select(Unit).options(joinedload(Unit.building).joinedload(Building.development))
        .where(Unit.building_id == building_id)).all()
    return sorted(units, key=lambda u: natural_key(u.number))


@dataclass(frozen=True)
class UnitPicker:
    """Where the member stands in the three choices, with the lists to choose from."""

    developments: list[Development]
    development: Development | None = None
    buildings: list[Building] = field(default_factory=list)
    building: Building | None = None
    units: list[Unit] = field(default_factory=list)

    @property
    def step(self) -> str:
        """"development", "building" or "unit": the choice the page asks for now."""
        if self.building is not None:
            return "unit"
        return "building" if self.development is not None else "development"


def unit_picker(development_id: int | str | None = None,
                building_id: int | str | None = None) -> UnitPicker:
    """The picker for the chosen ids (raw query-string values are fine). With a single
    development (or building) to pick from, it is chosen already."""
    developments = developments_with_units()
    wanted = query_id(str(development_id)) if development_id is not None else None
    development = next((d for d in developments if d.id == wanted), None)
    if development is None and len(developments) == 1:
        development = developments[0]
    if development is None:
        return UnitPicker(developments)
    buildings = buildings_with_units(development.id)
    wanted = query_id(str(building_id)) if building_id is not None else None
    building = next((b for b in buildings if b.id == wanted), None)
    if building is None and len(buildings) == 1:
        building = buildings[0]
    if building is None:
        return UnitPicker(developments, development, buildings)
    return UnitPicker(developments, development, buildings, building, units_of(building.id))


def picker_for_unit(unit: Unit) -> UnitPicker:
    """The picker with `unit`'s development and building chosen (a refused form re-shown)."""
    return unit_picker(unit.building.development_id, unit.building_id)


def verified_owners(unit_ids: list[int], *, besides: list[int] = ()) -> dict[int, list[User]]:
    """For each of these units, its verified owners (other than the users in `besides`),
    in one query: what staff see before verifying another owner of the same unit."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(Ownership.unit_id, User).join(User, User.id == Ownership.user_id)
        .where(Ownership.unit_id.in_(set(unit_ids)),
               Ownership.status == OwnershipStatus.VERIFIED.value,
               User.id.not_in(list(besides) or [0]))
        .order_by(Ownership.unit_id, User.display_name)).all()
    owners: dict[int, list[User]] = {}
    for unit_id, user in rows:
        owners.setdefault(unit_id, []).append(user)
    return owners
