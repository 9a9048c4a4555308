"""The fragment cache: what is kept, for how long, how much, where, and what a dashboard
reader sees while a copy is kept."""

from __future__ import annotations

import pytest

from portal.core.cache import Fragment, MemoryStore, RedisStore, cached_fragment, store_for
from portal.core.timeutil import utcnow
from tests import factories
from tests.support.redis import redis_url  # noqa: F401  (session fixture)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_memory_store_keeps_a_fragment_until_it_expires():
    clock = Clock()
    store = MemoryStore(clock=clock)
    store.put("k", Fragment("text", utcnow()), seconds=60)
    clock.now += 59.9
    assert store.get("k").text == "text"
    clock.now += 0.1
    assert store.get("k") is None
    assert store.get("never") is None


def test_memory_store_is_bounded_and_drops_the_oldest_first():
    store = MemoryStore(entries=2, clock=Clock())
    for key in ("a", "b", "c"):
        store.put(key, Fragment(key, utcnow()), seconds=60)
    assert store.get("a") is None and store.get("b").text == "b" and store.get("c").text == "c"
    store.put("b", Fragment("b2", utcnow()), seconds=60)  # written again: now the newest
    store.put("d", Fragment("d", utcnow()), seconds=60)
    assert store.get("c") is None and store.get("b").text == "b2"


def test_the_cache_url_names_the_store():
    assert isinstance(store_for("memory://"), MemoryStore)
    assert isinstance(store_for("redis://127.0.0.1:6379/0"), RedisStore)
    with pytest.raises(ValueError):
        store_for("memcached://x")


def _counting_maker():
    calls = []

    def make():
        calls.append(1)
        return f"made {len(calls)}"

    return make, calls


def test_nothing_is_kept_with_zero_seconds(app):
    make, calls = _counting_maker()
    with app.app_context():
        assert cached_fragment("k", 0, make).text == "made 1"
        assert cached_fragment("k", 0, make).text == "made 2"


def test_a_kept_fragment_is_served_with_the_time_it_was_made(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "fragment_cache", MemoryStore())
    make, calls = _counting_maker()
    with app.app_context():
        first = cached_fragment("k", 60, make)
        again = cached_fragment("k", 60, make)
        other = cached_fragment("other", 60, make)
    assert again == first and first.text == "made 1" and other.text == "made 2" and len(calls) == 2


@pytest.mark.redis
def test_redis_shares_fragments_and_expires_them(redis_url):  # noqa: F811
    url = redis_url.replace("/0", "/5")
    writer, reader = RedisStore(url), RedisStore(url)  # two workers
    made = utcnow()
    writer.put("k", Fragment("從 Redis", made), seconds=1)
    assert reader.get("k") == Fragment("從 Redis", made)
    assert reader._redis.ttl("portal:fragment:k") in (0, 1)


def test_redis_down_is_a_miss_not_an_error(app, monkeypatch):
    monkeypatch.setitem(app.extensions, "fragment_cache", RedisStore("redis://127.0.0.1:1/0"))
    make, calls = _counting_maker()
    with app.app_context():
        assert cached_fragment("k", 60, make).text == "made 1"
        assert cached_fragment("k", 60, make).text == "made 2"


def test_the_dashboard_serves_its_kept_sections_until_they_expire(app, client, login, db, monkeypatch):
    """While a copy is kept a new member is not counted yet and the page says how old its
    figures are; each language has its own copy; with the cache off the count moves at once."""
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 300)
    monkeypatch.setitem(app.extensions, "fragment_cache", MemoryStore())
    admin = login("admin", locale="en")

    def members_shown():
        page = client.get("/admin/dashboard").get_data(as_text=True)
        assert 'id="figures-as-of"' in page
        table = page[page.index('id="table-members-members"'):]
        return int(table.split('<td class="text-end">', 1)[1].split("<", 1)[0].replace(",", ""))

    before = members_shown()
    factories.make_user()
    db.session.commit()
    assert members_shown() == before  # the kept copy
    admin.locale = "zh_Hans"
    db.session.commit()
    assert members_shown() == before + 1  # made now, for its own language
    admin.locale = "en"
    db.session.commit()
    assert members_shown() == before
    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 0)
    assert members_shown() == before + 1
