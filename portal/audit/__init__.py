"""Audit log: who did what, to what, when and from where."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.audit.admin import bp
    from portal.core.hooks import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem(_l("Audit log"), "audit_admin.audit_list", "admin", P.VIEW_AUDIT, 900))
