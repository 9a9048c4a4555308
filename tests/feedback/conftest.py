"""Feedback test fixtures: an English request context and client."""

from __future__ import annotations

import pytest


@pytest.fixture
def english(app):
    """A request context in English, so translated service errors can be read in tests."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def client(app):
    """The shared client, asking for English pages when nobody is logged in."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
