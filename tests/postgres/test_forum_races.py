"""Forum writes under real concurrency on PostgreSQL (workers released by a Barrier)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.core.timeutil import utcnow
from portal.extensions import db
from portal.forum import complaints, moderation, services, tallies
from portal.forum.common import ForumError
from portal.forum.models import Category, Complaint, ComplaintEvent, Post, Thread
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_thread
from tests.support.race import migrated_postgres_app, race

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "forum") as app:
        yield app


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_concurrent_staff_replies_all_count_and_answer_once(pg_app):
    complaint = make_complaint()
    staff_ids = [factories.make_user("service").id for _ in range(20)]
    thread_id, complaint_id = complaint.thread_id, complaint.id
    db.session.commit()

    def work(index: int):
        staff = db.session.get(User, staff_ids[index])
        thread = db.session.get(Thread, thread_id)
        return services.reply(staff, thread, f"answer {index}").id

    outcome = race(pg_app, 20, work, refusal=ForumError)
    assert not outcome.crashes, outcome.results
    thread = db.session.get(Thread, thread_id)
    assert thread.reply_count == 20 == count(Post, Post.thread_id == thread_id, ~Post.is_opening)
    complaint = db.session.get(Complaint, complaint_id)
    assert complaint.first_response_at is not None and complaint.status == "acknowledged"
    assert count(ComplaintEvent, ComplaintEvent.to_status == "acknowledged") == 1


def test_a_double_submitted_post_is_saved_once(pg_app):
    member = factories.make_member()
    thread = make_complaint(member).thread
    member_id, thread_id = member.id, thread.id
    db.session.commit()

    def work(_index: int):
        return services.reply(db.session.get(User, member_id), db.session.get(Thread, thread_id),
                              "Please answer!").id

    outcome = race(pg_app, 10, work, refusal=ForumError, describe=lambda e: "refused")
    assert not outcome.crashes, outcome.results
    assert outcome.results.count("refused") == 9
    assert count(Post, Post.body == "Please answer!") == 1


def test_concurrent_escalation_sweeps_escalate_each_complaint_once(pg_app):
    started = utcnow() - timedelta(hours=30)
    ids = [make_complaint(now=started).id for _ in range(10)]
    db.session.commit()

    outcome = race(pg_app, 5, lambda _index: complaints.escalate_overdue()[0])
    assert not outcome.crashes, outcome.results
    assert sum(outcome.results) == 10
    assert count(Complaint, Complaint.id.in_(ids), Complaint.escalated_at.is_not(None)) == 10
    assert count(ComplaintEvent, ComplaintEvent.kind == "escalated") == 10
    assert count(AuditEntry, AuditEntry.action == "complaint.escalate") == 10


def test_resolve_racing_the_sweep_never_leaves_an_escalated_resolved_complaint_twice(pg_app):
    complaint = make_complaint(now=utcnow() - timedelta(hours=30))
    staff = factories.make_user("service")
    complaint_id, staff_id = complaint.id, staff.id
    db.session.commit()

    def work(index: int):
        if index % 2:
            return complaints.escalate_overdue()[0]
        try:
            complaints.change_status(db.session.get(Complaint, complaint_id),
                                     db.session.get(User, staff_id), "resolved")
        except ForumError:
            return "already"
        return "resolved"

    outcome = race(pg_app, 6, work)
    assert not outcome.crashes, outcome.results
    assert outcome.results.count("resolved") == 1
    assert count(ComplaintEvent, ComplaintEvent.kind == "escalated") <= 1
    assert count(ComplaintEvent, ComplaintEvent.to_status == "resolved",
                 ComplaintEvent.kind == "status") == 1


def test_concurrent_new_threads_and_moves_keep_the_tallies_in_step(pg_app):
    """Ten members start threads in a new category at once while a moderator moves
    threads both ways between two others: every tally ends equal to a count, and no two
    transactions deadlock on the tally rows (they are updated last, in one order)."""
    fresh, left, right = make_category(), make_category(), make_category()
    members = [factories.make_member().id for _ in range(10)]
    moved = [make_thread(category=left).id for _ in range(5)] + [
        make_thread(category=right).id for _ in range(5)]
    moderator_id = factories.make_user("admin").id
    ids = {"fresh": fresh.id, "left": left.id, "right": right.id}
    db.session.commit()

    def work(index: int):
        if index < 10:
            member = db.session.get(User, members[index])
            return services.start_thread(member, db.session.get(Category, ids["fresh"]),
                                         f"Thread {index}", f"Body {index}").id
        thread = db.session.get(Thread, moved[index - 10])
        to = ids["right"] if thread.category_id == ids["left"] else ids["left"]
        return moderation.move_thread(db.session.get(User, moderator_id), thread,
                                      db.session.get(Category, to)).id

    outcome = race(pg_app, 20, work)
    assert not outcome.crashes, outcome.results
    assert tallies.verify_tallies() == []
    counts = tallies.visible_counts(factories.make_member())
    assert (counts[ids["fresh"]], counts[ids["left"]], counts[ids["right"]]) == (10, 5, 5)
