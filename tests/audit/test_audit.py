from portal.audit.services import record_action
from tests.factories import make_user


def test_admin_reads_the_audit_log_with_a_filter(client, login, db):
    admin = login("admin")
    staff = make_user("service")
    record_action(staff, "ownership.approve", staff, {"unit": "1棟 801"}, "10.0.0.1")
    record_action(None, "points.expire", None, {"rows": 3})
    page = client.get("/admin/audit/?action=ownership").get_data(as_text=True)
    assert "ownership.approve" in page and "1棟 801" in page and "10.0.0.1" in page
    assert "points.expire" not in page
    assert admin.id


def test_details_are_escaped(client, login, db):
    login("admin")
    record_action(None, "x.test", None, {"name": '"><svg onload=alert(1)>'})
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "<svg onload" not in page
