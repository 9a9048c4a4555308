"""Every URL rule of the app × every method × nine actors, against the access table in
tests/*/access.py and the permissions the views declare.

- Every view declares its access (`view.access`, from `public`, `require_login`,
  `require_permission`, `require_any_permission`; portal/accounts/permissions.py).
- Every URL rule (not only every endpoint: an endpoint with two rules is checked on both)
  and each of its methods has a row in a table.
- The table agrees with the declaration: anonymous visitors (and suspended members) are
  sent to log in wherever the view needs a login, signed-in users without the permission
  get 403, and the table may not claim otherwise; where the declaration lets an actor
  through, the table's status is the view's own answer (200, 302, 400, 404 …), exactly.
- A refused request (login, 403, 404) writes nothing to the database (no INSERT, UPDATE
  or DELETE reaches it): another member's objects stay as they were.
- A method a rule does not accept answers 405.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import event
from werkzeug.exceptions import MethodNotAllowed, NotFound

import tests
from portal.accounts.permissions import Access, access_of, role_can
from portal.core.timeutil import utcnow
from portal.extensions import db
from tests import factories
from tests.access import (
    ACTORS,
    ADMIN,
    ANON,
    LOGIN,
    MEMBER,
    ROLE_OF,
    ROLES,
    SILENCED,
    SUSPENDED,
    VERIFIED,
    Route,
    World,
)
from tests.conftest import log_in

# Flask's and Bootstrap-Flask's static files: public by nature, declared nowhere.
FRAMEWORK_ENDPOINTS = {"static": Access(login=False), "bootstrap.static": Access(login=False)}
REFUSED = {LOGIN, 403, 404, 405}


def _collect_rules() -> list[Route]:
    rules: list[Route] = []
    for module in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if module.ispkg and (Path(tests.__file__).parent / module.name / "access.py").exists():
            rules.extend(importlib.import_module(f"tests.{module.name}.access").RULES)
    return rules


RULES = _collect_rules()


def declared_access(app, endpoint: str) -> Access | None:
    return FRAMEWORK_ENDPOINTS.get(endpoint) or access_of(app.view_functions[endpoint])


def derived(access: Access, actor: str) -> int | str | None:
    """What the declaration alone says `actor` gets, or None where the view decides."""
    if not access.login:
        return None
    if actor in (ANON, SUSPENDED):
        return LOGIN
    if access.permissions and not any(role_can(ROLE_OF[actor], p) for p in access.permissions):
        return 403
    return None


def disagreements(access: Access, route: Route) -> list[str]:
    """Where the table contradicts the view's declaration."""
    wrong = []
    for actor in ACTORS:
        table, declared = route.expected(actor, access.login), derived(access, actor)
        if declared is not None and table != declared:
            wrong.append(f"{actor}: table {table}, declaration {declared}")
        elif declared is None and (table == LOGIN or (table == 403 and not route.object_rule)):
            wrong.append(f"{actor}: table {table}, but the declaration {access} lets them in")
    return wrong


def make_world() -> World:
    users = {role: factories.make_user(role) for role in ROLES}
    verified = factories.make_member()
    factories.make_ownership(verified, verified=True)
    silenced = factories.make_member()
    from portal.forum.models import Sanction

    now = utcnow()
    db.session.add(Sanction(user_id=silenced.id, reason="test", created_by_id=users[ADMIN].id,
                            created_at=now, silenced_until=now + timedelta(days=7)))
    suspended = factories.make_member(is_active_account=False)
    return World(db=db, users={**users, VERIFIED: verified, SILENCED: silenced, SUSPENDED: suspended})


class WriteCounter:
    """Counts the INSERT, UPDATE and DELETE statements the engine runs while active."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes.append(statement.split("(")[0][:60])


def _matches(expected, response) -> bool:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and "/auth/login" in location and "next=" in location
    return response.status_code == expected


def _rule_of(app, path: str, method: str):
    adapter = app.url_map.bind("localhost")
    try:
        rule, _ = adapter.match(path.split("?")[0], method=method, return_rule=True)
    except (NotFound, MethodNotAllowed):
        return None
    return rule


def _path(app, world, route: Route) -> str:
    path = route.path(world) if callable(route.path) else route.path
    if path is None:
        with app.test_request_context():
            path = url_for(route.endpoint)
    return path


def _all_paths(app) -> list[tuple[Route, str]]:
    """Every row with its path, built in one database (each builder in a savepoint rolled
    back after: builders may make the same rows)."""
    world = make_world()
    paths = []
    for route in RULES:
        with db.session.begin_nested() as savepoint:
            paths.append((route, _path(app, world, route)))
            savepoint.rollback()
    db.session.rollback()
    return paths


def test_every_view_declares_its_access(app):
    undeclared = sorted(f"{rule.endpoint} ({rule.rule})" for rule in app.url_map.iter_rules()
                        if declared_access(app, rule.endpoint) is None)
    assert not undeclared, ("Declare who may open these views (public, require_login, "
                            "require_permission): " + ", ".join(undeclared))


def test_every_url_rule_and_method_has_a_row(app):
    """Each table row's path is matched to its URL rule; each rule × method needs a row."""
    covered, wrong_endpoint = set(), []
    for route, path in _all_paths(app):
        rule = _rule_of(app, path, route.method)
        if rule is None or rule.endpoint != route.endpoint:
            wrong_endpoint.append(f"{route.id} {path} → {rule and rule.endpoint}")
            continue
        covered.add((rule.rule, route.method))
    missing = [f"{method} {rule.rule} ({rule.endpoint})"
               for rule in app.url_map.iter_rules() if rule.endpoint not in FRAMEWORK_ENDPOINTS
               for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
               if (rule.rule, method) not in covered]
    assert not wrong_endpoint, f"Rows whose path is not their endpoint's: {wrong_endpoint}"
    assert not missing, "Add rows for these URL rules to a tests/<feature>/access.py: " + ", ".join(
        missing)


