"""Referrals ("old brings new"): members bring friends who buy, and both are rewarded."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from portal.accounts.permissions import P
    from portal.core.hooks import NavItem, add_nav
    from portal.referrals import models  # noqa: F401  (tables for create_all and migrations)
    from portal.referrals.views import bp

    app.register_blueprint(bp)
    add_nav(app, NavItem(_l("Refer a friend"), "referrals.my_referrals", "member", P.EARN_POINTS, 60))
