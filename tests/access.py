"""The access table's vocabulary. Each feature lists its URL rules in tests/<feature>/access.py
as `RULES = [Route(...), ...]`; tests/test_permissions.py checks every URL rule of the app
(each method) for every actor against them, and fails on a rule nobody listed.

The table says what each actor gets; the test derives the denials from what the view
declares (`view.access`, recorded by the decorators of portal.accounts.permissions) and
fails when table and declaration disagree. Expectations are exact status codes, or LOGIN
(302 to the login page with ?next=).

Actors: anonymous, one user per role, and three more members: a verified homeowner, a
silenced member and a suspended member. `world.users[MEMBER]` owns the objects path
builders make, so the verified homeowner and the silenced member are *other* members:
they get the member's expectation unless the dict names them (owner-only pages: 404).
A suspended member is logged out: LOGIN wherever the view needs a login, otherwise what
a visitor gets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON, MEMBER, PARTNER, SERVICE, MARKETING, ADMIN = (
    "anonymous", "member", "partner", "service", "marketing", "admin")
VERIFIED, SILENCED, SUSPENDED = "verified homeowner", "silenced member", "suspended member"
ROLES = (MEMBER, PARTNER, SERVICE, MARKETING, ADMIN)
EXTRA_MEMBERS = (VERIFIED, SILENCED, SUSPENDED)
ACTORS = (ANON, *ROLES, *EXTRA_MEMBERS)
ROLE_OF = {**{role: role for role in ROLES}, **dict.fromkeys(EXTRA_MEMBERS, MEMBER)}

LOGIN = "login"  # redirected to the login page with ?next= back


@dataclass
class World:
    """What a path builder gets: the database and one user per actor but anonymous."""

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
    # The view's own rule that refuses (403) some actors its declaration lets in: the author
    # only, invited partners, a survey's audience. Without it such a 403 is a disagreement.
    object_rule: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.endpoint}"

    def expected(self, actor: str, needs_login: bool) -> int | str:
        """The table's answer for `actor`, the extra members filled in (see the docstring)."""
        if actor in self.expect:
            return self.expect[actor]
        if actor == SUSPENDED:
            return LOGIN if needs_login else self.expect[ANON]
        return self.expect[MEMBER]


def everyone(status: int | str = 200) -> dict[str, int | str]:
    return dict.fromkeys((ANON, *ROLES), status)


def signed_in(status: int | str = 200, anonymous: int | str = LOGIN) -> dict[str, int | str]:
    return {ANON: anonymous, **dict.fromkeys(ROLES, status)}


def only(roles: tuple[str, ...] | list[str], status: int | str = 200) -> dict[str, int | str]:
    """Signed-in `roles` get `status`; other roles 403; anonymous visitors go to log in."""
    return {ANON: LOGIN, **{role: (status if role in roles else 403) for role in ROLES}}


def owner_only(status: int | str = 200, others: int | str = 404,
               staff: dict[str, int | str] | None = None) -> dict[str, int | str]:
    """An object of `world.users[MEMBER]`: the owner gets `status`; every other member
    (the verified homeowner, the silenced member) and every role not in `staff` gets
    `others` (404: no peeking); visitors go to log in."""
    return {ANON: LOGIN, **dict.fromkeys(ROLES, others), VERIFIED: others, SILENCED: others,
            MEMBER: status, **(staff or {})}


STAFF = (SERVICE, MARKETING, ADMIN)
HOMEOWNERS = (MEMBER, ADMIN)  # roles with points and perks
