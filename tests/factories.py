"""Plain functions that make rows for tests. They flush; tests commit when they need to."""

from __future__ import annotations

import hashlib
import itertools
import secrets

from portal.accounts.models import (
    Building,
    Development,
    Ownership,
    OwnershipStatus,
    PendingSignup,
    Unit,
    User,
)
from portal.accounts.passwords import hash_password
from portal.accounts.permissions import Role
from portal.extensions import db

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)  # argon2 is slow on purpose: hash once
_sequence = itertools.count(1)


def make_user(role: Role | str = Role.MEMBER, **fields) -> User:
    n = next(_sequence)
    role_value = Role(role).value
    values = {
        "email": f"{role_value}{n}@example.com",
        "display_name": f"{role_value.title()} {n}",
        "password_hash": _PASSWORD_HASH,
        "role": role_value,
        "locale": "en",
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user


def make_member(**fields) -> User:
    return make_user(Role.MEMBER, **fields)


def make_pending_sign_up(**fields) -> tuple[PendingSignup, str]:
    """A sign-up waiting for its link, and the path of that link (as mailed)."""
    n = next(_sequence)
    token = secrets.token_urlsafe(32)
    values = {"email": f"pending{n}@example.com", "display_name": f"Pending {n}",
              "password_hash": _PASSWORD_HASH, "locale": "en", "extra": {},
              "token_hash": hashlib.sha256(token.encode()).hexdigest()}
    values.update(fields)
    pending = PendingSignup(**values)
    db.session.add(pending)
    db.session.flush()
    return pending, f"/auth/register/confirm/{token}"


def make_unit(development: str = "Jade Lake", building: str = "1", number: str | None = None,
              selling: bool = False) -> Unit:
    dev = db.session.query(Development).filter_by(name=development).one_or_none()
    if dev is None:
        dev = Development(name=development, city="Shenzhen", is_selling=selling)
        db.session.add(dev)
    bld = db.session.query(Building).filter_by(development=dev, name=building).one_or_none()
    if bld is None:
        bld = Building(development=dev, name=building)
        db.session.add(bld)
    unit = Unit(building=bld, number=number or f"{next(_sequence)}01")
    db.session.add(unit)
    db.session.flush()
    return unit


def make_ownership(user: User, unit: Unit | None = None, verified: bool = True) -> Ownership:
    status = OwnershipStatus.VERIFIED if verified else OwnershipStatus.PENDING
    ownership = Ownership(user=user, unit=unit or make_unit(), status=status.value,
                          contract_number="C-1")
    db.session.add(ownership)
    db.session.flush()
    return ownership


def make_homeowners_in_bulk(count: int, development: str, building: str = "1") -> list[int]:
    """`count` verified homeowners of `development`, a unit each, in three statements: an
    audience of thousands (a campaign grant of several chunks) without thousands of ORM
    flushes. Their ids, lowest first."""
    from sqlalchemy import insert

    tag = next(_sequence)
    bld = make_unit(development, building).building
    user_ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), [
        {"email": f"bulk{tag}-{i}@example.com", "display_name": f"Owner {tag}-{i}",
         "password_hash": _PASSWORD_HASH, "role": Role.MEMBER.value, "locale": "en"}
        for i in range(count)]).all()
    unit_ids = db.session.scalars(insert(Unit).returning(Unit.id, sort_by_parameter_order=True), [
        {"building_id": bld.id, "number": f"B{tag}-{i}"} for i in range(count)]).all()
    db.session.execute(insert(Ownership), [
        {"user_id": user_id, "unit_id": unit_id, "status": OwnershipStatus.VERIFIED.value,
         "contract_number": f"C-{user_id}"} for user_id, unit_id in zip(user_ids, unit_ids, strict=True)])
    return sorted(user_ids)


def make_perk(**fields):
    """An active perk with unlimited stock and an English title, unless told otherwise."""
    from portal.perks.models import Perk, PerkCategory

    n = next(_sequence)
    values = {
        "title_en": f"Perk {n}",
        "category": PerkCategory.HOME_SERVICES.value,
        "cost": 100,
        "stock": None,
        "min_tier": "member",
        "is_active": True,
    }
    values.update(fields)
    perk = Perk(**values)
    db.session.add(perk)
    db.session.flush()
    return perk


def make_redemption(member: User, perk=None, **fields):
    """An issued voucher row (no ledger row: tests that check points redeem for real)."""
    import secrets
    from datetime import timedelta

    from portal.core.timeutil import utcnow
    from portal.perks.models import Redemption
    from portal.perks.vouchers import new_voucher_code

    perk = perk or make_perk()
    now = utcnow()
    values = {
        "perk_id": perk.id, "member_id": member.id, "nonce": secrets.token_urlsafe(24),
        "voucher_code": new_voucher_code(), "cost": perk.cost, "status": "issued",
        "created_at": now, "expires_at": now + timedelta(days=90),
    }
    values.update(fields)
    redemption = Redemption(**values)
    db.session.add(redemption)
    db.session.flush()
    return redemption
