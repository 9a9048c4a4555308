"""Who may do what: the one table of permissions per role (ARCHITECTURE.md, "Users and roles").

Views check permissions, never role names: `@require_permission(P.MANAGE_PERKS)`
and `current_user.can(P.MANAGE_PERKS)` in templates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_babel import lazy_pgettext as _lp
from flask_login import current_user, login_fresh, login_required

from portal.core.enums import LabelledEnum


class Role(LabelledEnum):
    """A user's role; `Role.labels()` for pages. "Member" is also the base tier and a column
    heading, so the role labels carry the context "role"."""

    MEMBER = "member", _lp("role", "Member")
    PARTNER = "partner", _lp("role", "Partner")
    SERVICE = "service", _lp("role", "Customer service")
    MARKETING = "marketing", _lp("role", "Marketing")
    ADMIN = "admin", _lp("role", "Administrator")


class P(StrEnum):
    """Permissions. Names say what they allow."""

    # community
    POST_FORUM = "post_forum"
    SUBMIT_SUGGESTIONS = "submit_suggestions"
    EARN_POINTS = "earn_points"  # own points page, gifts, referrals
    REDEEM_PERKS = "redeem_perks"
    ANSWER_SURVEYS = "answer_surveys"
    # staff
    STAFF_AREA = "staff_area"  # see /admin/ at all
    VIEW_MEMBERS = "view_members"
    VERIFY_HOMES = "verify_homes"
    HANDLE_COMPLAINTS = "handle_complaints"
    MODERATE_FORUM = "moderate_forum"
    FULFIL_VOUCHERS = "fulfil_vouchers"
    RECORD_PURCHASES = "record_purchases"
    IMPORT_SALES = "import_sales"  # the sales system's purchase files (/admin/sales)
    MANAGE_PERKS = "manage_perks"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    VIEW_REFERRALS = "view_referrals"
    MANAGE_SURVEYS = "manage_surveys"
    MANAGE_SUGGESTIONS = "manage_suggestions"
    MANAGE_EVALUATIONS = "manage_evaluations"  # review rounds and post-project evaluations
    VIEW_DASHBOARD = "view_dashboard"
    MANAGE_PARTNERS = "manage_partners"  # partner organisations, their accounts and contracts
    VIEW_PARTNER_FIGURES = "view_partner_figures"  # every partner's figures and renewal rate
    # admin only
    MANAGE_ROLES = "manage_roles"
    ADJUST_POINTS = "adjust_points"
    VIEW_AUDIT = "view_audit"
    MANAGE_SETTINGS = "manage_settings"  # tiers, SLAs, categories, referral rules


_COMMUNITY = {P.POST_FORUM, P.SUBMIT_SUGGESTIONS, P.ANSWER_SURVEYS}
_MEMBER = _COMMUNITY | {P.EARN_POINTS, P.REDEEM_PERKS}
_STAFF = {P.STAFF_AREA, P.VIEW_MEMBERS, P.VIEW_DASHBOARD, P.VIEW_PARTNER_FIGURES}

ROLE_PERMISSIONS: dict[Role, frozenset[P]] = {
    Role.MEMBER: frozenset(_MEMBER),
    Role.PARTNER: frozenset(_COMMUNITY),
    Role.SERVICE: frozenset(
        _COMMUNITY | _STAFF | {P.VERIFY_HOMES, P.HANDLE_COMPLAINTS, P.MODERATE_FORUM,
                               P.FULFIL_VOUCHERS, P.RECORD_PURCHASES, P.VIEW_REFERRALS,
                               P.IMPORT_SALES, P.MANAGE_PARTNERS, P.MANAGE_SUGGESTIONS}
    ),
    Role.MARKETING: frozenset(
        _COMMUNITY | _STAFF | {P.MANAGE_PERKS, P.MANAGE_CAMPAIGNS, P.VIEW_REFERRALS,
                               P.MANAGE_SURVEYS, P.MANAGE_SUGGESTIONS, P.MANAGE_EVALUATIONS}
    ),
    Role.ADMIN: frozenset(P),
}


def role_can(role: str, permission: P | str) -> bool:
    """Whether `role` has `permission`. An unknown permission name raises ValueError, so a
    typo in a template or view fails loudly instead of quietly hiding a button."""
    permission = P(permission)
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


@dataclass(frozen=True)
class Access:
    """What a view declares it needs, recorded on the view function as `view.access` by the
    decorators below; tests/test_permissions.py derives every actor's expected answer from it.

    `login`: anonymous visitors are sent to log in. `permissions`: a signed-in user needs at
    least one of them (403 otherwise). `fresh`: a session restored from the remember cookie
    must log in again first.
    """

    login: bool
    permissions: tuple[P, ...] = ()
    fresh: bool = False

    def allows(self, user) -> bool:
        """Whether the declaration lets `user` (or a Guest) through to the view's own checks."""
        if not self.login:
            return True
        if not user.is_authenticated:
            return False
        return not self.permissions or any(user.can(p) for p in self.permissions)


def access_of(view) -> Access | None:
    """The view's declaration, or None for a view that declares nothing (a test failure)."""
    return getattr(view, "access", None)


def public(view):
    """Declares a view open to everyone, visitors included (reading pages, log in, register)."""
    view.access = Access(login=False)
    return view


def require_login(view):
    """Log in first (anonymous → login page and back); any signed-in user may continue."""
    wrapped = login_required(view)
    inner = access_of(view)
    wrapped.access = Access(login=True, fresh=bool(inner and inner.fresh))
    return wrapped


def require_any_permission(*permissions: P):
    """Log in first (anonymous → login page and back), then 403 unless the user has at
    least one of `permissions`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(current_user.can(permission) for permission in permissions):
                abort(403)
            return view(*args, **kwargs)

        inner = access_of(view)
        wrapped.access = Access(login=True, permissions=tuple(P(p) for p in permissions),
                                fresh=bool(inner and inner.fresh))
        return wrapped

    return decorator


def require_permission(permission: P):
    """Log in first (anonymous → login page and back), then 403 without the permission."""
    return require_any_permission(permission)


def require_fresh_login(view):
    """For sensitive changes: a session restored from the remember cookie (or one whose
    fingerprint changed) must log in again first. Put it under the login/permission check."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not login_fresh():
            flash(gettext("Please log in again to continue."), "info")
            back = request.path if request.method == "GET" else url_for("home.index")
            return redirect(url_for("auth.login", next=back))
        return view(*args, **kwargs)

    inner = access_of(view)
    wrapped.access = replace(inner, fresh=True) if inner else Access(login=True, fresh=True)
    return wrapped
