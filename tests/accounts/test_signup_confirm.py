"""Sign-up confirmed by e-mail: the register form answers the same for every address, the
account is made only when the mailed link's page is POSTed (SECURITY.md, "Enumeration")."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts import passwords, signup
from portal.accounts.jobs import purge_expired_sign_ups
from portal.accounts.models import PendingSignup, User
from portal.accounts.passwords import verify_password
from portal.core import jobs
from portal.core.timeutil import utcnow
from portal.referrals import services as referrals
from portal.referrals.models import Referral
from tests import factories
from tests.accounts.helpers import (
    MAIL_LOG,
    confirm_path,
    confirm_paths,
    mails_to,
    sign_up,
    without_csrf,
)
from tests.conftest import test_config as make_config

PASSPHRASE = "a long private passphrase"
DATA = {"email": "Mei.Chan@Example.COM", "display_name": "Mei Chan", "phone": "+852 6123 4567",
        "locale": "en", "password": PASSPHRASE, "confirm": PASSPHRASE}
EMAIL = "mei.chan@example.com"
TWO_DAYS = 2 * 24 * 3600


@pytest.fixture(autouse=True)
def _mail_log(caplog):
    caplog.set_level("INFO", logger=MAIL_LOG)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _request(client, query="?lang=en", **fields):
    return client.post("/auth/register" + query, data={**DATA, **fields})


def _pending(db) -> PendingSignup:
    db.session.expire_all()
    return db.session.scalars(select(PendingSignup)).one()


# --- the happy path ----------------------------------------------------------------

def test_register_mails_a_link_whose_page_creates_the_account_and_logs_in(client, db, caplog):
    form = client.get("/auth/register?lang=en")
    assert 'id="register-form"' in form.get_data(as_text=True)
    sent = _request(client)
    assert (sent.status_code, sent.location) == (302, "/auth/register/sent")
    page = client.get(sent.location + "?lang=en").get_data(as_text=True)
    assert "Check your email" in page and "Open the link in it" in page
    assert EMAIL not in page.lower()  # the address is not shown back
    assert _count(db, User) == 0
    [mail] = mails_to(caplog, EMAIL)
    assert mail.startswith(f"e-mail to {EMAIL}: Confirm your Homeowner Club account\n")
    assert "Hello Mei Chan," in mail and "within 48 hours" in mail

    path = confirm_path(caplog, EMAIL)
    confirm = client.get(path + "?lang=en")
    assert confirm.status_code == 200
    text = confirm.get_data(as_text=True)
    assert 'id="signup-confirm-form"' in text and "Create my account" in text
    assert f"Create the account of Mei Chan with the email address {EMAIL}?" in text
    assert _count(db, User) == 0  # a GET (a mail scanner following the link) creates nothing

    done = client.post(path + "?lang=en")
    assert (done.status_code, done.location) == (302, "/")
    home = client.get("/").get_data(as_text=True)
    assert "Welcome to the club!" in home and "Mei Chan" in home
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.display_name, user.phone, user.locale, user.role) == (
        EMAIL, "Mei Chan", "+852 6123 4567", "en", "member")
    assert verify_password(user.password_hash, PASSPHRASE)
    assert _count(db, PendingSignup) == 0
    assert client.get("/account/").status_code == 200


def test_the_pending_row_keeps_hashes_never_the_password_or_the_token(client, db, caplog):
    assert _request(client, referral_code="").status_code == 302
    pending = _pending(db)
    token = confirm_path(caplog, EMAIL).rsplit("/", 1)[-1]
    assert pending.email == EMAIL and pending.locale == "en" and pending.phone == "+852 6123 4567"
    assert pending.password_hash.startswith("$argon2id$")
    assert verify_password(pending.password_hash, PASSPHRASE)
    assert pending.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    assert pending.extra == {"referral_code": ""}
    assert pending.created_at > utcnow() - timedelta(minutes=1)


@pytest.mark.parametrize(("locale", "subject", "words"), [
    ("zh_Hant", "確認您的業主會帳戶", "小時內打開以下連結"),
    ("zh_Hans", "确认您的业主会账户", "小时内打开以下链接"),
    ("en", "Confirm your Homeowner Club account", "open this link within 48 hours"),
])
def test_the_link_is_mailed_in_the_language_chosen_on_the_form(client, db, caplog, locale,
                                                               subject, words):
    assert _request(client, "?lang=en", locale=locale).status_code == 302
    [mail] = mails_to(caplog, EMAIL)
    assert mail.startswith(f"e-mail to {EMAIL}: {subject}\n") and words in mail


def test_a_signed_in_member_following_the_link_ends_up_in_the_new_account(client, db, caplog,
                                                                          login):
    assert _request(client).status_code == 302
    login("member", display_name="Someone Else")
    assert client.post(confirm_path(caplog, EMAIL)).status_code == 302
    assert "Mei Chan" in client.get("/account/").get_data(as_text=True)


# --- an address that has an account --------------------------------------------------

def test_an_existing_address_gets_a_warning_and_the_same_answer(client, db, caplog, app):
    owner = factories.make_member(email="known@example.com", display_name="Known Owner",
                                  locale="zh_Hant")
    db.session.commit()
    before = owner.password_hash

    known = _request(client, email="Known@Example.com", display_name="Intruder")
    new = _request(app.test_client(), email="unknown@example.com", display_name="Intruder")
    assert (known.status_code, known.location) == (new.status_code, new.location) == (
        302, "/auth/register/sent")
    assert without_csrf(known.get_data(as_text=True)) == without_csrf(new.get_data(as_text=True))
    sent_known = client.get(known.location + "?lang=en").get_data(as_text=True)
    sent_new = app.test_client().get(new.location + "?lang=en").get_data(as_text=True)
    assert without_csrf(sent_known) == without_csrf(sent_new)

    [warning] = mails_to(caplog, "known@example.com")  # in the owner's language
    assert warning.startswith("e-mail to known@example.com: 有人嘗試以您的電郵地址註冊\n")
    assert "Known Owner您好" in warning
    assert "http://portal.test/auth/login" in warning and "http://portal.test/auth/reset" in warning
    assert "/auth/register/confirm/" not in warning and "Intruder" not in warning
    # Nothing else changes: no pending sign-up, the account as it was.
    assert db.session.scalars(select(PendingSignup.email)).all() == ["unknown@example.com"]
    db.session.expire_all()
    assert db.session.get(User, owner.id).password_hash == before
    assert db.session.get(User, owner.id).display_name == "Known Owner"
    assert _count(db, User) == 1


def test_a_suspended_account_gets_no_mail_but_the_same_answer(client, db, caplog):
    factories.make_member(email="gone@example.com", is_active_account=False)
    db.session.commit()
    response = _request(client, email="gone@example.com")
    assert (response.status_code, response.location) == (302, "/auth/register/sent")
    assert mails_to(caplog, "gone@example.com") == []
    assert _count(db, PendingSignup) == 0


def test_register_does_the_same_work_for_an_existing_address(client, db, monkeypatch):
    """Both answers hash the password (argon2 is the cost) and leave the mail to the
    worker, so they take as long; counted, not timed (timings belong in bench/)."""
    factories.make_member(email="timed@example.com")
    db.session.commit()
    hashed = []
    monkeypatch.setattr(signup, "hash_password", lambda password: hashed.append(password) or
                        passwords.hash_password(password))
    for email in ("timed@example.com", "new@example.com"):
        assert _request(client, email=email).status_code == 302
    assert len(hashed) == 2


def test_an_account_made_meanwhile_refuses_the_link_with_a_message(client, db, caplog):
    assert _request(client).status_code == 302
    factories.make_member(email=EMAIL, display_name="Made Meanwhile")
    db.session.commit()
    response = client.post(confirm_path(caplog, EMAIL) + "?lang=zh_Hans")
    assert response.status_code == 400
    assert "此邮箱已有账户。" in response.get_data(as_text=True)  # translated, no 500
    assert _count(db, User) == 1
    assert client.get("/account/").status_code == 302  # nobody logged in


# --- tokens: reuse, replacement, expiry, tampering -------------------------------------

def test_a_used_link_is_dead(client, db, caplog):
    assert sign_up(client, caplog, DATA).status_code == 302
    client.post("/auth/logout")
    path = confirm_path(caplog, EMAIL)
    for method in (client.get, client.post):
        response = method(path + "?lang=en")
        assert response.status_code == 404
        text = response.get_data(as_text=True)
        assert "This sign-up link is unknown or has already been used." in text
        assert 'href="/auth/register"' in text  # register again
    assert _count(db, User) == 1
    assert client.get("/account/").status_code == 302


def test_a_repeat_request_replaces_the_details_and_the_token(client, db, caplog):
    assert _request(client).status_code == 302
    assert _request(client, email=" MEI.CHAN@example.com ", display_name="Mei C.",
                    locale="zh_Hans").status_code == 302
    first, second = confirm_paths(caplog, EMAIL)
    pending = _pending(db)
    assert (pending.display_name, pending.locale) == ("Mei C.", "zh_Hans")
    assert client.get(first).status_code == 404
    assert client.post(first).status_code == 404
    assert client.post(second).status_code == 302
    assert db.session.scalars(select(User.display_name)).one() == "Mei C."


def test_an_expired_link_creates_nothing(client, db, caplog, monkeypatch):
    assert _request(client).status_code == 302
    path = confirm_path(caplog, EMAIL)
    just_in_time = utcnow() + timedelta(seconds=TWO_DAYS - 60)
    monkeypatch.setattr("portal.accounts.signup.utcnow", lambda: just_in_time)
    assert client.get(path).status_code == 200
    later = utcnow() + timedelta(seconds=TWO_DAYS + 60)
    monkeypatch.setattr("portal.accounts.signup.utcnow", lambda: later)
    for method in (client.get, client.post):
        response = method(path + "?lang=en")
        assert response.status_code == 410
        text = response.get_data(as_text=True)
        assert "This sign-up link has expired. No account was created." in text
        assert "Register again" in text
    assert _count(db, User) == 0


def test_the_expiry_follows_the_setting(client, db, caplog, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_CONFIRM_MAX_AGE", 3600)
    assert _request(client).status_code == 302
    assert "within 1 hours" in mails_to(caplog, EMAIL)[0]
    later = utcnow() + timedelta(seconds=3700)
    monkeypatch.setattr("portal.accounts.signup.utcnow", lambda: later)
    assert client.get(confirm_path(caplog, EMAIL)).status_code == 410


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token[:-2],
    lambda token: token + "x",
    lambda token: token.upper(),
    lambda _token: "nonsense",
    lambda _token: "a" * 500,
    lambda _token: "%E6%BC%8F%00",
])
def test_a_tampered_token_is_unknown(client, db, caplog, tamper):
    assert _request(client).status_code == 302
    token = confirm_path(caplog, EMAIL).rsplit("/", 1)[-1]
    path = f"/auth/register/confirm/{tamper(token)}?lang=en"
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert _count(db, User) == 0
    assert _count(db, PendingSignup) == 1


def test_head_and_get_never_create(client, db, caplog):
    assert _request(client).status_code == 302
    path = confirm_path(caplog, EMAIL)
    for _ in range(3):
        assert client.get(path).status_code == 200
        assert client.head(path).status_code == 200
    assert _count(db, User) == 0 and _count(db, PendingSignup) == 1


# --- features acting on the sign-up: the referral code -------------------------------

def test_the_referral_code_is_carried_to_the_confirmation(client, db, caplog):
    referrer = factories.make_member()
    code = referrals.ensure_code(referrer).code
    db.session.commit()
    page = client.get(f"/auth/register?ref={code}&lang=en").get_data(as_text=True)
    assert re.search(rf'id="referral_code"[^>]*value="{code}"', page)
    assert _request(client, f"?ref={code}&lang=en", referral_code=code).status_code == 302
    assert _pending(db).extra == {"referral_code": code}
    assert _count(db, Referral) == 0  # nothing acts on the request
    assert client.post(confirm_path(caplog, EMAIL)).status_code == 302
    invitee = db.session.scalars(select(User).where(User.email == EMAIL)).one()
    referral = db.session.scalars(select(Referral)).one()
    assert (referral.referrer_id, referral.invitee_id) == (referrer.id, invitee.id)


def test_a_bad_referral_code_is_told_after_the_confirmation(client, db, caplog):
    response = sign_up(client, caplog, {**DATA, "referral_code": "NOPE-NOPE"}, "?lang=en")
    text = client.get(response.location).get_data(as_text=True)
    assert "The referral code NOPE-NOPE does not exist" in text
    assert "Welcome to the club!" in text
    assert _count(db, User) == 1 and _count(db, Referral) == 0


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "", "Enter your email."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("email", "mei@", "Enter a valid email address."),
    ("email", "a" * 250 + "@example.com", "Field cannot be longer than 254 characters."),
    ("display_name", "", "Enter a display name."),
    ("phone", "call me maybe", "Enter a valid phone number."),
    ("locale", "fr", "Not a valid choice."),
    ("password", "short", "Use between 10 and 256 characters."),
    ("password", "password123", "This password is too common."),
    ("confirm", "a different passphrase", "The passwords do not match."),
    ("referral_code", "R" * 101, "Field cannot be longer than 100 characters."),
])
def test_bad_input_gets_the_form_again_and_sends_nothing(client, db, caplog, field, value,
                                                         message):
    data = {field: value}
    if field == "password":
        data["confirm"] = value
    response = _request(client, **data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text and 'id="register-form"' in text
    assert _count(db, PendingSignup) == _count(db, User) == 0
    assert "e-mail to" not in caplog.text


# --- a rolled-back request sends nothing ------------------------------------------------

def test_a_request_that_fails_after_the_service_sends_nothing(client, db, caplog, monkeypatch):
    def broken_redirect(*_args, **_kwargs):
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr("portal.accounts.views.redirect", broken_redirect)
    with pytest.raises(RuntimeError):  # a 500 for the browser (TESTING propagates it)
        _request(client)
    assert "e-mail to" not in caplog.text
    assert _count(db, PendingSignup) == 0


def test_a_warning_rolled_back_is_not_sent(client, db, caplog, monkeypatch):
    factories.make_member(email="known@example.com")
    db.session.commit()
    real_send_email = signup.send_email

    def queue_then_refuse(*args, **kwargs):
        real_send_email(*args, **kwargs)  # the e-mail is queued…
        raise signup.AccountError("Refused after the e-mail was queued.")  # …then a rule says no

    monkeypatch.setattr(signup, "send_email", queue_then_refuse)
    for email in ("known@example.com", "new@example.com"):
        response = _request(client, email=email)
        assert response.status_code == 400
        assert "Refused after the e-mail was queued." in response.get_data(as_text=True)
    assert "e-mail to" not in caplog.text
    assert _count(db, PendingSignup) == 0


def test_a_refused_confirmation_logs_nobody_in_and_keeps_the_link(client, db, caplog, monkeypatch):
    assert _request(client).status_code == 302

    def refuse(*_args, **_kwargs):
        raise signup.AccountError("No more members today.")

    monkeypatch.setattr(signup, "sign_up", refuse)
    response = client.post(confirm_path(caplog, EMAIL))
    assert response.status_code == 400 and "No more members today." in response.get_data(as_text=True)
    assert _count(db, PendingSignup) == 1  # the claim of the row was undone too
    assert client.get("/account/").status_code == 302


# --- the hourly purge ------------------------------------------------------------------

def test_the_purge_is_an_hourly_job(app):
    huey = jobs.queue(app).huey
    name = f"{purge_expired_sign_ups.__module__}.{purge_expired_sign_ups.__qualname__}"
    for hour in (0, 7, 19):
        assert name in [task.name for task in huey.read_periodic(datetime(2026, 6, 1, hour, 10))]
    assert name not in [task.name for task in huey.read_periodic(datetime(2026, 6, 1, 7, 11))]


def test_the_purge_job_deletes_expired_sign_ups_only(app, db):
    for email, age in (("old@example.com", timedelta(days=3)),
                       ("edge@example.com", timedelta(seconds=TWO_DAYS + 5)),
                       ("fresh@example.com", timedelta(hours=47))):
        factories.make_pending_sign_up(email=email, created_at=utcnow() - age)
    db.session.commit()
    jobs.queue(app).task(purge_expired_sign_ups)().get()  # the worker's path, in its own unit of work
    db.session.expire_all()
    assert db.session.scalars(select(PendingSignup.email)).all() == ["fresh@example.com"]
    assert purge_expired_sign_ups() == 0


# --- settings that differ: throttling, CSRF ----------------------------------------------

def _from(n: int) -> dict:
    return {"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"}


class TestThrottle:
    @pytest.fixture
    def app_config(self, tmp_path):
        return make_config(tmp_path, RATELIMIT_ENABLED=True, PROXY_FIX=1,
                           LOGIN_LIMIT_PER_IP="1000 per minute", SIGNUP_LIMIT_PER_ACCOUNT="3 per hour")

    def test_an_address_gets_three_mails_an_hour_whatever_the_ip(self, client, db, caplog):
        statuses = [client.post("/auth/register?lang=en", headers=_from(n), data={
            **DATA, "email": "Often@Example.com" if n % 2 else "often@example.com"}).status_code
            for n in range(5)]
        assert statuses == [302, 302, 302, 429, 429]
        assert len(mails_to(caplog, "often@example.com")) == 3
        # A member's address is throttled the same way, so the limit reveals nothing.
        factories.make_member(email="member@example.com")
        db.session.commit()
        member = [client.post("/auth/register", headers=_from(n),
                              data={**DATA, "email": "member@example.com"}).status_code
                  for n in range(5)]
        assert member == statuses
        assert len(mails_to(caplog, "member@example.com")) == 3
        # Another address is not affected.
        assert client.post("/auth/register", data={**DATA, "email": "else@example.com"},
                           headers=_from(9)).status_code == 302

    def test_mistyped_forms_do_not_use_up_the_mails(self, client, db, caplog):
        for n in range(5):
            typo = client.post("/auth/register", headers=_from(n),
                               data={**DATA, "confirm": "not the same passphrase"})
            assert typo.status_code == 400
        assert client.post("/auth/register", data=DATA, headers=_from(7)).status_code == 302


class TestCsrf:
    @pytest.fixture
    def app_config(self, tmp_path):
        return make_config(tmp_path, WTF_CSRF_ENABLED=True)

    def test_the_confirmation_needs_the_pages_csrf_token(self, client, db, caplog):
        page = client.get("/auth/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/auth/register", data={**DATA, "csrf_token": token}).status_code == 302
        path = confirm_path(caplog, EMAIL)
        assert client.post(path).status_code == 400  # no token
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 400
        assert _count(db, User) == 0
        confirm = client.get(path).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', confirm).group(1)
        assert client.post(path, data={"csrf_token": token}).status_code == 302
        assert _count(db, User) == 1
