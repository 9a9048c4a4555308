"""Rendered fragments kept for a while: what is costly to compute and may be a few minutes
old (the dashboard's figures at 100,000 members take about a second of SQL; served from
here a page takes milliseconds).

`CACHE_URL` says where fragments live: `redis://…` shares them between every worker and
survives restarts (production); `memory://` keeps them in this process (the default:
`make run` serves one worker, and a second worker only computes its own copy once per
period). A fragment is text with the time it was made, so a page can say how old it is.
Nothing here is a source of truth: losing the cache costs time, never data.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import redis
from flask import current_app

from portal.core.timeutil import utcnow

log = logging.getLogger(__name__)

MEMORY_ENTRIES = 512  # fragments one process keeps; the oldest go first


@dataclass(frozen=True)
class Fragment:
    text: str
    made_at: datetime  # UTC, naive like every time the portal stores


class Store(Protocol):
    def get(self, key: str) -> Fragment | None: ...

    def put(self, key: str, fragment: Fragment, seconds: int) -> None: ...


class MemoryStore:
    """Fragments of this process, each until it expires, at most `entries` of them."""

    def __init__(self, entries: int = MEMORY_ENTRIES, clock: Callable[[], float] = time.monotonic):
        self._entries = entries
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, Fragment]] = OrderedDict()

    def get(self, key: str) -> Fragment | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= self._clock():
                del self._items[key]
                return None
            return item[1]

    def put(self, key: str, fragment: Fragment, seconds: int) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._items[key] = (self._clock() + seconds, fragment)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)


class RedisStore:
    """Fragments in Redis, shared by every worker; Redis expires them. Redis down is a cache
    miss (logged), never an error page."""

    def __init__(self, url: str, prefix: str = "portal:fragment:"):
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def get(self, key: str) -> Fragment | None:
        try:
            raw = self._redis.get(self._prefix + key)
        except redis.RedisError:
            log.warning("fragment cache: Redis unreachable, computing %s", key, exc_info=True)
            return None
        if raw is None:
            return None
        item = json.loads(raw)
        return Fragment(item["text"], datetime.fromisoformat(item["made_at"]))

    def put(self, key: str, fragment: Fragment, seconds: int) -> None:
        raw = json.dumps({"text": fragment.text, "made_at": fragment.made_at.isoformat()})
        try:
            self._redis.set(self._prefix + key, raw, ex=seconds)
        except redis.RedisError:
            log.warning("fragment cache: Redis unreachable, %s not kept", key, exc_info=True)


def store_for(url: str) -> Store:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    if url in ("", "memory://"):
        return MemoryStore()
    raise ValueError(f"CACHE_URL must be memory:// or redis://…, not {url!r}")


def _store() -> Store:
    extensions = current_app.extensions
    if "fragment_cache" not in extensions:
        extensions["fragment_cache"] = store_for(current_app.config.get("CACHE_URL", "memory://"))
    return extensions["fragment_cache"]


def cached_fragment(key: str, seconds: int, make: Callable[[], str]) -> Fragment:
    """The fragment under `key` if one younger than `seconds` is kept, else `make()`'s text,
    kept for `seconds`. With `seconds` 0 nothing is kept (tests see every change at once)."""
    if seconds <= 0:
        return Fragment(make(), utcnow())
    store = _store()
    found = store.get(key)
    if found is None:
        found = Fragment(make(), utcnow())
        store.put(key, found, seconds)
    return found
