"""Staff pages: the complaint queue, complaint updates, canned replies, categories,
department leads, and moderation through the real forms."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.forum import services
from portal.forum.models import (
    CannedReply,
    Category,
    Complaint,
    DepartmentLead,
    ModerationAct,
    Post,
    Sanction,
    Thread,
)
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_queue_shows_clocks_sorted_by_what_falls_due_first(client, login, db):
    staff = login("service")
    now = utcnow()
    category = make_category("complaint", first_response_hours=24)
    later = make_complaint(category=category, title="Due later", now=now - timedelta(hours=1))
    overdue = make_complaint(category=category, title="Overdue one", now=now - timedelta(hours=30))
    answered = make_complaint(category=category, title="Answered one", now=now - timedelta(hours=5))
    make_reply(answered.thread, staff, now=now - timedelta(hours=2))
    page = client.get("/admin/complaints/?lang=en").get_data(as_text=True)
    assert page.index("Overdue one") < page.index("Due later")
    assert "waiting 30 h" in page and "overdue by 6 h" in page and "answered in 3 h" in page
    assert "table-danger" in page
    only_overdue = client.get("/admin/complaints/?overdue=1").get_data(as_text=True)
    assert "Overdue one" in only_overdue and "Due later" not in only_overdue
    assert later and overdue


def test_queue_filters_by_development(client, login, db):
    login("service")
    member = factories.make_member()
    unit = factories.make_ownership(member, factories.make_unit("Cloud Peak")).unit
    make_complaint(member, unit=unit, title="Cloud Peak leak")
    make_complaint(title="No unit")
    development_id = unit.building.development_id
    page = client.get(f"/admin/complaints/?development={development_id}").get_data(as_text=True)
    assert "Cloud Peak leak" in page and "No unit" not in page


def test_bulk_assign(client, login, db):
    login("service")
    handler = factories.make_user("service")
    first, second, untouched = make_complaint(), make_complaint(), make_complaint()
    response = client.post("/admin/complaints/assign", data={
        "complaint_ids": [str(first.id), str(second.id)], "assignee": str(handler.id),
        "next": "/admin/complaints/?status=all"})
    assert response.status_code == 302 and response.location.endswith("/admin/complaints/?status=all")
    assert first.assignee_id == second.assignee_id == handler.id and untouched.assignee_id is None
    member = factories.make_member()
    refused = client.post("/admin/complaints/assign", data={
        "complaint_ids": [str(untouched.id)], "assignee": str(member.id)})
    assert refused.status_code == 302 and untouched.assignee_id is None
    assert client.post("/admin/complaints/assign", data={
        "complaint_ids": ["999999"], "assignee": ""}).status_code == 404
    assert client.post("/admin/complaints/assign", data={
        "complaint_ids": [str(first.id)], "assignee": "",
        "next": "https://evil.example/"}).location.endswith("/admin/complaints/")
    assert first.assignee_id is None


def test_staff_update_resolves_and_the_author_rates(client, login, db):
    author = factories.make_member()
    complaint = make_complaint(author, title="Leak")
    staff = login("service")
    url = f"/admin/complaints/{complaint.id}"
    page = client.get(f"/forum/t/{complaint.thread_id}?lang=en").get_data(as_text=True)
    assert "Staff tools" in page and "Internal note (staff only)" in page
    reply = client.post(f"/forum/t/{complaint.thread_id}/reply", data={"body": "On our way."})
    assert reply.status_code == 302 and complaint.status == "acknowledged"
    response = client.post(url, data={"status": "resolved", "department": "engineering",
                                      "assignee": str(staff.id), "priority": "high"})
    assert response.status_code == 302
    assert (complaint.status, complaint.department, complaint.assignee_id, complaint.priority) == (
        "resolved", "engineering", staff.id, "high")
    actions = list(db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "forum_complaints")))
    assert actions == ["complaint.status", "complaint.assign"]
    page = client.get(f"/forum/t/{complaint.thread_id}?lang=en").get_data(as_text=True)
    assert "Official reply" in page


def test_invalid_transition_and_forged_values_are_refused(client, login, db):
    login("service")
    complaint = make_complaint()
    url = f"/admin/complaints/{complaint.id}"
    base = {"department": "customer_service", "assignee": "", "priority": "normal"}
    for data in ({**base, "status": "closed"}, {**base, "status": "open", "priority": "mega"},
                 {**base, "status": "open", "assignee": str(factories.make_member().id)},
                 {**base, "status": "open", "assignee": "abc"}):
        response = client.post(url + "?lang=en", data=data)
        assert response.status_code == 400, data
        assert "Choose values from the lists" in response.get_data(as_text=True)
    assert (complaint.status, complaint.priority, complaint.assignee_id) == ("open", "normal", None)
    assert count(db, AuditEntry, AuditEntry.action.like("complaint.%")) == 0
    assert client.post("/admin/complaints/999999", data=base).status_code == 404


def test_member_cannot_set_status_through_mass_assignment(client, login, db):
    member = login("member")
    category = make_category("complaint")
    client.post("/forum/new", data={"category": category.slug, "title": "T", "body": "x",
                                    "status": "resolved", "assignee_id": "1", "is_official": "y"})
    complaint = db.session.scalar(select(Complaint))
    assert complaint.status == "open" and complaint.assignee_id is None
    assert not db.session.scalar(select(Post.is_official))
    assert member


def test_canned_replies_crud_and_insert(client, login, db):
    login("service", locale="en")
    response = client.post("/admin/forum/canned/new", data={
        "locale": "en", "title": "Visit booked", "body": "We will visit on **Monday**."})
    assert response.status_code == 302
    canned = db.session.scalar(select(CannedReply))
    services.save_canned_reply(None, factories.make_user("admin"), locale="zh_Hant", title="已收到",
                               body="已收到")
    listing = client.get("/admin/forum/canned").get_data(as_text=True)
    assert "Visit booked" in listing and "已收到" in listing
    complaint = make_complaint()
    page = client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
    assert "Visit booked" in page and "已收到" not in page  # the staff member's language only
    filled = client.get(f"/forum/t/{complaint.thread_id}?canned={canned.id}").get_data(as_text=True)
    assert "We will visit on **Monday**.</textarea>" in filled
    bad = client.post(f"/admin/forum/canned/{canned.id}", data={"locale": "fr", "title": "",
                                                                "body": ""})
    assert bad.status_code == 400 and canned.title == "Visit booked"
    client.post(f"/admin/forum/canned/{canned.id}", data={"locale": "en", "title": "Visit",
                                                         "body": "Soon"})
    assert canned.title == "Visit"
    assert client.post(f"/admin/forum/canned/{canned.id}/delete").status_code == 302
    assert count(db, CannedReply) == 1
    assert client.get("/admin/forum/canned/999999").status_code == 404
    assert client.post("/admin/forum/canned/999999/delete").status_code == 404


def test_admin_edits_categories_and_service_levels(client, login, db):
    login("admin")
    data = {"slug": "repairs", "kind": "complaint", "name_zh_hant": "維修", "name_zh_hans": "维修",
            "name_en": "Repairs", "position": "1", "first_response_hours": "12",
            "resolution_hours": "72", "default_department": "engineering"}
    assert client.post("/admin/forum/categories/new", data=data).status_code == 302
    category = db.session.scalar(select(Category))
    assert (category.first_response_hours, category.resolution_hours) == (12, 72)
    assert "Repairs" in client.get("/admin/forum/categories?lang=en").get_data(as_text=True)
    for bad in ({**data, "slug": "Bad Slug"}, {**data, "first_response_hours": "1.5"},
                {**data, "resolution_hours": "0"}, {**data, "kind": "chat"}, {**data, "name_en": ""}):
        response = client.post(f"/admin/forum/categories/{category.id}", data=bad)
        assert response.status_code == 400, bad
    clash = client.post("/admin/forum/categories/new?lang=en", data=data)
    assert clash.status_code == 400 and "already uses this address" in clash.get_data(as_text=True)
    client.post(f"/admin/forum/categories/{category.id}", data={**data, "first_response_hours": "6"})
    assert category.first_response_hours == 6 and count(db, Category) == 1
    assert client.get("/admin/forum/categories/999999").status_code == 404


def test_department_leads_page(client, login, db):
    login("admin")
    lead = factories.make_user("service", display_name="Lead Lee")
    assert client.post("/admin/forum/departments", data={
        "department": "design", "lead": str(lead.id)}).status_code == 302
    assert db.session.get(DepartmentLead, "design").user_id == lead.id
    assert "Lead Lee" in client.get("/admin/forum/departments").get_data(as_text=True)
    member = factories.make_member()
    assert client.post("/admin/forum/departments", data={
        "department": "design", "lead": str(member.id)}).status_code == 400
    client.post("/admin/forum/departments", data={"department": "design", "lead": ""})
    assert db.session.get(DepartmentLead, "design") is None


def test_flag_queue_hide_and_dismiss(client, login, db):
    login("service")
    rude, fine = make_reply(make_thread(), body="rude words"), make_reply(make_thread(), body="ok")
    services.flag_post(factories.make_member(), rude, "Insulting <b>me</b>")
    services.flag_post(factories.make_member(), fine, "dunno")
    page = client.get("/admin/forum/flags").get_data(as_text=True)
    assert "rude words" in page and "Insulting &lt;b&gt;me&lt;/b&gt;" in page
    assert client.post(f"/admin/forum/posts/{rude.id}/hide", data={"reason": "abuse"}).status_code == 302
    assert rude.is_hidden
    assert client.post(f"/admin/forum/posts/{fine.id}/dismiss-flags").status_code == 302
    assert "No open reports" in client.get("/admin/forum/flags?lang=en").get_data(as_text=True)
    again = client.post(f"/admin/forum/posts/{fine.id}/dismiss-flags")
    assert again.status_code == 303
    assert client.post(f"/admin/forum/posts/{rude.id}/unhide").status_code == 302
    assert not rude.is_hidden
    assert client.post(f"/admin/forum/posts/{rude.id}/unhide").status_code == 303
    assert client.post("/admin/forum/posts/999999/hide").status_code == 404


def test_thread_moderation_through_the_staff_panel_and_undo(client, login, db):
    login("service")
    thread, other = make_thread(), make_thread()
    destination = make_category()
    for action in ("lock", "pin"):
        assert client.post(f"/admin/forum/threads/{thread.id}/{action}").status_code == 302
    assert thread.is_locked and thread.is_pinned
    assert client.post(f"/admin/forum/threads/{thread.id}/lock").status_code == 303
    assert client.post(f"/admin/forum/threads/{thread.id}/move",
                       data={"category": str(destination.id)}).status_code == 302
    assert thread.category_id == destination.id
    assert client.post(f"/admin/forum/threads/{thread.id}/move",
                       data={"category": "999999"}).status_code == 400
    assert client.post(f"/admin/forum/threads/{other.id}/merge",
                       data={"target_id": "abc"}).status_code == 303
    assert client.post(f"/admin/forum/threads/{other.id}/merge",
                       data={"target_id": "999999"}).status_code == 303
    assert client.post(f"/admin/forum/threads/{other.id}/merge",
                       data={"target_id": str(other.id)}).status_code == 303
    assert client.post(f"/admin/forum/threads/{other.id}/merge",
                       data={"target_id": str(thread.id)}).status_code == 302
    assert other.merged_into_id == thread.id
    log = client.get("/admin/forum/acts?lang=en").get_data(as_text=True)
    assert "Merged" in log and "Moved" in log and "Locked" in log
    acts = db.session.scalars(select(ModerationAct).order_by(ModerationAct.id.desc())).all()
    for act in acts:  # undo everything, newest first
        assert client.post(f"/admin/forum/acts/{act.id}/undo").status_code == 302
    assert (thread.is_locked, thread.is_pinned, other.merged_into_id) == (False, False, None)
    assert thread.category_id != destination.id
    assert client.post(f"/admin/forum/acts/{acts[0].id}/undo").status_code == 303
    login("admin")
    audit = client.get("/admin/audit/?action=forum.").get_data(as_text=True)
    assert "forum.merge" in audit and "forum.unmerge" in audit
    assert count(db, Thread) == 2


def test_silence_and_lift_through_pages(client, login, db):
    login("service")
    member = factories.make_member(display_name="Noisy")
    url = f"/admin/forum/members/{member.id}/silence"
    assert "Noisy" in client.get(url).get_data(as_text=True)
    for bad in ("0", "366", "1.5", ""):
        assert client.post(url, data={"days": bad}).status_code == 400
    assert client.post(url, data={"days": "3", "reason": "spam"}).status_code == 302
    sanction = db.session.scalar(select(Sanction))
    assert sanction.reason == "spam"
    assert services.active_sanction(member) is not None
    admin = factories.make_user("admin")
    assert client.post(f"/admin/forum/members/{admin.id}/silence",
                       data={"days": "3"}).status_code == 400
    assert client.post(f"/admin/forum/sanctions/{sanction.id}/lift").status_code == 302
    assert services.active_sanction(member) is None
    assert client.post(f"/admin/forum/sanctions/{sanction.id}/lift").status_code == 303
