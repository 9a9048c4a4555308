"""Demo referrals (`flask seed-demo`, order 50): the demo member's link and friends in every state.

Decisions go through the real services, so the rewarded friend's points are real ledger rows.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.demo import DEMO_PASSWORD, DEVELOPMENTS, demo_user
from portal.accounts.models import Building, Development, Unit, User
from portal.accounts.passwords import hash_password
from portal.accounts.services import link_unit
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals import lifecycle, services
from portal.referrals.models import Referral

# (email, name, locale, days since registration, what happened next)
FRIENDS = [
    ("wang.xm@friends.demo.club", "王小明", "zh_Hant", 6, "registered"),
    ("jane.smith@friends.demo.club", "Jane Smith", "en", 34, "visited"),
    ("li.jx@friends.demo.club", "李嘉欣", "zh_Hans", 75, "rewarded"),
    ("tom.lee@friends.demo.club", "Tom Lee", "en", 110, "rejected"),
]
# A second referrer, and buyers who came without a referral (the share needs both).
OTHER_REFERRER = ("zhou.ml@friends.demo.club", "周美玲", "zh_Hans")
OTHER_FRIEND = ("he.wy@friends.demo.club", "何偉業", "zh_Hant", 130)
WALK_IN_BUYERS = [
    ("buyer.chan@friends.demo.club", "陳先生", 0, "1棟", "302", 40),
    ("buyer.ng@friends.demo.club", "Grace Ng", 1, "B座", "904", 95),
    ("buyer.lam@friends.demo.club", "林太太", 0, "3棟", "601", 150),
]


def _unit(development_index: int, building: str, number: str) -> Unit:
    return db.session.scalar(select(Unit).join(Building).join(Development).where(
        Development.name == DEVELOPMENTS[development_index][0], Building.name == building,
        Unit.number == number))


def _person(email: str, name: str, locale: str, password_hash: str) -> User:
    user = User(email=email, password_hash=password_hash, display_name=name, locale=locale)
    db.session.add(user)
    db.session.flush()
    return user


def _refer(referrer: User, friend: User, days_ago: int) -> Referral:
    code = services.ensure_code(referrer).code
    referral = services.attach_referral(friend, code)
    then = utcnow() - timedelta(days=days_ago)
    friend.created_at = referral.created_at = then  # as if they joined back then
    db.session.flush()
    return referral


def seed_referrals() -> None:
    member = demo_user("member@demo.club")
    if db.session.scalar(select(func.count()).select_from(Referral)):
        return
    staff = demo_user("service@demo.club")
    password_hash = hash_password(DEMO_PASSWORD)
    today = utcnow().date()
    for email, name, locale, days_ago, outcome in FRIENDS:
        referral = _refer(member, _person(email, name, locale, password_hash), days_ago)
        if outcome == "visited":
            lifecycle.log_visit(referral, staff, today - timedelta(days=days_ago - 9))
        elif outcome == "rewarded":
            lifecycle.log_visit(referral, staff, today - timedelta(days=days_ago - 5))
            lifecycle.record_purchase(referral, staff, unit=_unit(0, "2棟", "1003"),
                                      purchased_on=today - timedelta(days=days_ago - 20),
                                      contract_number="JL-DEMO-1003")
        elif outcome == "rejected":
            lifecycle.reject_referral(referral, staff, "Already a customer of the sales office "
                                      "before the referral (visit on file).")

    zhou = _person(*OTHER_REFERRER, password_hash)
    email, name, locale, days_ago = OTHER_FRIEND
    referral = _refer(zhou, _person(email, name, locale, password_hash), days_ago)
    lifecycle.record_purchase(referral, staff, unit=_unit(1, "A座", "702"),
                              purchased_on=today - timedelta(days=days_ago - 30),
                              contract_number="CP-DEMO-0702")
    for email, name, development, building, number, days_ago in WALK_IN_BUYERS:
        buyer = _person(email, name, "zh_Hant", password_hash)
        link_unit(buyer, _unit(development, building, number), staff,
                  contract_number=f"WALK-{number}", purchased_on=today - timedelta(days=days_ago))
    db.session.flush()
