"""Threads per category and visibility (`ThreadTally`), kept in step by the forum services
that create a thread or change what decides who sees it (its category, hidden, merged), so
the index page reads a few tally rows instead of counting every thread a request.

Like the points totals, each change is queued with `before_commit`: the tally rows, which
every new thread of a category updates, are locked last and in one order (no deadlock
between two moves in opposite directions), and a rolled-back change leaves them alone.
`verify_tallies` recounts them from the threads; `rebuild_tallies` rewrites them (after the
bench generator's bulk inserts).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, delete, func, insert, not_, select, union_all, update

from portal.core.sql import dialect_insert
from portal.core.uow import before_commit
from portal.extensions import db
from portal.forum import rules
from portal.forum.models import Thread, ThreadTally

TABLE = ThreadTally.__table__


class Key(NamedTuple):
    category_id: int
    is_private: bool
    is_hidden: bool


def key_of(thread: Thread) -> Key | None:
    """The tally a thread counts in now; None for a merged duplicate (never listed)."""
    if thread.merged_into_id is not None:
        return None
    category_id = thread.category.id if thread.category is not None else thread.category_id
    return Key(category_id, bool(thread.is_private), bool(thread.is_hidden))


def changed(before: Key | None, thread: Thread) -> None:
    """The thread counted in `before` (None: nowhere, a new thread) counts where it is now."""
    after = key_of(thread)
    if before == after:
        return
    for key, delta in ((before, -1), (after, 1)):
        if key is not None:
            before_commit(_add, key, delta, order=("forum_thread_tallies", *key))


def _add(key: Key, delta: int) -> None:
    if delta < 0:  # the thread was counted there, so the row exists (and an INSERT of a
        # negative count would fail its CHECK before any conflict is looked at)
        db.session.execute(update(ThreadTally).where(*(
            getattr(ThreadTally, name) == value for name, value in key._asdict().items()))
            .values(threads=ThreadTally.threads + delta))
        return
    statement = dialect_insert(TABLE, db.session).values(**key._asdict(), threads=delta)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["category_id", "is_private", "is_hidden"],
        set_={"threads": TABLE.c.threads + statement.excluded.threads}))


def _shown_whole(user, model):
    """Of `model` (tallies or threads), the visibilities `user`'s role sees whole: private
    ones with the complaint handlers' right, hidden ones with the moderators'."""
    conditions = []
    if not rules.sees_private(user):
        conditions.append(model.is_private.is_(False))
    if not rules.sees_hidden(user):
        conditions.append(model.is_hidden.is_(False))
    return and_(*conditions) if conditions else None


def visible_counts(user) -> dict[int, int]:
    """Threads per category that `user` may see (`rules.visible_threads`): the tallies of
    the visibilities their role sees whole, plus the few other threads they see (their
    own private or hidden ones, those a partner's access grants) counted, in one statement."""
    shown = _shown_whole(user, ThreadTally)
    statement = (select(ThreadTally.category_id, func.sum(ThreadTally.threads))
                 .group_by(ThreadTally.category_id))
    reach = rules.personal_reach(user)
    if shown is not None:
        statement = statement.where(shown)
        if reach is not None:
            statement = union_all(statement, (
                select(Thread.category_id, func.count())
                .where(rules.visible_threads(user), not_(_shown_whole(user, Thread)), reach)
                .group_by(Thread.category_id)))
    counts: dict[int, int] = {}
    for category_id, threads in db.session.execute(statement):
        counts[category_id] = counts.get(category_id, 0) + int(threads)
    return counts


def _recounted():
    return (select(Thread.category_id, Thread.is_private, Thread.is_hidden, func.count())
            .where(Thread.merged_into_id.is_(None))
            .group_by(Thread.category_id, Thread.is_private, Thread.is_hidden))


class TallyDifference(NamedTuple):
    key: Key
    stored: int
    threads: int


def verify_tallies() -> list[TallyDifference]:
    """Every tally that differs from a count of the threads (none, when in step)."""
    stored = {Key(c, bool(p), bool(h)): n for c, p, h, n in db.session.execute(
        select(ThreadTally.category_id, ThreadTally.is_private, ThreadTally.is_hidden,
               ThreadTally.threads))}
    counted = {Key(c, bool(p), bool(h)): n for c, p, h, n in db.session.execute(_recounted())}
    return [TallyDifference(key, stored.get(key, 0), counted.get(key, 0))
            for key in sorted(stored.keys() | counted.keys())
            if stored.get(key, 0) != counted.get(key, 0)]


def rebuild_tallies() -> int:
    """Rewrite the tallies from the threads; returns how many rows there are now."""
    db.session.execute(delete(ThreadTally))
    return db.session.execute(insert(ThreadTally).from_select(
        ["category_id", "is_private", "is_hidden", "threads"], _recounted())).rowcount
