"""Response headers, safe redirects and the client address used in the audit log."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_login import AnonymousUserMixin, current_user

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def is_safe_path(target: str | None) -> bool:
    """True when `target` is a path on this site (no scheme, host or tricks)."""
    if not target or not target.startswith("/"):
        return False
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return False
    if target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    return target if is_safe_path(target) else fallback


def client_ip() -> str | None:
    return request.remote_addr


def add_security_headers(response: Response, hsts: bool) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # A type check, not `is_authenticated`: the request has committed by now, and reading
    # the expired user's `is_active` would cost a query on every page.
    user = current_user._get_current_object() if current_user else None
    if user is not None and not isinstance(user, AnonymousUserMixin):
        headers.setdefault("Cache-Control", "no-store")
        headers.add("Vary", "Cookie")
    return response


def init_security(app: Flask) -> None:
    hsts = app.config.get("HSTS", False)

    @app.after_request
    def _headers(response: Response) -> Response:
        return add_security_headers(response, hsts)
