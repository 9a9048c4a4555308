"""A NUL byte on PostgreSQL (whose text cannot hold one): registration — open to anyone —
and the profile answer 400 with the form's message, and write nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.extensions import db
from tests import factories
from tests.conftest import log_in
from tests.support.race import migrated_postgres_app

pytestmark = pytest.mark.postgres

MESSAGE = "This field contains characters that are not allowed."


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "accounts_nul") as app:
        yield app


def test_nul_in_registration_and_profile_is_a_400_on_postgres(pg_app):
    client = pg_app.test_client()
    registered = client.post("/auth/register?lang=en", data={
        "email": "nul@example.com", "display_name": "Mei\x00Chan", "phone": "", "locale": "en",
        "password": "a long private passphrase", "confirm": "a long private passphrase"})
    assert registered.status_code == 400
    assert MESSAGE in registered.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    member = factories.make_member(display_name="Before")
    db.session.commit()
    log_in(client, member)
    saved = client.post("/account/?lang=en", data={
        "display_name": "After\x00", "phone": "", "locale": "en", "timezone": "UTC"})
    assert saved.status_code == 400
    assert MESSAGE in saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, member.id).display_name == "Before"
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
