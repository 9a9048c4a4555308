"""A friend follows a member's link in a real browser, registers with the remembered code
(confirming by the mailed link); the member's page (QR code included) renders without a
single CSP violation."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.referrals import services
from portal.referrals.models import Referral
from tests import factories
from tests.accounts.helpers import MAIL_LOG, confirm_path
from tests.factories import PASSWORD


def test_friend_joins_through_the_link_and_member_sees_it(live_app, live_server: str, page: Page,
                                                          caplog):
    caplog.set_level("INFO", logger=MAIL_LOG)  # no mail server: the mail is in the log
    with live_app.app_context():
        member = factories.make_member(email="chan@example.com", display_name="陳大文", locale="en")
        code = services.ensure_code(member).code
        db.session.commit()
        member_id = member.id
    problems: list[str] = []
    page.on("console", lambda message: "Refused" in message.text and problems.append(message.text))
    page.on("response", lambda response: response.status >= 400 and "favicon" not in response.url
            and problems.append(f"{response.status} {response.url}"))

    page.goto(f"{live_server}/join/{code}?lang=en")
    expect(page.locator("h1")).to_contain_text("陳** invites you to the Homeowner Club")
    page.click("#join-button")
    expect(page.locator("#referral_code")).to_have_value(code)
    page.goto(f"{live_server}/auth/register?lang=en")  # the signed cookie alone still remembers it
    expect(page.locator("#referral_code")).to_have_value(code)
    page.fill("#email", "friend@example.com")
    page.fill("#display_name", "Jane Smith")
    page.select_option("#locale", "en")
    page.fill("#password", "a long and private passphrase")
    page.fill("#confirm", "a long and private passphrase")
    page.click("#register-form [type=submit]")
    expect(page.locator("#register-sent")).to_be_visible()
    page.goto(live_server + confirm_path(caplog, "friend@example.com") + "?lang=en")
    page.click("#signup-confirm-form [type=submit]")
    expect(page.locator("#current-user")).to_contain_text("Jane Smith")
    with live_app.app_context():
        referral = db.session.query(Referral).one()
        assert referral.referrer_id == member_id

    page.click("#logout")
    page.goto(f"{live_server}/auth/login")
    page.fill("#email", "chan@example.com")
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.goto(f"{live_server}/referrals")
    expect(page.locator("#referral-code")).to_have_text(code)
    expect(page.locator(".qr-code svg")).to_be_visible()
    box = page.locator(".qr-code svg").bounding_box()
    assert box and box["width"] > 100  # sized by portal.css, not by an inline style
    expect(page.locator("#referral-list")).to_contain_text("J. S.")
    expect(page.locator("#referral-list")).not_to_contain_text("Jane Smith")
    assert problems == []
