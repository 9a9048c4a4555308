"""Registries through which features add navigation entries, home-page panels, fields of
the registration form, modifiers of each other's rewards, the counts and figures of the
staff home and the KPI dashboard, and what a forum thread shows (extra readers of a
thread, badges on its posts, panels on its page).

Core imports no feature: each feature's `init_app` registers what it adds, the
way indico's features add their own menu entries through signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy string
    endpoint: str
    area: str  # "member" (top bar) or "admin" (staff menu)
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    """A block on the member home page; `context(user)` returns its template variables, or
    None when the panel is not for this user (a partner's figures for non-partners)."""

    template: str
    context: Callable[[Any], dict]
    order: int = 100


@dataclass(frozen=True)
class MemberAdminLink:
    """A link on the staff page of one member (`/admin/members/<id>`) to a feature's page.

    The endpoint is built as `url_for(endpoint, **{arg: member.id})`.
    """

    label: Any  # a lazy string
    endpoint: str
    permission: str | None = None
    order: int = 100
    arg: str = "user_id"


@dataclass(frozen=True)
class MemberAdminPanel:
    """A block a feature adds to the staff page of one member: `context(member)` returns the
    template's variables (a few recent rows and a link to the feature's full page)."""

    template: str
    context: Callable[[Any], dict]
    permission: str
    order: int = 100


@dataclass(frozen=True)
class RegistrationField:
    """A field a feature adds to the registration form (the referral code, …).

    `field()` returns a new unbound WTForms field; `initial(request)` computes the value it
    starts with (from the query string, a cookie…), or there is none. What the visitor
    submits reaches the feature as `extra[name]` of `portal.core.signals.user_registered`.
    """

    name: str
    field: Callable[[], Any]
    initial: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ThreadAccess:
    """Readers a feature adds to forum threads they could not otherwise see (a private
    complaint attributed to a partner, for that partner's accounts).

    `allows(user, thread)` for one loaded thread and `condition(user)` — a SQL condition on
    the forum's threads, or None — for lists and search; the two must agree.
    """

    allows: Callable[[Any, Any], bool]
    condition: Callable[[Any], Any]


@dataclass(frozen=True)
class ThreadPanel:
    """A block a feature adds to a forum thread's page; `context(user, thread)` returns its
    template variables, or None when there is nothing to show this user."""

    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100


@dataclass(frozen=True)
class StaffTask:
    """A count on the staff home ("what needs me now"): `count(user)` for the signed-in staff
    member, linking to `endpoint` (built with `url_args(user)` when given). Shown only to
    staff with `permission`, and only when the count is not zero."""

    label: Any  # a lazy string
    endpoint: str
    permission: str
    count: Callable[[Any], int]
    order: int = 100
    url_args: Callable[[Any], dict] | None = None


@dataclass(frozen=True)
class DashboardSection:
    """A part of the KPI dashboard (`/admin/dashboard`): `figures(period)` returns its
    `portal.core.figures.Figure`s for a `Period` (dates and development filter)."""

    key: str  # in URLs: /admin/dashboard/<key>/<figure>.csv
    title: Any  # a lazy string
    permission: str
    figures: Callable[[Any], list]
    order: int = 100


@dataclass(frozen=True)
class AuditTarget:
    """How the audit log names and links the objects of one table: "Campaign #7" linking to
    `url_for(endpoint, **{arg: id})` (no link without an endpoint)."""

    label: Any  # a lazy string
    endpoint: str | None = None
    arg: str = "id"


@dataclass
class AuditVocabulary:
    """What features register so the audit log reads as sentences in the reader's language:
    action codes → labels, target tables → `AuditTarget`, detail keys → labels, and
    (action, detail key) → a function that shows a stored code as its label."""

    actions: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, AuditTarget] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    formats: dict[tuple[str, str], Callable[[Any], Any]] = field(default_factory=dict)


@dataclass
class Hooks:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    demo_seeders: list[tuple[int, Callable[[], None]]] = field(default_factory=list)
    member_admin_links: list[MemberAdminLink] = field(default_factory=list)
    member_admin_panels: list[MemberAdminPanel] = field(default_factory=list)
    registration_fields: list[RegistrationField] = field(default_factory=list)
    # Name prefixes of tables/indexes a migration manages by hand (FTS tables, trigram
    # indexes); migrations/env.py hides them from autogenerate.
    unmanaged_schema: list[str] = field(default_factory=list)
    # (trigger, member id, points) -> points; see portal.core.rewards.
    reward_modifiers: list[Callable[[str, int, int], int]] = field(default_factory=list)
    thread_access: list[ThreadAccess] = field(default_factory=list)
    thread_panels: list[ThreadPanel] = field(default_factory=list)
    # posts -> {post id: label}: who a post's author writes as (a partner organisation).
    post_badges: list[Callable[[list], dict]] = field(default_factory=list)
    staff_tasks: list[StaffTask] = field(default_factory=list)
    dashboard_sections: list[DashboardSection] = field(default_factory=list)
    audit: AuditVocabulary = field(default_factory=AuditVocabulary)