@pytest.mark.parametrize("route", RULES, ids=lambda route: route.id)
def test_table_agrees_with_declaration(app, route: Route):
    access = declared_access(app, route.endpoint)
    assert access is not None, f"{route.endpoint} declares no access"
    wrong = disagreements(access, route)
    assert not wrong, f"{route.id}: " + "; ".join(wrong)


def check_route(app, route: Route) -> list[str]:
    """Request the route as every actor; the failures, as text."""
    access = declared_access(app, route.endpoint)
    world = make_world()
    path = _path(app, world, route)
    db.session.commit()
    failures = []
    for actor in ACTORS:
        expected = route.expected(actor, access.login)
        with WriteCounter() as counter, app.test_client() as client:
            if actor != ANON:
                log_in(client, world.users[actor])
            response = client.open(path, method=route.method, data=route.data or {})
            if not _matches(expected, response):
                failures.append(f"{actor}: expected {expected}, got {response.status_code} "
                                f"{response.headers.get('Location', '')}")
            response.close()
        if expected in REFUSED and counter.writes:
            failures.append(f"{actor}: refused ({expected}) but wrote {counter.writes}")
    return failures


@pytest.mark.parametrize("route", RULES, ids=lambda route: route.id)
def test_access(app, route: Route):
    failures = check_route(app, route)
    assert not failures, f"{route.id}: " + "; ".join(failures)


def test_methods_a_rule_does_not_accept_answer_405(app):
    paths = _all_paths(app)
    world = make_world()  # the paths' objects are gone: routing answers 405 before any view
    db.session.commit()
    checked, failures = 0, []
    adapter = app.url_map.bind("localhost")
    for _route, path in paths:
        accepted = adapter.allowed_methods(path.split("?")[0])
        wrong_method = next(m for m in ("GET", "DELETE", "PUT", "PATCH") if m not in accepted)
        for actor in (ANON, MEMBER, ADMIN):
            with app.test_client() as client:
                if actor != ANON:
                    log_in(client, world.users[actor])
                response = client.open(path, method=wrong_method)
                checked += 1
                if response.status_code != 405:
                    failures.append(f"{wrong_method} {path} as {actor}: {response.status_code}")
                response.close()
    assert checked >= 3 * len(RULES)
    assert not failures, failures


@pytest.mark.own_app
def test_a_route_without_a_permission_check_is_caught(app):
    """A view added without any declaration, a table that contradicts a declaration, a view
    that checks less than it declares, and a refused POST that wrote: each is caught."""
    from flask_login import current_user

    from portal.accounts.permissions import P, require_login, require_permission
    from portal.notifications.services import notify
    from tests.access import owner_only

    @app.get("/sneaky")
    def sneaky():
        return "members' secrets"

    @app.get("/sneaky/staff")
    @require_permission(P.VIEW_AUDIT)
    def sneaky_staff():
        return "audit"

    @app.get("/sneaky/open")
    def sneaky_open():
        return "audit"

    # Declared like an admin-only view, but the check itself is missing.
    sneaky_open.access = Access(login=True, permissions=(P.VIEW_AUDIT,))

    @app.post("/sneaky/<int:user_id>/touch")
    @require_login
    def sneaky_touch(user_id: int):
        notify(db.session.get(type(current_user._get_current_object()), user_id), "test", "x")
        return "not yours", 404

    undeclared = [rule.endpoint for rule in app.url_map.iter_rules()
                  if declared_access(app, rule.endpoint) is None]
    assert undeclared == ["sneaky"]
    with pytest.raises(AssertionError, match=r"sneaky \(/sneaky\)"):
        test_every_view_declares_its_access(app)
    with pytest.raises(AssertionError, match=r"GET /sneaky \(sneaky\)"):
        test_every_url_rule_and_method_has_a_row(app)

    lax = Route("sneaky_staff", {ANON: LOGIN, **dict.fromkeys(ROLES, 200)}, path="/sneaky/staff")
    assert any("member: table 200, declaration 403" in w
               for w in disagreements(declared_access(app, "sneaky_staff"), lax))

    strict = Route("sneaky_open", {ANON: LOGIN, **dict.fromkeys(ROLES, 403), ADMIN: 200},
                   path="/sneaky/open")
    failures = check_route(app, strict)
    assert any(f.startswith("member: expected 403, got 200") for f in failures)
    assert any(f.startswith("anonymous: expected login, got 200") for f in failures)

    owner = factories.make_member()
    db.session.commit()
    touch = Route("sneaky_touch", owner_only(404), method="POST", path=f"/sneaky/{owner.id}/touch")
    failures = check_route(app, touch)
    assert any("refused (404) but wrote ['INSERT INTO notifications" in f for f in failures), failures
