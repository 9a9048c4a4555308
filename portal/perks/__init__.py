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
    add_nav(app, NavItem(_l("Perks"), "perks.catalog", "member", P.REDEEM_PERKS, 30, icon="gift"))
    add_nav(app, NavItem(_l("Perks"), "perks_admin.perk_list", "admin", P.MANAGE_PERKS, 300))
    add_nav(app, NavItem(_l("Vouchers"), "redemptions_admin.redemption_list", "admin",
                         P.FULFIL_VOUCHERS, 310))
    add_home_panel(app, HomePanel("perks/_home_panel.html", home_panel_context, 30))
    add_demo_seeder(app, 30, seed_perks)
