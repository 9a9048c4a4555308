"""The demo site served to a browser: an app on a temporary SQLite file filled by
`flask seed-demo`, and one URL per page family (used by the accessibility test and by
`make screenshots`).

Page families are chosen from the demo data at run time (the first thread of a
complaint category, the first perk...), so the list stays right as the demo data grows.
New features add their pages to `page_families` (one page per family is enough).
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

DEMO_PASSWORD = "demo-pass-2026"
LANGUAGES = ("zh_Hant", "zh_Hans", "en")


@dataclass(frozen=True)
class PageFamily:
    name: str
    role: str  # "anonymous" or the demo account (member, service, marketing, admin)
    path: str
    status: int = 200


def demo_config(folder: Path) -> dict:
    return {
        "TESTING": False,
        "SECRET_KEY": "demo-site-secret",
        "ALLOW_DEV_SECRET": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'demo.db'}",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "MAIL_SUPPRESS_SEND": True,
        "JOBS_URL": "memory://",
        "JOBS_IMMEDIATE": True,
        "UPLOAD_FOLDER": str(folder / "uploads"),
    }


@contextmanager
def demo_site() -> Iterator[tuple[object, str]]:
    """(app, base URL) of a freshly seeded demo site served in a daemon thread."""
    folder = Path(tempfile.mkdtemp(prefix="portal-demo-"))
    app = create_app(demo_config(folder))
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def set_language(app, code: str) -> None:
    """Every demo account reads the site in `code` (the member's setting wins over ?lang=)."""
    from portal.accounts.models import User

    with app.app_context():
        db.session.execute(update(User).values(locale=code))
        db.session.commit()


def log_in(page, base_url: str, role: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.fill("#email", f"{role}@demo.club")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _first(statement):
    return db.session.scalar(statement.limit(1))


def page_families(app) -> list[PageFamily]:
    """One page of each kind the portal has, with the demo account that sees it."""
    from portal.accounts.models import User
    from portal.campaigns.models import Campaign
    from portal.feedback.models import Suggestion, Survey
    from portal.forum.models import Category, Complaint, Post, Thread
    from portal.perks.models import Perk, Redemption
    from portal.referrals.models import Referral, ReferralCode
    from tests.factories import make_pending_sign_up

    with app.app_context():
        member = _first(select(User.id).where(User.email == "member@demo.club"))
        complaint = _first(select(Complaint.thread_id).join(Thread, Thread.id == Complaint.thread_id)
                           .where(Thread.author_id == member).order_by(Thread.id))
        category = _first(select(Category.slug).order_by(Category.id))
        # Someone else's post in a discussion (members cannot flag their own).
        post = _first(select(Post.id).join(Thread, Thread.id == Post.thread_id)
                      .join(Category, Category.id == Thread.category_id)
                      .where(Post.author_id != member, Category.kind == "discussion")
                      .order_by(Post.id))
        perk = _first(select(Perk.id).where(Perk.is_active).order_by(Perk.id))
        voucher = _first(select(Redemption.id).where(Redemption.member_id == member)
                         .order_by(Redemption.id))
        referral = _first(select(Referral.id).order_by(Referral.id))
        code = _first(select(ReferralCode.code).where(ReferralCode.user_id == member))
        campaign = _first(select(Campaign.id).order_by(Campaign.id))
        survey = _first(select(Survey.id).order_by(Survey.id))
        suggestion = _first(select(Suggestion.id).where(Suggestion.author_id == member)
                            .order_by(Suggestion.id))
        # A sign-up waiting for its link: the link's page needs the token only the mail has.
        _pending, confirm_link = make_pending_sign_up(display_name="陳大文")
        db.session.commit()
    families = [
        PageFamily("landing", "anonymous", "/"),
        PageFamily("login", "anonymous", "/auth/login"),
        PageFamily("register", "anonymous", "/auth/register"),
        PageFamily("register-sent", "anonymous", "/auth/register/sent"),
        PageFamily("signup-confirm", "anonymous", confirm_link),
        PageFamily("reset", "anonymous", "/auth/reset"),
        PageFamily("join", "anonymous", f"/join/{code}"),
        PageFamily("not-found", "anonymous", "/no-such-page", status=404),
        PageFamily("home", "member", "/"),
        PageFamily("account", "member", "/account/"),
        PageFamily("homes", "member", "/account/homes"),
        PageFamily("points", "member", "/points"),
        PageFamily("gift", "member", "/points/gift"),
        PageFamily("perks", "member", "/perks/"),
        PageFamily("perk", "member", f"/perks/{perk}"),
        PageFamily("redeem", "member", f"/perks/{perk}/redeem"),
        PageFamily("vouchers", "member", "/perks/redemptions"),
        PageFamily("voucher", "member", f"/perks/redemptions/{voucher}"),
        PageFamily("forum", "member", "/forum/"),
        PageFamily("category", "member", f"/forum/c/{category}"),
        PageFamily("thread", "member", f"/forum/t/{complaint}"),
        PageFamily("new-thread", "member", "/forum/new"),
        PageFamily("search", "member", "/forum/search?q=%E6%BC%8F%E6%B0%B4"),
        PageFamily("flag", "member", f"/forum/p/{post}/flag"),
        PageFamily("referrals", "member", "/referrals"),
        PageFamily("notifications", "member", "/notifications/"),
        PageFamily("staff-home", "service", "/admin/"),
        PageFamily("dashboard", "admin", "/admin/dashboard"),
        PageFamily("queue", "service", "/admin/complaints/"),
        PageFamily("staff-thread", "service", f"/forum/t/{complaint}"),
        PageFamily("flags", "service", "/admin/forum/flags"),
        PageFamily("home-queue", "service", "/admin/homes"),
        PageFamily("members", "service", "/admin/members"),
        PageFamily("member-detail", "admin", f"/admin/members/{member}"),
        PageFamily("redemptions-admin", "service", "/admin/redemptions/"),
        PageFamily("perks-admin", "marketing", "/admin/perks/"),
        PageFamily("perk-edit", "marketing", f"/admin/perks/{perk}/edit"),
        PageFamily("campaigns", "marketing", "/admin/campaigns/"),
        PageFamily("referrals-admin", "marketing", "/admin/referrals/"),
        PageFamily("referral-report", "marketing", "/admin/referrals/report"),
        PageFamily("referral-detail", "marketing", f"/admin/referrals/{referral}"),
        PageFamily("audit", "admin", "/admin/audit/"),
        PageFamily("points-admin", "admin", "/admin/points"),
        PageFamily("categories-admin", "admin", "/admin/forum/categories"),
        PageFamily("canned", "service", "/admin/forum/canned"),
        PageFamily("canned-new", "service", "/admin/forum/canned/new"),
        PageFamily("moderation-log", "service", "/admin/forum/acts"),
        PageFamily("silence", "service", f"/admin/forum/members/{member}/silence"),
        PageFamily("departments", "admin", "/admin/forum/departments"),
        PageFamily("category-new", "admin", "/admin/forum/categories/new"),
        PageFamily("member-points", "admin", f"/admin/members/{member}/points"),
        PageFamily("points-settings", "admin", "/admin/points/settings"),
        PageFamily("referral-rule", "admin", "/admin/referrals/rule"),
        PageFamily("campaign-new", "marketing", "/admin/campaigns/new"),
        PageFamily("perk-new", "marketing", "/admin/perks/new"),
    ]
    families += [
        PageFamily("surveys", "member", "/surveys"),
        PageFamily("suggestions", "member", "/suggestions"),
        PageFamily("suggestion-new", "member", "/suggestions/new"),
        PageFamily("surveys-admin", "admin", "/admin/surveys/"),
        PageFamily("suggestions-admin", "admin", "/admin/suggestions/"),
        PageFamily("evaluations-admin", "admin", "/admin/evaluations/"),
        PageFamily("sales-upload", "admin", "/admin/sales/"),
        PageFamily("sales-purchases", "admin", "/admin/sales/purchases"),
        PageFamily("partners", "admin", "/admin/partners/"),
        PageFamily("partner-figures", "admin", "/admin/partners/figures"),
        PageFamily("record-search", "service", "/admin/complaints/record?q=member%40demo.club"),
        PageFamily("record-complaint", "service", f"/admin/complaints/record/{member}"),
        PageFamily("notification-settings", "service", "/notifications/settings"),
    ]
    if campaign:
        families.append(PageFamily("campaign", "marketing", f"/admin/campaigns/{campaign}"))
    if survey:
        families.append(PageFamily("survey", "member", f"/surveys/{survey}"))
        families.append(PageFamily("survey-results", "admin", f"/admin/surveys/{survey}/results"))
    if suggestion:
        families.append(PageFamily("suggestion", "member", f"/suggestions/{suggestion}"))
    return families
