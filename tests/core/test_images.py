"""Image uploads: only clean JPEG/PNG/WebP re-encodings are stored, and served safely."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import ExifTags, Image
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from portal.core.images import (
    CONTENT_TYPES,
    ImageRejected,
    StoredImage,
    delete_stored_image,
    image_path,
    send_stored_image,
    store_image,
)

STORED_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png|webp)")
MB = 1024 * 1024


def make_image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB", **save) -> bytes:
    """A small striped image, so encoders have something to compress."""
    image = Image.new(mode, size, "navy")
    for x in range(0, size[0], 8):
        image.paste("orange", (x, 0, x + 4, size[1]))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def png_with_header_size(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR claims `width` x `height`, with a correct CRC."""
    data = bytearray(make_image("PNG", (1, 1)))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.fixture
def image_app(tmp_path: Path) -> Iterator[Flask]:
    app = Flask(__name__)
    app.config.update(TESTING=True, BABEL_DEFAULT_LOCALE="en")
    Babel(app)
    folder = tmp_path / "uploads"

    @app.get("/img/<path:name>")
    def show(name: str):
        return send_stored_image(folder, name)

    app.config["IMAGE_FOLDER"] = folder
    with app.app_context():
        yield app


@pytest.fixture
def folder(image_app: Flask) -> Path:
    return image_app.config["IMAGE_FOLDER"]


def rejected(data: bytes, folder: Path, **kw) -> str:
    """Store `data`, expect a rejection, check nothing was written; return the message."""
    with pytest.raises(ImageRejected) as info:
        store_image(io.BytesIO(data), folder, **kw)
    assert not folder.exists() or list(folder.iterdir()) == []
    return str(info.value)


NOT_AN_IMAGE = "The file is not a JPEG, PNG or WebP image."
DAMAGED = "The file is damaged or not a complete image."
TOO_MANY_PIXELS = "The image is too large in pixels."


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_accepted_formats_are_reencoded_with_thumbnail(folder: Path, fmt: str, ext: str):
    stored = store_image(io.BytesIO(make_image(fmt, (1000, 500))), folder)

    assert STORED_NAME.fullmatch(stored.name)
    assert stored.name.endswith(f".{ext}")
    assert stored.thumb_name == stored.name.replace(f".{ext}", f"_t.{ext}")
    assert (stored.width, stored.height) == (1000, 500)
    assert stored.content_type == CONTENT_TYPES[ext]
    assert stored.size == (folder / stored.name).stat().st_size
    with Image.open(folder / stored.name) as image:
        assert image.format == fmt
        assert image.size == (1000, 500)
    with Image.open(folder / stored.thumb_name) as thumb:
        assert thumb.format == fmt
        assert thumb.size == (320, 160)
    assert sorted(p.name for p in folder.iterdir()) == sorted([stored.name, stored.thumb_name])


def test_png_transparency_is_kept(folder: Path):
    stored = store_image(io.BytesIO(make_image("PNG", mode="RGBA")), folder)

    with Image.open(folder / stored.name) as image:
        assert image.mode == "RGBA"


def test_small_image_thumbnail_is_not_enlarged(folder: Path):
    stored = store_image(io.BytesIO(make_image("JPEG", (40, 30))), folder)

    with Image.open(folder / stored.thumb_name) as thumb:
        assert thumb.size == (40, 30)


