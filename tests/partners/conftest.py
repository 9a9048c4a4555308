from __future__ import annotations

from datetime import datetime

import pytest

from tests.partners.helpers import attributed_complaint as _complaint
from tests.partners.helpers import make_contract, make_organisation


@pytest.fixture
def english(app):
    """A request context in English, so translated service errors can be read in tests."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def data(db):
    """Partner A: three complaints in January (two repairs; resolved in 24 h and in 48 h
    of which 12 h waiting for the homeowner; rated 4 and 2; one unresolved), one in
    February (repair, 10 h, rated 5), a merged duplicate in January and one in December
    (both left out). Partner B: one in January (no repair, 6 h, not rated)."""
    a, b = make_organisation("A"), make_organisation("B")
    make_contract(a)
    make_contract(b)
    first = _complaint(a, datetime(2026, 1, 5, 10), repair=True, hours=24, rating=4)
    _complaint(a, datetime(2026, 1, 10), repair=False, hours=48, paused_hours=12, rating=2)
    _complaint(a, datetime(2026, 1, 20), repair=True)
    _complaint(a, datetime(2026, 2, 3), repair=True, hours=10, rating=5)
    _complaint(a, datetime(2026, 1, 21), repair=True, hours=1, rating=1, merged_into=first)
    _complaint(a, datetime(2025, 12, 30), repair=True, hours=1, rating=1)
    _complaint(b, datetime(2026, 1, 15), repair=False, hours=6)
    db.session.commit()
    return a.id, b.id
