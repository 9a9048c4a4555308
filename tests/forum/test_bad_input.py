"""Hostile input on the forum's own pages and forms: huge or negative page numbers,
20-digit ids in filters and posted fields, NUL bytes, odd search terms — a page or a 4xx
with a translated message, never a 500 (issue 8, "Bad input")."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.forum import search
from portal.forum.models import Complaint, DepartmentLead, Post, Thread
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread

HUGE = "99999999999999999999"
HOSTILE = [HUGE, "-" + HUGE, "-1", "0", "%ff%fe", "A" * 5000, "1e9", "١٢", quote("' OR 1=1 --")]
FORUM_ARGS = ["page", "q", "quote", "canned", "status", "department", "assignee", "development",
              "overdue", "category"]


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.mark.parametrize("role", ["member", "service", "admin"])
def test_forum_pages_answer_hostile_query_strings(client, login, db, role):
    user = login(role)
    complaint = make_complaint(user, title="漏水 leak")
    post = make_reply(complaint.thread, factories.make_user("service"), "answer")
    flagged = make_reply(make_thread(), body="rude")
    from portal.forum import services

    services.flag_post(factories.make_member(), flagged, "spam")
    paths = ["/forum/", f"/forum/c/{complaint.thread.category.slug}", "/forum/new",
             f"/forum/t/{complaint.thread_id}", f"/forum/p/{post.id}/flag", "/forum/search",
             f"/forum/p/{post.id}/history"]
    if role != "member":
        paths += ["/admin/complaints/", "/admin/forum/flags", "/admin/forum/acts",
                  "/admin/forum/canned", f"/admin/forum/members/{user.id}/silence"]
    if role == "admin":
        paths += ["/admin/forum/categories", "/admin/forum/departments"]
    for path in paths:
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in FORUM_ARGS)
            response = client.get(f"{path}?{query}")
            assert response.status_code < 500, (path, value)
            assert response.status_code in (200, 400), (path, value, response.status_code)
            response.close()
        repeated = "&".join(f"{name}=1&{name}=x&{name}=" for name in FORUM_ARGS)
        assert client.get(f"{path}?{repeated}").status_code == 200, path


def test_queue_filters_ignore_20_digit_and_unknown_ids(client, login, db):
    login("service")
    make_complaint(title="Still listed")
    for query in (f"assignee={HUGE}", f"development={HUGE}", "assignee=-5", "development=0",
                  "status=nonsense", "department=<b>", f"page={HUGE}", "page=-1"):
        page = client.get(f"/admin/complaints/?{query}")
        assert page.status_code == 200, query
        assert "Still listed" in page.get_data(as_text=True), query


def test_quote_and_canned_with_20_digit_ids_show_an_empty_reply_box(client, login, db):
    login("service")
    thread = make_thread()
    for name in ("quote", "canned"):
        page = client.get(f"/forum/t/{thread.id}?{name}={HUGE}&lang=en")
        assert page.status_code == 200
        assert re.search(r'<textarea [^>]*name="body"[^>]*>\s*</textarea>', page.get_data(as_text=True))


def _complaint_form(**overrides) -> dict:
    return {"status": "open", "department": "customer_service", "assignee": "",
            "priority": "normal", **overrides}


@pytest.mark.parametrize(("value", "message"), [
    (HUGE, "請輸入整數。"), ("2147483648", "不是有效的選項。"), ("-1", "不是有效的選項。"),
    ("0", "不是有效的選項。"), ("1.5", "請輸入整數。"), ("１２", "請輸入整數。"), ("abc", "請輸入整數。"),
    ("999999", "投訴只能分派給投訴處理人員。"),  # a plausible id, but of nobody
])
def test_forged_assignee_ids_are_a_translated_form_error(client, login, db, value, message):
    login("service", locale="zh_Hant")
    complaint = make_complaint()
    response = client.post(f"/admin/complaints/{complaint.id}",
                           data=_complaint_form(assignee=value))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "請從清單中選擇" in page  # "Choose values from the lists."
    assert message in page  # on the assignee field of the staff panel
    assert complaint.assignee_id is None
    assert count(db, AuditEntry, AuditEntry.action.like("complaint.%")) == 0


def test_forged_bulk_assignment_ids_are_refused_not_500(client, login, db):
    login("service")
    complaint = make_complaint()
    for data in ({"complaint_ids": [HUGE], "assignee": ""},
                 {"complaint_ids": [str(complaint.id)], "assignee": HUGE},
                 {"complaint_ids": ["-3"], "assignee": ""}):
        response = client.post("/admin/complaints/assign?lang=en", data=data,
                               follow_redirects=True)
        assert response.status_code == 200, data
        assert "Choose complaints and someone to assign them to." in response.get_data(as_text=True)
    assert complaint.assignee_id is None


def test_forged_lead_move_and_merge_ids_are_refused(client, login, db):
    login("admin")
    thread = make_thread()
    make_category()
    response = client.post("/admin/forum/departments?lang=en",
                           data={"department": "design", "lead": HUGE})
    assert response.status_code == 400 and "Enter a whole number." in response.get_data(as_text=True)
    assert db.session.get(DepartmentLead, "design") is None
    assert client.post(f"/admin/forum/threads/{thread.id}/move",
                       data={"category": HUGE}).status_code == 400
    for target in (HUGE, "2147483648", "0"):
        merged = client.post(f"/admin/forum/threads/{thread.id}/merge", data={"target_id": target})
        assert merged.status_code == 303, target
    assert thread.merged_into_id is None


def test_forged_unit_id_on_a_new_complaint_is_a_form_error(client, login, db):
    login("member")
    category = make_category("complaint")
    response = client.post("/forum/new?lang=en", data={
        "category": category.slug, "title": "T", "body": "x", "unit": HUGE})
    assert response.status_code == 400 and "Enter a whole number." in response.get_data(as_text=True)
    assert count(db, Thread) == 0


@pytest.mark.parametrize("field", ["body", "title"])
def test_nul_bytes_in_posts_are_refused_with_a_message(client, login, db, field):
    login("member")
    category = make_category()
    data = {"category": category.slug, "title": "Title", "body": "Text"}
    data[field] += "\x00"
    response = client.post("/forum/new?lang=en", data=data)
    assert response.status_code == 400
    assert "This field contains characters that are not allowed." in response.get_data(as_text=True)
    thread = make_thread()
    reply = client.post(f"/forum/t/{thread.id}/reply?lang=en", data={"body": "bad\x00reply"})
    assert reply.status_code == 400
    assert count(db, Post, Post.body.like("bad%")) == 0


ODD_TERMS = [
    "x" * 5000, "漏" * 300, '"', '""', "'", "\\", "%", "_", "*", "-", "^", "(", ")", "()", "{}",
    "AND", "OR", "NOT", "NEAR", "lift OR 1=1--", '"unbalanced', "a:b", "title:lift",
    "body:* OR *", "NEAR(a b, 2)", "lift*", "^lift", "-lift", "+lift", "?!", "...", "——", "、。",
    "\u200b\u200b", "\ufeff", "🙂🙂", "e\u0301e\u0301", "\t\n", "a" + "\u0301" * 50,
    " ".join(["漏水"] * 50), "%%" * 20, "\\%", "[a-z]", "$1", "NULL", "'; DROP TABLE forum_posts;--",
    "li\x00ft", "\x00\x00\x00", "\x01\x02\x03", "\ud800abc", "lift\udfff",
]


def test_search_service_never_fails_on_odd_terms(db):
    reader = factories.make_member()
    make_thread(title="Lift", body="The lift 漏水 stops; 100% sure_ (quotes \" and ').")
    for term in ODD_TERMS:
        statement = search.search_query(reader, term)
        if statement is not None:
            db.session.scalars(statement).unique().all()
    lift = search.search_query(reader, "lift\x00")
    assert [p.thread.title for p in db.session.scalars(lift).unique()] == ["Lift"]


def test_search_page_answers_odd_terms(client, login, db):
    login("member")
    make_thread(title="Lift", body="The lift stops.")
    for term in ODD_TERMS:
        if "\x00" in term or any("\ud800" <= ch <= "\udfff" for ch in term):
            continue  # refused by core before the view (400), or not sendable at all
        response = client.get("/forum/search", query_string={"q": term})
        assert response.status_code == 200, term
    assert client.get("/forum/search?q=%00lift").status_code == 400  # core: NUL in the query


def test_a_refused_reply_sends_and_writes_nothing(client, login, db, caplog):
    member = login("member")
    thread = make_thread(factories.make_member(email="follower@example.com"))
    db.session.commit()
    caplog.set_level("INFO", logger="portal.notifications.services")
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "Once"}).status_code == 302
    assert "e-mail to follower@example.com" in caplog.text
    caplog.clear()
    again = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Once"})
    assert again.status_code == 400  # the same text a moment ago
    assert "e-mail to" not in caplog.text
    assert count(db, Post, Post.author_id == member.id) == 1
    assert count(db, Complaint) == 0
