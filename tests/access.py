"""The access table's vocabulary. Each feature lists its routes in tests/<feature>/access.py
as `RULES = [Route(...), ...]`; tests/test_permissions.py checks every endpoint of the
app against them for every actor, and fails on an endpoint nobody listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON, MEMBER, PARTNER, SERVICE, MARKETING, ADMIN = (
    "anonymous", "member", "partner", "service", "marketing", "admin")
ACTORS = (ANON, MEMBER, PARTNER, SERVICE, MARKETING, ADMIN)
ROLES = ACTORS[1:]

LOGIN = "login"  # redirected to the login page with ?next= back
ALLOWED = "allowed"  # any answer but 401/403/login/5xx (POSTs with empty forms)


@dataclass
class World:
    """What a path builder gets: the database and one user per role."""

    db: Any
    users: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    endpoint: str
    expect: dict[str, int | str]
    method: str = "GET"
    # A fixed path, or a function of the World that makes the objects it needs.
    path: str | Callable[[World], str] | None = None
    data: dict | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"


def everyone(status: int | str = 200) -> dict[str, int | str]:
    return dict.fromkeys(ACTORS, status)


def signed_in(status: int | str = 200, anonymous: int | str = LOGIN) -> dict[str, int | str]:
    return {ANON: anonymous, **dict.fromkeys(ROLES, status)}


def only(roles: tuple[str, ...] | list[str], status: int | str = 200) -> dict[str, int | str]:
    """Signed-in `roles` get `status`; other roles 403; anonymous visitors go to log in."""
    return {ANON: LOGIN, **{role: (status if role in roles else 403) for role in ROLES}}


STAFF = (SERVICE, MARKETING, ADMIN)
HOMEOWNERS = (MEMBER, ADMIN)  # roles with points and perks