def hooks(app: Flask | None = None) -> Hooks:
    app = app or current_app
    return app.extensions.setdefault("portal_hooks", Hooks())


def add_nav(app: Flask, item: NavItem) -> None:
    hooks(app).nav.append(item)


def add_home_panel(app: Flask, panel: HomePanel) -> None:
    hooks(app).home_panels.append(panel)


def add_demo_seeder(app: Flask, order: int, seeder: Callable[[], None]) -> None:
    """`flask seed-demo` runs seeders in `order`; each only flushes."""
    hooks(app).demo_seeders.append((order, seeder))


def add_member_admin_link(app: Flask, link: MemberAdminLink) -> None:
    hooks(app).member_admin_links.append(link)


def member_admin_links(user) -> list[MemberAdminLink]:
    """The feature links on a member's staff page that `user` (the staff member) may follow."""
    visible = [link for link in hooks().member_admin_links
               if link.permission is None or user.can(link.permission)]
    return sorted(visible, key=lambda link: link.order)


def add_staff_task(app: Flask, task: StaffTask) -> None:
    hooks(app).staff_tasks.append(task)


def staff_tasks(user) -> list[StaffTask]:
    visible = [task for task in hooks().staff_tasks if user.can(task.permission)]
    return sorted(visible, key=lambda task: task.order)


def add_dashboard_section(app: Flask, section: DashboardSection) -> None:
    if any(s.key == section.key for s in hooks(app).dashboard_sections):
        raise ValueError(f"dashboard section {section.key!r} is added twice")
    hooks(app).dashboard_sections.append(section)


def dashboard_sections(user) -> list[DashboardSection]:
    visible = [s for s in hooks().dashboard_sections if user.can(s.permission)]
    return sorted(visible, key=lambda s: s.order)


def add_audit_vocabulary(app: Flask, *, actions: dict[str, Any] | None = None,
                         targets: dict[str, AuditTarget] | None = None,
                         details: dict[str, Any] | None = None,
                         formats: dict[tuple[str, str], Callable[[Any], Any]] | None = None) -> None:
    vocabulary = hooks(app).audit
    for mine, theirs in ((vocabulary.actions, actions), (vocabulary.targets, targets),
                         (vocabulary.details, details), (vocabulary.formats, formats)):
        for key in theirs or {}:
            if key in mine and mine[key] != theirs[key]:
                raise ValueError(f"audit vocabulary {key!r} is registered twice")
        mine.update(theirs or {})


def audit_vocabulary() -> AuditVocabulary:
    return hooks().audit


def add_member_admin_panel(app: Flask, panel: MemberAdminPanel) -> None:
    hooks(app).member_admin_panels.append(panel)


def member_admin_panels(user, member) -> list[tuple[str, dict]]:
    """(template, context) of each panel `user` (the staff member) may see about `member`."""
    visible = sorted((p for p in hooks().member_admin_panels if user.can(p.permission)),
                     key=lambda p: p.order)
    return [(panel.template, panel.context(member)) for panel in visible]


def add_registration_field(app: Flask, name: str, field_factory: Callable[[], Any],
                           initial: Callable[[Any], Any] | None = None) -> None:
    """Add a field to the registration form (after the built-in ones, in the order added)."""
    if any(item.name == name for item in hooks(app).registration_fields):
        raise ValueError(f"registration field {name!r} is added twice")
    hooks(app).registration_fields.append(RegistrationField(name, field_factory, initial))


def registration_fields(app: Flask | None = None) -> list[RegistrationField]:
    return list(hooks(app).registration_fields)


def add_unmanaged_schema(app: Flask, *prefixes: str) -> None:
    """Keep `flask db migrate`/`check` away from database objects made by raw SQL."""
    hooks(app).unmanaged_schema.extend(prefixes)


def is_managed_schema(name: str | None, app: Flask | None = None) -> bool:
    return not (name and any(name.startswith(p) for p in hooks(app).unmanaged_schema))


def nav_items(area: str, user) -> list[NavItem]:
    items = [i for i in hooks().nav if i.area == area]
    visible = [i for i in items if i.permission is None or user.can(i.permission)]
    return sorted(visible, key=lambda i: i.order)



def add_thread_access(app: Flask, access: ThreadAccess) -> None:
    hooks(app).thread_access.append(access)


def add_thread_panel(app: Flask, panel: ThreadPanel) -> None:
    hooks(app).thread_panels.append(panel)


def add_post_badges(app: Flask, badges: Callable[[list], dict]) -> None:
    """`badges(posts)` returns `{post id: label}` for the posts it labels (one query for a
    page of posts, whatever its length)."""
    hooks(app).post_badges.append(badges)


def thread_panels(user, thread) -> list[tuple[str, dict]]:
    """The feature panels of a thread's page that have something for `user`."""
    shown = []
    for panel in sorted(hooks().thread_panels, key=lambda panel: panel.order):
        context = panel.context(user, thread)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def post_badges(posts: list) -> dict:
    labels: dict = {}
    for badges in hooks().post_badges:
        labels.update(badges(posts))
    return labels
