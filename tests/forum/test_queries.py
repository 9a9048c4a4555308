"""Reading writes nothing, and a thread or category page costs a fixed number of queries."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from portal.extensions import db as _db
from portal.forum import services
from tests import factories
from tests.forum.helpers import file_storage, make_category, make_complaint, make_reply

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def statements():
    """Every SQL statement sent to the database inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(_db.engine, "before_cursor_execute", listener)


def queries_for(client, path: str) -> list[str]:
    with statements() as seen:
        response = client.get(path)
    assert response.status_code == 200, path
    response.close()
    return [s for s in seen if not s.lstrip().upper().startswith(("PRAGMA", "BEGIN", "COMMIT",
                                                                  "ROLLBACK"))]


def fill_thread(thread, replies: int) -> None:
    authors = [factories.make_member() for _ in range(5)]
    staff = factories.make_user("service")
    for i in range(replies):
        author = staff if i % 7 == 0 else authors[i % 5]
        make_reply(thread, staff if i % 11 == 3 else author, f"reply {i}", internal=(i % 11 == 3),
                   photos=[file_storage()] if i % 9 == 1 else None)


@pytest.mark.parametrize("role", ["member", "service"])
def test_thread_page_queries_do_not_grow_with_posts(client, login, db, role):
    login(role)
    small, large = make_complaint(), make_complaint()
    fill_thread(small.thread, 5)
    fill_thread(large.thread, 50)
    db.session.commit()  # the followers' notifications (jobs after the commit) are not counted
    small_count = len(queries_for(client, f"/forum/t/{small.thread_id}"))
    large_count = len(queries_for(client, f"/forum/t/{large.thread_id}"))
    large_page_3 = len(queries_for(client, f"/forum/t/{large.thread_id}?page=3"))
    assert small_count == large_count == large_page_3
    assert large_count <= (8 if role == "member" else 12)


def test_category_and_index_pages_queries_do_not_grow_with_threads(client, login, db):
    login("member")
    small, large = make_category("complaint"), make_category("complaint")
    for category, n in ((small, 5), (large, 50)):
        for i in range(n):
            make_complaint(category=category, title=f"thread {i}")
    db.session.commit()  # the thread tallies are written as it commits
    small_count = len(queries_for(client, f"/forum/c/{small.slug}"))
    large_count = len(queries_for(client, f"/forum/c/{large.slug}"))
    assert small_count == large_count <= 6
    assert len(queries_for(client, "/forum/")) <= 7


def test_queue_and_search_pages_queries_are_bounded(client, login, db):
    login("service")
    for i in range(40):
        make_complaint(title=f"complaint {i} 漏水")
    db.session.commit()  # the thread tallies are written as it commits
    assert len(queries_for(client, "/admin/complaints/")) <= 8
    assert len(queries_for(client, "/forum/search?q=漏水")) <= 6
    assert len(queries_for(client, "/")) <= 12


def test_get_requests_write_nothing(client, login, db, app):
    author = factories.make_member()
    complaint = make_complaint(author, photos=[file_storage()])
    post = make_reply(complaint.thread, factories.make_user("service"), "answer")
    services.flag_post(factories.make_member(), post, "spam")
    canned = services.save_canned_reply(None, factories.make_user("admin"), locale="en",
                                        title="t", body="b")
    photo_id = complaint.thread.id  # the photo of the opening post has id 1
    paths = ["/forum/", f"/forum/c/{complaint.thread.category.slug}", "/forum/new",
             f"/forum/t/{complaint.thread_id}", f"/forum/t/{complaint.thread_id}?quote={post.id}",
             f"/forum/t/{complaint.thread_id}?canned={canned.id}", f"/forum/p/{post.id}",
             f"/forum/p/{post.id}/history", f"/forum/p/{post.id}/flag", "/forum/search?q=answer",
             f"/forum/photos/{photo_id}", f"/forum/photos/{photo_id}/thumb", "/",
             "/admin/complaints/", "/admin/forum/flags", "/admin/forum/acts",
             "/admin/forum/canned", "/admin/forum/categories", "/admin/forum/departments",
             f"/admin/forum/members/{author.id}/silence"]
    from tests.conftest import log_in
    for user in (author, factories.make_user("admin")):
        db.session.commit()
        log_in(client, user)
        for path in paths:
            with statements() as seen:
                response = client.get(path)
            response.close()
            writes = [s for s in seen if WRITE.match(s)]
            assert not writes, (path, writes)
            assert response.status_code in (200, 302, 403), path
