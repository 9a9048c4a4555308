import pytest

from portal.audit.services import record_action
from tests.factories import make_user


def test_admin_reads_the_audit_log_with_a_filter(client, login, db):
    admin = login("admin")
    staff = make_user("service")
    record_action(staff, "ownership.approve", staff, {"unit": "1棟 801"}, "10.0.0.1")
    record_action(None, "points.expire", None, {"rows": 3})
    page = client.get("/admin/audit/?action=ownership.approve&lang=en").get_data(as_text=True)
    assert "Approved a home" in page and "1棟 801" in page and "10.0.0.1" in page
    assert "points.expire" not in page
    assert admin.id


def test_details_are_escaped(client, login, db):
    login("admin")
    record_action(None, "x.test", None, {"name": '"><svg onload=alert(1)>'})
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "<svg onload" not in page


def test_the_action_filter_takes_only_known_actions(client, login, db):
    login("admin")
    record_action(None, "ownership.approve", None)
    for action in ("%25", "_", "ownership", "ownership.approve%00"):
        response = client.get(f"/admin/audit/?action={action}")
        assert response.status_code == 400, action


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "x", "3"])
def test_the_log_clamps_the_page(client, login, db, page):
    login("admin")
    record_action(None, "points.expire", None, {"rows": 3})
    response = client.get(f"/admin/audit/?page={page}")
    assert response.status_code == 200
    assert "points.expire" in response.get_data(as_text=True)


def test_only_admins_read_the_log(client, login, db):
    login("service")
    assert client.get("/admin/audit/").status_code == 403
