"""Perks: the catalog members spend points on, their vouchers, and staff tools."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import HomePanel, NavItem, add_demo_seeder, add_home_panel, add_nav
    from portal.perks import admin, views
    from portal.perks.catalog import home_panel_context
    from portal.perks.demo import seed_perks

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.redemptions_bp)
    add_nav(app, NavItem(_l("Perks"), "perks.catalog", "member", P.REDEEM_PERKS, 30))
    add_nav(app, NavItem(_l("Perks"), "perks_admin.perk_list", "admin", P.MANAGE_PERKS, 300))
    add_nav(app, NavItem(_l("Vouchers"), "redemptions_admin.redemption_list", "admin",
                         P.FULFIL_VOUCHERS, 310))
    add_home_panel(app, HomePanel("perks/_home_panel.html", home_panel_context, 30))
    add_demo_seeder(app, 30, seed_perks)

    from portal.core.hooks import MemberAdminPanel, add_member_admin_panel
    from portal.perks.vouchers import recent_redemptions

    add_member_admin_panel(app, MemberAdminPanel(
        "perks/admin/_member_panel.html", lambda member: {"redemptions": recent_redemptions(member.id)},
        P.VIEW_MEMBERS, 20))

    from portal.core.hooks import (
        AuditTarget,
        DashboardSection,
        StaffTask,
        add_audit_vocabulary,
        add_dashboard_section,
        add_staff_task,
    )
    from portal.perks import figures

    add_staff_task(app, StaffTask(_l("Perks running out of stock"), "perks_admin.perk_list",
                                  P.MANAGE_PERKS, figures.running_out_count, 60))
    add_dashboard_section(app, DashboardSection(
        "perks", _l("Perks"), P.VIEW_DASHBOARD,
        lambda period: [figures.most_redeemed(period), figures.running_out(period)], 60))
    add_audit_vocabulary(app, actions={
        "perk.create": _l("Created a perk"), "perk.update": _l("Edited a perk"),
        "perk.activate": _l("Put a perk on offer"), "perk.deactivate": _l("Took a perk off offer"),
        "perk.stock": _l("Changed a perk's stock"), "perk.voucher_used": _l("Accepted a voucher"),
        "perk.redemptions_export": _l("Exported the vouchers"),
    }, targets={"perks": AuditTarget(_l("Perk"), "perks_admin.perk_edit", "perk_id"),
                "perk_redemptions": AuditTarget(_l("Voucher"))},
        details={"title": _l("Title"), "quantity": _l("Quantity"), "code": _l("Voucher code"),
                 "perk_id": _l("Perk number"), "cost": _l("Cost")})
