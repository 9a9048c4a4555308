"""Member side: my link and referrals, the landing page, registering with a code."""

from __future__ import annotations

from datetime import timedelta

from portal.accounts.models import User
from portal.core.timeutil import utcnow
from portal.referrals import services
from portal.referrals.models import Referral, ReferralCode, ReferralStatus
from tests import factories
from tests.accounts.helpers import sign_up
from tests.factories import PASSWORD
from tests.referrals.helpers import follow, make_referral


def _register(client, caplog, email="newbie@example.com", query="", **fields):
    """Register through the form and the mailed link: the home page that welcomes."""
    data = {"email": email, "display_name": "Jane Smith", "phone": "", "locale": "en",
            "password": PASSWORD + "-x9", "confirm": PASSWORD + "-x9", **fields}
    return follow(client, sign_up(client, caplog, data, query))


# --- /referrals ----------------------------------------------------------------------

def test_member_gets_a_link_with_qr_and_share_text(client, login, db):
    member = login("member", locale="en")
    page = client.get("/referrals")
    assert page.status_code == 200
    assert b"Get my referral link" in page.data
    assert db.session.query(ReferralCode).count() == 0  # a GET writes nothing

    response = follow(client, client.post("/referrals/code"))
    code = services.code_of(member).code
    text = response.get_data(as_text=True)
    assert "Your referral link is ready" in text
    assert f'<div class="fs-3 font-monospace" id="referral-code">{code}</div>' in text
    assert f"http://portal.test/join/{code}" in text
    assert "when you buy a home you get 1,000 points" in text
    assert "<svg" in text and "<path" in text  # the QR code, inline

    client.post("/referrals/code")  # twice: still one code
    assert db.session.query(ReferralCode).filter_by(user_id=member.id).count() == 1


def test_share_text_is_in_the_members_language(client, login):
    member = login("member", locale="zh_Hans")
    services.ensure_code(member)
    text = client.get("/referrals").get_data(as_text=True)
    assert 'lang="zh-Hans"' in text
    assert "推荐" in text


def test_referred_friends_are_masked_with_status_and_points(client, login, db):
    member = login("member", locale="en")
    friends = [factories.make_member(display_name="李小龍"), factories.make_member(display_name="John Smith"),
               factories.make_member(display_name="Amy Wong", email="amy@secret.example")]
    for friend in friends:
        db.session.add(Referral(referrer_id=member.id, invitee_id=friend.id, code="X"))
    db.session.flush()
    friends_referrals = db.session.query(Referral).order_by(Referral.id).all()
    friends_referrals[1].status = ReferralStatus.REWARDED.value
    friends_referrals[1].referrer_points = 5000
    friends_referrals[2].status = ReferralStatus.REJECTED.value
    stranger = factories.make_member(display_name="Stranger Danger")
    db.session.add(Referral(referrer_id=stranger.id, invitee_id=factories.make_member(
        display_name="Hidden Person").id, code="Y"))

    text = client.get("/referrals").get_data(as_text=True)
    assert "李**" in text and "J. S." in text and "A. W." in text
    for secret in ("李小龍", "John Smith", "Amy Wong", "amy@secret.example", "H. P."):
        assert secret not in text
    assert "Rewarded" in text and "5,000" in text and "Not eligible" in text
    assert "Referred: 3 · Bought: 1 · Points earned: 5,000" in text


