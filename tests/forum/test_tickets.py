"""Complaints as service tickets: ticket numbers, the progress line, due times, the star
rating with words, plain field labels, the one-unit default, escalation with a reason,
canned-reply blanks, and the handler's "assigned to me" home panel."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.extensions import db as _db
from portal.forum import complaints, services
from portal.forum.common import ForumError
from portal.forum.complaints.tickets import format_ticket, parse_ticket
from portal.forum.models import Complaint, DepartmentLead
from portal.notifications.models import Notification
from portal.notifications.services import render_message
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply

T0 = datetime(2026, 3, 2, 9, 0)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


# --- ticket numbers --------------------------------------------------------------------

def test_every_complaint_gets_a_stored_ticket_number(db):
    first, second = make_complaint(now=T0), make_complaint(now=T0)
    assert first.ticket_number == f"C-2026-{first.id:06d}"
    assert second.ticket_number == f"C-2026-{second.id:06d}" != first.ticket_number
    stored = db.session.scalar(select(Complaint.ticket_number).where(Complaint.id == first.id))
    assert stored == first.ticket_number


def test_the_ticket_year_is_the_clubs_year(app):
    # 17:00 UTC on New Year's Eve is already the new year in Asia/Shanghai.
    assert format_ticket(7, datetime(2026, 12, 31, 17, 0)) == "C-2027-000007"
    assert format_ticket(7, datetime(2026, 12, 31, 15, 0)) == "C-2026-000007"
    assert format_ticket(1234567, datetime(2026, 5, 1)) == "C-2026-1234567"


@pytest.mark.parametrize(("text", "expected"), [
    ("C-2026-000123", "C-2026-000123"), ("c-2026-123", "C-2026-000123"),
    (" C 2026 000123 ", "C-2026-000123"), ("C2026000123", "C-2026-000123"),
    ("C-2026-000000", None), ("C-26-1", None), ("2026-000123", None), ("漏水", None),
    ("C-2026-1' OR 1=1--", None), ("", None), ("C-2026-" + "9" * 13, None),
])
def test_parse_ticket(text, expected):
    assert parse_ticket(text) == expected


def test_ticket_number_on_thread_queue_panel_and_notifications(client, login, db):
    member = login("member")
    complaint = make_complaint(member)
    staff = factories.make_user("service")
    complaints.assign(complaint, staff, assignee=staff)
    complaints.change_status(complaint, staff, "in_progress")
    db.session.commit()
    ticket = complaint.ticket_number
    assert ticket in client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert ticket in client.get("/").get_data(as_text=True)
    note = db.session.scalar(select(Notification).where(Notification.user_id == member.id))
    assert ticket in render_message(note)
    client.get("/auth/logout")
    login("service")
    assert ticket in client.get("/admin/complaints/").get_data(as_text=True)


def test_queue_finds_a_complaint_by_ticket_number(client, login, db):
    login("service")
    wanted, other = make_complaint(), make_complaint()
    db.session.commit()
    page = client.get("/admin/complaints/", query_string={
        "ticket": wanted.ticket_number.lower()}).get_data(as_text=True)
    assert wanted.thread.title in page and other.thread.title not in page
    for junk in ("not a ticket", "C-2026-" + "9" * 30, "C-2026-1%"):
        page = client.get("/admin/complaints/", query_string={"ticket": junk})
        assert page.status_code == 200 and other.thread.title in page.get_data(as_text=True)


def test_forum_search_finds_a_ticket_only_for_who_may_see_it(client, login, db):
    author = factories.make_member()
    private = make_complaint(author, is_private=True, title="Private leak")
    public = make_complaint(title="Public leak")
    db.session.commit()
    login("member")
    page = client.get("/forum/search", query_string={"q": public.ticket_number}).get_data(as_text=True)
    assert "Public leak" in page
    page = client.get("/forum/search", query_string={"q": private.ticket_number}).get_data(as_text=True)
    assert "Private leak" not in page
    client.get("/auth/logout")
    login("service")
    page = client.get("/forum/search", query_string={"q": private.ticket_number}).get_data(as_text=True)
    assert "Private leak" in page


# --- the progress line and due times ---------------------------------------------------

def _steps(complaint):
    line = complaints.progress(complaint, hours(1))
    return {step.code: step for step in line.steps}, line


def test_progress_line_follows_the_status_history(db):
    category = make_category("complaint", first_response_hours=24, resolution_hours=168)
    complaint = make_complaint(category=category, now=T0)
    staff = factories.make_user("service", display_name="Agent Wong")
    steps, line = _steps(complaint)
    assert steps["submitted"].done and steps["submitted"].current
    assert steps["submitted"].at == T0 and steps["submitted"].by == complaint.thread.author
    assert not steps["accepted"].done and steps["accepted"].at is None
    assert line.reply_due_at == hours(24) and line.resolution_due_at == hours(168)
    assert line.ticket_number == complaint.ticket_number

    make_reply(complaint.thread, staff, "We are on it", now=hours(2))
    steps, line = _steps(complaint)
    assert steps["accepted"].done and steps["accepted"].current
    assert (steps["accepted"].at, steps["accepted"].by) == (hours(2), staff)
    assert line.reply_due_at is None and line.resolution_due_at == hours(168)

    complaints.change_status(complaint, staff, "in_progress", now=hours(3))
    complaints.change_status(complaint, staff, "waiting", now=hours(4))
    steps, line = _steps(complaint)
    assert steps["in_progress"].current and steps["in_progress"].at == hours(4)
    assert line.is_waiting_for_owner and line.resolution_due_at is None

    complaints.change_status(complaint, staff, "resolved", now=hours(5))
    steps, line = _steps(complaint)
    assert all(step.done for step in steps.values()) and steps["resolved"].at == hours(5)
    assert line.reply_due_at is None and line.resolution_due_at is None


def test_a_skipped_step_is_reached_without_a_time(db):
    complaint = make_complaint(now=T0)
    staff = factories.make_user("service")
    complaints.change_status(complaint, staff, "resolved", now=hours(1))
    steps, _ = _steps(complaint)
    assert steps["accepted"].done and steps["accepted"].at is None
    assert steps["in_progress"].done and steps["in_progress"].at is None
    assert steps["resolved"].current and steps["resolved"].by == staff


def test_reopen_takes_the_resolved_step_back(db):
    complaint = make_complaint(now=T0)
    staff = factories.make_user("service")
    complaints.change_status(complaint, staff, "resolved", now=hours(1))
    complaints.reopen(complaint, complaint.thread.author, now=hours(2))
    steps, line = _steps(complaint)
    assert not steps["resolved"].done and steps["in_progress"].current
    assert steps["in_progress"].at == hours(2) and line.resolution_due_at is not None


def test_owner_sees_progress_and_due_times(client, login, db):
    member = login("member")
    complaint = make_complaint(member)
    db.session.commit()
    page = client.get(f"/forum/t/{complaint.thread_id}?lang=en").get_data(as_text=True)
    for text in ("Submitted", "Accepted", "In progress", "Resolved", "First reply due by",
                 "Resolution due by", 'aria-current="step"', complaint.ticket_number):
        assert text in page
    staff = factories.make_user("service", display_name="Agent Chan")
    make_reply(complaint.thread, staff, "Booked")
    db.session.commit()
    page = client.get(f"/forum/t/{complaint.thread_id}?lang=en").get_data(as_text=True)
    assert "Agent Chan" in page and "First reply due by" not in page


def test_progress_line_in_chinese(client, login, db):
    member = login("member", locale="zh_Hant")
    complaint = make_complaint(member)
    db.session.commit()
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert "編號" in page and "已提交" in page and "已受理" in page


# --- rating with words, plain labels, one unit ------------------------------------------

def test_rating_is_a_labelled_star_group(client, login, db):
    member = login("member")
    complaint = make_complaint(member)
    complaints.change_status(complaint, factories.make_user("service"), "resolved")
    db.session.commit()
    url = f"/forum/t/{complaint.thread_id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert page.count('class="star-rating-input"') == 5
    for word in ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"):
        assert word in page
    assert "<legend" in page
    assert client.post(url + "/rate", data={"rating": "0"}).status_code == 400
    assert client.post(url + "/rate", data={"rating": "abc"}).status_code == 400
    assert client.post(url + "/rate", data={"rating": "4"}).status_code == 302
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Rating: 4 / 5 (Satisfied)" in page


def test_rating_words_in_chinese(client, login, db):
    member = login("member", locale="zh_Hant")
    complaint = make_complaint(member)
    complaints.change_status(complaint, factories.make_user("service"), "resolved")
    db.session.commit()
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert "很不滿意" in page and "很滿意" in page


def test_body_field_is_labelled_in_plain_words(client, login, db):
    login("member")
    make_category("complaint")
    db.session.commit()
    for lang in ("en", "zh_Hant", "zh_Hans"):
        page = client.get(f"/forum/new?lang={lang}").get_data(as_text=True)
        assert "Markdown" not in page


def test_member_with_one_unit_defaults_to_it(client, login, db):
    member = login("member")
    unit = factories.make_ownership(member).unit
    make_category("complaint")
    db.session.commit()
    page = client.get("/forum/new").get_data(as_text=True)
    assert f'<option selected value="{unit.id}">' in page
    factories.make_ownership(member)
    db.session.commit()
    page = client.get("/forum/new").get_data(as_text=True)
    assert '<option selected value="">' in page.split('name="unit"', 1)[1].split("</select>", 1)[0]


# --- escalation with a reason ---------------------------------------------------------

def test_escalation_needs_a_reason_which_is_stored_shown_audited_and_sent(client, login, db):
    member = login("member")
    category = make_category("complaint", first_response_hours=1)
    complaint = make_complaint(member, category=category, now=datetime.utcnow() - timedelta(hours=3))
    lead = factories.make_user("service")
    _db.session.add(DepartmentLead(department=complaint.department, user_id=lead.id))
    db.session.commit()
    url = f"/forum/t/{complaint.thread_id}"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Why does this complaint need escalating?" in page
    for bad in ("", "   ", "x" * 501):
        refused = client.post(url + "/escalate?lang=en", data={"reason": bad})
        assert refused.status_code == 400 and complaint.escalated_at is None
    assert "Say why the complaint needs escalating." in client.post(
        url + "/escalate?lang=en", data={"reason": ""}).get_data(as_text=True)
    assert client.post(url + "/escalate", data={"reason": "Water  still\nleaking"}).status_code == 302
    assert complaint.escalation_note == "Water still leaking"
    page = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Reason: Water still leaking" in page
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.escalate"))
    assert audit.details == {"reason": "member", "note": "Water still leaking"}
    note = db.session.scalar(select(Notification).where(Notification.user_id == lead.id))
    assert "Water still leaking" in render_message(note)


def test_escalation_reason_escaped(client, login, db):
    member = login("member")
    category = make_category("complaint", first_response_hours=1)
    complaint = make_complaint(member, category=category, now=datetime.utcnow() - timedelta(hours=3))
    db.session.commit()
    url = f"/forum/t/{complaint.thread_id}"
    client.post(url + "/escalate", data={"reason": '"><svg onload=alert(1)>'})
    page = client.get(url).get_data(as_text=True)
    assert "<svg onload" not in page and "&lt;svg onload" in page


def test_member_escalate_service_refuses_without_reason(db, english):
    complaint = make_complaint(now=T0)
    author = complaint.thread.author
    with pytest.raises(ForumError, match="Say why"):
        complaints.member_escalate(complaint, author, " ", now=hours(25))
    with pytest.raises(ForumError, match="too long"):
        complaints.member_escalate(complaint, author, "x" * 501, now=hours(25))
    assert complaint.escalated_at is None


# --- canned-reply blanks --------------------------------------------------------------

def test_staff_reply_with_an_unfilled_blank_is_refused(db, english):
    staff = factories.make_user("service")
    services.save_canned_reply(None, staff, locale="en", title="Booked",
                               body="The repair is booked for **[date]**. See [the notice](/n).")
    complaint = make_complaint()
    thread = complaint.thread
    with pytest.raises(ForumError, match="［日期］"):
        services.reply(staff, thread, "維修已安排於 **［日期］**。")
    with pytest.raises(ForumError, match=r"\[Date\]"):
        services.reply(staff, thread, "The repair is booked for **[Date]**.")
    assert services.reply(staff, thread, "The repair is booked for **5 March**. See "
                                         "[the notice](/n).").is_official
    # Internal notes do not go out; members may write brackets as they please.
    assert services.reply(staff, thread, "Ask about ［日期］", internal=True).is_internal
    assert services.reply(thread.author, thread, "I wrote ［日期］ and [date]")


def test_staff_reply_blank_message_in_the_form(client, login, db):
    staff = login("service")
    complaint = make_complaint()
    db.session.commit()
    response = client.post(f"/forum/t/{complaint.thread_id}/reply?lang=en",
                           data={"body": "Booked for ［日期］ at ［時間］"})
    assert response.status_code == 400
    assert "Replace ［日期］ with the real details before sending." in response.get_data(as_text=True)
    staff.locale = "zh_Hant"
    db.session.commit()
    zh = client.post(f"/forum/t/{complaint.thread_id}/reply",
                     data={"body": "Booked for ［日期］"}).get_data(as_text=True)
    assert "［日期］" in zh and "Replace" not in zh


def test_official_edit_cannot_bring_a_blank_back(db, english):
    staff = factories.make_user("service")
    post = make_reply(make_complaint().thread, staff, "Booked for 5 March")
    with pytest.raises(ForumError, match="［日期］"):
        services.edit_post(staff, post, "Booked for ［日期］")


# --- the handler's home panel ----------------------------------------------------------

def test_handler_home_panel_lists_complaints_assigned_to_them(client, login, db):
    agent = login("service")
    mine = [make_complaint(title=f"Assigned {n}") for n in (1, 2)]
    other = make_complaint(title="Someone else's")
    done = make_complaint(title="Finished one")
    colleague = factories.make_user("service")
    for complaint in mine:
        complaints.assign(complaint, colleague, assignee=agent)
    complaints.assign(other, colleague, assignee=colleague)
    complaints.assign(done, colleague, assignee=agent)
    complaints.change_status(done, colleague, "resolved")
    make_complaint(agent, title="Raised by the agent")
    db.session.commit()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Complaints assigned to me" in page
    assert "Assigned 1" in page and "Assigned 2" in page
    assert "Someone else's" not in page and "Finished one" not in page
    assert "Raised by the agent" not in page


def test_handler_with_nothing_assigned_and_member_panel(client, login, db):
    login("service")
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "No complaints are assigned to you." in page
    client.get("/auth/logout")
    member = login("member")
    make_complaint(member, title="My own leak")
    db.session.commit()
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "My open complaints" in page and "My own leak" in page
