"""Search: Chinese substrings (2+ characters), English words, visibility, indexes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from portal.core.textfold import fold
from portal.forum import moderation, reading, search, services
from portal.forum.models import Post
from tests import factories
from tests.forum.helpers import make_category, make_complaint, make_reply, make_thread


def found(db, user, query: str) -> set[int]:
    statement = search.search_query(user, query)
    return set() if statement is None else {p.id for p in db.session.scalars(statement).unique()}


def ids(posts) -> set[int]:
    return {p.id for p in posts}


@pytest.fixture
def corpus(db):
    author = factories.make_member()
    leak = make_thread(author, title="廚房天花板漏水", body="樓上單位洗衣機位置對下的天花板一直滲水。")
    english = make_thread(title="Lift stops", body="The LIFT in Building 1 keeps Stopping between floors.")
    simplified = make_thread(title="噪音", body="东门外的道路工程每晚十一点后仍在施工，噪音很大。")
    return {"author": author, "leak": leak, "english": english, "simplified": simplified,
            "reader": factories.make_member()}


def opening(db, thread) -> Post:
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening))


def test_chinese_substrings_of_two_and_more_characters(db, corpus):
    leak_post = opening(db, corpus["leak"]).id
    reader = corpus["reader"]
    assert found(db, reader, "天花板") == {leak_post}
    assert found(db, reader, "漏水") == {leak_post}  # 2 characters, from the title
    assert found(db, reader, "滲水") == {leak_post}  # 2 characters, from the body
    assert found(db, reader, "施工") == {opening(db, corpus["simplified"]).id}
    assert found(db, reader, "火警") == set()


def test_english_words_case_insensitive_and_terms_anded(db, corpus):
    english = opening(db, corpus["english"]).id
    reader = corpus["reader"]
    assert found(db, reader, "lift") == {english}
    assert found(db, reader, "STOPPING floors") == {english}
    assert found(db, reader, "stopping 漏水") == set()
    assert found(db, reader, "  Building   1 ") == {english}  # "1" alone is ignored


def test_short_and_hostile_queries(db, corpus):
    reader = corpus["reader"]
    assert search.search_query(reader, "a") is None
    assert search.search_query(reader, "  ") is None
    for query in ['"', '"天花板', "NEAR(a b)", "lift OR 1=1--", "*", "a'b\"c", "%%", "' OR 1=1--"]:
        found(db, reader, query)  # never raises
    assert found(db, reader, "' OR 1=1--") == set()
    assert len(search.parse_terms(" ".join(f"w{i}x" for i in range(20)))) == search.MAX_TERMS


def test_visibility_private_hidden_and_internal(db, corpus):
    author, reader = corpus["author"], corpus["reader"]
    service = factories.make_user("service")
    private = make_complaint(author, is_private=True, title="私密車位合同", body="合同面積不符")
    private_post = opening(db, private.thread).id
    assert found(db, reader, "車位合同") == set()
    assert found(db, author, "車位合同") == {private_post}
    assert found(db, service, "車位合同") == {private_post}
    assert found(db, factories.make_user("marketing"), "車位合同") == set()

    note = make_reply(private.thread, service, "內部：工程部已派人", internal=True)
    assert found(db, author, "工程部") == set()
    assert found(db, service, "工程部") == {note.id}

    rude = make_reply(corpus["english"], author, "You are all idiots")
    moderation.hide_post(service, rude)
    assert found(db, reader, "idiots") == set()
    assert found(db, author, "idiots") == {rude.id}
    assert found(db, service, "idiots") == {rude.id}


def test_edits_and_merges_keep_the_index_in_step(db, corpus):
    author = corpus["author"]
    post = opening(db, corpus["leak"])
    services.edit_post(author, post, "已修好了 all fixed", "已修好")
    reader = corpus["reader"]
    assert found(db, reader, "天花板") == set()
    assert found(db, reader, "滲水") == found(db, reader, "滲") == set()  # the old grams went
    assert found(db, reader, "fixed") == {post.id}
    assert found(db, reader, "修好") == {post.id}
    duplicate = make_thread(title="Lift again", body="Elevator broken again")
    moderation.merge_thread(factories.make_user("service"), duplicate, corpus["english"])
    hits = db.session.scalars(search.search_query(reader, "elevator")).all()
    assert [p.thread_id for p in hits] == [corpus["english"].id]


def test_reindex_all_rebuilds_the_index(db, corpus):
    db.session.execute(text(f"INSERT INTO {search.GRAMS_FTS} ({search.GRAMS_FTS}) "
                            "VALUES ('delete-all')"))
    assert found(db, corpus["reader"], "天花板") == set()
    assert search.reindex_all(batch=2) == 3
    assert found(db, corpus["reader"], "天花板") == {opening(db, corpus["leak"]).id}
    assert found(db, corpus["reader"], "漏水")


def test_grams():
    assert search.folded_grams("漏水了 ab") == {"漏水", "水了", "ab", "漏", "水", "了"}
    assert search.folded_grams("a") == set()
    assert search.folded_grams(fold("籃球 AB")) == {"篮球", "篮", "球", "ab"}


def test_sqlite_plan_reads_the_hits_newest_first_from_the_index(db, corpus):
    statement = search.search_query(corpus["reader"], "天花板 漏水")
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]
    assert plan[0].startswith(f"SCAN {search.GRAMS_FTS} VIRTUAL TABLE INDEX")  # FTS5 MATCH
    assert "SEARCH forum_posts USING INTEGER PRIMARY KEY (rowid=?)" in plan
    assert not any("TEMP B-TREE" in step for step in plan)  # no sort: the index's order
    assert not db.session.scalar(text(  # no (gram, post) table on either database
        "SELECT count(*) FROM sqlite_master WHERE name = 'forum_search_grams'"))


def test_search_page(client, login, db, corpus):
    login("member")
    page = client.get("/forum/search?q=漏水&lang=en").get_data(as_text=True)
    assert "廚房天花板<mark>漏水</mark>" in page and ">1 result<" in page
    assert "Type at least 2 characters" in client.get("/forum/search?q=x&lang=en").get_data(
        as_text=True)
    assert "Nothing found" in client.get("/forum/search?q=zzzzz&lang=en").get_data(as_text=True)
    empty = client.get("/forum/search")
    assert empty.status_code == 200 and b"search-results" not in empty.data
    make_category()  # no effect on search


def test_search_counts_up_to_the_cap_and_says_when_there_are_more(client, login, db,
                                                                  monkeypatch):
    monkeypatch.setattr(reading, "SEARCH_RESULT_CAP", 30)
    monkeypatch.setattr(reading, "RESULTS_PER_PAGE", 10)
    thread = make_thread(title="漏水 0", body="天花板漏水")
    for number in range(1, 30):
        make_reply(thread, body=f"漏水 {number}")
    login("member")

    def count_line(url: str) -> str:
        page = client.get(url)
        assert page.status_code == 200
        return re.search(r'id="result-count">([^<]*)<', page.get_data(as_text=True)).group(1)

    assert count_line("/forum/search?q=漏水&lang=en") == "30 results"  # exactly the cap
    make_reply(thread, body="漏水 30")
    assert count_line("/forum/search?q=漏水&lang=en") == (
        "More than 30 results: add a word to narrow the search.")
    last = client.get("/forum/search?q=漏水&page=99&lang=en").get_data(as_text=True)
    assert last.count('class="list-group-item search-result"') == 10  # page 3 of 3: the cap
    assert 'href="/forum/search?page=4' not in last
    assert count_line("/forum/search?q=漏水+30&lang=en") == "1 result"


# --- across scripts, one character, highlighting -------------------------------------

def test_traditional_and_simplified_find_each_other(db):
    reader = factories.make_member()
    hant = make_thread(title="業主籃球隊招募", body="逢星期六練習，歡迎街坊參加。")
    hans = make_thread(title="小区东门夜间施工噪声", body="每晚十一点后仍在施工，噪声很大。")
    hk = make_thread(title="冷氣機滴水", body="露台冷氣機一直滴水到樓下")
    assert found(db, reader, "篮球") == {opening(db, hant).id}
    assert found(db, reader, "籃球") == {opening(db, hant).id}
    assert found(db, reader, "篮球队") == {opening(db, hant).id}  # 3+: the FTS index
    assert found(db, reader, "噪聲") == {opening(db, hans).id}
    assert found(db, reader, "噪音") == {opening(db, hans).id}  # regional word
    assert found(db, reader, "施工噪音") == {opening(db, hans).id}
    assert found(db, reader, "空调") == {opening(db, hk).id}
    assert found(db, reader, "歡迎街坊") == {opening(db, hant).id}


def test_one_character_cjk_searches_work(db):
    reader = factories.make_member()
    water = make_thread(title="漏水", body="天花板")
    assert found(db, reader, "水") == {opening(db, water).id}
    assert found(db, reader, "漏 板") == {opening(db, water).id}
    assert found(db, reader, "火") == set()
    assert search.search_query(reader, "a") is None  # a Latin letter alone is still too short
    assert search.parse_terms("水 a 板") == ["水", "板"]


def test_search_page_highlights_across_scripts_and_escapes(client, login, db):
    login("member")
    make_thread(title="<b>籃球</b> & friends", body="我們的籃球場 <script>alert(1)</script> 需要維修")
    db.session.commit()
    page = client.get("/forum/search", query_string={"q": "篮球", "lang": "en"}).get_data(as_text=True)
    assert "&lt;b&gt;<mark>籃球</mark>&lt;/b&gt; &amp; friends" in page
    assert "我們的<mark>籃球</mark>場" in page
    assert "<script>alert(1)</script>" not in page
    one = client.get("/forum/search", query_string={"q": "x", "lang": "en"}).get_data(as_text=True)
    assert "one Chinese character" in one


def test_highlighting_helpers():
    from portal.core.textfold import excerpt_around, fold, highlight

    assert fold("籃球 Istanbul ß") == "篮球 istanbul ß" and len(fold("İ")) == 1
    assert len(fold("乾隆皇帝後來著書")) == len("乾隆皇帝後來著書")
    assert str(highlight("A <lift> and LIFT", ["lift"])) == \
        "A &lt;<mark>lift</mark>&gt; and <mark>LIFT</mark>"
    assert str(highlight("noise", [])) == "noise"
    assert str(highlight("ab", ['"><x>'])) == "ab"
    text = "前言" * 200 + "籃球場需要維修" + "結語" * 200
    piece = excerpt_around(text, ["篮球"], 60)
    assert "籃球場" in piece and len(piece) == 60 and piece.startswith("…") and piece.endswith("…")
    assert excerpt_around("short", ["x"], 60) == "short"
