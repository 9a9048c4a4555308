"""Posting rules: threads, replies, edits, photos, duplicates, silences, follows, flags."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.forum import moderation, reading, services, tallies
from portal.forum.common import ForumError
from portal.forum.models import Flag, Follow, Photo, Post, PostRevision, Thread
from portal.notifications.models import Notification
from tests import factories
from tests.forum.helpers import (
    file_storage,
    image_bytes,
    make_category,
    make_complaint,
    make_reply,
    make_thread,
)

T0 = datetime(2026, 3, 2, 9, 0)


def count(db, model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_start_thread_renders_markdown_and_follows(db):
    author = factories.make_member()
    thread = make_thread(author, title="  Hello   world ", body="**bold** <script>x</script>")
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    assert thread.title == "Hello world"
    assert post.is_opening and "<strong>bold</strong>" in post.body_html
    assert "<script>" not in post.body_html
    assert count(db, Follow, Follow.thread_id == thread.id, Follow.user_id == author.id) == 1
    assert thread.complaint is None


def test_start_thread_rules(db):
    member = factories.make_member()
    announcements = make_category("announcement")
    with pytest.raises(ForumError):
        services.start_thread(member, announcements, "News", "text")
    services.start_thread(factories.make_user("marketing"), announcements, "News", "text")
    discussion = make_category()
    for title, body in [("", "text"), ("x" * 161, "text"), ("T", "   "), ("T", "x" * 20_001)]:
        with pytest.raises(ForumError):
            services.start_thread(member, discussion, title, body)
    with pytest.raises(ForumError):
        services.start_thread(member, discussion, "T", "text", is_private=True)
    with pytest.raises(ForumError):
        services.start_thread(member, discussion, "T", "text", unit=factories.make_unit())


def test_staff_announcement_is_official(db):
    thread = make_thread(factories.make_user("service"), make_category("announcement"))
    assert db.session.scalar(select(Post.is_official).where(Post.thread_id == thread.id))


def test_complaint_on_my_unit_only(db):
    member = factories.make_member()
    mine = factories.make_ownership(member).unit
    pending = factories.make_ownership(member, verified=False).unit
    category = make_category("complaint")
    complaint = make_complaint(member, category, unit=mine, is_private=True)
    assert complaint.unit_id == mine.id and complaint.thread.is_private
    for unit in (pending, factories.make_unit()):
        with pytest.raises(ForumError):
            services.start_thread(member, category, "T", f"text {unit.id}", unit=unit)


def test_reply_counts_and_official_badge(db):
    thread = make_thread(now=T0)
    make_reply(thread, factories.make_member(), now=T0 + timedelta(minutes=5))
    staff_post = make_reply(thread, factories.make_user("service"), now=T0 + timedelta(minutes=9))
    assert staff_post.is_official
    assert thread.reply_count == 2 and thread.last_post_at == T0 + timedelta(minutes=9)


def test_internal_notes_are_for_handlers_on_complaints(db):
    complaint = make_complaint()
    service = factories.make_user("service")
    note = make_reply(complaint.thread, service, internal=True)
    assert note.is_internal and not note.is_official
    assert complaint.thread.reply_count == 0
    for author, thread in [(factories.make_member(), complaint.thread),
                           (factories.make_user("marketing"), complaint.thread),
                           (service, make_thread())]:
        with pytest.raises(ForumError):
            services.reply(author, thread, "secret", internal=True)


def test_locked_thread_refuses_replies_except_moderators(db):
    thread = make_thread()
    moderator = factories.make_user("service")
    moderation.set_locked(moderator, thread, True)
    with pytest.raises(ForumError):
        make_reply(thread, factories.make_member())
    make_reply(thread, moderator)


def test_same_body_twice_within_a_minute_is_refused(db, english):
    thread = make_thread()
    member = factories.make_member()
    make_reply(thread, member, "Same words", now=T0)
    with pytest.raises(ForumError, match="same text"):
        make_reply(thread, member, "Same words", now=T0 + timedelta(seconds=30))
    make_reply(thread, factories.make_member(), "Same words", now=T0 + timedelta(seconds=30))
    make_reply(thread, member, "Same words", now=T0 + timedelta(seconds=61))


def test_silenced_member_cannot_post_until_lifted_or_over(db, app, english):
    member = factories.make_member()
    thread = make_thread()
    moderator = factories.make_user("service")
    act = moderation.silence_member(moderator, member, 2, "rude", now=T0)
    with pytest.raises(ForumError, match="cannot post until"):
        make_reply(thread, member, now=T0 + timedelta(days=1))
    make_reply(thread, member, now=T0 + timedelta(days=2, seconds=1))
    moderation.undo(moderator, act, now=T0)  # lifted (state check uses the real time)
    assert services.active_sanction(member, T0 + timedelta(hours=1)) is None


def test_followers_are_told_if_they_may_see_the_post(db, caplog):
    author = factories.make_member(email="author@example.com")
    complaint = make_complaint(author, is_private=True)
    thread = complaint.thread
    outsider = factories.make_member(email="outsider@example.com")
    db.session.add(Follow(user_id=outsider.id, thread_id=thread.id))  # followed before it hid
    service = factories.make_user("service")
    caplog.set_level("INFO", logger="portal.notifications.services")
    post = services.reply(service, thread, "We are on it.")
    # The followers are told by a job that starts after the commit.
    assert count(db, Notification, Notification.kind == "forum") == 0
    db.session.commit()
    notes = db.session.scalars(select(Notification).where(Notification.kind == "forum")).all()
    assert [(n.user_id, n.link) for n in notes] == [(author.id, f"/forum/p/{post.id}")]
    mails = [r.getMessage() for r in caplog.records if r.getMessage().startswith("e-mail to")]
    assert len(mails) == 1 and mails[0].startswith("e-mail to author@example.com")
    assert "We are on it" not in mails[0]  # the e-mail links to the post, it does not copy it
    assert f"http://portal.test/forum/p/{post.id}" in mails[0]
    caplog.clear()
    services.reply(service, thread, "Check the pipes.", internal=True)
    db.session.commit()
    assert not [r for r in caplog.records if r.getMessage().startswith("e-mail to")]
    assert count(db, Notification, Notification.kind == "forum") == 1  # members never hear of notes
    assert count(db, Notification, Notification.user_id == outsider.id) == 0


def test_follow_unfollow(db):
    thread, member = make_thread(), factories.make_member()
    services.follow(member, thread)
    services.follow(member, thread)
    assert reading.is_following(member, thread)
    services.unfollow(member, thread)
    services.unfollow(member, thread)
    assert not reading.is_following(member, thread)


def test_edit_within_30_minutes_keeps_history(db):
    author = factories.make_member()
    thread = make_thread(author, title="Old title", body="first", now=T0)
    post = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    services.edit_post(author, post, "second", "New title", now=T0 + timedelta(minutes=10))
    services.edit_post(author, post, "third", now=T0 + timedelta(minutes=20))
    assert post.body == "third" and thread.title == "New title"
    revisions = db.session.scalars(select(PostRevision).order_by(PostRevision.id)).all()
    assert [(r.body, r.title) for r in revisions] == [("first", "Old title"), ("second", "New title")]
    assert revisions[1].written_at == T0 + timedelta(minutes=10)
    services.edit_post(author, post, "third", now=T0 + timedelta(minutes=21))  # no change
    assert count(db, PostRevision) == 2
    with pytest.raises(ForumError):
        services.edit_post(author, post, "late", now=T0 + timedelta(minutes=31))
    with pytest.raises(ForumError):
        services.edit_post(factories.make_member(), post, "not mine", now=T0)
    for body, title in [("  ", None), ("x" * 20_001, None), ("ok", "   ")]:
        with pytest.raises(ForumError):
            services.edit_post(author, post, body, title, now=T0 + timedelta(minutes=25))


def test_photos_are_cleaned_stored_and_capped(db, app, english):
    thread = make_thread(photos=[file_storage(), file_storage(image_bytes("PNG"), "a.png")])
    photos = db.session.scalars(select(Photo).order_by(Photo.position)).all()
    assert [p.position for p in photos] == [0, 1]
    folder = Path(app.config["UPLOAD_FOLDER"]) / "forum"
    assert (folder / photos[0].stored_name).exists() and (folder / photos[0].thumb_name).exists()
    assert photos[1].stored_name.endswith(".png")
    with pytest.raises(ForumError, match="At most 6"):
        make_reply(thread, photos=[file_storage() for _ in range(7)])


def test_a_bad_photo_refuses_the_post_and_leaves_no_file(db, app, english):
    thread = make_thread(photos=[file_storage()])
    folder = Path(app.config["UPLOAD_FOLDER"]) / "forum"
    before = set(folder.iterdir())
    assert len(before) == 2  # a photo and its thumbnail
    with pytest.raises(ForumError, match="not a JPEG"):
        make_reply(thread, photos=[file_storage(), file_storage(b"<?php echo 1; ?>", "x.jpg")])
    assert set(folder.iterdir()) == before
    with pytest.raises(ForumError, match="larger than 5 MB"):
        make_reply(thread, photos=[file_storage(b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024))])


def test_flags_once_per_member_not_own_posts(db):
    post = make_reply(make_thread())
    member = factories.make_member()
    flag = services.flag_post(member, post, "  spam  ")
    assert flag.reason == "spam"
    with pytest.raises(ForumError):
        services.flag_post(member, post, "again")
    with pytest.raises(ForumError):
        services.flag_post(post.author, post, "mine")
    with pytest.raises(ForumError):
        services.flag_post(factories.make_member(), post, "   ")
    assert count(db, Flag) == 1


def test_categories_are_unique_by_slug_and_audited(db):
    admin = factories.make_user("admin")
    category = make_category(slug="club")
    with pytest.raises(ForumError):
        make_category(slug="club")
    with pytest.raises(ForumError):
        services.save_category(None, admin, {"slug": "x", "kind": "nonsense"})
    services.save_category(category, admin, {"slug": "club", "kind": "complaint",
                                             "first_response_hours": 12})
    assert category.is_complaint and category.first_response_hours == 12


def test_thread_counts_follow_visibility(db):
    category = make_category("complaint")
    author = factories.make_member()
    make_complaint(author, category, is_private=True)
    make_complaint(category=category)
    db.session.commit()  # the tallies are written as the transaction commits
    assert tallies.visible_counts(factories.make_member())[category.id] == 1
    assert tallies.visible_counts(author)[category.id] == 2
    assert tallies.visible_counts(factories.make_user("service"))[category.id] == 2
    assert count(db, Thread) == 2
