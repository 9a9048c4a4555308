"""Marketing runs a grant in a real browser — preview, save, launch with confirmation,
watch it finish — and a member reads the campaign's name in their own language."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.accounts.permissions import Role
from portal.extensions import db
from tests import factories
from tests.factories import PASSWORD


def _log_in(page: Page, server: str, email: str) -> None:
    page.goto(f"{server}/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")


def test_marketing_grants_points_and_the_member_sees_them(live_app, live_server: str, page: Page):
    with live_app.app_context():
        factories.make_user(Role.MARKETING, email="mkt@example.com", locale="en")
        factories.make_member(email="owner@example.com", display_name="陳大文", locale="zh_Hant")
        factories.make_member(email="other@example.com", locale="en")
        db.session.commit()
    _log_in(page, live_server, "mkt@example.com")
    page.goto(f"{live_server}/admin/campaigns/new")
    page.select_option("#kind", "grant")
    page.fill("#name_zh_Hant", "中秋節禮遇")
    page.fill("#name_zh_Hans", "中秋节礼遇")
    page.fill("#name_en", "Mid-Autumn gift")
    page.fill("#points", "800")
    page.fill("#budget", "10000")
    page.click("#preview")
    expect(page.locator("#audience-preview")).to_contain_text("2")
    expect(page.locator("#audience-cost")).to_contain_text("1,600")
    expect(page.locator("#audience-sample")).to_contain_text("陳大文")
    page.click("#submit")
    page.click("#launch-link")
    expect(page.locator("#audience-cost")).to_contain_text("1,600")  # shown again before launch
    page.click("#launch-form [type=submit]")
    expect(page.locator("#campaign-status")).to_contain_text("Finished")
    expect(page.locator("#campaign-report")).to_contain_text("1,600")
    expect(page.locator("#campaign-chart")).to_be_visible()

    page.click("#logout")
    _log_in(page, live_server, "owner@example.com")
    page.goto(f"{live_server}/points")
    expect(page.locator("#points-balance")).to_have_text("800")
    expect(page.locator("#points-history")).to_contain_text("中秋節禮遇")
