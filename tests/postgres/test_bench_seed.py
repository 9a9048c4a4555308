"""The benchmark seed on PostgreSQL: a club of 50 members with all its checks (the posts
found through the GIN index on forum_grams(search_text) instead of SQLite's FTS table,
the sequences moved past the ids it wrote)."""

from __future__ import annotations

import pytest
from sqlalchemy import Text, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from bench.seed import seed, sizes
from portal.extensions import db
from portal.forum.models import Post
from portal.forum.search import folded_grams
from portal.points.services import find_differences
from tests.support.race import migrated_postgres_app

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    with migrated_postgres_app(tmp_path, postgres_server, "bench") as app:
        yield app


def test_seed_on_postgres(pg_app):
    with pg_app.test_request_context():
        made = seed(50, heavy_member_entries=30, sample=10, fast=False, out=lambda _line: None)
    size = sizes(50)
    assert made["posts"] == size["posts"] and made["referrals"] == size["referrals"]
    assert made["points verify differences"] == 0 and find_differences() == []
    assert [v for k, v in made.items() if k.startswith("club sample differences (of ")] == [0]
    assert made["post sample differences (of 10)"] == 0
    post = db.session.scalars(select(Post).order_by(Post.id.desc()).limit(1)).one()
    indexed = func.forum_grams(Post.search_text, type_=ARRAY(Text))
    for gram in folded_grams(post.search_text):
        assert post.id in db.session.scalars(select(Post.id).where(indexed.contains([gram])))
