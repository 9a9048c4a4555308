from __future__ import annotations

import pytest


@pytest.fixture
def english(app):
    """A request context in English, so translated service errors can be read in tests."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def client(app):
    """Like the shared fixture, but without `with app.test_client()`: preserved request
    contexts and RequestClient's own app context pop in the wrong order on a second request
    ("Popped wrong app context"). Nothing here needs preserve_context."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # anonymous pages in English
    return client
