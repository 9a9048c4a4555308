"""The issue's "done when", as users do it: a member shares a link, a visitor registers through
it, service records the purchase, both see the points, the report shows the share."""

from __future__ import annotations

import re

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.referrals.models import Referral
from tests import factories
from tests.accounts.helpers import sign_up
from tests.conftest import log_in
from tests.referrals.helpers import follow, selling_unit


def _client(app, user=None):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if user is not None:
        log_in(client, user)
    return client


def test_member_link_to_rewarded_purchase_to_report(app, db, runner, caplog):
    member = factories.make_member(display_name="Chan Tai Man", locale="en")
    service = factories.make_user("service", locale="en")
    marketing = factories.make_user("marketing", locale="en")
    unit = selling_unit("Jade Lake Garden", "2", "1003")
    factories.make_ownership(factories.make_member(), unit=selling_unit("Jade Lake Garden")) \
        .purchased_on = utcnow().date()  # a walk-in buyer this month
    db.session.commit()

    # 1. The member gets a link and shares it.
    as_member = _client(app, member)
    page = follow(as_member, as_member.post("/referrals/code")).get_data(as_text=True)
    link = re.search(r'id="share-link" value="([^"]+)"', page).group(1)
    path = link.removeprefix("http://portal.test")

    # 2. A visitor follows it, registers and confirms by the mailed link.
    visitor = _client(app)
    assert visitor.get(path).status_code == 200
    form = visitor.get("/auth/register").get_data(as_text=True)
    prefilled = re.search(r'id="referral_code"[^>]*value="([^"]*)"', form).group(1)
    assert prefilled == path.rsplit("/", 1)[-1]  # remembered by the signed cookie
    welcome = follow(visitor, sign_up(visitor, caplog, {
        "email": "friend@example.com", "display_name": "Jane Smith", "locale": "en",
        "password": "a long and private passphrase", "confirm": "a long and private passphrase",
        "referral_code": prefilled}))
    assert b"Welcome to the club!" in welcome.data
    friend = db.session.query(User).filter_by(email="friend@example.com").one()
    referral = db.session.query(Referral).one()
    assert (referral.referrer_id, referral.invitee_id) == (member.id, friend.id)

    # 3. Service finds the referral from the member's admin page and records the purchase.
    as_service = _client(app, service)
    listing = as_service.get(f"/admin/referrals/?member={friend.id}").get_data(as_text=True)
    assert f"/admin/referrals/{referral.id}" in listing
    response = as_service.post(f"/admin/referrals/{referral.id}/purchase", data={
        "purchase-development": str(unit.building.development_id), "purchase-building": "2",
        "purchase-unit_number": "1003", "purchase-purchased_on": utcnow().date().isoformat(),
        "purchase-contract_number": "JL-2026-1003"})
    assert b"The purchase is recorded and the reward credited." in follow(as_service, response).data

    # 4. Both see the points.
    mine = as_member.get("/referrals").get_data(as_text=True)
    assert "J. S." in mine and "Rewarded" in mine and "Points earned: 5,000" in mine
    assert "5,000" in as_member.get("/points").get_data(as_text=True)
    as_friend = _client(app, db.session.get(User, friend.id))
    assert "1,000" in as_friend.get("/points").get_data(as_text=True)
    assert db.session.get(User, friend.id).is_verified_homeowner

    # 5. The report shows the share: 1 of the month's 2 purchases came from a referral.
    report = _client(app, marketing).get("/admin/referrals/report").get_data(as_text=True)
    assert "1 of 2 purchases came from referrals (50%)." in report
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
