"""Small helpers for the referral tests."""

from __future__ import annotations

from datetime import timedelta

from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.referrals.models import Referral
from tests import factories


def follow(client, response):
    """Follow one redirect (RequestClient gives each request its own app context, which
    Werkzeug's follow_redirects would nest)."""
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])


def make_referral(referrer=None, invitee=None, days_ago: int = 30, **fields) -> Referral:
    """A referral registered `days_ago` days ago (rows made directly: fraud rules are tested
    through attach_referral elsewhere)."""
    referrer = referrer or factories.make_member()
    invitee = invitee or factories.make_member()
    referral = Referral(referrer_id=referrer.id, invitee_id=invitee.id, code="TEST2345",
                        created_at=utcnow() - timedelta(days=days_ago), **fields)
    db.session.add(referral)
    db.session.flush()
    return referral


def selling_unit(development: str = "Jade Lake", building: str = "1", number: str | None = None):
    return factories.make_unit(development=development, building=building, number=number, selling=True)
