"""Sales: purchases imported from the sales system's CSV files (preview, confirm, import)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import NavItem, add_demo_seeder, add_nav
    from portal.sales import models  # noqa: F401  (tables for create_all and migrations)
    from portal.sales.admin import bp as admin_bp
    from portal.sales.cli import sales_cli
    from portal.sales.demo import seed_sales

    app.register_blueprint(admin_bp)
    app.cli.add_command(sales_cli)
    add_nav(app, NavItem(_l("Sales import"), "sales_admin.upload_page", "admin", P.IMPORT_SALES, 510))
    add_demo_seeder(app, 60, seed_sales)  # after referrals (50): its buyers are in the file
