"""Demo developments, units and one account per role (`flask seed-demo`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portal.accounts.models import Building, Development, Ownership, OwnershipStatus, Unit, User
from portal.accounts.passwords import hash_password
from portal.accounts.permissions import Role
from portal.extensions import db

DEMO_PASSWORD = "demo-pass-2026"

DEVELOPMENTS = [
    ("翠湖花園 Jade Lake Garden", "深圳", True, ["1棟", "2棟", "3棟"]),
    ("雲頂華庭 Cloud Peak Court", "廣州", True, ["A座", "B座"]),
    ("濱江一號 Riverside One", "上海", False, ["T1", "T2"]),
]

ACCOUNTS = [
    (Role.MEMBER, "member@demo.club", "陳大文", "zh_Hant"),
    (Role.PARTNER, "partner@demo.club", "Li Wei (Huaxin Builders)", "zh_Hans"),
    (Role.SERVICE, "service@demo.club", "客服 王小姐", "zh_Hant"),
    (Role.MARKETING, "marketing@demo.club", "Marketing Amy", "en"),
    (Role.ADMIN, "admin@demo.club", "Club Admin", "en"),
]


def demo_user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise LookupError(f"demo account {email} is missing; run the accounts seeder first")
    return user


def seed_accounts() -> None:
    for name, city, selling, buildings in DEVELOPMENTS:
        if db.session.scalar(select(Development).where(Development.name == name)):
            continue
        dev = Development(name=name, city=city, is_selling=selling)
        for building_name in buildings:
            building = Building(name=building_name, development=dev)
            for floor in range(1, 11):
                for door in ("01", "02", "03", "04"):
                    db.session.add(Unit(building=building, number=f"{floor}{door}"))
        db.session.add(dev)
    db.session.flush()
    password_hash = hash_password(DEMO_PASSWORD)
    for role, email, name, locale in ACCOUNTS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            db.session.add(User(email=email, password_hash=password_hash, display_name=name,
                                role=role.value, locale=locale))
    db.session.flush()
    member = demo_user("member@demo.club")
    if not member.ownerships:
        unit = db.session.scalar(select(Unit).join(Building).join(Development).where(
            Development.name == DEVELOPMENTS[0][0], Building.name == "1棟", Unit.number == "801"))
        pending = db.session.scalar(select(Unit).join(Building).join(Development).where(
            Development.name == DEVELOPMENTS[1][0], Building.name == "A座", Unit.number == "1003"))
        db.session.add(Ownership(user=member, unit=unit, status=OwnershipStatus.VERIFIED.value,
                                 contract_number="JL-2019-0801", purchased_on=date(2019, 6, 18)))
        db.session.add(Ownership(user=member, unit=pending, status=OwnershipStatus.PENDING.value,
                                 contract_number="CP-2025-1003", purchased_on=date(2025, 9, 2)))
    db.session.flush()
