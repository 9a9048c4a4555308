"""`flask seed-demo` fills an empty database with every feature's demo data, once."""

from sqlalchemy import func, select

from portal.accounts.models import User

DEMO_LOGINS = ["member", "partner", "service", "marketing", "admin"]


def test_seed_demo_then_every_demo_account_logs_in(app, runner, client, db):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "member@demo.club" in result.output
    for role in DEMO_LOGINS:
        response = client.post("/auth/login", data={
            "email": f"{role}@demo.club", "password": "demo-pass-2026"})
        assert response.status_code == 302, role
        client.post("/auth/logout")
    member = db.session.scalar(select(User).where(User.email == "member@demo.club"))
    assert member.is_verified_homeowner


def test_seed_demo_refuses_a_database_with_users(runner, db):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    users = db.session.scalar(select(func.count()).select_from(User))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "--force" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == users
