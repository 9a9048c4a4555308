"""Every page family in Chromium on a demo site whose every shown text is an XSS payload
(tests/e2e/xss_site.py): no dialog, no CSP violation, no element the payloads could have
made, the strict CSP header on every response; and every CSV export keeps the payloads
as text, formulas quoted.

One poisoned demo site for the module and one logged-in context per role, reused. The
CSP is enforced as in production, so a payload that got through would be stopped from
running; the DOM check still finds what it left (escaping is tested, not only the CSP).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import url_for

from tests.e2e.demo_site import PageFamily, demo_site, log_in, page_families, set_language
from tests.e2e.xss_site import (
    NOT_FREE_TEXT,
    POISONED,
    POISONED_IN_PLACE,
    WRITTEN_SEPARATELY,
    PoisonedIds,
    text_columns,
)
from tests.e2e.xss_site import poison as poison_site
from tests.xss_corpus import TEMPLATE_PROBE, XSS_MARKER

# What the payloads could leave in the DOM: the marker (from markup, or from a script that
# ran), script not served by this site, frames and plugins, event handlers, script URLs, an
# evaluated template; and whether the page's main content shows a poisoned text at all
# (every signed-in page has the poisoned display name in its header).
INSPECT = """(marker) => {
  const found = [];
  const show = (el) => el.outerHTML.slice(0, 120);
  for (const el of document.querySelectorAll(`#${marker}, ${marker}`)) found.push('marker ' + show(el));
  for (const el of document.querySelectorAll('script')) {
    const src = el.getAttribute('src');
    if (!src || new URL(src, location.href).origin !== location.origin) found.push('script ' + show(el));
  }
  for (const el of document.querySelectorAll('img[src="x"], iframe, frame, object, embed, base')) {
    found.push('element ' + show(el));
  }
  for (const el of document.querySelectorAll('*')) {
    for (const {name, value} of el.attributes) {
      if (name.startsWith('on') || name === 'srcdoc') found.push(name + ' on ' + show(el));
      else if (/^(href|src|action|formaction|xlink:href|data|poster|background)$/.test(name)
               && /^[\\s\\x00-\\x1f]*(javascript|vbscript|data:text)/i.test(value)) {
        found.push(name + ' URL on ' + show(el));
      }
    }
  }
  if (document.body.innerText.includes('xss49xss')) found.push('template evaluated: xss49xss');
  return {found, shown: (document.querySelector('main') || document.body).innerHTML.includes(marker)};
}"""
# Pages whose main content shows no stored text: empty forms, settings, figures, errors;
# the referrals page masks the invitees' names ("李**"); the search family looks for a
# word that the poisoned posts no longer hold ("search-payloads" finds them).
NO_STORED_TEXT = {"login", "register", "register-sent", "reset", "not-found", "gift", "referrals", "search",
                  "staff-home", "redemptions-admin", "points-admin", "points-settings", "referral-rule",
                  "canned-new", "category-new", "perk-new", "notification-settings"}
# Pages read again in Traditional Chinese: they show the per-language texts.
ZH_HANT_FAMILIES = {"landing", "home", "perks", "perk", "perk-preview", "forum", "category", "thread",
                    "notifications", "points", "surveys", "survey", "survey-results", "campaign",
                    "categories-admin", "audit"}
FORBIDDEN_SCRIPT_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d[\d,]*(\.\d+)?%?")


@dataclass
class Tab:
    """A role's page and what its current document did (dialogs, CSP reports, errors)."""

    page: object
    events: list[str] = field(default_factory=list)


