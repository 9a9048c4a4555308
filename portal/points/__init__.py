"""Points: the ledger, balances, tiers, expiry and gifts."""

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
    from portal.points import jobs, models  # noqa: F401  (the nightly job; tables)
    from portal.points.admin import bp as admin_bp
    from portal.points.cli import points_cli
    from portal.points.demo import seed_points
    from portal.points.services import kind_label, render_reason
    from portal.points.tiers import member_tier
    from portal.points.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(admin_bp)
    app.cli.add_command(points_cli)
    app.add_template_filter(render_reason, "points_reason")
    app.add_template_global(kind_label, "points_kind_label")
    add_nav(app, NavItem(_l("Points"), "points.overview", "member", P.EARN_POINTS, 20))
    add_nav(app, NavItem(_l("Points"), "points_admin.overview", "admin", P.ADJUST_POINTS, 400))
    add_member_admin_link(app, MemberAdminLink(_l("Points and adjustments"), "points_admin.member_points",
                                               P.ADJUST_POINTS, 20, arg="member_id"))

    def home_panel(user) -> dict:
        if not user.can(P.EARN_POINTS):
            return {"show": False}
        return {"show": True, "balance": user.points_balance, "tier": member_tier(user)}

    add_home_panel(app, HomePanel("points/_home_panel.html", home_panel, order=10))
    add_demo_seeder(app, 20, seed_points)

    from portal.core.hooks import MemberAdminPanel, add_member_admin_panel
    from portal.points.services.history import recent_entries

    add_member_admin_panel(app, MemberAdminPanel(
        "points/admin/_member_panel.html",
        lambda member: {"tier": member_tier(member), "entries": recent_entries(member.id)},
        P.VIEW_MEMBERS, 10))

    from portal.core.hooks import AuditTarget, DashboardSection, add_audit_vocabulary, add_dashboard_section
    from portal.points import figures

    add_dashboard_section(app, DashboardSection(
        "points", _l("Points"), P.VIEW_DASHBOARD,
        lambda period: [figures.points_by_month(period), figures.outstanding(period),
                        figures.members_by_tier(period)], 20))
    add_audit_vocabulary(app, actions={
        "points.adjust": _l("Adjusted a member's points"), "points.tiers": _l("Changed the tier thresholds"),
    }, targets={"points_ledger": AuditTarget(_l("Ledger entry")),
                "points_settings": AuditTarget(_l("Points settings"))},
        details={"amount": _l("Points"), "balance_after": _l("Balance after"), "before": _l("Before"),
                 "after": _l("After")})

    from flask_login import user_logged_in

    from portal.points.services import reward_first_login_of_month

    def first_login_of_month(_app, user, **_extra) -> None:
        reward_first_login_of_month(user)  # inside the login request's unit of work

    user_logged_in.connect(first_login_of_month, app, weak=False)
