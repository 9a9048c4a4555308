"""`make screenshots`: PNGs of the main pages for the README, in docs/screenshots/.

Seeds a throwaway demo site (tests/e2e/demo_site.py), drives Debian's Chromium through
Playwright (never `playwright install`) and writes <page>-<language>-<phone|desktop>.png
for the member home, points, perks, a complaint thread and the staff complaint queue,
in zh_Hant and en.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.demo_site import demo_site, log_in, page_families, set_language  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SHOTS = {"home": "home", "points": "points", "perks": "perks", "thread": "complaint",
         "queue": "staff-queue"}
VIEWPORTS = {"phone": ({"width": 390, "height": 844}, 2), "desktop": ({"width": 1280, "height": 860}, 1)}
LANGUAGES = ("zh_Hant", "en")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with demo_site() as (app, base_url), sync_playwright() as playwright:
        families = {family.name: family for family in page_families(app)}
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for device, (viewport, scale) in VIEWPORTS.items():
            contexts = {}
            for language in LANGUAGES:
                set_language(app, language)
                for family_name, file_name in SHOTS.items():
                    family = families[family_name]
                    if family.role not in contexts:
                        context = browser.new_context(viewport=viewport, device_scale_factor=scale)
                        contexts[family.role] = context.new_page()
                        log_in(contexts[family.role], base_url, family.role)
                    page = contexts[family.role]
                    page.goto(f"{base_url}{family.path}")
                    path = OUT / f"{file_name}-{language}-{device}.png"
                    page.screenshot(path=str(path), full_page=device == "desktop")
                    print(path.relative_to(ROOT))
            for page in contexts.values():
                page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
