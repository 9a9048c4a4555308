"""Complaints reach the right person: department staff, their alerts (in the app at once,
by e-mail per their own setting), and complaints staff record for a homeowner who phoned
or walked in."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.forum import complaints, services
from portal.forum.common import ForumError
from portal.forum.models import Complaint, DepartmentStaff, Thread
from portal.notifications.models import Notification, NotificationSetting
from portal.notifications.services import set_staff_emails
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply


def notices(db, user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


@pytest.fixture
def engineering(db):
    """A complaint category of the engineering department with two of its staff (one who
    wants every alert by e-mail, one only escalations) and a handler of another one."""
    category = make_category("complaint", default_department="engineering")
    admin = factories.make_user("admin")
    every = factories.make_user("service", email="every@example.com")
    urgent = factories.make_user("service", email="urgent@example.com")
    other = factories.make_user("service", email="other@example.com")
    for user in (every, urgent):
        complaints.add_department_staff("engineering", user, admin)
    complaints.add_department_staff("property", other, admin)
    set_staff_emails(urgent, "urgent")
    db.session.commit()
    return category, every, urgent, other


def test_a_new_complaint_tells_its_department_in_the_app_and_by_each_ones_setting(
        db, engineering, caplog):
    category, every, urgent, other = engineering
    caplog.set_level("INFO", logger="portal.notifications.services")
    author = factories.make_member()
    complaint = make_complaint(author, category, title="Water in the lift pit")
    db.session.commit()
    for user in (every, urgent):
        (note,) = notices(db, user)
        assert note.link == f"/forum/t/{complaint.thread_id}"
        assert note.params["ticket"] == complaint.ticket_number
    assert notices(db, other) == [] and notices(db, author) == []
    assert "e-mail to every@example.com" in caplog.text
    assert f"/forum/t/{complaint.thread_id}" in caplog.text  # the link is in the e-mail
    assert "urgent@example.com" not in caplog.text  # only escalations by e-mail


def test_an_escalation_reaches_the_staff_who_want_only_escalations(db, engineering, caplog):
    category, every, urgent, _other = engineering
    complaint = make_complaint(factories.make_member(), category)
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    complaints.escalate(complaint, "first_response")
    db.session.commit()
    assert "e-mail to urgent@example.com" in caplog.text
    assert "e-mail to every@example.com" in caplog.text
    assert len(notices(db, urgent)) == 2  # arrival and escalation, in the app
    assert complaints.escalate(complaint, "first_response") == 0  # once only
    db.session.commit()
    assert len(notices(db, urgent)) == 2


def test_staff_who_choose_no_emails_are_told_only_in_the_app(db, engineering, caplog):
    category, every, _urgent, _other = engineering
    set_staff_emails(every, "none")
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    complaint = make_complaint(factories.make_member(), category)
    complaints.escalate(complaint, "resolution")
    db.session.commit()
    assert len(notices(db, every)) == 2 and "every@example.com" not in caplog.text


def test_a_reopened_complaint_tells_the_department_and_the_assignee_once(db, engineering):
    category, every, urgent, other = engineering
    author = factories.make_member()
    complaint = make_complaint(author, category)
    complaints.assign(complaint, other, assignee=every)
    make_reply(complaint.thread, other)
    complaints.change_status(complaint, other, "resolved")
    before = {user.id: len(notices(db, user)) for user in (every, urgent, other)}
    complaints.reopen(complaint, author)
    assert len(notices(db, every)) == before[every.id] + 1  # in the department and assignee
    assert len(notices(db, urgent)) == before[urgent.id] + 1
    assert len(notices(db, other)) == before[other.id]


def test_an_agent_is_told_of_a_complaint_assigned_to_them(db, engineering, caplog):
    category, every, _urgent, other = engineering
    complaint = make_complaint(factories.make_member(), category)
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    complaints.assign(complaint, every, assignee=other)
    db.session.commit()
    (note,) = notices(db, other)
    assert note.message.startswith("You were assigned")
    assert "e-mail to other@example.com" in caplog.text


def test_inactive_staff_are_not_told(db, engineering):
    category, every, _urgent, _other = engineering
    every.is_active_account = False
    make_complaint(factories.make_member(), category)
    assert notices(db, every) == []


# --- the departments page --------------------------------------------------------------

def test_admin_adds_and_removes_department_staff(client, login, db):
    login("admin")
    handler = factories.make_user("service", display_name="Ada Agent")
    db.session.commit()
    response = client.post("/admin/forum/departments/staff", data={
        "staff-department": "engineering", "staff-user": str(handler.id)}, follow_redirects=True)
    assert response.status_code == 200 and "Ada Agent" in response.get_data(as_text=True)
    assert db.session.get(DepartmentStaff, ("engineering", handler.id)) is not None
    again = client.post("/admin/forum/departments/staff", data={
        "staff-department": "engineering", "staff-user": str(handler.id)})
    assert again.status_code == 400 and "already belongs" in again.get_data(as_text=True)
    removed = client.post(f"/admin/forum/departments/staff/engineering/{handler.id}/remove")
    assert removed.status_code == 302
    assert db.session.get(DepartmentStaff, ("engineering", handler.id)) is None
    assert client.post(f"/admin/forum/departments/staff/engineering/{handler.id}/remove").status_code == 404
    assert client.post(f"/admin/forum/departments/staff/nowhere/{handler.id}/remove").status_code == 404
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["complaint.department_staff.add", "complaint.department_staff.remove"]


@pytest.mark.parametrize("posted", [{"staff-department": "engineering", "staff-user": "member"},
                                    {"staff-department": "nowhere", "staff-user": "handler"},
                                    {"staff-department": "engineering", "staff-user": "99999999999999"},
                                    {"staff-department": "engineering", "staff-user": "x\x00"}])
def test_department_staff_refuses_bad_choices(client, login, db, posted):
    login("admin")
    people = {"member": factories.make_member(), "handler": factories.make_user("service")}
    db.session.commit()
    data = {key: str(people[value].id) if value in people else value for key, value in posted.items()}
    response = client.post("/admin/forum/departments/staff", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DepartmentStaff)) == 0


def test_only_handlers_belong_to_departments(db):
    admin = factories.make_user("admin")
    with pytest.raises(ForumError):
        complaints.add_department_staff("engineering", factories.make_user("marketing"), admin)
    with pytest.raises(ForumError):
        complaints.add_department_staff("nowhere", factories.make_user("service"), admin)


# --- notification settings ---------------------------------------------------------------

def test_staff_choose_which_alerts_come_by_email(client, login, db):
    staff = login("service")
    page = client.get("/notifications/settings")
    checked_all = 'checked class="form-check-input" id="staff_emails-0"'  # the default: every alert
    assert page.status_code == 200 and checked_all in page.get_data(as_text=True)
    response = client.post("/notifications/settings", data={"staff_emails": "urgent"})
    assert response.status_code == 302
    assert db.session.get(NotificationSetting, staff.id).staff_emails == "urgent"
    bad = client.post("/notifications/settings", data={"staff_emails": "sometimes"})
    assert bad.status_code == 400
    assert db.session.get(NotificationSetting, staff.id).staff_emails == "urgent"


# --- complaints recorded for a homeowner -------------------------------------------------

@pytest.fixture
def homeowner(db):
    unit = factories.make_unit(building="3", number="1502")
    owner = factories.make_member(display_name="Chan Tai Man", email="chan@example.com")
    factories.make_ownership(owner, unit)
    db.session.commit()
    return owner, unit


def test_staff_find_the_homeowner_by_unit_and_record_a_phoned_complaint(
        client, login, db, homeowner, engineering, caplog):
    owner, unit = homeowner
    category, every, _urgent, _other = engineering
    staff = login("service", display_name="Sam Service")
    found = client.get("/admin/complaints/record?q=3-1502").get_data(as_text=True)
    assert "Chan Tai Man" in found and f"/admin/complaints/record/{owner.id}" in found
    form = client.get(f"/admin/complaints/record/{owner.id}").get_data(as_text=True)
    assert f'<option selected value="{unit.id}"' in form or f'value="{unit.id}" selected' in form
    caplog.set_level("INFO", logger="portal.notifications.services")
    response = client.post(f"/admin/complaints/record/{owner.id}", data={
        "channel": "phone", "category": category.slug, "unit": str(unit.id),
        "title": "Gate keeps failing", "body": "Mr Chan phoned: the car park gate fails."})
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread).where(Thread.title == "Gate keeps failing"))
    complaint = thread.complaint
    assert thread.author_id == owner.id and complaint.unit_id == unit.id
    assert complaint.channel == "phone" and complaint.recorded_by_id == staff.id
    assert [n.message for n in notices(db, owner)][0].startswith("Staff recorded your complaint")
    assert "e-mail to chan@example.com" in caplog.text
    assert len(notices(db, every)) == 1  # the department hears of it as of any other
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.record"))
    assert entry.actor_id == staff.id and entry.details["channel"] == "phone"
    queue = client.get("/admin/complaints/?channel=phone").get_data(as_text=True)
    assert "Gate keeps failing" in queue and "recorded by Sam Service" in queue
    assert "Gate keeps failing" not in client.get("/admin/complaints/?channel=walk_in").get_data(as_text=True)
    # The homeowner sees it as their own.
    log_in_as(client, owner)
    page = client.get(f"/forum/t/{thread.id}")
    assert page.status_code == 200 and "Gate keeps failing" in page.get_data(as_text=True)


def log_in_as(client, user):
    from tests.conftest import log_in

    log_in(client, user)


@pytest.mark.parametrize("field, value", [("channel", "online"), ("channel", "pigeon"),
                                          ("category", "no-such"), ("unit", "99999"),
                                          ("title", ""), ("body", "\x00")])
def test_a_refused_recorded_complaint_saves_nothing(client, login, db, homeowner, engineering,
                                                    field, value):
    owner, unit = homeowner
    category = engineering[0]
    login("service")
    data = {"channel": "walk_in", "category": category.slug, "unit": str(unit.id),
            "title": "Cracked tiles", "body": "Three tiles cracked.", field: value}
    response = client.post(f"/admin/complaints/record/{owner.id}", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    assert notices(db, owner) == []


def test_complaints_are_recorded_for_homeowners_only(client, login, db, engineering):
    login("service")
    staff = factories.make_user("marketing")
    suspended = factories.make_member(is_active_account=False)
    db.session.commit()
    assert client.get(f"/admin/complaints/record/{staff.id}").status_code == 404
    assert client.get(f"/admin/complaints/record/{suspended.id}").status_code == 404
    assert client.get("/admin/complaints/record/99999999999999999").status_code == 404
    with pytest.raises(ForumError):
        services.record_complaint(factories.make_user("service"), staff, engineering[0], "T", "B",
                                  channel="phone")


def test_a_silenced_homeowner_who_phones_is_still_heard(db, homeowner, engineering):
    from portal.forum import moderation

    owner, _unit = homeowner
    handler = factories.make_user("service")
    moderation.silence_member(handler, owner, days=7, reason="Spam")
    post = services.record_complaint(handler, owner, engineering[0], "Lift stuck", "Stuck again.",
                                     channel="phone")
    assert post.thread.complaint.channel == "phone"
