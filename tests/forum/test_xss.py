"""The XSS corpus as thread title, post body, flag reason and canned reply: stored as
written, shown inert wherever it appears (the fragment holding the user data is checked)."""

from __future__ import annotations

import re

from portal.forum import moderation, services
from tests import factories
from tests.forum.helpers import make_category, make_reply, make_thread
from tests.xss_corpus import XSS_VECTORS, assert_inert_html

TITLE = re.compile(r'<h1 class="h4 mb-0" id="thread-title">(.*?)</h1>', re.S)
BODIES = re.compile(r'<div class="rendered-markdown post-body">(.*?)</div>', re.S)
LIST_TITLES = re.compile(r'<a class="fw-semibold thread-title"[^>]*>(.*?)</a>', re.S)
FLAG_REASONS = re.compile(r'<span class="flag-reason">(.*?)</span>', re.S)
CANNED_BODIES = re.compile(r'<pre class="[^"]*canned-body">(.*?)</pre>', re.S)
CANNED_LINKS = re.compile(r"(<a class=\"me-2 canned-reply\"[^>]*>.*?</a>)", re.S)
TEXTAREA = re.compile(r'(<textarea[^>]*name="body"[^>]*>.*?</textarea>)', re.S)
SCRIPT_TAGS = re.compile(r"<script\b", re.I)


def fragments(pattern: re.Pattern, page: str) -> list[str]:
    found = pattern.findall(page)
    assert found, pattern.pattern
    return found


def title_of(vector: str) -> str:
    return " ".join(vector.split())[:160] or "x"


def test_corpus_is_big_enough():
    assert len(XSS_VECTORS) >= 50


def test_vectors_as_title_and_body_are_inert(client, login, db):
    """One app for the whole corpus (a fresh app per vector costs a minute)."""
    login("member")
    category = make_category()
    for vector in XSS_VECTORS:
        thread = make_thread(title=title_of(vector), body=vector, category=category)
        make_reply(thread, body=vector + " (reply)")
        assert thread.title == title_of(vector)  # stored as written
        page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
        assert len(SCRIPT_TAGS.findall(page)) == 3, vector  # popper, bootstrap, portal.js
        for fragment in fragments(TITLE, page) + fragments(BODIES, page):
            assert_inert_html(fragment)
        if vector == "{{7*7}}":  # no template injection
            assert fragments(TITLE, page)[0].strip() == "{{7*7}}"
    for number in range(1, len(XSS_VECTORS) // 25 + 2):
        listing = client.get(f"/forum/c/{category.slug}?page={number}").get_data(as_text=True)
        for fragment in fragments(LIST_TITLES, listing):
            assert_inert_html(fragment)
    results = client.get("/forum/search?q=alert").get_data(as_text=True)
    assert len(SCRIPT_TAGS.findall(results)) == 3


def test_vectors_as_flag_reasons_are_inert_for_moderators(client, login, db):
    login("service")
    for vector in XSS_VECTORS:
        post = make_reply(make_thread(), body=f"post for {vector[:20]}")
        services.flag_post(factories.make_member(), post, vector)
    page = ""
    pages = -(-len(XSS_VECTORS) // moderation.FLAGS_PER_PAGE)  # past the last: the last again
    for number in range(1, pages + 1):
        page += client.get(f"/admin/forum/flags?page={number}").get_data(as_text=True)
    reasons = fragments(FLAG_REASONS, page)
    assert len(reasons) == len(XSS_VECTORS)
    for fragment in reasons:
        assert_inert_html(fragment)
    assert len(SCRIPT_TAGS.findall(page)) == 3 * pages  # only the layout's own, per page


def test_vectors_as_canned_replies_are_inert_in_the_list_the_links_and_the_reply_box(
        client, login, db):
    staff = login("service", locale="en")
    thread = make_thread()
    ids = []
    for vector in XSS_VECTORS:
        ids.append(services.save_canned_reply(None, staff, locale="en", title=title_of(vector)[:120],
                                              body=vector).id)
    listing = client.get("/admin/forum/canned").get_data(as_text=True)
    for fragment in fragments(CANNED_BODIES, listing):
        assert_inert_html(fragment)
    page = client.get(f"/forum/t/{thread.id}").get_data(as_text=True)
    links = fragments(CANNED_LINKS, page)
    assert len(links) == len(XSS_VECTORS)
    for fragment in links:
        assert_inert_html(fragment)
    for canned_id in ids:
        filled = client.get(f"/forum/t/{thread.id}?canned={canned_id}").get_data(as_text=True)
        for fragment in fragments(TEXTAREA, filled):
            assert_inert_html(fragment)
