"""Referrals ("old brings new"): members bring friends who buy, and both are rewarded."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import (
        HomePanel,
        MemberAdminLink,
        NavItem,
        add_demo_seeder,
        add_home_panel,
        add_member_admin_link,
        add_nav,
    )
    from portal.referrals import models  # noqa: F401  (tables for create_all and migrations)
    from portal.referrals.admin import bp as admin_bp
    from portal.referrals.demo import seed_referrals
    from portal.referrals.registration import init_registration
    from portal.referrals.services import summary_of
    from portal.referrals.views import bp

    def home_panel(user) -> dict:
        if not user.can(P.EARN_POINTS):
            return {"show": False}
        return {"show": True, "summary": summary_of(user)}

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    add_nav(app, NavItem(_l("Refer a friend"), "referrals.my_referrals", "member", P.EARN_POINTS, 60))
    add_nav(app, NavItem(_l("Referrals"), "referrals_admin.referral_list", "admin", P.VIEW_REFERRALS, 500))
    # On /admin/members/<id>: this member's referrals (as referrer or new member), where
    # service staff record the purchase.
    add_member_admin_link(app, MemberAdminLink(_l("Referrals"), "referrals_admin.referral_list",
                                               P.VIEW_REFERRALS, 50, arg="member"))
    add_home_panel(app, HomePanel("referrals/_home_panel.html", home_panel, order=40))
    add_demo_seeder(app, 50, seed_referrals)

    from portal.core.hooks import MemberAdminPanel, add_member_admin_panel
    from portal.referrals.reports import referrals_by

    add_member_admin_panel(app, MemberAdminPanel(
        "referrals/admin/_member_panel.html", lambda member: referrals_by(member.id), P.VIEW_REFERRALS, 40))

    from portal.core.hooks import AuditTarget, DashboardSection, add_audit_vocabulary, add_dashboard_section
    from portal.referrals import figures

    add_dashboard_section(app, DashboardSection(
        "referrals", _l("Referrals"), P.VIEW_REFERRALS, lambda period: [figures.referral_funnel(period)], 45))
    add_audit_vocabulary(app, actions={
        "referral.visit": _l("Logged a referral's visit"),
        "referral.purchase": _l("Recorded a referral's purchase"),
        "referral.reject": _l("Rejected a referral"),
        "referral.cancel": _l("Cancelled a referral's purchase"),
        "referral.rule": _l("Changed the referral reward rule"),
    }, targets={"referrals": AuditTarget(_l("Referral"), "referrals_admin.referral_detail", "referral_id"),
                "referral_rules": AuditTarget(_l("Referral reward rule"))},
        details={"visited_on": _l("Visited on"), "purchased_on": _l("Purchased on"),
                 "referrer_points": _l("Referrer's points"), "invitee_points": _l("Invitee's points"),
                 "referrer_owed": _l("Referrer's points not recovered"),
                 "invitee_owed": _l("Invitee's points not recovered"), "contract": _l("Contract")})
    init_registration(app)  # the referral-code field and the user_registered receiver
