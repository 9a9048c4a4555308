"""The complaint workflow and its clocks, driven by an injected `now`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.forum import complaints
from portal.forum.common import ForumError
from portal.forum.models import ComplaintEvent, DepartmentLead
from portal.notifications.models import Notification
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply

T0 = datetime(2026, 3, 2, 9, 0)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


@pytest.fixture
def staff(db):
    return factories.make_user("service")


@pytest.fixture
def complaint(db):
    category = make_category("complaint", first_response_hours=24, resolution_hours=168)
    return make_complaint(category=category, now=T0)


def test_new_complaint_starts_both_clocks(complaint):
    assert complaint.status == "open"
    assert complaint.first_response_due_at == hours(24)
    assert complaint.resolution_due_at == hours(168)
    assert complaint.next_due_at == hours(24)
    assert [e.to_status for e in complaint.history] == ["open"]


def test_first_official_reply_stops_the_first_clock_and_acknowledges(complaint, staff):
    make_reply(complaint.thread, factories.make_member(), now=hours(1))
    assert complaint.first_response_at is None  # a member's reply is not an answer
    make_reply(complaint.thread, staff, now=hours(3))
    assert complaint.first_response_at == hours(3)
    assert complaint.status == "acknowledged"
    assert complaint.next_due_at == hours(168)
    clock = complaints.clock(complaint, hours(5))
    assert clock.first_response_seconds == 3 * 3600 and clock.waiting_seconds is None
    assert not clock.first_response_overdue
    make_reply(complaint.thread, staff, now=hours(4))
    assert complaint.first_response_at == hours(3)  # only the first one counts


def test_internal_note_is_not_a_first_response(complaint, staff):
    make_reply(complaint.thread, staff, now=hours(2), internal=True)
    assert complaint.first_response_at is None and complaint.status == "open"


def test_waiting_clock_and_overdue_first_response(complaint):
    clock = complaints.clock(complaint, hours(26))
    assert clock.waiting_seconds == 26 * 3600
    assert clock.first_response_overdue and clock.is_overdue
    assert not complaints.clock(complaint, hours(23)).first_response_overdue


def test_waiting_for_homeowner_pauses_the_resolution_clock(complaint, staff):
    make_reply(complaint.thread, staff, now=hours(1))
    complaints.change_status(complaint, staff, "waiting", now=hours(10))
    assert complaint.next_due_at is None  # no clock runs
    assert complaints.clock(complaint, hours(100)).is_paused
    assert complaints.clock(complaint, hours(100)).resolution_due_at == hours(168 + 90)
    # The homeowner answers 50 hours later: the clock runs again, 50 hours later.
    make_reply(complaint.thread, complaint.thread.author, now=hours(60))
    assert complaint.status == "in_progress"
    assert complaint.paused_seconds == 50 * 3600
    assert complaint.resolution_due_at == hours(218)
    assert complaint.next_due_at == hours(218)
    complaints.change_status(complaint, staff, "resolved", now=hours(200))
    clock = complaints.clock(complaint, hours(300))
    assert clock.resolved_in_seconds == 150 * 3600
    assert not clock.resolution_overdue


def test_staff_can_resume_from_waiting(complaint, staff):
    complaints.change_status(complaint, staff, "waiting", now=hours(2))
    complaints.change_status(complaint, staff, "in_progress", now=hours(5))
    assert complaint.paused_seconds == 3 * 3600 and complaint.waiting_since is None


def test_full_path_and_history(complaint, staff, db):
    for status, at in [("acknowledged", 1), ("in_progress", 2), ("waiting", 3),
                       ("in_progress", 4), ("resolved", 5), ("closed", 6)]:
        complaints.change_status(complaint, staff, status, now=hours(at))
    assert complaint.closed_at == hours(6) and complaint.resolved_at == hours(5)
    assert [e.to_status for e in complaint.history] == [
        "open", "acknowledged", "in_progress", "waiting", "in_progress", "resolved", "closed"]
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint.status"))
    assert len(audit.all()) == 6


@pytest.mark.parametrize("path", [
    ["resolved", "open"], ["resolved", "waiting"], ["closed"], ["resolved", "closed", "in_progress"],
    ["in_progress", "acknowledged"], ["in_progress", "open"], ["nonsense"],
])
def test_invalid_transitions_are_refused(complaint, staff, path):
    *allowed, refused = path
    for status in allowed:
        complaints.change_status(complaint, staff, status, now=hours(1))
    before = complaint.status
    with pytest.raises(ForumError):
        complaints.change_status(complaint, staff, refused, now=hours(2))
    assert complaint.status == before


def test_members_cannot_change_status(complaint):
    with pytest.raises(ForumError):
        complaints.change_status(complaint, complaint.thread.author, "resolved")


def test_author_reopens_within_14_days_only(complaint, staff):
    complaints.change_status(complaint, staff, "resolved", now=hours(10))
    author = complaint.thread.author
    with pytest.raises(ForumError):
        complaints.reopen(complaint, factories.make_member(), now=hours(11))
    with pytest.raises(ForumError):
        complaints.reopen(complaint, author, now=hours(10 + 14 * 24 + 1))
    complaints.reopen(complaint, author, now=hours(20))
    assert complaint.status == "in_progress" and complaint.resolved_at is None
    assert complaint.paused_seconds == 10 * 3600  # the resolved spell does not count
    assert complaint.history[-1].kind == "reopened"


def test_closed_complaint_can_be_reopened_within_the_window(complaint, staff):
    complaints.change_status(complaint, staff, "resolved", now=hours(1))
    complaints.change_status(complaint, staff, "closed", now=hours(2))
    complaints.reopen(complaint, complaint.thread.author, now=hours(3))
    assert complaint.status == "in_progress" and complaint.closed_at is None


def test_reopen_tells_the_assignee(complaint, staff, db):
    complaints.assign(complaint, factories.make_user("admin"), assignee=staff)
    complaints.change_status(complaint, staff, "resolved", now=hours(1))
    complaints.reopen(complaint, complaint.thread.author, now=hours(2))
    notes = db.session.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
    assert any("reopened" in n.message for n in notes)


def test_rating_after_resolve_once(complaint, staff):
    author = complaint.thread.author
    with pytest.raises(ForumError):
        complaints.rate(complaint, author, 5)
    complaints.change_status(complaint, staff, "resolved", now=hours(1))
    with pytest.raises(ForumError):
        complaints.rate(complaint, staff, 5)
    for bad in (0, 6, "5"):
        with pytest.raises(ForumError):
            complaints.rate(complaint, author, bad)
    complaints.rate(complaint, author, 4, "  quick  ", now=hours(2))
    assert (complaint.rating, complaint.rating_comment) == (4, "quick")
    with pytest.raises(ForumError):
        complaints.rate(complaint, author, 5)


def test_assign_department_priority_and_assignee(complaint, staff, db, caplog):
    admin = factories.make_user("admin")
    caplog.set_level("INFO", logger="portal.notifications.services")
    complaints.assign(complaint, admin, department="engineering", assignee=staff,
                      priority="urgent")
    assert (complaint.department, complaint.priority, complaint.assignee_id) == (
        "engineering", "urgent", staff.id)
    db.session.commit()
    # The assignee is told in the app, and by e-mail as their setting (default: every alert) says.
    assert f"e-mail to {staff.email}: Complaint {complaint.ticket_number}" in caplog.text
    assert db.session.scalar(select(Notification).where(Notification.user_id == staff.id))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.assign"))
    assert entry.details["department"] == ["customer_service", "engineering"]
    with pytest.raises(ForumError):
        complaints.assign(complaint, admin, assignee=factories.make_member())
    with pytest.raises(ForumError):
        complaints.assign(complaint, admin, department="nope")
    with pytest.raises(ForumError):
        complaints.assign(complaint, admin, priority="nope")
    with pytest.raises(ForumError):
        complaints.assign(complaint, factories.make_member(), priority="low")
    complaints.assign(complaint, admin, assignee=None)
    assert complaint.assignee_id is None


def test_escalation_sweep_is_idempotent_and_tells_lead_and_admins(db, staff, caplog):
    category = make_category("complaint", first_response_hours=24, resolution_hours=48,
                             default_department="engineering")
    late_answer = make_complaint(category=category, now=T0)
    never_answered = make_complaint(category=category, now=T0)
    fine = make_complaint(category=category, now=hours(20))
    make_reply(late_answer.thread, staff, now=hours(2))
    waiting = make_complaint(category=category, now=T0)
    make_reply(waiting.thread, staff, now=hours(1))
    complaints.change_status(waiting, staff, "waiting", now=hours(2))
    lead = factories.make_user("service")
    complaints.set_department_lead("engineering", lead, factories.make_user("admin"))
    admins = [u for u in [factories.make_user("admin")]]

    caplog.set_level("INFO", logger="portal.notifications.services")
    count, emails = complaints.escalate_overdue(hours(30))
    assert count == 1 and never_answered.escalation_reason == "first_response"
    assert late_answer.escalated_at is None and fine.escalated_at is None
    assert "e-mail to" not in caplog.text  # the e-mails leave after the commit
    db.session.commit()
    for user in (lead, admins[0]):
        assert f"e-mail to {user.email}: Escalated complaint C-" in caplog.text
        assert db.session.scalar(select(Notification).where(
            Notification.user_id == user.id, Notification.message.like("%escalated%")))
    assert caplog.text.count(": Escalated complaint C-") == emails >= 2

    count, _ = complaints.escalate_overdue(hours(30))
    assert count == 0  # nothing twice
    count, _ = complaints.escalate_overdue(hours(60))
    assert count == 2  # resolution overdue (late_answer, fine); waiting is paused
    assert late_answer.escalation_reason == "resolution"
    assert waiting.escalated_at is None
    events = db.session.scalars(select(ComplaintEvent).where(ComplaintEvent.kind == "escalated"))
    assert len(events.all()) == 3


def test_member_escalate_button_after_first_response_target(complaint):
    author = complaint.thread.author
    with pytest.raises(ForumError):
        complaints.member_escalate(complaint, author, "No answer yet", now=hours(23))
    with pytest.raises(ForumError):
        complaints.member_escalate(complaint, factories.make_member(), "x", now=hours(25))
    complaints.member_escalate(complaint, author, "No answer yet", now=hours(25))
    assert complaint.escalation_reason == "member" and complaint.escalated_at == hours(25)
    with pytest.raises(ForumError):
        complaints.member_escalate(complaint, author, "No answer yet", now=hours(26))


def test_targets_are_copied_when_raised(db):
    category = make_category("complaint", first_response_hours=4, resolution_hours=10)
    complaint = make_complaint(category=category, now=T0)
    category.first_response_hours = 100
    assert complaint.first_response_due_at == hours(4)


def test_department_leads(db):
    admin, handler = factories.make_user("admin"), factories.make_user("service")
    complaints.set_department_lead("design", handler, admin)
    assert db.session.get(DepartmentLead, "design").user_id == handler.id
    other = factories.make_user("service")
    complaints.set_department_lead("design", other, admin)
    assert db.session.get(DepartmentLead, "design").user_id == other.id
    complaints.set_department_lead("design", None, admin)
    assert db.session.get(DepartmentLead, "design") is None
    with pytest.raises(ForumError):
        complaints.set_department_lead("nope", handler, admin)
    with pytest.raises(ForumError):
        complaints.set_department_lead("design", factories.make_member(), admin)


def test_queue_filters_and_order(db, staff):
    category = make_category("complaint", first_response_hours=24)
    soon = make_complaint(category=category, now=T0)
    later = make_complaint(category=category, now=hours(5))
    done = make_complaint(category=category, now=hours(1))
    complaints.change_status(done, staff, "resolved", now=hours(2))
    waiting = make_complaint(category=category, now=hours(1))
    make_reply(waiting.thread, staff, now=hours(1.5))
    complaints.change_status(waiting, staff, "waiting", now=hours(2))
    complaints.assign(later, staff, assignee=staff, department="sales")

    def ids(**filters):
        query = complaints.queue_query(complaints.QueueFilters(**filters), staff, hours(26))
        return [c.id for c in db.session.scalars(query).unique()]

    assert ids() == [soon.id, later.id, waiting.id]  # due first on top; no clock last
    assert ids(status="all") == [soon.id, later.id, done.id, waiting.id]
    assert ids(status="resolved") == [done.id]
    assert ids(department="sales") == [later.id]
    assert ids(assignee="me") == [later.id]
    assert ids(assignee=str(staff.id)) == [later.id]
    assert ids(assignee="none") == [soon.id, waiting.id]
    assert ids(overdue=True) == [soon.id]
    assert ids(development_id=123456) == []
