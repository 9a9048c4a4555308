"""Absolute links for e-mails and share texts, from BASE_URL — never from the request's Host."""

from __future__ import annotations

from flask import current_app, url_for


def absolute_url(endpoint_or_path: str, **values) -> str:
    """`absolute_url("forum.thread_detail", thread_id=3)` or `absolute_url("/perks")`."""
    path = endpoint_or_path if endpoint_or_path.startswith("/") else url_for(endpoint_or_path, **values)
    return current_app.config["SERVER_NAME_FOR_LINKS"].rstrip("/") + path
