"""A newcomer in a real browser: register, open the mailed link and confirm, log out, log in,
switch to 繁體中文, log out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.accounts.helpers import MAIL_LOG, confirm_path


def test_register_login_switch_language_logout(live_server: str, page: Page, caplog):
    caplog.set_level("INFO", logger=MAIL_LOG)  # no mail server: the mail is in the log
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    page.goto(f"{live_server}/auth/register?lang=en")
    page.fill("#email", "Mei.Chan@Example.com")
    page.fill("#display_name", "Mei Chan")
    page.select_option("#locale", "en")
    page.fill("#password", "a long and private passphrase")
    page.fill("#confirm", "a long and private passphrase")
    page.click("#register-form [type=submit]")
    expect(page.locator("#register-sent")).to_contain_text("Check your email")
    expect(page.locator("#current-user")).to_have_count(0)  # no account until the link

    page.goto(live_server + confirm_path(caplog, "mei.chan@example.com") + "?lang=en")
    expect(page.locator("#signup-confirm-form")).to_contain_text("Mei Chan")
    page.click("#signup-confirm-form [type=submit]")
    expect(page.locator("#current-user")).to_contain_text("Mei Chan")
    expect(page.get_by_text("Welcome to the club!")).to_be_visible()

    page.click("#logout")
    expect(page.locator("#mainnav").get_by_role("link", name="Log in")).to_be_visible()

    page.goto(f"{live_server}/auth/login")
    page.fill("#email", "mei.chan@example.com")
    page.fill("#password", "a long and private passphrase")
    page.click("#login-form [type=submit]")
    expect(page.locator("#current-user")).to_contain_text("Mei Chan")

    page.click("#language-menu")
    page.get_by_text("繁體中文").click()
    expect(page.locator("#logout")).to_have_text("登出")
    expect(page.locator("nav")).to_contain_text("通知")
    assert page.locator("html").get_attribute("lang") == "zh-Hant"

    page.click("#logout")
    expect(page.locator("#mainnav").get_by_role("link", name="登入")).to_be_visible()
    assert dialogs == []