def _more_families(ids: PoisonedIds) -> list[PageFamily]:
    """Pages that show the poisoned objects and are not in `page_families`."""
    return [
        PageFamily("post-edit", "member", f"/forum/p/{ids.fresh_post}/edit"),
        PageFamily("post-history", "member", f"/forum/p/{ids.fresh_post}/history"),
        PageFamily("discussion", "member", f"/forum/t/{ids.discussion_thread}"),
        PageFamily("search-payloads", "member", "/forum/search?q=xss"),
        PageFamily("partner-home", "partner", "/"),
        PageFamily("partner-rounds", "partner", "/rounds"),
        PageFamily("partner-round", "partner", f"/rounds/{ids.partner_round}"),
        PageFamily("silenced-member", "admin", f"/admin/members/{ids.silenced_member}"),
        PageFamily("canned-edit", "service", f"/admin/forum/canned/{ids.canned_reply}"),
        PageFamily("staff-search", "service", "/forum/search?q=xss"),
        PageFamily("category-edit", "admin", f"/admin/forum/categories/{ids.category}"),
        PageFamily("perk-preview", "marketing", f"/admin/perks/{ids.perk}/preview"),
        PageFamily("campaign-edit", "marketing", f"/admin/campaigns/{ids.campaign}/edit"),
        PageFamily("survey-admin", "admin", f"/admin/surveys/{ids.survey}"),
        PageFamily("survey-edit", "admin", f"/admin/surveys/{ids.survey}/edit"),
        PageFamily("suggestion-admin", "admin", f"/admin/suggestions/{ids.suggestion}"),
        PageFamily("round-admin", "admin", f"/admin/evaluations/{ids.round}"),
        PageFamily("partner-admin", "admin", f"/admin/partners/{ids.organisation}"),
        PageFamily("contract-edit", "admin", f"/admin/partners/contracts/{ids.contract}"),
        PageFamily("sales-batches", "admin", "/admin/sales/batches"),
        PageFamily("sales-batch", "admin", f"/admin/sales/batches/{ids.batch}"),
    ]


@pytest.fixture(scope="module")
def site():
    with demo_site() as (app, base_url):
        families = page_families(app)  # first: it adds a sign-up waiting for its link
        ids = poison_site(app)
        set_language(app, "en")
        yield app, base_url, ids, families + _more_families(ids)


@pytest.fixture(scope="module")
def tabs(browser, site):
    """One logged-in page per role (and an anonymous one), reused by every test."""
    _app, base_url, _ids, families = site
    contexts, tabs = [], {}
    for role in sorted({family.role for family in families}):
        context = browser.new_context()
        contexts.append(context)
        tab = Tab(context.new_page())
        tab.page.on("dialog", lambda dialog, tab=tab: (tab.events.append(f"dialog {dialog.message!r}"),
                                                        dialog.dismiss()))
        tab.page.on("console", lambda message, tab=tab: tab.events.append(
            f"console: {message.text[:110]}") if "Content Security Policy" in message.text else None)
        tab.page.on("pageerror", lambda error, tab=tab: tab.events.append(f"script error: {error}"))
        if role != "anonymous":
            log_in(tab.page, base_url, role)
        tabs[role] = tab
    yield tabs
    for context in contexts:
        context.close()


def _script_sources(policy: str) -> set[str]:
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    return set(directives.get("script-src", directives.get("default-src", ["*"])))


def _problems(tab: Tab, url: str, family: PageFamily) -> list[str]:
    """Open `url` in `tab`: what is wrong with it."""
    tab.events.clear()
    response = tab.page.goto(url)
    problems = []
    if response.status != family.status:
        problems.append(f"answered {response.status}, not {family.status}")
    policy = response.headers.get("content-security-policy")
    if not policy:
        problems.append("no Content-Security-Policy header")
    elif _script_sources(policy) & FORBIDDEN_SCRIPT_SOURCES:
        problems.append(f"the CSP allows inline or foreign script: {policy}")
    inspected = tab.page.evaluate(INSPECT, XSS_MARKER)
    problems += tab.events + inspected["found"]
    if not inspected["shown"] and family.name not in NO_STORED_TEXT:
        problems.append("shows none of the poisoned texts: is the page still about them?")
    return problems


def test_every_page_family_shows_the_payloads_inert(site, tabs):
    app, base_url, _ids, families = site
    problems, visits = [], 0
    for language in ("en", "zh_Hant"):
        set_language(app, language)
        for family in families:
            if language != "en" and family.name not in ZH_HANT_FAMILIES:
                continue
            url = f"{base_url}{family.path}"
            if family.role == "anonymous":
                url += ("&" if "?" in url else "?") + f"lang={language}"
            problems += [f"{family.name} ({family.role}, {language}) {family.path}: {problem}"
                         for problem in _problems(tabs[family.role], url, family)]
            visits += 1
    set_language(app, "en")
    assert visits == len(families) + len(ZH_HANT_FAMILIES)
    assert not problems, f"{len(problems)} problems on {visits} pages:\n" + "\n".join(problems)


