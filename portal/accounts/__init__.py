"""Accounts: users, roles, homes and ownership, sign-in."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import gettext
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.orm import joinedload

    from portal.accounts import jobs  # noqa: F401  (the hourly purge of expired sign-ups)
    from portal.accounts.admin import bp as admin_bp
    from portal.accounts.cli import users_cli
    from portal.accounts.demo import seed_accounts
    from portal.accounts.models import Guest, User
    from portal.accounts.permissions import P, Role
    from portal.accounts.views import account_bp, bp
    from portal.core.hooks import NavItem, add_demo_seeder, add_nav
    from portal.core.i18n import N_
    from portal.extensions import db, login_manager

    login_manager.login_view = "auth.login"
    login_manager.anonymous_user = Guest
    # "basic": a session whose IP/browser fingerprint changes becomes non-fresh, so the
    # password change and role changes ask to log in again (see require_fresh_login).
    login_manager.session_protection = "basic"
    # Flask-Login flashes this msgid; localize_callback translates it per request.
    login_manager.login_message = N_("Please log in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.localize_callback = gettext

    @login_manager.user_loader
    def load_user(user_id: str):
        raw_id, _, token = user_id.partition(":")
        if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 10 or not token:
            return None
        # The layout asks every page whether the member has a verified home: the homes
        # come in the same statement, not in a second one.
        user = db.session.get(User, int(raw_id), options=[joinedload(User.ownerships)])
        if user is None or user.session_token != token or not user.is_active:
            return None
        return user

    # Templates name permissions through the enum: `current_user.can(P.MANAGE_PERKS)`.
    app.jinja_env.globals["P"] = P
    app.register_blueprint(bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(admin_bp)
    add_nav(app, NavItem(_l("Members"), "accounts_admin.member_list", "admin", P.VIEW_MEMBERS, 20))
    add_nav(app, NavItem(_l("Home verification"), "accounts_admin.home_queue", "admin",
                         P.VERIFY_HOMES, 30))
    app.cli.add_command(users_cli)
    add_demo_seeder(app, 10, seed_accounts)

    from portal.accounts import figures
    from portal.core.hooks import (
        AuditTarget,
        DashboardSection,
        StaffTask,
        add_audit_vocabulary,
        add_dashboard_section,
        add_staff_task,
    )

    add_staff_task(app, StaffTask(_l("Homes waiting for verification"), "accounts_admin.home_queue",
                                  P.VERIFY_HOMES, figures.homes_waiting, 30))
    add_dashboard_section(app, DashboardSection(
        "members", _l("Members"), P.VIEW_DASHBOARD,
        lambda period: [figures.member_totals(period), figures.new_members_by_month(period)], 10))
    add_audit_vocabulary(app, actions={
        "ownership.approve": _l("Approved a home"), "ownership.reject": _l("Turned down a home"),
        "ownership.link": _l("Linked a unit to a member"), "user.role": _l("Changed a role"),
        "user.suspend": _l("Suspended an account"), "user.reactivate": _l("Reactivated an account"),
        "ownership.link_many": _l("Verified the homes of imported purchases"),
        "ownership.withdraw_many": _l("Withdrew the homes of cancelled purchases"),
    }, targets={
        "users": AuditTarget(_l("Member"), "accounts_admin.member_detail", "user_id"),
        "ownerships": AuditTarget(_l("Home")),
    }, details={"unit": _l("Unit"), "reason": _l("Reason"), "from": _l("From"), "to": _l("To")},
        formats={("user.role", "before"): Role.label_of, ("user.role", "after"): Role.label_of})
