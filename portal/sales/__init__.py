"""Sales: purchases imported from the sales system's CSV files (preview, confirm, import)."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import AuditTarget, NavItem, add_audit_vocabulary, add_demo_seeder, add_nav
    from portal.sales import models  # noqa: F401  (tables for create_all and migrations)
    from portal.sales.admin import bp as admin_bp
    from portal.sales.cli import sales_cli
    from portal.sales.demo import seed_sales

    app.register_blueprint(admin_bp)
    app.cli.add_command(sales_cli)
    add_nav(app, NavItem(_l("Sales import"), "sales_admin.upload_page", "admin", P.IMPORT_SALES, 510))
    add_audit_vocabulary(app, actions={
        "sales.upload": _l("Uploaded a sales file"), "sales.confirm": _l("Confirmed a sales import"),
        "sales.import": _l("A sales import finished"), "sales.resume": _l("Resumed a sales import"),
    }, targets={"sales_import_batches": AuditTarget(_l("Sales import"), "sales_admin.batch_detail",
                                                    "batch_id")},
        details={"file": _l("File"), "rows": _l("Rows")})
    add_demo_seeder(app, 60, seed_sales)  # after referrals (50): its buyers are in the file

    from portal.core.hooks import DashboardSection, add_dashboard_section
    from portal.sales import figures

    add_dashboard_section(app, DashboardSection(
        "sales", _l("Sales"), P.VIEW_DASHBOARD,
        lambda period: [figures.referred_share(period), figures.purchases_by_month(period)], 40))
