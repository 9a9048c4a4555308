"""The issue's "done when", on the demo data: the demo member raises a private complaint with
a photo on their unit, the service account sees it in the queue with its clock, replies
officially and resolves it, the member rates it — in each of the three languages; the
moderation acts of the day show in the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.core.textfold import to_script, written_script
from portal.forum.models import Category, Complaint, Photo
from tests.conftest import log_in
from tests.forum.helpers import upload

SCENARIOS = {
    "zh_Hant": ("廚房水龍頭漏水", "私密", "已等待", "官方回覆", "已解決", "評分：5 / 5"),
    "zh_Hans": ("厨房水龙头漏水", "私密", "已等待", "官方回复", "已解决", "评分：5 / 5"),
    "en": ("Kitchen tap leaks", "Private", "waiting", "Official reply", "Resolved", "Rating: 5 / 5"),
}


@pytest.mark.parametrize("locale", SCENARIOS)
def test_private_complaint_from_demo_member_to_rating(client, db, demo, locale):
    title, private, waiting, official, resolved, rating = SCENARIOS[locale]
    member = db.session.scalar(select(User).where(User.email == "member@demo.club"))
    service = db.session.scalar(select(User).where(User.email == "service@demo.club"))
    admin = db.session.scalar(select(User).where(User.email == "admin@demo.club"))
    for user in (member, service, admin):
        user.locale = locale
    unit = member.verified_units[0]
    category = db.session.scalar(select(Category).where(Category.slug == "construction-quality"))

    log_in(client, member)
    response = client.post("/forum/new", data={
        "category": category.slug, "title": title, "body": "水龍頭一直滴水。", "unit": str(unit.id),
        "is_private": "y", "photos": [upload()]}, content_type="multipart/form-data")
    assert response.status_code == 302
    complaint = db.session.scalar(select(Complaint).join(Complaint.thread).where(
        Complaint.thread.has(title=title)))
    thread_url = f"/forum/t/{complaint.thread_id}"
    page = client.get(thread_url).get_data(as_text=True)
    unit_label = to_script(unit.label, written_script(unit.label), locale)  # in the reader's script
    assert private in page and waiting in page and unit_label in page
    photo = db.session.scalar(select(Photo).join(Photo.post).where(
        Photo.post.has(thread_id=complaint.thread_id)))

    log_in(client, service)
    queue = client.get("/admin/complaints/").get_data(as_text=True)
    row = re.search(rf'<tr class="[^"]*queue-row">(?:(?!</tr>).)*{re.escape(title)}.*?</tr>', queue, re.S)
    assert row and waiting in row.group(0)  # the clock is on the row
    image = client.get(f"/forum/photos/{photo.id}")
    assert image.status_code == 200
    image.close()
    client.post(f"{thread_url}/reply", data={"body": "明天上午十時上門維修。"})
    client.post(f"/admin/complaints/{complaint.id}", data={
        "status": "resolved", "department": "engineering", "assignee": str(service.id),
        "priority": "normal"})
    assert complaint.status == "resolved" and complaint.first_response_at is not None
    page = client.get(thread_url).get_data(as_text=True)
    assert official in page and resolved in page

    log_in(client, member)
    assert client.post(f"{thread_url}/rate", data={"rating": "5"}).status_code == 302
    assert rating in client.get(thread_url).get_data(as_text=True)
    assert complaint.rating == 5

    log_in(client, service)
    spam = client.post("/forum/t/1/reply", data={"body": "x"})  # any public thread
    assert spam.status_code == 302
    client.post("/admin/forum/threads/1/pin")
    log_in(client, admin)
    audit = client.get("/admin/audit/?action=").get_data(as_text=True)
    for action in ("forum.pin", "complaint.status", "complaint.assign"):
        assert action in audit
