"""Every endpoint × every actor against the access table in tests/*/access.py."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import tests
from portal.extensions import db
from tests import factories
from tests.access import ALLOWED, ANON, LOGIN, ROLES, Route, World
from tests.conftest import log_in

IGNORED_ENDPOINTS = {"static", "bootstrap.static"}


def _collect_rules() -> list[Route]:
    rules: list[Route] = []
    for module in pkgutil.iter_modules([str(Path(tests.__file__).parent)]):
        if module.ispkg and (Path(tests.__file__).parent / module.name / "access.py").exists():
            rules.extend(importlib.import_module(f"tests.{module.name}.access").RULES)
    return rules


RULES = _collect_rules()


def test_every_endpoint_has_a_rule(app):
    listed = {(rule.endpoint, rule.method) for rule in RULES}
    missing = []
    for url_rule in app.url_map.iter_rules():
        if url_rule.endpoint in IGNORED_ENDPOINTS:
            continue
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            if (url_rule.endpoint, method) not in listed:
                missing.append(f"{method} {url_rule.endpoint} ({url_rule.rule})")
    assert not missing, "Add these to a tests/<feature>/access.py: " + ", ".join(missing)
    stale = listed - {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods}
    assert not stale, f"Rules for endpoints that no longer exist: {sorted(stale)}"


def _matches(expected, response) -> bool:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and "/auth/login" in location and "next=" in location
    if expected == ALLOWED:
        login_redirect = response.status_code == 302 and "/auth/login" in location
        return response.status_code < 500 and response.status_code not in (401, 403) \
            and not login_redirect
    return response.status_code == expected


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_access(app, rule: Route):
    world = World(db=db, users={role: factories.make_user(role) for role in ROLES})
    path = rule.path(world) if callable(rule.path) else rule.path
    if path is None:
        from flask import url_for

        with app.test_request_context():
            path = url_for(rule.endpoint)
    db.session.commit()
    failures = []
    for actor, expected in rule.expect.items():
        with app.test_client() as client:
            if actor != ANON:
                log_in(client, world.users[actor])
            response = client.open(path, method=rule.method, data=rule.data or {})
            if not _matches(expected, response):
                failures.append(f"{actor}: expected {expected}, got {response.status_code} "
                                f"{response.headers.get('Location', '')}")
            response.close()
    assert not failures, f"{rule.id} {path}: " + "; ".join(failures)
