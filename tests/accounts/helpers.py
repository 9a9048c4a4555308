"""Small helpers shared by the accounts tests."""

from __future__ import annotations

import re

from flask import current_app

from portal.accounts.services import ResetTokens


def without_csrf(body: str) -> str:
    """A page with its (time-stamped) CSRF tokens blanked, for comparing two answers."""
    return re.sub(r'(name="[\w-]*csrf_token"[^>]*value=")[^"]*"', r'\1"',
                  re.sub(r'(value=")[^"]*("[^>]*name="[\w-]*csrf_token")', r'\1\2', body))


def reset_path(user, max_age: int = 3600) -> str:
    token = ResetTokens(current_app.config["SECRET_KEY"], max_age).make(user)
    return f"/auth/reset/{token}"


def login_form(client, email: str, password: str, **kwargs):
    return client.post("/auth/login", data={"email": email, "password": password}, **kwargs)
