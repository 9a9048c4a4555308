"""Forum search on PostgreSQL: `forum_grams(search_text)` under a GIN index answers Chinese
(either script, one character and up) and English terms, the SQL function makes exactly
the grams Python makes, visibility, order and the cap hold, and migration 0076 moves a
database with posts from the gram table and pg_trgm to the function and back.

The dialect-neutral tests of tests/forum/test_search.py run here too, on a database the
migrations built (the `app` fixture below replaces the SQLite one for this module)."""

from __future__ import annotations

import uuid

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import Text, bindparam, inspect, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from portal import create_app
from portal.core.textfold import fold
from portal.extensions import db
from portal.forum import moderation, reading, search
from portal.forum.models import Post
from tests import factories
from tests.conftest import RequestClient, test_config
from tests.forum.helpers import make_complaint, make_reply, make_thread
from tests.forum.test_search import (  # noqa: F401  (collected here: the same tests on PostgreSQL)
    corpus,
    test_chinese_substrings_of_two_and_more_characters,
    test_edits_and_merges_keep_the_index_in_step,
    test_english_words_case_insensitive_and_terms_anded,
    test_one_character_cjk_searches_work,
    test_search_counts_up_to_the_cap_and_says_when_there_are_more,
    test_search_page,
    test_search_page_highlights_across_scripts_and_escapes,
    test_short_and_hostile_queries,
    test_traditional_and_simplified_find_each_other,
    test_visibility_private_hidden_and_internal,
)
from tests.support.race import migrate

pytestmark = pytest.mark.postgres

TRICKY = [
    "", "a", "水", " ", "  ", "漏水了 ab", "ab", "a b", "水 ", " 水", "漏水\n天花板\t\t滲水",
    "a\u3000b\u3000\u3000cd", "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0", "x\u200by\u180ez\ufeff",
    "\u1680a\u2000b\u200ac\u2028d\u2029e\u202ff\u205fg", "🎉🎉 party🎉 😀", "👨‍👩‍👧 family",
    "𠀀𪚥𰀀 ext", "\U0003134f\U00031350", "ㄅㄆㄇ ㆠ", "カタカナ ひらがな", "한국어 ㄱ", "豈更",
    "⺀⿟⿠", "a-b_c%d\\e'f\"g;--", "e\u0301 café", "ｆｕｌｌ　ｗｉｄｔｈ", fold("籃球 İstanbul ß"),
    "1", "12", "C-2026-000123", "\u4dbf\u4dc0\u9fff\ua000",
]


@pytest.fixture
def app(tmp_path, postgres_server):
    url = postgres_server.migrated_database(f"forum_{uuid.uuid4().hex[:10]}",
                                            lambda template: migrate(tmp_path, template))
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    app.test_client_class = RequestClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def found(user, query: str) -> set[int]:
    return {p.id for p in db.session.scalars(search.search_query(user, query)).unique()}


def opening(thread) -> int:
    return db.session.scalar(select(Post.id).where(Post.thread_id == thread.id, Post.is_opening))


def database_grams(texts: list[str]) -> list[set[str]]:
    rows = db.session.execute(text(
        "SELECT forum_grams(t) FROM unnest(:texts) WITH ORDINALITY AS u(t, n) ORDER BY n"
    ).bindparams(bindparam("texts", type_=ARRAY(Text))), {"texts": texts})
    return [set(grams) for (grams,) in rows]


def force_index_or_order() -> None:
    """Tiny tables: leave the planner the GIN index or the posts in id order, nothing else."""
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_nestloop = off"))


def test_search_on_postgres(app):
    reader, author = factories.make_member(), factories.make_member()
    service = factories.make_user("service")
    leak = make_thread(author, title="廚房天花板漏水", body="樓上單位洗衣機位置對下一直滲水。")
    lift = make_thread(title="Lift stops", body="The LIFT keeps Stopping; 100% broken_down")
    private = make_complaint(author, is_private=True, title="車位合同面積", body="合同面積不符")
    rude = make_reply(lift, author, "idiots everywhere")
    moderation.hide_post(service, rude)
    db.session.commit()

    assert found(reader, "天花板") == {opening(leak)}  # title
    assert found(reader, "洗衣機") == {opening(leak)}  # body
    assert found(reader, "漏水") == {opening(leak)}  # 2 characters: one gram
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
    assert found(reader, "stopsx") == set()  # every gram there ("st" … "sx" is not)
    assert found(reader, "topping") == {opening(lift)}
    assert found(reader, "stopping lift") == {opening(lift)}  # terms in any order


