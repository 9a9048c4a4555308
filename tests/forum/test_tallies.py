"""Thread tallies: the index page's counts per category, kept in step by the services that
create threads and change who sees them, equal to counting the threads by the visibility
rule for every kind of reader."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.accounts.models import Guest
from portal.accounts.permissions import Role
from portal.extensions import db
from portal.forum import moderation, rules, tallies
from portal.forum.models import Post, Thread, ThreadTally
from portal.partners import services as partners
from tests import factories
from tests.forum.helpers import make_category, make_thread
from tests.partners.helpers import (
    homeowner_complaint,
    make_contract,
    make_organisation,
    make_partner_account,
)


def counted(user) -> dict[int, int]:
    """What the index page counted before the tallies: every visible thread, grouped."""
    return dict(db.session.execute(
        select(Thread.category_id, func.count()).where(rules.visible_threads(user))
        .group_by(Thread.category_id)).all())


def opening(thread: Thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))


def shown(counts: dict[int, int]) -> dict[int, int]:
    return {category: n for category, n in counts.items() if n}


@pytest.fixture
def forum(db):
    """Two complaint categories and a discussion one, threads of every visibility, and a
    reader of each kind (a partner whose organisation a private complaint is attributed to)."""
    author, other = factories.make_member(), factories.make_member()
    organisation = make_organisation()
    make_contract(organisation)
    partner = make_partner_account(organisation)
    complaints, spare, talk = (make_category("complaint"), make_category("complaint"),
                               make_category("discussion"))
    threads = {
        "public": make_thread(other, talk),
        "own public": make_thread(author, talk),
        "private": make_thread(other, complaints, is_private=True),
        "own private": make_thread(author, complaints, is_private=True),
        "complaint": make_thread(other, complaints),
        "attributed": homeowner_complaint(private=True).thread,
    }
    partners.attribute_complaint(threads["attributed"].complaint, organisation,
                                 factories.make_user(Role.SERVICE), needed_repair=True)
    db.session.commit()
    readers = {"anonymous": Guest(), "member": factories.make_member(), "author": author,
               "partner": partner, "service": factories.make_user(Role.SERVICE),
               "marketing": factories.make_user(Role.MARKETING),
               "admin": factories.make_user(Role.ADMIN)}
    db.session.commit()
    return {"threads": threads, "readers": readers, "complaints": complaints, "spare": spare,
            "talk": talk, "moderator": readers["admin"]}


def assert_in_step(readers):
    db.session.commit()
    assert tallies.verify_tallies() == []
    for name, reader in readers.items():
        assert shown(tallies.visible_counts(reader)) == counted(reader), name


def test_the_tallies_count_what_each_reader_sees(db, forum):
    readers = forum["readers"]
    assert_in_step(readers)
    assert tallies.visible_counts(readers["member"])[forum["talk"].id] == 2
    assert tallies.visible_counts(readers["author"])[forum["complaints"].id] == 2  # + own private
    assert tallies.visible_counts(readers["service"])[forum["complaints"].id] == 3


def test_moving_hiding_and_merging_keep_them_in_step(db, forum):
    threads, moderator, readers = forum["threads"], forum["moderator"], forum["readers"]
    moderation.move_thread(moderator, threads["complaint"], forum["spare"])
    assert_in_step(readers)
    moderation.hide_post(moderator, opening(threads["own public"]))
    assert_in_step(readers)
    assert tallies.visible_counts(readers["member"]).get(forum["talk"].id) == 1
    assert tallies.visible_counts(readers["author"])[forum["talk"].id] == 2  # their own, hidden
    moderation.unhide_post(moderator, opening(threads["own public"]))
    assert_in_step(readers)
    moderation.merge_thread(moderator, threads["public"], threads["own public"])
    assert_in_step(readers)
    assert tallies.visible_counts(readers["member"])[forum["talk"].id] == 1
    moderation.unmerge_thread(moderator, threads["public"])
    assert_in_step(readers)
    assert tallies.visible_counts(readers["member"])[forum["talk"].id] == 2


def test_a_rolled_back_thread_is_not_counted(db, forum):
    before = tallies.visible_counts(forum["readers"]["member"])
    make_thread(category=forum["talk"])
    db.session.rollback()
    assert tallies.visible_counts(forum["readers"]["member"]) == before
    assert tallies.verify_tallies() == []


def test_verify_finds_a_wrong_tally_and_rebuild_mends_it(db, forum):
    row = db.session.get(ThreadTally, (forum["talk"].id, False, False))
    row.threads += 5
    db.session.commit()
    [difference] = tallies.verify_tallies()
    assert (difference.stored, difference.threads) == (7, 2)
    assert tallies.rebuild_tallies() == db.session.scalar(
        select(func.count()).select_from(ThreadTally))
    db.session.commit()
    assert tallies.verify_tallies() == []
