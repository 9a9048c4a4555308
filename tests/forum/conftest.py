import pytest


@pytest.fixture
def english(app):
    """A request context in English, so domain errors can be read (and matched) as text."""
    with app.test_request_context("/?lang=en"):
        yield