def test_exif_gps_is_stripped(folder: Path):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCo"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (22.0, 16.0, 30.0)
    upload = make_image("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(upload)) as original:
        assert original.getexif().get_ifd(0x8825)  # the fixture really carries GPS

    stored = store_image(io.BytesIO(upload), folder)

    raw = (folder / stored.name).read_bytes()
    assert b"Exif" not in raw
    assert b"PhoneCo" not in raw
    with Image.open(folder / stored.name) as image:
        assert "exif" not in image.info
        assert dict(image.getexif()) == {}
        assert image.getexif().get_ifd(0x8825) == {}


def test_exif_orientation_is_applied(folder: Path):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # camera held sideways: rotate 90° clockwise
    upload = make_image("JPEG", (80, 40), exif=exif.tobytes())

    stored = store_image(io.BytesIO(upload), folder)

    assert (stored.width, stored.height) == (40, 80)
    with Image.open(folder / stored.name) as image:
        assert image.size == (40, 80)
        assert ExifTags.Base.Orientation not in image.getexif()


def test_script_hidden_in_jpeg_comment_is_dropped(folder: Path):
    upload = make_image("JPEG", comment=b"<script>alert(1)</script>")
    assert b"<script>" in upload

    stored = store_image(io.BytesIO(upload), folder)

    assert b"<script>" not in (folder / stored.name).read_bytes()
    assert b"<script>" not in (folder / stored.thumb_name).read_bytes()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"<?php system($_GET['c']); ?>", id="php"),
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", id="html"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            id="svg",
        ),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', id="svg-bare"),
        pytest.param(make_image("GIF"), id="gif"),
        pytest.param(
            make_image("GIF", comment=b"<script>alert(1)</script>") + b"<html></html>",
            id="gif-html-polyglot",
        ),
        pytest.param(make_image("BMP"), id="bmp"),
        pytest.param(b"", id="empty"),
    ],
)
def test_non_images_and_other_formats_are_rejected(folder: Path, data: bytes):
    assert rejected(data, folder) == NOT_AN_IMAGE


def test_upload_filename_never_reaches_the_disk(folder: Path):
    upload = FileStorage(
        io.BytesIO(make_image("PNG")), filename="../../app/evil.php.png", content_type="image/png"
    )

    stored = store_image(upload.stream, folder)

    names = [p.name for p in folder.iterdir()]
    assert sorted(names) == sorted([stored.name, stored.thumb_name])
    assert not any("evil" in n or "php" in n for n in names)
    assert not (folder.parent / "app").exists()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00garbage" * 100, id="garbage-after-magic"),
        pytest.param(make_image("JPEG", (200, 200))[:400], id="truncated-jpeg"),
        pytest.param(make_image("PNG", (200, 200))[:60], id="truncated-png"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", id="broken-webp"),
    ],
)
def test_damaged_images_are_rejected(folder: Path, data: bytes):
    assert rejected(data, folder) == DAMAGED


def test_body_over_max_bytes_is_rejected_without_reading_it_all(folder: Path):
    upload = make_image("PNG", (300, 300))
    stream = io.BytesIO(upload)

    with pytest.raises(ImageRejected):
        store_image(stream, folder, max_bytes=len(upload) - 1)

    assert stream.tell() == len(upload)  # max_bytes + 1, not one byte more is needed
    stream = io.BytesIO(upload + b"\x00" * MB)
    with pytest.raises(ImageRejected):
        store_image(stream, folder, max_bytes=1000)
    assert stream.tell() == 1001
    assert not folder.exists()


def test_body_of_exactly_max_bytes_is_accepted(folder: Path):
    upload = make_image("PNG", (300, 300))

    stored = store_image(io.BytesIO(upload), folder, max_bytes=len(upload))

    assert (folder / stored.name).is_file()


def test_default_limit_is_five_megabytes(folder: Path):
    data = b"\xff\xd8\xff" + b"\x00" * (5 * MB + 1 - 3)

    assert rejected(data, folder) == "The image is larger than 5 MB."


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((30000, 30000), id="30000x30000"),  # Pillow's own bomb limit trips
        pytest.param((8000, 6000), id="48-megapixels"),  # only the portal's 40 MP limit
    ],
)
def test_pixel_bomb_is_rejected_before_decoding(folder: Path, size: tuple[int, int]):
    data = png_with_header_size(*size)

    # The body holds one pixel: had it been decoded, the error would say "damaged".
    assert rejected(data, folder) == TOO_MANY_PIXELS


def test_stored_names_are_random(folder: Path):
    upload = make_image("JPEG")

    first = store_image(io.BytesIO(upload), folder)
    second = store_image(io.BytesIO(upload), folder)

    assert first.name != second.name
    assert first.name[:32] != second.name[:32]
    assert len(list(folder.iterdir())) == 4


def test_image_path_accepts_stored_names(folder: Path):
    name = "0123456789abcdef0123456789abcdef"

    assert image_path(folder, f"{name}.jpg") == folder / f"{name}.jpg"
    assert image_path(folder, f"{name}_t.webp") == folder / f"{name}_t.webp"


