"""The XSS corpus in a real browser: a thread whose title and posts are the vectors, its
category list, search results, and the moderators' flag queue fire no dialog."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.forum import services
from tests import factories
from tests.forum.helpers import make_category, make_reply, make_thread
from tests.xss_corpus import XSS_VECTORS

POSTS_PER_PAGE = 20


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/auth/login?lang=en")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("#login-form [type=submit]")
    expect(page.locator("#current-user")).to_be_visible()


def test_xss_thread_fires_no_dialog(live_app, live_server: str, page: Page):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with live_app.app_context():
        member = factories.make_member(email="reader@example.com")
        factories.make_user("service", email="mod@example.com")
        category = make_category(name_en="<img src=x onerror=alert(1)>")
        thread = make_thread(title="<svg onload=alert(1)> \"><script>alert(1)</script>",
                             body=XSS_VECTORS[0], category=category)
        # One author for the replies: a new one each would follow the thread, and every
        # reply would notify (and e-mail) all earlier repliers: 16,000 jobs, 35 s (issue 8).
        writer = factories.make_member()
        for number, vector in enumerate(XSS_VECTORS[1:], start=1):
            make_reply(thread, author=writer, body=vector)
            services.flag_post(member, make_reply(thread, author=writer, body=f"flagged {number}"),
                               vector)
        db.session.commit()
        thread_id, slug = thread.id, category.slug
        pages = (2 * len(XSS_VECTORS)) // POSTS_PER_PAGE + 1

    log_in(page, live_server, "reader@example.com")
    for number in range(1, pages + 1):
        page.goto(f"{live_server}/forum/t/{thread_id}?page={number}")
        expect(page.locator("#thread-title")).to_contain_text("<svg onload=alert(1)>")
        page.wait_for_load_state("load")
    page.goto(f"{live_server}/forum/c/{slug}")
    page.goto(f"{live_server}/forum/search?q=alert")
    expect(page.locator(".search-result").first).to_be_visible()
    page.goto(f"{live_server}/forum/")

    page.click("#logout")
    log_in(page, live_server, "mod@example.com")
    for number in range(1, len(XSS_VECTORS) // 30 + 2):
        page.goto(f"{live_server}/admin/forum/flags?page={number}")
        page.wait_for_load_state("load")
    page.goto(f"{live_server}/forum/t/{thread_id}?page={pages}")
    page.wait_for_timeout(300)  # let any late onload/onerror handler run
    assert dialogs == []


def test_canned_reply_insert_and_complaint_fields_with_javascript(live_app, live_server: str,
                                                                 page: Page):
    with live_app.app_context():
        factories.make_user("service", email="staff@example.com", locale="en")
        complaint_category = make_category("complaint")
        discussion = make_category()
        thread = make_thread(category=complaint_category)
        services.save_canned_reply(None, factories.make_user("admin"), locale="en",
                                   title="Visit booked", body="We visit on <b>Monday</b>.")
        db.session.commit()
        thread_id, complaint_slug, discussion_slug = thread.id, complaint_category.slug, discussion.slug
    log_in(page, live_server, "staff@example.com")
    page.goto(f"{live_server}/forum/t/{thread_id}")
    page.fill("#body", "Hello. ")
    page.click("text=Visit booked")
    expect(page.locator("#body")).to_have_value("Hello. We visit on <b>Monday</b>.")
    assert page.url.endswith(f"/forum/t/{thread_id}")  # inserted in place, no reload
    page.goto(f"{live_server}/forum/new")
    page.select_option("#category", discussion_slug)
    expect(page.locator(".complaint-only")).to_be_hidden()
    page.select_option("#category", complaint_slug)
    expect(page.locator(".complaint-only")).to_be_visible()
