"""Moderation acts: each is audited, recorded with what undoes it, and undoable."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.forum import moderation, services
from portal.forum.common import ForumError
from portal.forum.models import Flag, Follow, ModerationAct, Post
from portal.forum.rules import can_see_thread
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread

T0 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def mod(db):
    return factories.make_user("service")


def audit_actions(db) -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_only_moderators(db):
    post = make_reply(make_thread())
    for user in (factories.make_member(), factories.make_user("marketing")):
        with pytest.raises(ForumError):
            moderation.hide_post(user, post)


def test_hide_resolves_flags_tells_author_and_undo(db, mod):
    post = make_reply(make_thread())
    services.flag_post(factories.make_member(), post, "rude")
    act = moderation.hide_post(mod, post, "insults")
    assert post.is_hidden and post.hidden_by_id == mod.id
    flag = db.session.scalar(select(Flag))
    assert flag.outcome == "hidden" and flag.resolved_by_id == mod.id
    assert act.details == {"reason": "insults"}
    with pytest.raises(ForumError):
        moderation.hide_post(mod, post)
    inverse = moderation.undo(mod, act)
    assert not post.is_hidden and inverse.action == "unhide"
    assert inverse.details["undoes"] == act.id and act.undone_at is not None
    with pytest.raises(ForumError):
        moderation.undo(mod, act)
    assert audit_actions(db)[-2:] == ["forum.hide", "forum.unhide"]
    again = moderation.undo(mod, inverse)  # undo the undo
    assert again.action == "hide" and post.is_hidden


def test_hiding_the_opening_post_hides_the_thread(db, mod):
    author = factories.make_member()
    thread = make_thread(author)
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id))
    moderation.hide_post(mod, opening)
    assert thread.is_hidden
    assert not can_see_thread(factories.make_member(), thread)
    assert can_see_thread(author, thread) and can_see_thread(mod, thread)
    moderation.unhide_post(mod, opening)
    assert not thread.is_hidden
    with pytest.raises(ForumError):
        moderation.unhide_post(mod, opening)


def test_lock_pin_and_their_undo(db, mod):
    thread = make_thread()
    lock = moderation.set_locked(mod, thread, True)
    pin = moderation.set_pinned(mod, thread, True)
    assert thread.is_locked and thread.is_pinned
    with pytest.raises(ForumError):
        moderation.set_locked(mod, thread, True)
    moderation.undo(mod, lock)
    moderation.undo(mod, pin)
    assert not thread.is_locked and not thread.is_pinned
    unlock = db.session.scalar(select(ModerationAct).where(ModerationAct.action == "unlock"))
    moderation.undo(mod, unlock)
    assert thread.is_locked


def test_move_keeps_complaints_in_complaint_categories(db, mod):
    thread = make_thread()
    other = make_category()
    act = moderation.move_thread(mod, thread, other)
    assert thread.category_id == other.id
    with pytest.raises(ForumError):
        moderation.move_thread(mod, thread, other)
    with pytest.raises(ForumError):
        moderation.move_thread(mod, thread, make_category("complaint"))
    with pytest.raises(ForumError):
        moderation.move_thread(mod, make_complaint().thread, other)
    original = act.details["from_category_id"]
    moderation.undo(mod, act)
    assert thread.category_id == original


def test_undo_move_refused_when_moved_again(db, mod, english):
    thread = make_thread()
    first = moderation.move_thread(mod, thread, make_category())
    moderation.move_thread(mod, thread, make_category())
    with pytest.raises(ForumError, match="moved again"):
        moderation.undo(mod, first)


def test_merge_moves_posts_and_followers_and_undo_restores(db, mod):
    target = make_thread(now=T0)
    make_reply(target, now=T0 + timedelta(minutes=1))
    source_author = factories.make_member()
    source = make_thread(source_author, title="Duplicate", now=T0 + timedelta(minutes=2))
    late = make_reply(source, now=T0 + timedelta(minutes=3))
    act = moderation.merge_thread(mod, source, target)
    assert source.merged_into_id == target.id
    posts = db.session.scalars(select(Post).where(Post.thread_id == target.id)).all()
    assert len(posts) == 4 and sum(p.is_opening for p in posts) == 1
    assert target.reply_count == 3 and target.last_post_at == late.created_at
    assert db.session.get(Follow, (source_author.id, target.id)) is not None
    assert not can_see_thread(mod, source)
    with pytest.raises(ForumError):
        moderation.merge_thread(mod, source, target)
    with pytest.raises(ForumError):
        moderation.merge_thread(mod, target, target)
    moderation.undo(mod, act)
    assert source.merged_into_id is None
    back = db.session.scalars(select(Post).where(Post.thread_id == source.id)).all()
    assert len(back) == 2 and [p.is_opening for p in back] == [True, False]
    assert target.reply_count == 1 and source.reply_count == 1
    with pytest.raises(ForumError):
        moderation.unmerge_thread(mod, source)


def test_private_complaints_merge_only_into_the_same_homeowners_private_one(db, mod):
    author = factories.make_member()
    category = make_category("complaint")
    private = make_complaint(author, category, is_private=True).thread
    with pytest.raises(ForumError):
        moderation.merge_thread(mod, private, make_complaint(category=category).thread)
    with pytest.raises(ForumError):
        moderation.merge_thread(mod, private, make_complaint(
            category=category, is_private=True).thread)
    moderation.merge_thread(mod, private, make_complaint(author, category, is_private=True).thread)


def test_silence_rules_and_lift(db, mod, english):
    member = factories.make_member()
    with pytest.raises(ForumError):
        moderation.silence_member(mod, factories.make_user("admin"), 3)
    with pytest.raises(ForumError):
        moderation.silence_member(mod, mod, 3)
    for days in (0, 366):
        with pytest.raises(ForumError):
            moderation.silence_member(mod, member, days)
    act = moderation.silence_member(mod, member, 3, "spam", now=T0)
    assert services.active_sanction(member, T0 + timedelta(days=2)) is not None
    lifted = moderation.undo(mod, act, now=T0 + timedelta(hours=1))
    assert lifted.action == "lift"
    assert services.active_sanction(member, T0 + timedelta(days=2)) is None
    with pytest.raises(ForumError, match="cannot be undone"):
        moderation.undo(mod, lifted)


def test_dismiss_flags(db, mod):
    post = make_reply(make_thread())
    services.flag_post(factories.make_member(), post, "meh")
    assert moderation.dismiss_flags(mod, post) == 1
    assert db.session.scalar(select(Flag.outcome)) == "dismissed"
    with pytest.raises(ForumError):
        moderation.dismiss_flags(mod, post)


def test_flag_queue_groups_open_flags_per_post(db, mod):
    first, second = make_reply(make_thread()), make_reply(make_thread())
    for _ in range(2):
        services.flag_post(factories.make_member(), second, "x")
    services.flag_post(factories.make_member(), first, "y")
    posts = db.session.scalars(moderation.flag_queue_query()).all()
    assert [p.id for p in posts] == [second.id, first.id]
