"""Registration meets other features through a signal and registered form fields, so
accounts imports no feature (the referral code is the referrals feature's own field)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import Length, Optional

from portal.accounts.models import PendingSignup, User
from portal.core.errors import DomainError
from portal.core.hooks import add_registration_field, registration_fields
from portal.core.signals import user_registered
from tests.accounts.helpers import MAIL_LOG, confirm_path, sign_up
from tests.factories import PASSWORD

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DATA = {"email": "sig@example.com", "display_name": "Sig Nal", "phone": "", "locale": "en",
        "password": PASSWORD + "-x9", "confirm": PASSWORD + "-x9"}


def _users(db) -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def club_card(app):
    """A feature of a test: a "club card" field prefilled from `?card=`."""
    add_registration_field(
        app, "club_card",
        lambda: StringField("Club card (optional)", validators=[Optional(), Length(max=20)]),
        initial=lambda request: request.args.get("card", "")[:20])


def test_an_added_field_is_shown_prefilled_and_its_value_reaches_the_receiver(client, db, caplog,
                                                                              club_card):
    page = client.get("/auth/register?lang=en&card=C-42").get_data(as_text=True)
    assert re.search(r'id="club_card"[^>]*value="C-42"', page)
    heard = []

    def receiver(user, extra, **_kwargs):
        heard.append((user.email, extra.get("club_card")))
        return "Your club card C-42 is not known here."

    with user_registered.connected_to(receiver):
        caplog.set_level("INFO", logger=MAIL_LOG)
        sent = client.post("/auth/register?lang=en", data={**DATA, "club_card": "C-42"})
        assert sent.status_code == 302 and heard == []  # nothing happens before the link
        confirmed = client.post(confirm_path(caplog, DATA["email"]) + "?lang=en")
    assert confirmed.status_code == 302
    text = client.get(confirmed.location).get_data(as_text=True)
    assert heard == [("sig@example.com", "C-42")]
    assert "Welcome to the club!" in text
    assert "Your club card C-42 is not known here." in text  # the receiver's notice
    assert _users(db) == 1


def test_a_receiver_that_refuses_undoes_the_registration(client, db, caplog, club_card):
    def receiver(user, **_kwargs):
        raise DomainError("No more members today.", field="club_card")

    with user_registered.connected_to(receiver):
        response = sign_up(client, caplog, {**DATA, "club_card": "X"}, "?lang=en")
    assert response.status_code == 400
    assert "No more members today." in response.get_data(as_text=True)
    assert _users(db) == 0
    # The sign-up still waits (the refusal may pass later); the purge job deletes it in time.
    assert db.session.scalar(select(func.count()).select_from(PendingSignup)) == 1


def test_added_fields_are_validated_like_the_others(client, db, club_card):
    response = client.post("/auth/register?lang=en", data={**DATA, "club_card": "C" * 21})
    assert response.status_code == 400
    assert "Field cannot be longer than 20 characters." in response.get_data(as_text=True)
    assert _users(db) == 0


def test_a_field_name_is_added_once(app):
    assert [field.name for field in registration_fields(app)] == ["referral_code"]
    with pytest.raises(ValueError):
        add_registration_field(app, "referral_code", StringField)


def test_registering_without_the_signal_listeners_works(client, db, app, caplog, monkeypatch):
    """Accounts needs no feature: with no extra fields and no receivers it still registers."""
    monkeypatch.setattr(app.extensions["portal_hooks"], "registration_fields", [])
    page = client.get("/auth/register?lang=en").get_data(as_text=True)
    assert 'id="referral_code"' not in page
    with user_registered.muted():
        assert sign_up(client, caplog, DATA).status_code == 302
    assert _users(db) == 1


# Features that build on referrals through its services (ARCHITECTURE.md: a feature may import
# another's services): the sales import converts and reverses referrals through the lifecycle.
REFERRAL_CONSUMERS = {"referrals", "sales"}


def test_no_feature_imports_referrals_but_referrals_and_the_app_factory():
    """`grep -rn "portal.referrals" portal/ | grep -v "^portal/referrals/"` shows only FEATURES
    (and the features built on referrals): accounts registers with no referral code."""
    found = []
    for path in PORTAL.rglob("*.py"):
        if REFERRAL_CONSUMERS & set(path.relative_to(PORTAL).parts):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if "portal.referrals" in line:
                found.append((path.relative_to(PORTAL).as_posix(), line.strip()))
    assert found == [("__init__.py", '"portal.referrals",')]
