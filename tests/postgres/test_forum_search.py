"""Forum search on PostgreSQL: the migration's pg_trgm GIN index on the folded search
text answers Chinese (either script) and English substrings, 1- and 2-character terms
use the gram table, visibility holds."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from portal.forum import moderation, search
from portal.forum.models import Post
from tests import factories
from tests.conftest import test_config
from tests.forum.helpers import make_complaint, make_reply, make_thread
from tests.support.race import migrate

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(tmp_path, postgres_server):
    url = postgres_server.migrated_database(f"forum_{uuid.uuid4().hex[:10]}",
                                            lambda template: migrate(tmp_path, template))
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def found(user, query: str) -> set[int]:
    return {p.id for p in db.session.scalars(search.search_query(user, query)).unique()}


def opening(thread) -> int:
    return db.session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.is_opening))


def test_search_on_postgres(pg_app):
    reader, author = factories.make_member(), factories.make_member()
    service = factories.make_user("service")
    leak = make_thread(author, title="廚房天花板漏水", body="樓上單位洗衣機位置對下一直滲水。")
    lift = make_thread(title="Lift stops", body="The LIFT keeps Stopping; 100% broken_down")
    private = make_complaint(author, is_private=True, title="車位合同面積", body="合同面積不符")
    rude = make_reply(lift, author, "idiots everywhere")
    moderation.hide_post(service, rude)
    db.session.commit()

    assert found(reader, "天花板") == {opening(leak)}  # title, via the trigram index
    assert found(reader, "洗衣機") == {opening(leak)}  # body
    assert found(reader, "漏水") == {opening(leak)}  # 2 characters, via the gram table
    assert found(reader, "lift stopping") == {opening(lift)}
    assert found(reader, "100%") == {opening(lift)}
    assert found(reader, "0%") == {opening(lift)}
    assert found(reader, "k_n") == set()  # "_" is literal ("ken" must not match)
    assert found(reader, "%%%") == set()  # so is "%"
    assert found(reader, "n_do") == {opening(lift)}
    assert found(reader, "合同面積") == set()
    assert found(author, "合同面積") == {opening(private.thread)}
    assert found(service, "合同") == {opening(private.thread)}
    assert found(reader, "idiots") == set() and found(service, "idiots") == {rude.id}
    assert found(reader, "' OR 1=1--") == set()
    assert found(reader, "厨房天花板") == {opening(leak)}  # Simplified finds Traditional
    assert found(reader, "厨") == {opening(leak)}  # one character


def test_trigram_indexes_serve_chinese_and_english_terms(pg_app):
    for i in range(30):
        make_thread(title=f"主題 {i}", body=f"第 {i} 號樓 water leak number {i}")
    db.session.commit()
    names = set(db.session.scalars(text(
        "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'ix_forum_%_trgm'")))
    assert names == {"ix_forum_posts_search_text_trgm"}
    db.session.execute(text("SET enable_seqscan = off"))  # tiny tables: force the choice
    for query in ("號樓", "號樓 leak", "water", "主題 1"):
        statement = search.search_query(factories.make_member(), query)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        terms = search.parse_terms(query)
        if any(len(term) >= 3 for term in terms):
            assert "ix_forum_posts_search_text_trgm" in plan, plan
        if any(len(term) <= 2 for term in terms):
            assert "forum_search_grams" in plan and "Seq Scan on forum_search_grams" not in plan
        assert "Seq Scan on forum_posts" not in plan, plan
    db.session.rollback()


def test_odd_search_terms_never_fail_on_postgres(pg_app):
    from tests.forum.test_bad_input import ODD_TERMS

    reader = factories.make_member()
    make_thread(title="Lift", body="The lift 漏水 stops; 100% sure_ (quotes \" and ').")
    db.session.commit()
    for term in ODD_TERMS:
        statement = search.search_query(reader, term)
        if statement is not None:
            db.session.scalars(statement).unique().all()
    assert found(reader, "100%") and found(reader, "sure_") and not found(reader, "%%")