def test_a_script_url_in_a_notification_goes_nowhere(site, tabs):
    """Every notification links to `javascript:…`: opening one stays on the list."""
    _app, base_url, _ids, _families = site
    tab = tabs["member"]
    tab.page.goto(f"{base_url}/notifications/")
    tab.events.clear()
    tab.page.locator("main form[action$='/open'] [type=submit]").first.click()
    tab.page.wait_for_load_state("load")
    assert tab.page.url == f"{base_url}/notifications/"
    assert tab.events == []


def _csv_exports(app, base_url: str, ids: PoisonedIds, page) -> dict[str, list[str]]:
    """The URLs of every GET route that answers a CSV file, by endpoint: found in the URL
    map (a new export is checked without being listed here), the dashboard's from its page."""
    page.goto(f"{base_url}/admin/dashboard")
    figures = page.eval_on_selector_all("a[href*='/admin/dashboard/'][href*='.csv']",
                                        "links => links.map((a) => a.href)")
    values = {"campaign_id": ids.campaign, "survey_id": ids.survey, "batch_id": ids.batch}
    exports = {"dashboard.export_figure": figures}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.endswith(".csv") and rule.endpoint not in exports:
                path = url_for(rule.endpoint, **{name: values[name] for name in rule.arguments})
                exports[rule.endpoint] = [f"{base_url}{path}"]
    return exports


def _formula_cells(text: str) -> tuple[list[str], int]:
    """(cells that a spreadsheet would run as a formula, cells holding a payload)."""
    formulas, poisoned = [], 0
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            poisoned += XSS_MARKER in cell or TEMPLATE_PROBE in cell
            if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
                formulas.append(cell[:60])
    return formulas, poisoned


def test_csv_exports_keep_payloads_as_text(site, tabs):
    """Each export is an attachment of UTF-8 text whose formula-like cells (the payloads
    start with = + - @) begin with a quote; the ones holding texts of people hold payloads."""
    app, base_url, ids, _families = site
    page = tabs["admin"].page
    exports = _csv_exports(app, base_url, ids, page)
    assert len(exports["dashboard.export_figure"]) >= 5
    files = {}
    for endpoint, urls in exports.items():
        for url in urls:
            response = page.request.get(url)
            assert response.status == 200, url
            assert response.headers["content-type"] == "text/csv; charset=utf-8", url
            assert response.headers["content-disposition"].startswith("attachment"), url
            files[url] = (endpoint, response.body().decode("utf-8-sig"))
    page.goto(f"{base_url}/admin/redemptions/")  # this export is a POST (it is audited)
    with page.expect_download() as download:
        page.click("#export-form [type=submit]")
    files["redemptions"] = ("redemptions_admin.export_redemptions",
                            Path(download.value.path()).read_text(encoding="utf-8-sig"))
    problems, poisoned = [], {}
    for url, (endpoint, text) in files.items():
        formulas, count = _formula_cells(text)
        problems += [f"{url}: {cell!r}" for cell in formulas]
        poisoned[endpoint] = poisoned.get(endpoint, 0) + count
    assert not problems, "\n".join(problems)
    with_people = {"audit_admin.audit_export", "campaigns_admin.campaign_export",
                   "referrals_admin.export_csv", "sales_admin.export_csv", "surveys_admin.survey_export",
                   "partners_admin.figures_csv", "redemptions_admin.export_redemptions"}
    assert {endpoint for endpoint in with_people if not poisoned.get(endpoint)} == set(), poisoned


def test_every_text_column_is_poisoned_or_not_free_text(app):
    """A new text column joins POISONED (shown back: the browser test covers it) or
    NOT_FREE_TEXT (codes, keys, file names, msgids)."""
    columns = text_columns()
    classified = {(table, name) for listing in (POISONED, NOT_FREE_TEXT)
                  for table, names in listing.items() for name in names}
    assert columns - classified == set()
    assert classified - columns == set()
    assert not POISONED_IN_PLACE.keys() & WRITTEN_SEPARATELY.keys()  # no table's columns lost
