"""Every form that takes a file, given hostile files through the real endpoint: oversized,
truncated, a polyglot (an image header with a script or an archive after it, a PDF that
is HTML) and a decompression bomb. Each is refused with a message in the reader's
language (400), nothing is saved, and nothing is left on disk (issue 14, "Uploads").

core.images and the features' own tests cover the pieces; this walks the endpoints.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.feedback.models import Suggestion
from portal.forum.models import Thread
from portal.perks.models import Perk
from tests import factories
from tests.forum.helpers import image_bytes, make_category
from tests.perks.test_admin import VALID as PERK


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(side: int = 30_000) -> bytes:
    """A PNG of side × side grey pixels (900 megapixels) that is a few hundred kB on disk."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x00" * side
    body = b"".join(compressor.compress(row) for _ in range(2_000)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + \
        _png_chunk(b"IEND", b"")


HOSTILE = {
    "oversized": image_bytes() + b"\x00" * (5 * 1024 * 1024),
    "truncated": image_bytes()[:200],
    "html-after-jpeg-header": b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>",
    "zip-disguised-as-png": b"PK\x03\x04" + b"\x00" * 200,
    "decompression-bomb": png_bomb(),
}
PDF_AS_HTML = b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>"


def post_files(client, path: str, data: dict):
    """A multipart POST; werkzeug's test client spools bodies over 500 kB to a temporary
    file it never closes, so close it here."""
    response = client.post(path, data=data, content_type="multipart/form-data")
    response.request.environ["wsgi.input"].close()
    return response


def _files_on_disk(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _forum(db):
    category = make_category("discussion")
    db.session.commit()
    return "/forum/new", {"category": category.slug, "title": "Photos", "body": "See the photo."}, \
        "photos", Thread


def _suggestion(db):
    unit = factories.make_unit("Jade Lake")
    db.session.commit()
    return "/suggestions/new", {"development_id": str(unit.building.development_id), "stage": "design",
                                "title": "Bike room", "body": "Bigger, please."}, "photos", Suggestion


def _perk(db):
    return "/admin/perks/new", dict(PERK), "image", Perk


ENDPOINTS = {"forum": ("member", _forum), "suggestion": ("member", _suggestion),
             "perk": ("marketing", _perk)}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_images_are_refused_in_the_readers_language_and_leave_nothing(
        app, client, db, login, endpoint, kind):
    role, build = ENDPOINTS[endpoint]
    login(role, locale="zh_Hant")
    path, data, field, model = build(db)
    before = db.session.scalar(select(func.count()).select_from(model))
    response = post_files(client, path, {**data, field: [(io.BytesIO(HOSTILE[kind]), "photo.jpg")]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400, (endpoint, kind)
    assert 'class="invalid-feedback' in page or 'alert-danger' in page
    assert "not a JPEG" not in page and "too large" not in page  # said in Chinese, not English
    assert db.session.scalar(select(func.count()).select_from(model)) == before
    assert _files_on_disk(app) == []


def test_a_path_in_the_file_name_never_reaches_the_disk(app, client, db, login):
    login("member")
    path, data, field, _model = _forum(db)
    traversal = (io.BytesIO(image_bytes()), "../../../etc/passwd.jpg")
    response = post_files(client, path, {**data, field: [traversal]})
    assert response.status_code == 302
    stored = _files_on_disk(app)
    assert stored and all("passwd" not in p.name and p.resolve().is_relative_to(
        Path(app.config["UPLOAD_FOLDER"]).resolve()) for p in stored)


def test_a_pdf_that_is_html_is_not_a_pdf(app, client, db, login):
    """Evaluation rounds take PDF files: one whose body is HTML is refused."""
    from portal.feedback.rounds import _store_files

    with app.test_request_context("/?lang=zh_Hant"):
        from werkzeug.datastructures import FileStorage

        from portal.core.errors import DomainError

        with pytest.raises(DomainError):
            _store_files([FileStorage(io.BytesIO(PDF_AS_HTML), "report.pdf", content_type="application/pdf")])
    assert _files_on_disk(app) == []


def test_a_request_over_the_hard_cap_gets_a_page_not_a_crash(app, client, db, login):
    login("member")
    path, data, field, model = _forum(db)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        response = post_files(client, path, {**data, field: [(io.BytesIO(b"\xff" * 100_000), "big.jpg")]})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 32 * 1024 * 1024
    assert response.status_code == 413 and "<html" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count()).select_from(model)) == 0
    assert _files_on_disk(app) == []
