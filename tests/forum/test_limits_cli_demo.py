"""Posting rate limit, the cron commands, demo data, and the visibility rules' SQL twins."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from portal.core.timeutil import utcnow
from portal.forum import moderation, rules
from portal.forum.models import CannedReply, Category, Complaint, Photo, Post, Thread, ThreadTally
from tests import factories
from tests.conftest import test_config
from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread


class TestRateLimit:
    @pytest.fixture
    def app_config(self, tmp_path):
        return test_config(tmp_path, RATELIMIT_ENABLED=True, FORUM_POST_LIMIT="3 per minute")

    def test_posting_is_limited_per_member_across_threads_and_replies(self, client, login, db):
        login("member")
        category = make_category()
        thread = make_thread()
        statuses = [client.post(f"/forum/t/{thread.id}/reply", data={"body": f"r{i}"}).status_code
                    for i in range(3)]
        statuses.append(client.post("/forum/new", data={
            "category": category.slug, "title": "T", "body": "new"}).status_code)
        assert statuses == [302, 302, 302, 429]
        assert db.session.scalar(select(func.count()).select_from(Post)) == 4  # 1 opening + 3
        assert client.get(f"/forum/t/{thread.id}").status_code == 200  # reading is not limited
        login("member")  # another member has their own budget
        assert client.post(f"/forum/t/{thread.id}/reply", data={"body": "mine"}).status_code == 302


def test_escalate_command_is_idempotent(runner, db):
    make_complaint(now=utcnow() - timedelta(hours=30))
    make_complaint()
    factories.make_user("admin")
    db.session.commit()
    first = runner.invoke(args=["complaints", "escalate"])
    assert first.exit_code == 0 and "Escalated 1 complaint(s); 3 e-mail(s)" in first.output  # 3 admins
    second = runner.invoke(args=["complaints", "escalate"])
    assert "Escalated 0 complaint(s)" in second.output
    later = runner.invoke(args=["complaints", "escalate", "--now",
                                (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")])
    assert "Escalated 1 complaint(s)" in later.output
    assert db.session.scalar(select(func.count()).select_from(Complaint).where(
        Complaint.escalated_at.is_not(None))) == 2


def test_reindex_command(runner, db):
    make_thread(body="漏水")
    db.session.commit()
    result = runner.invoke(args=["forum", "reindex"])
    assert result.exit_code == 0 and "Indexed 1 post(s)" in result.output


def test_verify_command_finds_and_repairs_a_wrong_tally(runner, db):
    thread = make_thread()
    db.session.commit()
    assert runner.invoke(args=["forum", "verify"]).output.strip() == "0 thread tally difference(s)"
    db.session.execute(update(ThreadTally).values(threads=ThreadTally.threads + 2))
    db.session.commit()
    result = runner.invoke(args=["forum", "verify"])
    assert result.exit_code == 1
    assert f"category {thread.category_id} private=False hidden=False: tally 3, threads 1" in result.output
    assert runner.invoke(args=["forum", "verify", "--repair"]).exit_code == 1
    assert runner.invoke(args=["forum", "verify"]).exit_code == 0


def test_demo_forum(runner, db, app, client, demo):
    assert runner.invoke(args=["forum", "verify"]).exit_code == 0  # the tallies in step
    kinds = dict(db.session.execute(select(Category.kind, func.count()).group_by(Category.kind)).all())
    assert kinds == {"complaint": 5, "discussion": 2, "announcement": 1}
    assert {c.locale for c in db.session.scalars(select(CannedReply))} == {"zh_Hant", "zh_Hans", "en"}
    # The forum's own complaints are from the last ten days; later seeders (partners) add
    # older ones of their own.
    recent = Complaint.created_at > utcnow() - timedelta(days=11)
    statuses = dict(db.session.execute(
        select(Complaint.status, func.count()).where(recent).group_by(Complaint.status)).all())
    assert statuses == {"in_progress": 1, "resolved": 1, "open": 4}
    channels = dict(db.session.execute(
        select(Complaint.channel, func.count()).where(recent).group_by(Complaint.channel)).all())
    assert channels == {"online": 4, "phone": 1, "walk_in": 1}
    rated = db.session.scalar(select(Complaint).where(Complaint.rating.is_not(None), recent))
    assert rated.rating == 4 and rated.thread.title.startswith("Lift")
    private = db.session.scalar(select(Thread).where(Thread.is_private))
    assert private.author.email == "member@demo.club"
    assert db.session.scalar(select(func.count()).select_from(Photo)) == 1
    overdue = db.session.scalars(select(Complaint).where(Complaint.next_due_at < utcnow(), recent)).all()
    assert len(overdue) == 1 and overdue[0].first_response_at is None
    assert db.session.scalar(select(func.count()).select_from(Post).where(Post.is_official)) >= 4
    # Seeding again (forced) adds nothing to the forum.
    assert runner.invoke(args=["seed-demo", "--force"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Category)) == 8


def test_visibility_rule_and_its_sql_twin_agree(db):
    author = factories.make_member()
    moderator = factories.make_user("service")
    threads = [
        make_thread(author),
        make_complaint(author, is_private=True).thread,
        make_complaint(is_private=True).thread,
        make_thread(),
    ]
    hidden = make_thread(author)
    moderation.hide_post(moderator, db.session.scalar(
        select(Post).where(Post.thread_id == hidden.id)))
    merged = make_thread()
    moderation.merge_thread(moderator, merged, threads[0])
    internal = make_reply(threads[1], moderator, "note", internal=True)
    hidden_reply = make_reply(threads[0], author, "rude")
    moderation.hide_post(moderator, hidden_reply)
    from portal.accounts.models import Guest

    users = [author, factories.make_member(), moderator, factories.make_user("marketing"),
             factories.make_user("admin"), factories.make_user("partner"), Guest()]
    all_threads = db.session.scalars(select(Thread)).all()
    all_posts = db.session.scalars(select(Post)).all()
    for user in users:
        in_sql = set(db.session.scalars(select(Thread.id).where(rules.visible_threads(user))))
        in_python = {t.id for t in all_threads if rules.can_see_thread(user, t)}
        assert in_sql == in_python, getattr(user, "role", "guest")
        posts_sql = set(db.session.scalars(select(Post.id).where(rules.visible_posts(user))))
        posts_python = {p.id for p in all_posts if rules.can_see_post(user, p)}
        assert posts_sql == posts_python, getattr(user, "role", "guest")
    assert internal.id not in {p.id for p in all_posts if rules.can_see_post(author, p)}
    # Visitors read the public threads only: no private complaint, hidden or merged thread.
    guest_sees = set(db.session.scalars(select(Thread.id).where(rules.visible_threads(Guest()))))
    assert guest_sees == {threads[0].id, threads[3].id}
    assert not rules.can_see_post(Guest(), internal) and not rules.can_see_post(Guest(), hidden_reply)
