"""The public complaint forum: visitors who are not logged in read public threads and
official replies; posting needs an account; private complaints stay private (404)."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.forum import moderation
from portal.forum.models import Photo, Post
from tests import factories
from tests.forum.helpers import file_storage, make_category, make_complaint, make_reply, make_thread


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_visitors_read_public_threads_and_official_replies(client, db):
    category = make_category("complaint")
    public = make_complaint(category=category, title="Lift stuck in block 3",
                            body="The lift stops between floors").thread
    staff = factories.make_user("service", display_name="Customer Service Lee")
    make_reply(public, staff, "Engineers are on site today")
    make_reply(public, staff, "Secret internal remark", internal=True)
    rude = make_reply(public, factories.make_member(), "A rude remark")
    moderation.hide_post(staff, rude)
    make_complaint(category=category, is_private=True, title="My private matter")
    db.session.commit()

    index = _text(client.get("/forum/?lang=en"))
    assert "Lift stuck in block 3" in index and "My private matter" not in index
    assert "Lift stuck in block 3" in _text(client.get(f"/forum/c/{category.slug}?lang=en"))

    page = client.get(f"/forum/t/{public.id}?lang=en")
    assert page.status_code == 200
    body = _text(page)
    assert "The lift stops between floors" in body and "Engineers are on site today" in body
    assert "Official reply" in body and "Customer Service Lee" in body
    assert "Secret internal remark" not in body and "A rude remark" not in body
    assert "Log in to reply" in body and f'action="/forum/t/{public.id}/reply"' not in body
    assert "/follow" not in body and public.complaint.ticket_number in body


def test_private_complaints_and_their_photos_stay_404(client, db):
    private = make_complaint(is_private=True, photos=[file_storage()])
    photo = db.session.scalar(select(Photo).join(Post).where(Post.thread_id == private.thread_id))
    public = make_thread(photos=[file_storage()])
    public_photo = db.session.scalar(select(Photo).join(Post).where(Post.thread_id == public.id))
    db.session.commit()
    assert client.get(f"/forum/t/{private.thread_id}").status_code == 404
    assert client.get(f"/forum/photos/{photo.id}").status_code == 404
    assert client.get(f"/forum/photos/{photo.id}/thumb").status_code == 404
    with client.get(f"/forum/photos/{public_photo.id}") as response:
        assert response.status_code == 200
    opening = db.session.scalar(select(Post).where(Post.thread_id == private.thread_id))
    assert client.get(f"/forum/p/{opening.id}").status_code == 404
    assert client.get(f"/forum/p/{opening.id}/history").status_code == 404


def test_visitors_search_public_threads_only(client, db):
    make_thread(title="東門噪音問題", body="晚上施工")
    make_complaint(is_private=True, title="私人噪音投訴", body="我家噪音")
    db.session.commit()
    page = _text(client.get("/forum/search", query_string={"q": "噪音"}))
    assert "東門<mark>噪音</mark>問題" in page and "私人" not in page


def test_posting_still_needs_an_account(client, db):
    thread = make_thread()
    make_category("complaint")
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Post))
    for path in ("/forum/new", f"/forum/t/{thread.id}/reply", f"/forum/t/{thread.id}/follow"):
        method = client.get if path == "/forum/new" else client.post
        response = method(path, data={"body": "from a visitor", "title": "x"})
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Post)) == before


def test_visitors_see_the_forum_in_their_language(client, db):
    thread = make_thread(title="Water pressure")
    db.session.commit()
    page = _text(client.get(f"/forum/t/{thread.id}", headers={"Accept-Language": "zh-HK"}))
    assert "登入" in page and "Water pressure" in page


def test_the_landing_page_leads_to_the_forum(client, db):
    page = _text(client.get("/?lang=en"))
    assert 'href="/forum/"' in page
