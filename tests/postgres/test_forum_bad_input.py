"""Forged ids and NUL bytes in the forum's forms and filters, on PostgreSQL (whose
`integer` ids overflow past 2**31-1 and whose text cannot hold NUL): a translated form
error or a normal page, never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.forum.models import Complaint, Post
from tests import factories
from tests.conftest import log_in
from tests.forum.helpers import make_complaint, make_thread
from tests.support.race import migrated_postgres_app

pytestmark = pytest.mark.postgres

HUGE = "99999999999999999999"
JUST_TOO_BIG = "2147483648"  # one past PostgreSQL's integer


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "forum_input") as app:
        yield app


@pytest.fixture
def staff_client(pg_app):
    client = pg_app.test_client()
    staff = factories.make_user("service", locale="en")
    db.session.commit()
    log_in(client, staff)
    return client


@pytest.mark.parametrize("value", [HUGE, JUST_TOO_BIG])
def test_forged_assignee_is_a_form_error(staff_client, value):
    complaint = make_complaint()
    db.session.commit()
    response = staff_client.post(f"/admin/complaints/{complaint.id}", data={
        "status": "open", "department": "customer_service", "assignee": value,
        "priority": "normal"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose values from the lists." in page
    assert "Enter a whole number." in page or "Not a valid choice." in page
    assert db.session.get(Complaint, complaint.id).assignee_id is None


@pytest.mark.parametrize("value", [HUGE, JUST_TOO_BIG])
def test_forged_bulk_assignment_is_refused(staff_client, value):
    complaint = make_complaint()
    db.session.commit()
    for data in ({"complaint_ids": [value], "assignee": ""},
                 {"complaint_ids": [str(complaint.id)], "assignee": value}):
        response = staff_client.post("/admin/complaints/assign", data=data, follow_redirects=True)
        assert response.status_code == 200
        assert "Choose complaints and someone to assign them to." in response.get_data(as_text=True)


@pytest.mark.parametrize("value", [HUGE, JUST_TOO_BIG])
def test_queue_filters_and_merge_with_forged_ids(staff_client, value):
    make_complaint(title="Listed")
    thread = make_thread()
    db.session.commit()
    for name in ("assignee", "development", "page"):
        page = staff_client.get(f"/admin/complaints/?{name}={value}")
        assert page.status_code == 200 and "Listed" in page.get_data(as_text=True)
    assert staff_client.get(f"/forum/t/{thread.id}?quote={value}&canned={value}").status_code == 200
    assert staff_client.post(f"/admin/forum/threads/{thread.id}/merge",
                             data={"target_id": value}).status_code == 303


def test_nul_byte_in_a_reply_is_refused(staff_client):
    thread = make_thread()
    db.session.commit()
    response = staff_client.post(f"/forum/t/{thread.id}/reply", data={"body": "a\x00b"})
    assert response.status_code == 400
    assert "This field contains characters that are not allowed." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Post).where(
        Post.thread_id == thread.id)) == 1
