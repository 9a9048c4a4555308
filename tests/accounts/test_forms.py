"""Register, log in, profile and password change: the happy path and every kind of bad input
(the form again with a translated message, a 4xx status, nothing saved)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import PendingSignup, User
from tests import factories
from tests.accounts.helpers import MAIL_LOG, login_form, mails_to, sign_up

GOOD = {"email": "Mei.Chan@Example.COM", "display_name": "Mei Chan", "phone": "+852 6123 4567",
        "locale": "zh_Hant", "password": "a long private passphrase",
        "confirm": "a long private passphrase"}


def _users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_register_normalises_the_email_and_logs_in_once_confirmed(client, db, caplog):
    response = sign_up(client, caplog, GOOD)
    assert response.status_code == 302
    user = db.session.scalars(select(User)).one()
    assert (user.email, user.display_name, user.phone, user.locale, user.role) == (
        "mei.chan@example.com", "Mei Chan", "+852 6123 4567", "zh_Hant", "member")
    page = client.get("/").get_data(as_text=True)
    assert "Mei Chan" in page and "歡迎" in page  # logged in, in the language chosen
    assert client.get("/auth/register").status_code == 302


def test_register_form_takes_the_visitors_language(client):
    page = client.get("/auth/register?lang=zh_Hans").get_data(as_text=True)
    assert '<option selected value="zh_Hans">' in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "", "Enter your email."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("email", "a" * 250 + "@example.com", "Field cannot be longer than 254 characters."),
    ("display_name", "", "Enter a display name."),
    ("display_name", "   ", "Enter a display name."),
    ("display_name", "n" * 81, "Field cannot be longer than 80 characters."),
    ("phone", "call me maybe", "Enter a valid phone number."),
    ("phone", "1" * 33, "Field cannot be longer than 32 characters."),
    ("locale", "fr", "Not a valid choice."),
    ("locale", "", "Not a valid choice."),
    ("password", "", "Enter a password."),
    ("confirm", "a different passphrase", "The passwords do not match."),
])
def test_register_bad_input(client, db, field, value, message):
    response = client.post("/auth/register?lang=en", data={**GOOD, field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'id="register-form"' in page
    assert _users(db) == 0


@pytest.mark.parametrize("email", ["mei.chan@example.com", "MEI.CHAN@EXAMPLE.COM", " Mei.Chan@example.com "])
def test_register_with_a_used_email_in_any_case_only_warns_the_owner(client, db, caplog, email):
    factories.make_member(email="mei.chan@example.com")
    db.session.commit()
    caplog.set_level("INFO", logger=MAIL_LOG)
    response = client.post("/auth/register?lang=en", data={**GOOD, "email": email})
    assert (response.status_code, response.location) == (302, "/auth/register/sent")
    [warning] = mails_to(caplog, "mei.chan@example.com")
    assert "Someone tried to sign up with your email address" in warning
    assert _users(db) == 1
    assert db.session.scalar(select(func.count()).select_from(PendingSignup)) == 0


def test_register_messages_are_translated(client, db):
    page = client.post("/auth/register?lang=zh_Hans", data={**GOOD, "confirm": "x"}).get_data(as_text=True)
    assert "两次输入的密码不一致" in page or "密码不一致" in page
    page = client.post("/auth/register?lang=zh_Hant", data={**GOOD, "display_name": ""}).get_data(
        as_text=True)
    assert "請輸入顯示名稱" in page


@pytest.mark.parametrize(("email", "password", "message"), [
    ("", "whatever123", "Enter your email."),
    ("member@example.com", "", "Enter your password."),
    ("e" * 255 + "@x.com", "whatever123", "Field cannot be longer than 254 characters."),
    ("member@example.com", "p" * 257, "Field cannot be longer than 256 characters."),
    ("member@example.com", "wrong password", "Wrong email or password."),
    ("not an email", "wrong password", "Wrong email or password."),
])
def test_login_bad_input(client, db, email, password, message):
    factories.make_member(email="member@example.com")
    db.session.commit()
    response = client.post("/auth/login?lang=en", data={"email": email, "password": password})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_login_remember_me_sets_a_remember_cookie(client, db):
    factories.make_member(email="r@example.com")
    db.session.commit()
    assert login_form(client, "R@Example.com", factories.PASSWORD).status_code == 302
    assert client.get_cookie("remember_token") is None
    client.post("/auth/logout")
    client.post("/auth/login", data={"email": "r@example.com", "password": factories.PASSWORD,
                                     "remember": "y"})
    assert client.get_cookie("remember_token") is not None


def test_anonymous_visitor_is_sent_to_log_in_and_back(client, db):
    response = client.get("/account/homes?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    factories.make_member(email="back@example.com")
    db.session.commit()
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"})
    assert "Please log in to open this page." in page.get_data(as_text=True)
    done = client.post(response.headers["Location"], data={"email": "back@example.com",
                                                            "password": factories.PASSWORD})
    assert done.headers["Location"] == "/account/homes?lang=en"


# --- profile -----------------------------------------------------------------------

PROFILE = {"display_name": "New Name", "phone": "", "locale": "en", "timezone": "Europe/London"}


def test_profile_saves_name_phone_language_and_time_zone(client, db, login):
    user = login("member", locale="zh_Hant")
    page = client.get("/account/").get_data(as_text=True)
    assert 'id="profile-form"' in page and user.email in page
    response = client.post("/account/", data={**PROFILE, "phone": "(852) 6000-0000"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.phone, user.locale, user.timezone) == (
        "New Name", "(852) 6000-0000", "en", "Europe/London")
    assert "Your profile is saved." in client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("display_name", "", "Enter a display name."),
    ("display_name", "x" * 81, "Field cannot be longer than 80 characters."),
    ("phone", "+86 abc", "Enter a valid phone number."),
    ("locale", "de", "Not a valid choice."),
    ("timezone", "Mars/Olympus_Mons", "Not a valid choice."),
    ("timezone", "", "Not a valid choice."),
])
def test_profile_bad_input(client, db, login, field, value, message):
    user = login("member")
    before = (user.display_name, user.phone, user.locale, user.timezone)
    response = client.post("/account/?lang=en", data={**PROFILE, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.refresh(user)
    assert (user.display_name, user.phone, user.locale, user.timezone) == before


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("", "brand new secret words", "brand new secret words", "Enter your current password."),
    ("wrong password", "brand new secret words", "brand new secret words",
     "The current password is wrong."),
    (factories.PASSWORD, "short", "short", "Use between 10 and 256 characters."),
    (factories.PASSWORD, "password1234", "password1234", "This password is too common."),
    (factories.PASSWORD, "brand new secret words", "other secret words", "The passwords do not match."),
    (factories.PASSWORD, "", "", "Enter a password."),
])
def test_password_change_bad_input(client, db, login, current, new, confirm, message):
    user = login("member")
    before = user.password_hash
    response = client.post("/account/password?lang=en", data={
        "pw-current_password": current, "pw-new_password": new, "pw-confirm": confirm})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'id="password-form"' in page
    db.session.refresh(user)
    assert user.password_hash == before


def test_password_change_then_log_in_with_the_new_one(client, db, login):
    user = login("member")
    response = client.post("/account/password?lang=en", data={
        "pw-current_password": factories.PASSWORD, "pw-new_password": "brand new secret words",
        "pw-confirm": "brand new secret words"})
    assert response.status_code == 302
    client.post("/auth/logout")
    assert login_form(client, user.email, factories.PASSWORD).status_code == 400
    assert login_form(client, user.email, "brand new secret words").status_code == 302


def test_log_in_prompt_is_translated(client):
    response = client.get("/account/", headers={"Accept-Language": "zh-CN"})
    page = client.get(response.headers["Location"], headers={"Accept-Language": "zh-CN"})
    assert "请先登录才能打开此页面。" in page.get_data(as_text=True)
