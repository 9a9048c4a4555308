"""Campaign test fixtures: a client asking for English pages."""

from __future__ import annotations

import pytest


@pytest.fixture
def client(app):
    """The shared client, asking for English pages when nobody is logged in."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