def test_qr_download(client, login):
    member = login("member")
    assert client.get("/referrals/qr.svg").status_code == 404
    code = services.ensure_code(member).code
    response = client.get("/referrals/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert f"club-referral-{code}.svg" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"<svg")


def test_nav_shows_refer_a_friend_to_members_only(client, login, db):
    login("member", locale="en")
    assert b"Refer a friend" in client.get("/").data
    client.post("/auth/logout")
    login("service", locale="en")
    assert b"Refer a friend" not in client.get("/").data


# --- /join/<code> ----------------------------------------------------------------------

def test_landing_page_remembers_a_valid_code(client, db):
    referrer = factories.make_member(display_name="陳大文")
    factories.make_unit(development="Jade Lake", selling=True)
    factories.make_unit(development="Old Town", selling=False)
    code = services.ensure_code(referrer).code
    response = client.get(f"/join/{code.lower()}?lang=en")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "陳** invites you to the Homeowner Club" in text and "陳大文" not in text
    assert "Jade Lake" in text and "Old Town" not in text
    assert f"/auth/register?ref={code}" in text
    cookie = client.get_cookie(services.COOKIE_NAME, path="/auth")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.max_age == 30 * 86400 or cookie.expires is not None
    assert services.code_from_cookie(cookie.value) == code


def test_landing_page_says_an_unknown_code_is_not_valid(client, db):
    response = client.get("/join/ZZZZ2345?lang=en")
    assert response.status_code == 404
    assert b"This invitation link is not valid" in response.data
    assert b"Join the club" in response.data
    assert client.get_cookie(services.COOKIE_NAME, path="/auth") is None


def test_landing_page_for_a_signed_in_member(client, login):
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    login("member", locale="en")
    response = client.get(f"/join/{code}")
    assert b"You are already a member of the club" in response.data
    assert client.get_cookie(services.COOKIE_NAME, path="/auth") is None


def test_forged_or_expired_cookie_is_ignored(app, client, db, monkeypatch):
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    client.set_cookie(services.COOKIE_NAME, code, path="/auth")  # unsigned
    assert f'value="{code}"' not in client.get("/auth/register").get_data(as_text=True)
    with app.test_request_context():
        signed = services.sign_code(code)
    client.set_cookie(services.COOKIE_NAME, signed, path="/auth")
    assert f'value="{code}"' in client.get("/auth/register").get_data(as_text=True)
    monkeypatch.setitem(app.config, "REFERRAL_COOKIE_DAYS", 0)
    with app.test_request_context():
        assert services.code_from_cookie(services.sign_code(code) + "x") is None


# --- registration ----------------------------------------------------------------------

def test_registration_through_the_link_attaches_the_referrer(client, db, caplog):
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    client.get(f"/join/{code}")
    form = client.get("/auth/register?lang=en").get_data(as_text=True)
    assert f'value="{code}"' in form  # prefilled from the cookie
    response = _register(client, caplog)
    assert b"Welcome to the club!" in response.data
    invitee = db.session.query(User).filter_by(email="newbie@example.com").one()
    referral = db.session.query(Referral).one()
    assert (referral.referrer_id, referral.invitee_id) == (referrer.id, invitee.id)


def test_registration_with_ref_in_the_query(client, db, caplog):
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    assert f'value="{code}"' in client.get(f"/auth/register?ref={code}").get_data(as_text=True)
    _register(client, caplog, query=f"?ref={code}", referral_code=code)
    assert db.session.query(Referral).one().referrer_id == referrer.id


def test_registration_with_a_code_typed_by_hand(client, db, caplog):
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    _register(client, caplog, referral_code=f" {code[:4].lower()}-{code[4:]} ")
    assert db.session.query(Referral).one().referrer_id == referrer.id


def test_registration_with_a_bad_code_proceeds_without_referrer(client, db, caplog):
    response = _register(client, caplog, referral_code="NOPE-NOPE")
    text = response.get_data(as_text=True)
    assert "The referral code NOPE-NOPE does not exist" in text
    assert "Welcome to the club!" in text
    assert db.session.query(User).filter_by(email="newbie@example.com").count() == 1
    assert db.session.query(Referral).count() == 0


def test_registration_with_own_phone_is_refused_but_account_created(client, db, caplog):
    referrer = factories.make_member(phone="13800138000")
    code = services.ensure_code(referrer).code
    response = _register(client, caplog, phone="+86 138 0013 8000", referral_code=code)
    assert b"You cannot use your own referral code." in response.data
    assert db.session.query(User).filter_by(email="newbie@example.com").count() == 1
    assert db.session.query(Referral).count() == 0


def test_an_existing_member_cannot_attach_later(client, db):
    old = factories.make_member(created_at=utcnow() - timedelta(days=30))
    referrer = factories.make_member()
    code = services.ensure_code(referrer).code
    with client.application.test_request_context("/?lang=en"):
        try:
            services.attach_referral(old, code)
        except services.ReferralError as error:
            assert "new members only" in str(error)
    assert db.session.query(Referral).count() == 0


def test_home_panel_for_members_only(client, login, db):
    member = login("member", locale="en")
    make_referral(referrer=member, status="rewarded", referrer_points=5000)
    text = client.get("/").get_data(as_text=True)
    assert 'id="referrals-panel"' in text and "Points earned: 5,000" in text
    client.post("/auth/logout")
    login("marketing", locale="en")
    assert 'id="referrals-panel"' not in client.get("/").get_data(as_text=True)
