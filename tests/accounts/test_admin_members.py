"""Staff member administration: search, detail, roles, linking units, feature links."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Ownership, User
from portal.accounts.permissions import P
from portal.audit.models import AuditEntry
from portal.core.hooks import MemberAdminLink, add_member_admin_link
from portal.notifications.models import Notification
from tests import factories
from tests.conftest import log_in


def _names(page: str, members) -> list[str]:
    return [m.display_name for m in members if f">{m.display_name}</a>" in page]


def test_search_by_email_name_or_phone(client, db, login):
    amy = factories.make_member(email="amy_wong@example.com", display_name="Amy Wong", phone="+852 5555 0101")
    bob = factories.make_member(email="bob@example.org", display_name="陳大文", phone="13800138000")
    carl = factories.make_member(email="carl@example.net", display_name="Carl 100%")
    login("service")
    members = (amy, bob, carl)

    def search(q):
        response = client.get("/admin/members", query_string={"q": q, "lang": "en"})
        assert response.status_code == 200
        return _names(response.get_data(as_text=True), members)

    assert search("AMY_WONG@") == ["Amy Wong"]
    assert search("大文") == ["陳大文"]
    assert search("0138") == ["陳大文"]
    assert search("5555") == ["Amy Wong"]
    assert search("100%") == ["Carl 100%"]
    assert search("%") == ["Carl 100%"]  # a literal percent sign, not a wildcard
    assert search("_") == ["Amy Wong"]  # a literal underscore, not "any character"
    assert sorted(search("")) == sorted(["Amy Wong", "陳大文", "Carl 100%"])


@pytest.mark.parametrize("payload", ["' OR 1=1--", "1;SELECT pg_sleep(5)--", "\\", "a" * 500])
def test_hostile_search_is_harmless(client, db, login, payload):
    factories.make_member(display_name="Somebody")
    login("marketing")
    response = client.get("/admin/members", query_string={"q": payload, "lang": "en"})
    assert response.status_code == 200
    assert "No members found." in response.get_data(as_text=True)


def test_member_list_is_paginated(client, db, login):
    for _ in range(35):
        factories.make_member()
    login("admin")
    first = client.get("/admin/members?lang=en").get_data(as_text=True)
    second = client.get("/admin/members?page=2&lang=en").get_data(as_text=True)
    rows = first.count("/admin/members/") - first.count('href="/admin/members/"')
    assert first.count('<tr>') - 1 == 30  # header row + 30 members
    assert second.count('<tr>') - 1 == 6  # 35 members + the admin
    assert rows >= 30


def test_member_detail_shows_profile_homes_role_and_points(client, db, login):
    member = factories.make_member(display_name="Mei Chan", phone="+852 1234 5678",
                                   points_balance=1234, points_lifetime=5678, timezone="Asia/Taipei")
    factories.make_ownership(member, factories.make_unit("Jade Lake", "2棟", "1203"))
    factories.make_ownership(member, factories.make_unit("Jade Lake", "3棟", "0101"), verified=False)
    login("service")
    response = client.get(f"/admin/members/{member.id}?lang=en")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Mei Chan", member.email, "+852 1234 5678", "Taipei", "Jade Lake · 2棟 · 1203",
                 "Jade Lake · 3棟 · 0101", "Verified homeowner", "Waiting for verification",
                 '<dd class="col-7" id="member-role">Member</dd>',
                 '<dd class="col-7" id="member-points">1,234</dd>', "5,678"):
        assert text in page
    # Service staff may link units, but not change roles.
    assert 'id="link-unit-form"' in page
    assert 'id="role-form"' not in page


def test_unknown_member_is_404(client, db, login):
    login("admin")
    assert client.get("/admin/members/999999").status_code == 404
    assert client.post("/admin/members/999999/role", data={"role": "admin"}).status_code == 404
    assert client.post("/admin/members/999999/units", data={}).status_code == 404


def test_feature_links_come_from_the_registry(app, client, db, login):
    add_member_admin_link(app, MemberAdminLink("Points ledger", "accounts_admin.member_detail",
                                               P.ADJUST_POINTS, order=10))
    add_member_admin_link(app, MemberAdminLink("Open requests", "accounts_admin.member_detail",
                                               None, order=5))
    member = factories.make_member()
    login("admin")
    page = client.get(f"/admin/members/{member.id}?lang=en").get_data(as_text=True)
    assert page.index("Open requests") < page.index("Points ledger")
    assert f'href="/admin/members/{member.id}"' in page
    login("service")
    page = client.get(f"/admin/members/{member.id}?lang=en").get_data(as_text=True)
    assert "Open requests" in page and "Points ledger" not in page


# --- roles ---------------------------------------------------------------------------

def test_admin_changes_a_role_and_the_members_sessions_end(app, client, db, login):
    member = factories.make_member()
    db.session.commit()
    members_device = app.test_client()
    log_in(members_device, member)
    assert members_device.get("/account/").status_code == 200
    admin = login("admin")
    assert 'id="role-form"' in client.get(f"/admin/members/{member.id}").get_data(as_text=True)
    response = client.post(f"/admin/members/{member.id}/role", data={"role": "service"})
    assert response.status_code == 302
    assert db.session.get(User, member.id).role == "service"
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.actor_id, entry.target_id, entry.details) == (
        "user.role", admin.id, member.id, {"before": "member", "after": "service"})
    assert members_device.get("/account/").status_code == 302  # log in again with the new role


@pytest.mark.parametrize("forged", ["superuser", "", "ADMIN", "admin ", "1", "guest"])
def test_forged_role_values_are_refused(client, db, login, forged):
    member = factories.make_member()
    login("admin")
    response = client.post(f"/admin/members/{member.id}/role?lang=en", data={"role": forged})
    assert response.status_code == 400
    assert "Not a valid choice." in response.get_data(as_text=True)
    assert db.session.get(User, member.id).role == "member"
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_nobody_edits_their_own_role(client, db, login):
    admin = login("admin")
    page = client.get(f"/admin/members/{admin.id}").get_data(as_text=True)
    assert 'id="role-form"' not in page
    response = client.post(f"/admin/members/{admin.id}/role?lang=en", data={"role": "member"})
    assert response.status_code == 400
    assert "You cannot change your own role." in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).role == "admin"


@pytest.mark.parametrize("role", ["member", "partner", "service", "marketing"])
def test_only_admins_change_roles(client, db, login, role):
    target = factories.make_member()
    login(role)
    assert client.post(f"/admin/members/{target.id}/role", data={"role": "admin"}).status_code == 403
    assert db.session.get(User, target.id).role == "member"


# --- linking units ------------------------------------------------------------------

def _link(client, member, unit, **overrides):
    data = {"development": str(unit.building.development_id), "building": unit.building.name,
            "unit_number": unit.number, "contract_number": "", "purchased_on": ""}
    data.update(overrides)
    return client.post(f"/admin/members/{member.id}/units?lang=en", data=data)


def test_staff_link_a_unit_directly(client, db, login):
    member = factories.make_member(locale="en")
    unit = factories.make_unit("Cloud Peak", "A座", "1203")
    staff = login("service")
    response = _link(client, member, unit, contract_number="CP-1203", purchased_on="2025-09-02")
    assert response.status_code == 302
    ownership = db.session.scalars(select(Ownership)).one()
    assert (ownership.user_id, ownership.status, ownership.decided_by_id) == (member.id, "verified",
                                                                              staff.id)
    assert db.session.scalars(select(AuditEntry)).one().action == "ownership.link"
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == member.id)) == 1


def test_linking_verifies_a_pending_request(client, db, login):
    member = factories.make_member()
    ownership = factories.make_ownership(member, verified=False)
    login("admin")
    assert _link(client, member, ownership.unit).status_code == 302
    db.session.refresh(ownership)
    assert ownership.status == "verified"
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("unit_number", "nope", "We cannot find this unit."),
    ("development", "424242", "Not a valid choice."),
    ("building", "", "Enter the building."),
    ("contract_number", "x" * 65, "Field cannot be longer than 64 characters."),
    ("purchased_on", "yesterday", "Not a valid date value."),
])
def test_bad_link_input_saves_nothing(client, db, login, field, value, message):
    member = factories.make_member()
    unit = factories.make_unit()
    login("service")
    response = _link(client, member, unit, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ownership)) == 0


def test_linking_an_owned_unit_again_is_refused(client, db, login):
    member = factories.make_member()
    ownership = factories.make_ownership(member)
    login("service")
    response = _link(client, member, ownership.unit)
    assert response.status_code == 400
    assert "This member already owns this unit." in response.get_data(as_text=True)


def test_marketing_cannot_link_units(client, db, login):
    member = factories.make_member()
    unit = factories.make_unit()
    login("marketing")
    page = client.get(f"/admin/members/{member.id}").get_data(as_text=True)
    assert 'id="link-unit-form"' not in page
    assert _link(client, member, unit).status_code == 403


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "abc", "2", "9999999"])
def test_member_list_and_queue_clamp_the_page(client, db, login, page):
    factories.make_member(display_name="Only One")
    factories.make_ownership(factories.make_member(display_name="Waiting Wu"), verified=False)
    login("service")
    members = client.get(f"/admin/members?page={page}&lang=en")
    assert members.status_code == 200
    assert ">Only One</a>" in members.get_data(as_text=True)  # past the end: the last page
    queue = client.get(f"/admin/homes?page={page}&lang=en")
    assert queue.status_code == 200
    assert "Waiting Wu" in queue.get_data(as_text=True)


@pytest.mark.parametrize(("lang", "member", "admin"), [("zh_Hant", "會員", "管理員"),
                                                      ("zh_Hans", "会员", "管理员"),
                                                      ("en", "Member", "Administrator")])
def test_role_labels_are_translated_with_their_context(client, db, login, lang, member, admin):
    """"Member" the role is not the base tier (普通會員) nor a column heading."""
    factories.make_member(display_name="Role Reader")
    login("admin", display_name="The Admin", locale=lang)
    page = client.get("/admin/members").get_data(as_text=True)
    assert f">{member}</td>" in page and f">{admin}</td>" in page
