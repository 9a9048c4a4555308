"""A NUL byte (which PostgreSQL text cannot hold) in any text field of the accounts forms:
the form again with a translated message, a 400, nothing saved. tests/postgres has the
same on PostgreSQL for the anonymous registration form and the profile."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Ownership, PendingSignup, User
from portal.audit.models import AuditEntry
from tests import factories
from tests.accounts.helpers import reset_path
from tests.factories import PASSWORD

NUL = "Mei\x00Chan"
MESSAGE = "This field contains characters that are not allowed."
REGISTER = {"email": "mei@example.com", "display_name": "Mei Chan", "phone": "", "locale": "en",
            "referral_code": "", "password": "a long private passphrase",
            "confirm": "a long private passphrase"}


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("field", ["email", "display_name", "phone", "referral_code", "password",
                                   "confirm", "locale"])
def test_registration_refuses_nul_in_every_field(client, db, field):
    value = "a long private\x00passphrase" if field in ("password", "confirm") else NUL
    data = {**REGISTER, field: value}
    if field == "password":
        data["confirm"] = value
    response = client.post("/auth/register?lang=en", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="register-form"' in page
    assert MESSAGE in page or "Not a valid choice." in page  # the language is a select
    assert _count(db, User) == _count(db, PendingSignup) == 0
    assert client.get("/account/").status_code == 302  # not logged in


@pytest.mark.parametrize(("locale", "message"), [("zh_Hant", "此欄位含有不允許的字元。"),
                                                 ("zh_Hans", "此字段含有不允许的字符。")])
def test_the_nul_message_is_translated(client, db, locale, message):
    response = client.post(f"/auth/register?lang={locale}",
                           data={**REGISTER, "display_name": NUL})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(db, User) == 0


@pytest.mark.parametrize("field", ["email", "password"])
def test_login_refuses_nul(client, db, field):
    user = factories.make_member(email="nul@example.com")
    db.session.commit()
    data = {"email": user.email, "password": PASSWORD, field: "x\x00y"}
    response = client.post("/auth/login?lang=en", data=data)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


@pytest.mark.parametrize("field", ["display_name", "phone", "timezone"])
def test_profile_refuses_nul(client, db, login, field):
    member = login("member", display_name="Before", phone="+852 6123 4567")
    data = {"display_name": "After", "phone": "+852 6123 0000", "locale": "en",
            "timezone": "UTC", field: NUL}
    response = client.post("/account/?lang=en", data=data)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True) or "Not a valid choice." in (
        response.get_data(as_text=True))
    db.session.refresh(member)
    assert (member.display_name, member.phone, member.timezone) == (
        "Before", "+852 6123 4567", "Asia/Shanghai")


@pytest.mark.parametrize("field", ["pw-current_password", "pw-new_password"])
def test_password_change_refuses_nul(client, db, login, field):
    member = login("member")
    before = member.password_hash
    new = "a fresh\x00passphrase" if field == "pw-new_password" else "a fresh passphrase"
    data = {"pw-current_password": PASSWORD, "pw-new_password": new, "pw-confirm": new}
    if field == "pw-current_password":
        data[field] = PASSWORD + "\x00"
    response = client.post("/account/password?lang=en", data=data)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    db.session.refresh(member)
    assert member.password_hash == before


def test_reset_forms_refuse_nul(client, db, caplog):
    user = factories.make_member(email="reset@example.com")
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    asked = client.post("/auth/reset?lang=en", data={"email": "reset@example.com\x00"})
    assert asked.status_code == 400 and MESSAGE in asked.get_data(as_text=True)
    assert "e-mail to" not in caplog.text
    before = user.password_hash
    chosen = client.post(reset_path(user) + "?lang=en", data={
        "password": "a fresh\x00passphrase", "confirm": "a fresh\x00passphrase"})
    assert chosen.status_code == 400 and MESSAGE in chosen.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash == before


@pytest.mark.parametrize("field", ["contract_number"])
def test_home_request_refuses_nul(client, db, login, field):
    unit = factories.make_unit("Jade Lake", "1棟", "801")
    login("member")
    data = {"unit": str(unit.id), "contract_number": "JL-1", field: "801\x00"}
    response = client.post(f"/account/homes?lang=en&development={unit.building.development_id}"
                           f"&building={unit.building_id}", data=data)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert _count(db, Ownership) == 0


@pytest.mark.parametrize("field", ["building", "unit_number", "contract_number"])
def test_staff_link_refuses_nul(client, db, login, field):
    member = factories.make_member()
    unit = factories.make_unit("Jade Lake", "1棟", "801")
    login("service")
    data = {"development": str(unit.building.development_id), "building": "1棟",
            "unit_number": "801", "contract_number": "JL-1", field: "801\x00"}
    response = client.post(f"/admin/members/{member.id}/units?lang=en", data=data)
    assert response.status_code == 400
    assert MESSAGE in response.get_data(as_text=True)
    assert _count(db, Ownership) == 0


def test_staff_reject_and_role_refuse_nul(client, db, login):
    ownership = factories.make_ownership(factories.make_member(), verified=False)
    target = factories.make_member()
    login("admin")
    rejected = client.post(f"/admin/homes/{ownership.id}/reject?lang=en",
                           data={f"r{ownership.id}-reason": "no\x00contract"})
    assert rejected.status_code == 400
    assert MESSAGE in rejected.get_data(as_text=True)
    role = client.post(f"/admin/members/{target.id}/role?lang=en", data={"role": "admin\x00"})
    assert role.status_code == 400
    db.session.refresh(ownership)
    db.session.refresh(target)
    assert (ownership.status, target.role) == ("pending", "member")
    assert _count(db, AuditEntry) == 0


@pytest.mark.parametrize("development", ["9" * 20, "-1", "0"])
def test_a_development_id_out_of_range_is_a_form_error(client, db, login, development):
    factories.make_unit("Jade Lake", "1棟", "801")
    member = login("service")
    data = {"development": development, "building": "1棟", "unit_number": "801",
            "contract_number": "JL-1"}
    for path in (f"/admin/members/{member.id}/units?lang=en",):
        response = client.post(path, data=data)
        assert response.status_code == 400
        assert "Not a valid choice." in response.get_data(as_text=True)
    assert _count(db, Ownership) == 0
