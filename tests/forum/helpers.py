"""Forum test data: plain functions that go through the services, so clocks, counters and
the search index are what real use produces. They flush; tests commit when they need to."""

from __future__ import annotations

import io
import itertools
from datetime import datetime

from PIL import Image

from portal.accounts.permissions import Role
from portal.forum import services
from portal.forum.models import Category, Complaint, Post, Thread
from tests import factories

_sequence = itertools.count(1)


def make_category(kind: str = "discussion", **fields) -> Category:
    n = next(_sequence)
    values = {"slug": f"{kind}-{n}", "kind": kind, "name_zh_hant": f"分類{n}",
              "name_zh_hans": f"分类{n}", "name_en": f"Category {n}", "position": n}
    values.update(fields)
    admin = factories.make_user(Role.ADMIN)
    return services.save_category(None, admin, values)


def make_thread(author=None, category: Category | None = None, *, title: str | None = None,
                body: str | None = None, now: datetime | None = None, **kwargs) -> Thread:
    n = next(_sequence)
    author = author or factories.make_member()
    category = category or make_category()
    opening = services.start_thread(author, category, title or f"Thread {n}",
                                    body or f"Opening post {n}", now=now, **kwargs)
    return opening.thread


def make_complaint(author=None, category: Category | None = None, **kwargs) -> Complaint:
    thread = make_thread(author, category or make_category("complaint"), **kwargs)
    return thread.complaint


def make_reply(thread: Thread, author=None, body: str | None = None, **kwargs) -> Post:
    author = author or factories.make_member()
    return services.reply(author, thread, body or f"Reply {next(_sequence)}", **kwargs)


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, "navy")
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def upload(data: bytes | None = None, name: str = "photo.jpg"):
    """A file for the test client's `data=` (a fresh stream each call)."""
    return (io.BytesIO(data if data is not None else image_bytes()), name)


def file_storage(data: bytes | None = None, name: str = "photo.jpg"):
    from werkzeug.datastructures import FileStorage

    return FileStorage(stream=io.BytesIO(data if data is not None else image_bytes()),
                       filename=name)
