"""The staff home (`/admin/`: what needs me now) and the KPI dashboard (`/admin/dashboard`).

The dashboard owns no figures: features register their counts (`StaffTask`) and their
sections of figures (`DashboardSection`) through `portal.core.hooks`, each figure one
function in the feature's `figures.py`, so the page, its CSV and any report agree.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import NavItem, add_nav
    from portal.dashboard.views import bp

    app.register_blueprint(bp)
    add_nav(app, NavItem(_l("Staff home"), "dashboard.staff_home", "admin", P.STAFF_AREA, 1))
    add_nav(app, NavItem(_l("Dashboard"), "dashboard.kpis", "admin", P.VIEW_DASHBOARD, 2))
