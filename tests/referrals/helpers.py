"""Small helpers for the referral tests."""

from __future__ import annotations


def follow(client, response):
    """Follow one redirect by hand (the shared RequestClient pushes its own app context per
    request, which Werkzeug's follow_redirects nests the wrong way)."""
    assert response.status_code in (302, 303), response.status_code
    return client.get(response.headers["Location"])