def test_hits_come_newest_first_and_pages_follow(app):
    reader = factories.make_member()
    thread = make_thread(title="漏水 0", body="天花板漏水")
    replies = [make_reply(thread, body=f"天花板又漏水 {n}").id for n in range(1, 25)]
    make_reply(thread, body="天花板 no leak")
    db.session.commit()
    newest = [p.id for p in db.session.scalars(search.search_query(reader, "漏水 天花板")).unique()]
    assert newest == sorted(replies + [opening(thread)], reverse=True)
    with app.test_request_context():
        first, second = (reading.search_page(reader, "漏水 天花板", page=n) for n in (1, 2))
    assert [p.id for p in first.results.items + second.results.items] == newest
    assert first.results.total == 25 and not first.results.more


@pytest.mark.parametrize("common", [True, False], ids=["newest-first", "gin-index"])
def test_both_ways_find_the_same_posts_newest_first(app, monkeypatch, common):
    """Terms common among the newest posts are answered by reading posts newest first,
    others through the GIN index (search._common): the same hits, in the same order."""
    monkeypatch.setattr(search, "COMMON_SHARE", 0 if common else 2)
    reader, author = factories.make_member(), factories.make_member()
    leak = make_thread(author, title="廚房天花板漏水", body="滲水 100% broken_down LIFT")
    private = make_complaint(author, is_private=True, title="天花板漏水", body="私人")
    replies = [make_reply(leak, body=f"天花板又漏水 {n} lift") for n in range(3)]
    moderation.hide_post(factories.make_user("service"), replies[1])
    db.session.commit()
    hits = [p.id for p in db.session.scalars(search.search_query(reader, "漏水 LIFT")).unique()]
    assert hits == [replies[2].id, replies[0].id, opening(leak)]
    assert found(author, "天花板") == {opening(leak), opening(private.thread), replies[0].id,
                                      replies[2].id}  # the hidden reply is not theirs
    assert found(reader, "n_do") == {opening(leak)} and found(reader, "k_n") == set()
    assert found(reader, "厨") == {opening(leak)} and found(reader, "私人") == set()
    force_index_or_order()
    statement = search.search_query(reader, "漏水 lift")
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
    assert (search.GRAMS_INDEX in plan) is not common, plan
    db.session.rollback()


def test_common_means_common_among_the_newest_posts_and_across_the_table(app, monkeypatch):
    monkeypatch.setattr(search, "NEWEST_SAMPLE", 10)
    monkeypatch.setattr(search, "SPREAD_SAMPLE", 5)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.5)
    thread = make_thread(title="Lift", body="both old")
    for n in range(1, 40):
        make_reply(thread, body=f"both {'old' if n < 30 else 'new'} {n}")
    db.session.commit()
    assert search._common(["both"])
    assert not search._common(["old"])  # not among the newest
    assert not search._common(["new"])  # among the newest only: the index answers it
    assert not search._common(["zzz"])


def test_reindex_all_rebuilds_search_text_and_so_the_index(app):
    reader = factories.make_member()
    leak = make_thread(title="廚房天花板漏水", body="一直滲水 Dripping")
    db.session.commit()
    db.session.execute(update(Post).values(search_text=""))
    assert found(reader, "天花板") == found(reader, "漏") == found(reader, "dripping") == set()
    assert search.reindex_all(batch=1) == 1
    assert found(reader, "天花板") == found(reader, "漏") == found(reader, "dripping") == {
        opening(leak)}


def test_the_gram_function_makes_the_python_grams(app):
    assert database_grams(TRICKY) == [search.folded_grams(t) for t in TRICKY]
    # Every code point (but NUL and the surrogates, which text cannot hold) between two
    # letters: "xAxBxC…" has the grams xA, Ax, xB … less those with whitespace, plus the
    # CJK characters. Exhaustive up to the last CJK range, sampled above it.
    points = [c for c in range(1, 0x31400) if not 0xD800 <= c <= 0xDFFF]
    points += list(range(0x31400, 0x110000, 97)) + [0x10FFFF]
    every = "".join(f"x{chr(c)}" for c in points) + "x"
    assert database_grams([every]) == [search.folded_grams(every)]