@pytest.mark.parametrize(
    "name",
    [
        "../../app/config.py",
        "..%2fx.jpg",
        "..%2f0123456789abcdef0123456789abcdef.jpg",
        "../0123456789abcdef0123456789abcdef.jpg",
        "/etc/0123456789abcdef0123456789abcdef.jpg",
        "a\x00.jpg",
        "0123456789abcdef0123456789abcdef.jpg\x00.png",
        "0123456789abcdef0123456789abcdef.jpg\n",
        "CON.jpg",
        "0123456789ABCDEF0123456789ABCDEF.jpg",
        "0123456789abcdef0123456789abcdef.JPG",
        "0123456789abcdef0123456789abcdef.jpeg",
        "0123456789abcdef0123456789abcdef.gif",
        "0123456789abcdef0123456789abcdef.svg",
        "0123456789abcdef0123456789abcdef.html",
        "0123456789abcdef0123456789abcde.jpg",
        "",
    ],
)
def test_image_path_rejects_other_names(folder: Path, name: str):
    with pytest.raises(FileNotFoundError):
        image_path(folder, name)


def test_delete_removes_both_files_and_tolerates_missing(folder: Path):
    stored = store_image(io.BytesIO(make_image("PNG")), folder)
    (folder / stored.thumb_name).unlink()

    delete_stored_image(folder, stored.name, stored.thumb_name)
    delete_stored_image(folder, stored.name, stored.thumb_name)

    assert list(folder.iterdir()) == []


def test_rejection_message_is_lazy_and_translatable(image_app: Flask):
    with pytest.raises(ImageRejected) as info:
        store_image(io.BytesIO(b"GIF89a"), image_app.config["IMAGE_FOLDER"])
    exc = info.value

    assert type(exc.message).__name__ == "LazyString"
    assert str(exc) == NOT_AN_IMAGE
    assert isinstance(exc, ValueError)


def test_stored_image_is_immutable():
    stored = StoredImage("a.jpg", "a_t.jpg", 1, 1, "image/jpeg", 10)

    with pytest.raises(AttributeError):
        stored.name = "b.jpg"  # type: ignore[misc]


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_served_image_has_safe_headers(image_app: Flask, folder: Path, fmt: str, ext: str):
    stored = store_image(io.BytesIO(make_image(fmt)), folder)

    response = image_app.test_client().get(f"/img/{stored.name}")
    try:
        assert response.status_code == 200
        assert response.mimetype == CONTENT_TYPES[ext]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
        assert response.headers["Cache-Control"] == "private, max-age=3600"
        assert "Expires" not in response.headers
        assert response.headers["Content-Disposition"] == f"inline; filename={stored.name}"
        assert response.get_data() == (folder / stored.name).read_bytes()
    finally:
        response.close()


def test_served_image_supports_conditional_requests(image_app: Flask, folder: Path):
    stored = store_image(io.BytesIO(make_image("PNG")), folder)
    client = image_app.test_client()
    first = client.get(f"/img/{stored.thumb_name}")
    first.close()

    again = client.get(
        f"/img/{stored.thumb_name}", headers={"If-None-Match": first.headers["ETag"]}
    )
    try:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "private, max-age=3600"
        assert again.get_data() == b""
    finally:
        again.close()


@pytest.mark.parametrize(
    "url",
    [
        "/img/..%2f..%2fapp%2fconfig.py",
        "/img/..%2fx.jpg",
        "/img/a%00.jpg",
        "/img/CON.jpg",
        "/img/0123456789ABCDEF0123456789ABCDEF.jpg",
        "/img/0123456789abcdef0123456789abcdef.jpg",  # well-formed but never stored
    ],
)
def test_bad_or_missing_names_are_404(image_app: Flask, folder: Path, url: str):
    folder.mkdir(parents=True)
    (folder.parent / "config.py").write_text("SECRET = 1")

    response = image_app.test_client().get(url)
    try:
        assert response.status_code == 404
        assert b"SECRET" not in response.get_data()
    finally:
        response.close()


def test_send_stored_image_raises_not_found_directly(image_app: Flask, folder: Path):
    with image_app.test_request_context(), pytest.raises(NotFound):
        send_stored_image(folder, "../../app/config.py")
