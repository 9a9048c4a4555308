"""Every page family, in every language: axe-core finds no serious or critical violation,
and nothing scrolls sideways on a 360 px phone, at 200 % zoom (1280 px at 200 % is a
640 CSS px viewport) or on a 1280 px desktop; no visible text is smaller than 14 px.

One demo site and one browser for the whole module; one logged-in context per demo
account. axe-core is vendored in tests/e2e/vendor/ (offline at run time) and loaded into
every document of those contexts; the portal's CSP would block it, hence `bypass_csp`.

`AXE_REPORT=path.json` writes every finding (all impacts) for the record (run it with `-n 0`:
workers sharing the module would write the file at once).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.demo_site import LANGUAGES, demo_site, log_in, page_families, set_language

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "zoom-200": {"width": 640, "height": 450},
             "laptop": {"width": 1200, "height": 800}, "desktop": DESKTOP}

# Page width beyond the viewport, and the widest offenders (to say what to fix).
OVERFLOW = """() => {
  const root = document.documentElement;
  const excess = root.scrollWidth - root.clientWidth;
  if (excess <= 0) return null;
  const sticksOut = (el) => el.getBoundingClientRect().right > root.clientWidth + 1;
  // The outermost elements that stick out (their parent fits): what to fix.
  const wide = [...document.querySelectorAll('body *')]
    .filter((el) => sticksOut(el) && !sticksOut(el.parentElement))
    .filter((el) => getComputedStyle(el).position !== 'fixed')
    .slice(0, 3).map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map((name) => '.' + name).join(''));
  return {excess, wide};
}"""

# Visible text nodes set smaller than 14 CSS px.
SMALL_TEXT = """() => {
  const small = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('.visually-hidden, [hidden]')) continue;
    if (parseFloat(style.fontSize) < 13.5) {
      small.add(el.tagName.toLowerCase() + '.' + [...el.classList].join('.') + ' ' + style.fontSize
        + ' "' + node.textContent.trim().slice(0, 20) + '"');
    }
  }
  return [...small].slice(0, 5);
}"""


@pytest.fixture(scope="module")
def site():
    with demo_site() as (app, base_url):
        yield app, base_url, page_families(app)


@pytest.fixture(scope="module")
def pages(browser, site):
    """One logged-in page per demo account (plus an anonymous one), reused by every test."""
    _app, base_url, families = site
    contexts, pages = [], {}
    for role in sorted({family.role for family in families}):
        context = browser.new_context(bypass_csp=True, viewport=DESKTOP)
        # axe in every document from its start: injecting the 550 kB script into each page
        # cost as much as running it (issue 8)
        context.add_init_script(path=str(AXE))
        contexts.append(context)
        page = context.new_page()
        if role != "anonymous":
            log_in(page, base_url, role)
        pages[role] = page
    yield pages
    for context in contexts:
        context.close()


def _axe(page) -> list[dict]:
    return page.evaluate("""async () => {
      // target-size (WCAG 2.2 2.5.8, 24 px) is off by default in axe 4.14: turn it on.
      const result = await axe.run(document, {
        resultTypes: ['violations'], rules: {'target-size': {enabled: true}}});
      return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5), count: v.nodes.length}));
    }""")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_family_is_accessible_and_reflows(site, pages, language):
    app, base_url, families = site
    set_language(app, language)
    findings, problems = [], []
    for family in families:
        page = pages[family.role]
        url = f"{base_url}{family.path}"
        if family.role == "anonymous":
            url += ("&" if "?" in url else "?") + f"lang={language}"
        page.set_viewport_size(DESKTOP)
        response = page.goto(url)
        assert response.status == family.status, f"{family.name}: {url} answered {response.status}"
        assert page.locator("html").get_attribute("lang") == language.replace("_", "-"), family.name
        for violation in _axe(page):
            findings.append({"family": family.name, **violation})
            if violation["impact"] in BLOCKING:
                problems.append(f"{family.name}: axe {violation['id']} ({violation['impact']}, "
                                f"{violation['count']}×) {violation['nodes'][:2]}")
        small = page.evaluate(SMALL_TEXT)
        if small:
            problems.append(f"{family.name}: text under 14 px {small}")
        for label, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)  # desktop last: the next page starts there
            overflow = page.evaluate(OVERFLOW)
            if overflow:
                problems.append(f"{family.name}: scrolls sideways at {label} by "
                                f"{overflow['excess']} px {overflow['wide']}")
    if os.environ.get("AXE_REPORT"):
        report = Path(os.environ["AXE_REPORT"])
        existing = json.loads(report.read_text()) if report.exists() else {}
        existing[language] = {"findings": findings, "problems": problems,
                              "families": [family.name for family in families]}
        report.write_text(json.dumps(existing, ensure_ascii=False, indent=1))
    impacts = Counter(finding["impact"] for finding in findings)
    assert not problems, (f"{language}: {len(problems)} problems on {len(families)} pages "
                          f"(axe impacts {dict(impacts)}):\n" + "\n".join(problems))


def test_keyboard_users_skip_to_the_content_and_always_see_where_they_are(site, pages):
    _app, base_url, _families = site
    page = pages["member"]
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base_url}/points")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["height"] >= 24  # shown on focus, not off-screen
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next stops have a visible focus ring (3 px outline), links and buttons alike.
    for _ in range(4):
        page.keyboard.press("Tab")
        outline = page.evaluate("""() => {
          const style = getComputedStyle(document.activeElement);
          return [style.outlineStyle, parseFloat(style.outlineWidth), document.activeElement.tagName];
        }""")
        assert outline[0] != "none" and outline[1] >= 2, outline
    # The points history's scroll box is a stop of its own, with a name.
    region = page.locator("[role=region][aria-label]").first
    assert region.get_attribute("tabindex") == "0"
