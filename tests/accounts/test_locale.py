"""Which language and time zone a page uses, and the language switcher.

Order: the member's own setting, else `?lang=`, else the switcher's choice kept in the
session, else Accept-Language (the Chinese tag mapping is in tests/test_i18n.py).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests import factories


def _lang(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_member_setting_beats_everything(client, db, login):
    login("member", locale="zh_Hans")
    with client.session_transaction() as session:
        session["lang"] = "en"
    response = client.get("/?lang=en", headers={"Accept-Language": "en"})
    assert _lang(response) == "zh-Hans"


def test_lang_parameter_beats_session_and_header(client):
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    assert _lang(client.get("/?lang=en", headers={"Accept-Language": "zh-TW"})) == "en"


def test_session_beats_accept_language(client):
    with client.session_transaction() as session:
        session["lang"] = "zh_Hans"
    assert _lang(client.get("/", headers={"Accept-Language": "en"})) == "zh-Hans"


@pytest.mark.parametrize(("header", "expected"), [
    ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"), ("zh-MO", "zh-Hant"),
    ("zh-CN", "zh-Hans"), ("zh-Hans-CN", "zh-Hans"), ("zh", "zh-Hans"), ("zh-SG", "zh-Hans"),
    ("en-US,zh-TW;q=0.8", "en"), ("de-DE", "zh-Hant"), ("", "zh-Hant"),
])
def test_accept_language_alone(client, header, expected):
    assert _lang(client.get("/", headers={"Accept-Language": header})) == expected


@pytest.mark.parametrize("bogus", ['"><svg onload=alert(1)>', "fr", "zh-Hant", "EN", "../en"])
def test_bogus_lang_parameter_is_ignored(client, bogus):
    response = client.get("/", query_string={"lang": bogus}, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200
    assert _lang(response) == "zh-Hans"
    assert "<svg onload" not in response.get_data(as_text=True)


def test_anonymous_switch_is_kept_in_the_session(client):
    response = client.post("/auth/lang/zh_Hans", data={"next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    assert _lang(client.get("/auth/login", headers={"Accept-Language": "en"})) == "zh-Hans"


def test_member_switch_saves_the_setting(client, db, login):
    user = login("member", locale="zh_Hant")
    page = client.get("/").get_data(as_text=True)
    assert 'action="/auth/lang/en"' in page and 'name="next" value="/"' in page
    assert client.post("/auth/lang/en", data={"next": "/"}).status_code == 302
    db.session.refresh(user)
    assert user.locale == "en"
    assert _lang(client.get("/")) == "en"


def test_unknown_language_code_changes_nothing(client, db, login):
    user = login("member", locale="zh_Hant")
    response = client.post("/auth/lang/klingon", data={"next": "/account/"})
    assert response.headers["Location"] == "/account/"
    db.session.refresh(user)
    assert user.locale == "zh_Hant"


@pytest.mark.parametrize(("zone", "shown"), [
    ("Asia/Shanghai", "1/2/26, 4:30\u202fAM"),
    ("America/New_York", "1/1/26, 3:30\u202fPM"),
    ("UTC", "1/1/26, 8:30\u202fPM"),
])
def test_dates_are_shown_in_the_members_time_zone(client, db, login, zone, shown):
    user = login("member", locale="en", timezone=zone)
    ownership = factories.make_ownership(user, verified=False)
    ownership.requested_at = datetime(2026, 1, 1, 20, 30)  # stored in UTC
    db.session.commit()
    page = client.get("/account/homes").get_data(as_text=True)
    assert f"Asked on {shown}" in page


def test_anonymous_dates_use_the_default_zone(app):
    from flask_babel import format_datetime

    with app.test_request_context("/?lang=en"):
        assert format_datetime(datetime(2026, 1, 1, 20, 30), "HH:mm") == "04:30"
