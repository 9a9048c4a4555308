"""Ownerships changed many at a time, from records staff confirmed (the sales import).

The one-at-a-time rules are `services.link_unit` and `services.decide_verification`; these
are their set-based forms for hundreds of rows per transaction: a few statements per
call, not a few per row. Members are told in the app (one INSERT), and the call leaves
one audit row listing the ownerships it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, gettext
from sqlalchemy import select, update

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.audit.services import record_action
from portal.core.i18n import N_
from portal.core.sql import dialect_insert
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.notifications.services import notify_many

HOME_VERIFIED = N_("Your home %(unit)s is verified.")  # the text link_unit sends
HOME_WITHDRAWN = N_("The purchase contract of %(unit)s was cancelled, so the home is no longer "
                    "verified on your account.")
CONTRACT_CANCELLED = N_("The purchase contract was cancelled.")


@dataclass(frozen=True)
class BoughtHome:
    user_id: int
    unit_id: int
    contract_number: str
    purchased_on: date


def unit_labels(unit_ids: set[int]) -> dict[int, str]:
    """`Unit.label` for many units in one query."""
    if not unit_ids:
        return {}
    return {unit_id: f"{dev} · {building} · {number}" for unit_id, dev, building, number in
            db.session.execute(select(Unit.id, Development.name, Building.name, Unit.number)
                               .join(Building, Building.id == Unit.building_id)
                               .join(Development, Development.id == Building.development_id)
                               .where(Unit.id.in_(unit_ids)))}


def _ownerships_of(user_ids: set[int]) -> dict[tuple[int, int], tuple[int, str]]:
    return {(user_id, unit_id): (ownership_id, status) for ownership_id, user_id, unit_id, status in
            db.session.execute(select(Ownership.id, Ownership.user_id, Ownership.unit_id,
                                      Ownership.status).where(Ownership.user_id.in_(user_ids)))}


def _forget(ownership_ids: set[int]) -> None:
    """Loaded Ownership objects re-read what the bulk statements wrote."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Ownership) and obj.id in ownership_ids:
            db.session.expire(obj)


def record_bought_homes(homes: list[BoughtHome], staff: User) -> dict[tuple[int, int], int]:
    """Verified ownerships for members who bought these units; returns the ownership id of
    each (member, unit). A pending or declined claim on the unit becomes verified; a
    verified one is left as it is."""
    wanted = {(home.user_id, home.unit_id): home for home in homes}
    if not wanted:
        return {}
    existing = _ownerships_of({user_id for user_id, _unit in wanted})
    now = utcnow()

    def fields(home: BoughtHome) -> dict:
        return {"status": OwnershipStatus.VERIFIED.value, "contract_number": home.contract_number[:64],
                "purchased_on": home.purchased_on, "decided_at": now, "decided_by_id": staff.id,
                "reject_reason": ""}

    new = [home for key, home in wanted.items() if key not in existing]
    verify = {existing[key][0]: home for key, home in wanted.items()
              if key in existing and existing[key][1] != OwnershipStatus.VERIFIED}
    if new:
        # A row another transaction made meanwhile (staff linking the unit, the member asking
        # for it) is waited for and kept; it is verified below like one found before.
        table = Ownership.__table__
        inserted = {(row.user_id, row.unit_id) for row in db.session.execute(
            dialect_insert(table, db.session).on_conflict_do_nothing()
            .returning(table.c.user_id, table.c.unit_id),
            [{"user_id": home.user_id, "unit_id": home.unit_id, "requested_at": now, **fields(home)}
             for home in new])}
        if len(inserted) < len(new):
            raced = {(home.user_id, home.unit_id) for home in new} - inserted
            made_meanwhile = _ownerships_of({user_id for user_id, _unit in raced})
            verify.update({made_meanwhile[key][0]: wanted[key] for key in raced
                           if made_meanwhile[key][1] != OwnershipStatus.VERIFIED})
            new = [home for home in new if (home.user_id, home.unit_id) in inserted]
    if verify:
        db.session.execute(update(Ownership), [{"id": ownership_id, **fields(home)}
                                               for ownership_id, home in verify.items()])
        _forget(set(verify))
    ids = {key: value[0] for key, value in _ownerships_of({u for u, _ in wanted}).items() if key in wanted}
    told = [*new, *verify.values()]
    if told:
        labels = unit_labels({home.unit_id for home in told})
        notify_many("homes", HOME_VERIFIED, [(home.user_id, {"unit": labels[home.unit_id]})
                                             for home in told], link="/account/homes")
        record_action(staff, "ownership.link_many", None, {
            "ownerships": sorted(ids[(home.user_id, home.unit_id)] for home in told)})
    return ids


def withdraw_bought_homes(ownership_ids: set[int], staff: User) -> int:
    """The contracts behind these verified ownerships were cancelled: each becomes declined
    (with the reason in its member's language) and its member is told. Returns how many."""
    if not ownership_ids:
        return 0
    rows = db.session.execute(
        select(Ownership.id, Ownership.user_id, Ownership.unit_id, User.locale)
        .join(User, User.id == Ownership.user_id)
        .where(Ownership.id.in_(ownership_ids), Ownership.status == OwnershipStatus.VERIFIED.value)
    ).all()
    if not rows:
        return 0
    reasons = {}
    for locale in {row.locale for row in rows}:
        with force_locale(locale):
            reasons[locale] = gettext(CONTRACT_CANCELLED)
    now = utcnow()
    db.session.execute(update(Ownership), [
        {"id": row.id, "status": OwnershipStatus.REJECTED.value, "reject_reason": reasons[row.locale],
         "decided_at": now, "decided_by_id": staff.id} for row in rows])
    _forget({row.id for row in rows})
    labels = unit_labels({row.unit_id for row in rows})
    notify_many("homes", HOME_WITHDRAWN, [(row.user_id, {"unit": labels[row.unit_id]}) for row in rows],
                link="/account/homes")
    record_action(staff, "ownership.withdraw_many", None, {"ownerships": sorted(r.id for r in rows)})
    return len(rows)
