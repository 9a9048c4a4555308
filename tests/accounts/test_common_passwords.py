"""The common-password list is of real size (the top 10,000 plus our own) and catches the
digits and signs people add to a listed password to pass the length rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.accounts.passwords import common_passwords, is_common

LIST = Path(__file__).resolve().parents[2] / "portal" / "accounts" / "common_passwords.txt"


def test_the_list_has_the_top_ten_thousand_and_its_licence():
    listed = common_passwords()
    assert len(listed) >= 10_000
    assert {"123456", "password", "qwerty", "dragon", "woaini1314"} <= listed
    assert not any(p.startswith("#") for p in listed)
    assert LIST.with_name("common_passwords.LICENSE").read_text().startswith("Copyright")
    ranked = [line for line in LIST.read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")]
    assert ranked[:3] == ["123456", "password", "12345678"]  # most common first


@pytest.mark.parametrize("password", [
    "password123", "PASSWORD123", "Dragon2026!", "monkey123456", "iloveyou!!", "qwertyuiop",
    "  baseball1234  ", "homeowner123", "sunshine_2026",
])
def test_common_passwords_and_their_decorations_are_refused(password):
    assert is_common(password)


@pytest.mark.parametrize("password", [
    "correct-horse-battery", "demo-pass-2026", "a long private passphrase", "zaq1@WSX2026x",
    "我家的門牌是三十八號", "abc!!!!!!!!", "x" * 40,
])
def test_uncommon_passwords_pass(password):
    assert not is_common(password)


def test_registration_refuses_a_decorated_common_password(client, db):
    response = client.post("/auth/register?lang=en", data={
        "email": "new@example.com", "display_name": "New", "password": "superman2026!",
        "confirm": "superman2026!", "accept_terms": "y"})
    assert response.status_code == 400
    assert "This password is too common." in response.get_data(as_text=True)
