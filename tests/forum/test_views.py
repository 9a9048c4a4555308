"""What members do: post threads and complaints, reply, quote, edit, follow, report, photos."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.core.timeutil import utcnow
from portal.forum import complaints, moderation
from portal.forum.models import Complaint, Flag, Photo, Post, Thread
from tests import factories
from tests.forum.helpers import image_bytes, make_category, make_complaint, make_reply, make_thread, upload


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_index_and_category_pages_list_what_the_member_may_see(client, login, db):
    member = login("member")
    category = make_category("complaint", name_en="Repairs")
    make_thread(member, category, title="Public leak")
    make_complaint(category=category, is_private=True, title="Someone else's secret")
    mine = make_complaint(member, category, is_private=True, title="My own secret")
    for path in ("/forum/?lang=en", f"/forum/c/{category.slug}?lang=en"):
        page = client.get(path).get_data(as_text=True)
        assert "Public leak" in page and "My own secret" in page
        assert "Someone else" not in page
    assert mine.thread.is_private


def test_category_pages_in_order_with_the_page_clamped(client, login, db):
    """Pinned first, then latest activity; the ids-first paginator shows the same threads as
    a plain one would, and a page past the end shows the last page."""
    login("member")
    category = make_category("complaint")
    start = utcnow() - timedelta(days=30)
    for n in range(30):
        make_thread(None, category, title=f"Topic {n:02d}", now=start + timedelta(hours=n))
    pinned = make_thread(None, category, title="Pinned rules", now=start - timedelta(days=1))
    pinned.is_pinned = True
    make_complaint(category=category, is_private=True, title="Someone else's secret")
    db.session.commit()

    def titles(query: str) -> list[str]:
        page = client.get(f"/forum/c/{category.slug}?lang=en{query}").get_data(as_text=True)
        shown = [t for t in ["Pinned rules", "Someone else's secret"]
                 + [f"Topic {n:02d}" for n in range(30)] if t in page]
        return sorted(shown, key=page.index)  # in the order the page lists them

    first = titles("")
    assert first[0] == "Pinned rules" and "Someone else's secret" not in first
    assert first[1:] == [f"Topic {n:02d}" for n in range(29, 5, -1)]  # 25 a page
    assert titles("&page=2") == [f"Topic {n:02d}" for n in range(5, -1, -1)]
    assert titles("&page=99") == titles("&page=2")


def test_new_discussion_thread_through_the_form(client, login, db):
    member = login("member")
    category = make_category()
    form = client.get(f"/forum/new?category={category.slug}&lang=en").get_data(as_text=True)
    assert f'<option selected value="{category.slug}">' in form
    response = client.post("/forum/new", data={
        "category": category.slug, "title": "Basketball on Saturday", "body": "Who **joins**?"})
    thread = db.session.scalar(select(Thread))
    assert response.status_code == 302 and response.location.endswith(f"/forum/t/{thread.id}")
    assert thread.author_id == member.id and thread.complaint is None
    page = client.get(response.location).get_data(as_text=True)
    assert "Basketball on Saturday" in page and "<strong>joins</strong>" in page


def test_private_complaint_with_photo_on_my_unit(client, login, db, app):
    member = login("member")
    unit = factories.make_ownership(member).unit
    category = make_category("complaint", name_en="Repairs")
    response = client.post("/forum/new", data={
        "category": category.slug, "title": "Ceiling leak", "body": "Water drips.",
        "unit": str(unit.id), "is_private": "y", "photos": [upload(), upload(image_bytes("PNG"), "b.png")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    complaint = db.session.scalar(select(Complaint))
    assert complaint.unit_id == unit.id and complaint.thread.is_private
    photos = db.session.scalars(select(Photo).order_by(Photo.position)).all()
    assert len(photos) == 2
    page = client.get(response.location + "?lang=en").get_data(as_text=True)
    assert unit.label in page and "waiting" in page
    image = client.get(f"/forum/photos/{photos[0].id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"].startswith("private")
    image.close()
    thumb = client.get(f"/forum/photos/{photos[1].id}/thumb")
    assert thumb.mimetype == "image/png"
    thumb.close()
    # Another member: 404 for the thread and its photos.
    login("member")
    assert client.get(response.location).status_code == 404
    assert client.get(f"/forum/photos/{photos[0].id}").status_code == 404
    assert client.get(f"/forum/photos/{photos[0].id}/thumb").status_code == 404


def test_bad_input_on_new_thread_saves_nothing(client, login, db):
    member = login("member")
    category = make_category()
    complaint_category = make_category("complaint")
    other_unit = factories.make_unit()
    cases = [
        ({"category": category.slug, "title": "", "body": "x"}, "Give the thread a title"),
        ({"category": category.slug, "title": "T", "body": ""}, "Write something first"),
        ({"category": "nope", "title": "T", "body": "x"}, "Not a valid choice"),
        ({"category": category.slug, "title": "T", "body": "x", "is_private": "y"},
         "Only complaints can be private"),
        ({"category": complaint_category.slug, "title": "T", "body": "x",
          "unit": str(other_unit.id)}, "Not a valid choice"),
        ({"category": category.slug, "title": "T", "body": "x",
          "photos": [upload(b"GIF89a....", "x.gif")]}, "not a JPEG, PNG or WebP"),
        ({"category": category.slug, "title": "T", "body": "x",
          "photos": [upload(b"<html><script>alert(1)</script>", "../../app.jpg")]},
         "not a JPEG, PNG or WebP"),
        ({"category": category.slug, "title": "T", "body": "x",
          "photos": [upload() for _ in range(7)]}, "At most 6 photos"),
    ]
    for data, message in cases:
        response = client.post("/forum/new?lang=en", data=data, content_type="multipart/form-data")
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), (message, data)
    assert count(db, Thread) == 0 and count(db, Photo) == 0
    assert member


def test_announcements_only_for_staff(client, login, db):
    login("member")
    announcements = make_category("announcement")
    discussion = make_category()
    form = client.get("/forum/new").get_data(as_text=True)
    assert discussion.slug in form and announcements.slug not in form
    response = client.post("/forum/new", data={
        "category": announcements.slug, "title": "T", "body": "x"})
    assert response.status_code == 400 and count(db, Thread) == 0


def test_no_category_to_post_in_is_403(client, login, db):
    login("member")
    make_category("announcement")
    assert client.get("/forum/new").status_code == 403


def test_reply_quote_and_follow_notifications(client, login, db):
    author = factories.make_member(display_name="Ann")
    thread = make_thread(author, body="Original words")
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    login("member")
    page = client.get(f"/forum/t/{thread.id}?quote={opening.id}").get_data(as_text=True)
    assert "&gt; **Ann** wrote:" in page and "&gt; Original words" in page
    response = client.post(f"/forum/t/{thread.id}/reply", data={"body": "Agreed!"})
    reply = db.session.scalar(select(Post).where(Post.body == "Agreed!"))
    assert response.status_code == 302 and response.location.endswith(f"/forum/p/{reply.id}")
    assert client.get(response.location).location.endswith(f"#post-{reply.id}")
    from portal.notifications.models import Notification
    notes = db.session.scalars(select(Notification).where(Notification.user_id == author.id)).all()
    assert len(notes) == 1 and notes[0].link == f"/forum/p/{reply.id}"


def test_reply_errors_show_the_thread_with_the_message(client, login, db):
    login("member")
    thread = make_thread()
    response = client.post(f"/forum/t/{thread.id}/reply?lang=en", data={"body": "  "})
    assert response.status_code == 400
    assert "Write something first" in response.get_data(as_text=True)
    client.post(f"/forum/t/{thread.id}/reply", data={"body": "Twice"})
    again = client.post(f"/forum/t/{thread.id}/reply?lang=en", data={"body": "Twice"})
    assert again.status_code == 400 and "same text" in again.get_data(as_text=True)
    assert count(db, Post, Post.body == "Twice") == 1


def test_locked_thread_403_for_members(client, login, db):
    login("member")
    thread = make_thread()
    moderation.set_locked(factories.make_user("service"), thread, True)
    assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "x"}).status_code == 403
    assert "This thread is locked" in client.get(f"/forum/t/{thread.id}?lang=en").get_data(as_text=True)


def test_posts_paginate(client, login, db):
    login("member")
    thread = make_thread()
    replies = [make_reply(thread, body=f"reply number {i}") for i in range(25)]
    first = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    assert "reply number 18" in first and "reply number 19" not in first
    second = client.get(f"/forum/t/{thread.id}?page=2").get_data(as_text=True)
    assert "reply number 19" in second
    link = client.get(f"/forum/p/{replies[-1].id}")
    assert "page=2" in link.location


def test_edit_own_post_within_30_minutes_with_history(client, login, db):
    member = login("member")
    thread = make_thread(member, title="Old", body="Old text")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    form = client.get(f"/forum/p/{post.id}/edit").get_data(as_text=True)
    assert 'value="Old"' in form
    response = client.post(f"/forum/p/{post.id}/edit", data={"title": "New", "body": "New text"})
    assert response.status_code == 302
    assert (post.body, thread.title) == ("New text", "New")
    history = client.get(f"/forum/p/{post.id}/history").get_data(as_text=True)
    assert "Old text" in history and "New text" in history
    bad = client.post(f"/forum/p/{post.id}/edit?lang=en", data={"title": "New", "body": ""})
    assert bad.status_code == 400 and "Write something first" in bad.get_data(as_text=True)
    post.created_at = utcnow() - timedelta(minutes=31)
    assert client.get(f"/forum/p/{post.id}/edit").status_code == 403


def test_flag_a_post(client, login, db):
    login("member")
    post = make_reply(make_thread())
    assert client.get(f"/forum/p/{post.id}/flag").status_code == 200
    bad = client.post(f"/forum/p/{post.id}/flag?lang=en", data={"reason": ""})
    assert bad.status_code == 400 and count(db, Flag) == 0
    assert client.post(f"/forum/p/{post.id}/flag", data={"reason": "Spam"}).status_code == 302
    again = client.post(f"/forum/p/{post.id}/flag?lang=en", data={"reason": "Spam"})
    assert again.status_code == 400 and "already reported" in again.get_data(as_text=True)
    assert count(db, Flag) == 1


def test_follow_and_unfollow(client, login, db):
    member = login("member")
    thread = make_thread()
    client.post(f"/forum/t/{thread.id}/follow")
    from portal.forum.reading import is_following
    assert is_following(member, thread)
    client.post(f"/forum/t/{thread.id}/unfollow")
    assert not is_following(member, thread)


def test_hidden_post_author_sees_notice_others_a_placeholder_and_no_photo(client, login, db):
    author = factories.make_member()
    thread = make_thread()
    from tests.forum.helpers import file_storage
    post = make_reply(thread, author, "Rude words", photos=[file_storage()])
    photo = db.session.scalar(select(Photo))
    moderation.hide_post(factories.make_user("service"), post)
    login("member")
    page = client.get(f"/forum/t/{thread.id}?lang=en").get_data(as_text=True)
    assert "Rude words" not in page
    assert client.get(f"/forum/photos/{photo.id}").status_code == 404
    assert client.get(f"/forum/p/{post.id}").status_code == 404
    from tests.conftest import log_in
    log_in(client, author)
    page = client.get(f"/forum/t/{thread.id}?lang=en").get_data(as_text=True)
    assert "Rude words" in page and "Hidden by moderator" in page
    response = client.get(f"/forum/photos/{photo.id}")
    assert response.status_code == 200
    response.close()


def test_merged_thread_redirects_to_its_target(client, login, db):
    login("member")
    target, source = make_thread(), make_thread()
    moderation.merge_thread(factories.make_user("service"), source, target)
    response = client.get(f"/forum/t/{source.id}")
    assert response.status_code == 302 and response.location.endswith(f"/forum/t/{target.id}")


def test_complaint_author_escalates_reopens_and_rates(client, login, db):
    member = login("member")
    complaint = make_complaint(member, now=utcnow() - timedelta(hours=30))
    thread_url = f"/forum/t/{complaint.thread_id}"
    page = client.get(thread_url + "?lang=en").get_data(as_text=True)
    assert "waiting 30 h" in page and "Escalate" in page
    assert client.post(thread_url + "/escalate", data={"reason": "Still leaking"}).status_code == 302
    assert complaint.escalation_reason == "member" and complaint.escalation_note == "Still leaking"
    refused = client.post(thread_url + "/escalate?lang=en", data={"reason": "Again"})
    assert refused.status_code == 400
    assert "cannot be escalated now" in refused.get_data(as_text=True)

    staff = factories.make_user("service")
    make_reply(complaint.thread, staff, "We fixed it")
    complaints.change_status(complaint, staff, "resolved")
    page = client.get(thread_url + "?lang=en").get_data(as_text=True)
    assert "answered in 30 h" in page and "How well was your complaint handled?" in page
    bad = client.post(thread_url + "/rate?lang=en", data={"rating": "9"})
    assert bad.status_code == 400 and complaint.rating is None
    assert client.post(thread_url + "/rate", data={"rating": "5", "comment": "Great"}).status_code == 302
    assert (complaint.rating, complaint.rating_comment) == (5, "Great")
    page = client.get(thread_url + "?lang=en").get_data(as_text=True)
    assert "Rating: 5 / 5" in page
    again = client.post(thread_url + "/rate?lang=en", data={"rating": "1"})
    assert again.status_code == 400 and complaint.rating == 5

    assert client.post(thread_url + "/reopen").status_code == 302
    assert complaint.status == "in_progress" and complaint.rating is None
    late = client.post(thread_url + "/reopen", follow_redirects=True, query_string={"lang": "en"})
    assert "can no longer be reopened" in late.get_data(as_text=True)


def test_another_members_complaint_actions_are_403(client, login, db):
    login("member")
    complaint = make_complaint()
    for action in ("escalate", "reopen", "rate"):
        assert client.post(f"/forum/t/{complaint.thread_id}/{action}").status_code == 403
    thread = make_thread()
    assert client.post(f"/forum/t/{thread.id}/rate").status_code == 404


def test_every_page_in_every_language(client, login, db):
    member = login("member")
    complaint = make_complaint(member, title="投訴")
    for lang in ("zh_Hant", "zh_Hans", "en"):
        member.locale = lang
        for path in ("/forum/", f"/forum/t/{complaint.thread_id}", "/forum/new", "/"):
            assert client.get(path).status_code == 200
    assert "投訴" in client.get(f"/forum/t/{complaint.thread_id}").get_data(as_text=True)
