"""Login and reset throttling (Flask-Limiter on, client IP from X-Forwarded-For via ProxyFix)."""

from __future__ import annotations

import pytest

from tests import factories
from tests.conftest import test_config as make_config


@pytest.fixture
def app_config(tmp_path):
    # Behind one proxy: the client IP comes from X-Forwarded-For, so an attacker can rotate it.
    return make_config(tmp_path, RATELIMIT_ENABLED=True, PROXY_FIX=1,
                       LOGIN_LIMIT_PER_ACCOUNT="10 per 15 minutes",
                       LOGIN_LIMIT_PER_IP="20 per minute", RESET_LIMIT_PER_ACCOUNT="5 per hour")


def _from(n: int) -> dict:
    return {"X-Forwarded-For": f"203.0.113.{n % 250 + 1}"}


def test_login_is_throttled_per_account_whatever_the_ip(client, db):
    user = factories.make_member(email="target@example.com")
    db.session.commit()
    statuses = [
        client.post("/auth/login", data={"email": "Target@Example.com", "password": f"guess-{n}"},
                    headers=_from(n)).status_code
        for n in range(10)
    ]
    assert statuses == [400] * 10
    blocked = client.post("/auth/login", data={"email": user.email, "password": factories.PASSWORD},
                          headers={**_from(99), "Accept-Language": "zh-TW"})
    assert blocked.status_code == 429
    page = blocked.get_data(as_text=True)
    assert "嘗試次數過多" in page and "Traceback" not in page
    assert client.get("/account/").status_code == 302  # the right password did not get in
    # The owner can still ask for a reset link.
    assert client.post("/auth/reset", data={"email": user.email}, headers=_from(7)).status_code == 200


def test_login_is_throttled_per_ip(client, db):
    statuses = [
        client.post("/auth/login", data={"email": f"user{n}@example.com", "password": "wrong guess"},
                    headers={"X-Forwarded-For": "198.51.100.9"}).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    # Another address is not affected.
    assert client.post("/auth/login", data={"email": "x@example.com", "password": "wrong guess"},
                       headers={"X-Forwarded-For": "198.51.100.10"}).status_code == 400


def test_reset_requests_are_throttled_per_email(client, db, caplog):
    factories.make_member(email="often@example.com")
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    statuses = [client.post("/auth/reset", data={"email": "often@example.com"},
                            headers=_from(n)).status_code for n in range(6)]
    assert statuses == [200] * 5 + [429]
    assert len([r for r in caplog.records if r.getMessage().startswith("e-mail to")]) == 5
    # Unknown addresses are throttled the same way, so the limit reveals nothing.
    unknown = [client.post("/auth/reset", data={"email": "nobody@example.com"},
                           headers=_from(n)).status_code for n in range(6)]
    assert unknown == statuses
