"""Small helpers for the referral tests."""

from __future__ import annotations


def follow(client, response):
    """Follow one redirect (RequestClient gives each request its own app context, which
    Werkzeug's follow_redirects would nest)."""
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])