def test_grams_index_answers_every_term_and_the_old_objects_are_gone(app, monkeypatch):
    monkeypatch.setattr(search, "COMMON_SHARE", 2)  # here every term is in every post
    for i in range(30):
        make_thread(title=f"主題 {i}", body=f"第 {i} 號樓 water leak number {i}")
    db.session.commit()
    indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("forum_posts")}
    assert search.GRAMS_INDEX in indexes and "ix_forum_posts_search_text_trgm" not in indexes
    assert "forum_search_grams" not in inspect(db.engine).get_table_names()
    assert db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")) == 0
    force_index_or_order()
    for query in ("號樓", "號樓 leak", "water", "主題 1", "水"):
        statement = search.search_query(factories.make_member(), query)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {compiled}")))
        assert search.GRAMS_INDEX in plan, plan
        assert "Seq Scan on forum_posts" not in plan, plan
    db.session.rollback()


def test_create_all_makes_what_the_migrations_make(app, tmp_path, postgres_server):
    """Tests and bench/ build the schema with create_all (search.install_schema_events)."""
    def definitions(bind) -> tuple:
        with bind.connect() as connection:
            return (connection.scalar(text("SELECT prosrc FROM pg_proc WHERE proname = 'forum_grams'")),
                    connection.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                                      {"name": search.GRAMS_INDEX}))

    migrated = definitions(db.engine)
    url = postgres_server.create_database(f"create_all_{uuid.uuid4().hex[:10]}")
    other = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with other.app_context():
        db.create_all()
        db.drop_all()  # the function goes with the table: a second create_all works
        db.create_all()
        assert definitions(db.engine) == migrated and migrated[0] and migrated[1]
        db.session.remove()
        db.engine.dispose()


def test_odd_search_terms_never_fail_on_postgres(app):
    from tests.forum.test_bad_input import ODD_TERMS

    reader = factories.make_member()
    make_thread(title="Lift", body="The lift 漏水 stops; 100% sure_ (quotes \" and ').")
    db.session.commit()
    for term in ODD_TERMS:
        statement = search.search_query(reader, term)
        if statement is not None:
            db.session.scalars(statement).unique().all()
    assert found(reader, "100%") and found(reader, "sure_") and not found(reader, "%%")


def test_migration_0076_moves_the_index_and_back(tmp_path, postgres_server):
    url = postgres_server.create_database(f"forum_0076_{uuid.uuid4().hex[:10]}")
    app = create_app(test_config(tmp_path, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        upgrade(revision="0075_forum_thread_tallies")
        reader = factories.make_member()
        leak = make_thread(title="籃球場漏水", body="天花板 leaking 🎉\u3000滲水")
        lift = make_thread(title="Lift", body="stops between floors")
        db.session.commit()
        leak_post, lift_post = opening(leak), opening(lift)
        posts = dict(db.session.execute(select(Post.id, Post.search_text)).all())
        expected = {(g, post_id) for post_id, folded in posts.items()
                    for g in search.folded_grams(folded)}
        db.session.commit()  # no lock held while the migrations change the tables

        upgrade()
        assert found(reader, "篮球场") == found(reader, "漏") == {leak_post}
        assert found(reader, "floors") == {lift_post}
        assert "forum_search_grams" not in inspect(db.engine).get_table_names()
        db.session.commit()

        downgrade(revision="0075_forum_thread_tallies")
        with db.engine.connect() as connection:
            assert set(connection.execute(text(
                "SELECT gram, post_id FROM forum_search_grams")).all()) == expected
            assert connection.scalar(text(
                "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_forum_posts_search_text_trgm'"))
            assert not connection.scalar(text(
                "SELECT count(*) FROM pg_proc WHERE proname = 'forum_grams'"))
        upgrade()  # and up again
        assert found(reader, "滲水") == {leak_post}
        db.session.remove()
        db.engine.dispose()
