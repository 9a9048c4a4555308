"""`flask users create-admin` and the accounts part of `flask seed-demo`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Ownership, User
from tests import factories
from tests.accounts.helpers import login_form


def _admin(db, email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_admin_then_log_in(runner, client, db):
    result = runner.invoke(args=["users", "create-admin", "Boss@Example.com", "--name", "The Boss",
                                 "--password", "a long admin passphrase"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com." in result.output
    admin = _admin(db, "boss@example.com")
    assert (admin.role, admin.display_name) == ("admin", "The Boss")
    assert login_form(client, "boss@example.com", "a long admin passphrase").status_code == 302
    assert client.get("/admin/members").status_code == 200


def test_create_admin_reads_the_password_from_env_or_terminal(runner, db, monkeypatch):
    result = runner.invoke(args=["users", "create-admin", "env@example.com"],
                           env={"ADMIN_PASSWORD": "from the environment"})
    assert result.exit_code == 0, result.output
    monkeypatch.setattr("getpass.getpass", lambda prompt: "typed on the terminal")
    result = runner.invoke(args=["users", "create-admin", "tty@example.com"])
    assert result.exit_code == 0, result.output
    assert _admin(db, "env@example.com").role == _admin(db, "tty@example.com").role == "admin"


def test_create_admin_promotes_an_existing_account_and_ends_its_sessions(runner, db):
    user = factories.make_member(email="promote@example.com")
    db.session.commit()
    token = user.session_token
    result = runner.invoke(args=["users", "create-admin", "PROMOTE@example.com"])
    assert result.exit_code == 0, result.output
    assert "promote@example.com is now an admin." in result.output
    db.session.refresh(user)
    assert user.role == "admin" and user.session_token != token


@pytest.mark.parametrize(("email", "password", "error"), [
    ("weak@example.com", "short", "at least 10 characters"),
    ("weak@example.com", "password123", "not a common password"),
    ("not an email", "a long admin passphrase", "Enter a valid email address."),
])
def test_create_admin_refuses_bad_input(runner, db, email, password, error):
    result = runner.invoke(args=["users", "create-admin", email, "--password", password])
    assert result.exit_code != 0
    assert error in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_seed_demo_accounts_roles_and_homes(runner, db, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    users = {u.email: u for u in db.session.scalars(select(User))}
    expected = {"member": "member", "partner": "partner", "service": "service",
                "marketing": "marketing", "admin": "admin"}
    for name, role in expected.items():
        assert users[f"{name}@demo.club"].role == role
    member = users["member@demo.club"]
    assert sorted(o.status for o in member.ownerships) == ["pending", "verified"]
    # --force runs again without duplicating accounts or homes.
    result = runner.invoke(args=["seed-demo", "--force"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email.like("%@demo.club"))) == 5
    assert db.session.scalar(select(func.count()).select_from(Ownership).where(
        Ownership.user_id == member.id)) == 2
    # The service demo account sees the demo member's pending request in its queue.
    assert login_form(client, "service@demo.club", "demo-pass-2026").status_code == 302
    page = client.get("/admin/homes?lang=en").get_data(as_text=True)
    assert member.display_name in page
