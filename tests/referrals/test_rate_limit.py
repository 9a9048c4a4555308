"""/join/<code> is rate limited per IP: guessing codes is slow on top of being hopeless."""

from __future__ import annotations

import pytest

from tests.conftest import test_config


@pytest.fixture
def app_config(tmp_path) -> dict:
    return test_config(tmp_path, RATELIMIT_ENABLED=True, REFERRAL_LOOKUP_LIMIT="5 per minute")


def test_code_lookups_are_limited(client):
    statuses = [client.get(f"/join/ZZZZ23{n:02d}").status_code for n in range(7)]
    assert statuses[:5] == [404] * 5
    assert statuses[5:] == [429, 429]
