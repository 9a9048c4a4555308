"""The one place that accepts image uploads (forum defect photos, perk images).

Every upload is decoded with Pillow and re-encoded from its pixels; the original bytes are
never kept. Re-encoding drops EXIF and other metadata (phones put the GPS position of the
member's home there) and destroys polyglots: a file that is a valid JPEG and also HTML,
PHP or a script keeps only its pixels. Magic bytes limit uploads to JPEG, PNG and WebP, so
SVG (which can carry script) and GIF are refused before Pillow sees them.

Files are stored as `<32 random hex digits>.<ext>` in a folder outside `static/`; the
user's filename is never used. They are served only through `send_stored_image`, after
the calling view has checked access, because some photos are private complaints.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, send_file
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from PIL import Image, ImageOps
from werkzeug.exceptions import NotFound

CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

# Pillow format name -> stored extension.
_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 85},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}
# Below Pillow's own MAX_IMAGE_PIXELS (~89 MP): a phone photo is 12-50 MP, and a 40 MP
# RGBA image already needs 160 MB of memory to decode.
MAX_PIXELS = 40_000_000
CACHE_SECONDS = 3600
_NAME_RE = re.compile(r"[0-9a-f]{32}(?:_t)?\.(?:jpg|png|webp)")
_READ_CHUNK = 1024 * 1024


class ImageRejected(ValueError):
    """An upload that is not an acceptable image; `str()` gives the translated reason.

    Translation happens when the message is turned into text, so that needs an app
    context with Flask-Babel (a request, or `app.app_context()` in tests).
    """

    def __init__(self, message: LazyString) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class StoredImage:
    """An image written by `store_image`; `size` is the stored file's length in bytes."""

    name: str
    thumb_name: str
    width: int
    height: int
    content_type: str
    size: int


def store_image(
    stream: BinaryIO,
    folder: Path,
    *,
    max_bytes: int = 5 * 1024 * 1024,
    thumb_size: int = 320,
) -> StoredImage:
    """Check, clean and store an uploaded image and a thumbnail no larger than `thumb_size`.

    Reads at most `max_bytes + 1` bytes from `stream`. Raises `ImageRejected` when the body
    is too large, is not a JPEG, PNG or WebP image, is damaged, or has more than
    `MAX_PIXELS` pixels. Nothing is written unless the image is accepted.
    """
    data = read_limited(stream, max_bytes)
    image_format = _sniff_format(data)
    image = _decode(data, image_format)

    thumb = image.copy()
    thumb.thumbnail((thumb_size, thumb_size))
    body = _encode(image, image_format)
    thumb_body = _encode(thumb, image_format)

    ext = _EXTENSIONS[image_format]
    stem = secrets.token_hex(16)
    name, thumb_name = f"{stem}.{ext}", f"{stem}_t.{ext}"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / thumb_name, thumb_body)
    try:
        write_atomically(folder / name, body)
    except BaseException:
        (folder / thumb_name).unlink(missing_ok=True)
        raise
    return StoredImage(
        name=name,
        thumb_name=thumb_name,
        width=image.width,
        height=image.height,
        content_type=CONTENT_TYPES[ext],
        size=len(body),
    )


def store_images(uploads: list, folder: Path, *, max_bytes: int = 5 * 1024 * 1024,
                 thumb_size: int = 320) -> list[StoredImage]:
    """Store each upload (form file fields left empty are skipped); all or nothing: when one
    is refused, the ones stored before it are removed and `ImageRejected` is raised.

    A caller whose transaction later rolls back removes them with `delete_stored_image`.
    """
    stored: list[StoredImage] = []
    try:
        for upload in uploads:
            stored.append(store_image(upload.stream, folder, max_bytes=max_bytes, thumb_size=thumb_size))
    except BaseException:
        for image in stored:
            delete_stored_image(folder, image.name, image.thumb_name)
        raise
    return stored


def chosen_files(uploads: list | None) -> list:
    """The uploads of a multiple file field that hold a file (browsers send one empty part
    when nothing was chosen)."""
    return [u for u in uploads or [] if u is not None and getattr(u, "filename", "")]


def image_path(folder: Path, name: str) -> Path:
    """Return the path of a stored image, or raise `FileNotFoundError` for a name that
    `store_image` cannot have produced (path traversal, NUL, device names, other types).
    """
    if not _NAME_RE.fullmatch(name):
        raise FileNotFoundError(f"not a stored image name: {name!r}")
    return folder / name


def send_stored_image(folder: Path, name: str) -> Response:
    """Serve a stored image; raise `NotFound` for a bad name or a missing file.

    The caller must have loaded the owning object and checked access first. The headers
    stop browsers from sniffing or running the file and keep it out of shared caches.
    """
    try:
        path = image_path(folder, name)
        # Absolute, because Flask resolves a relative path against the app's root_path
        # while store_image resolved it against the working directory.
        response = send_file(
            path.absolute(),
            mimetype=CONTENT_TYPES[name.rsplit(".", 1)[1]],
            max_age=CACHE_SECONDS,
            conditional=True,
            download_name=name,
        )
    except FileNotFoundError:
        raise NotFound() from None
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    # send_file adds Expires for public caching; Cache-Control alone now decides.
    response.headers.remove("Expires")
    return response


def delete_stored_image(folder: Path, stored_name: str, thumb_name: str) -> None:
    """Remove an image and its thumbnail; files already gone are not an error."""
    for name in (stored_name, thumb_name):
        with contextlib.suppress(FileNotFoundError):
            image_path(folder, name).unlink()


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read up to `max_bytes + 1` bytes, enough to tell whether the body is too large."""
    chunks: list[bytes] = []
    remaining = max_bytes + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, _READ_CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise ImageRejected(
            _l("The image is larger than %(mb)s MB.", mb=f"{max_bytes / (1024 * 1024):g}")
        )
    return data


def _sniff_format(data: bytes) -> str:
    """Return the Pillow format name announced by the magic bytes."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise ImageRejected(_l("The file is not a JPEG, PNG or WebP image."))


def _decode(data: bytes, image_format: str) -> Image.Image:
    """Decode `data` as `image_format`, upright, as a fresh RGB or RGBA image without metadata."""
    try:
        # Only the plugin the magic bytes named may parse the file.
        image = Image.open(io.BytesIO(data), formats=[image_format])
        if image.format != image_format:
            raise ImageRejected(_l("The file is not a JPEG, PNG or WebP image."))
        # The header is parsed but no pixel is decoded yet: refuse bombs here.
        if image.width * image.height > MAX_PIXELS:
            raise ImageRejected(_l("The image is too large in pixels."))
        image.load()
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or (
            "transparency" in image.info
        )
        mode = "RGBA" if has_alpha else "RGB"
        converted = image.convert(mode)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(_l("The image is too large in pixels.")) from None
    except Exception:
        # Decoders fail on hostile input with many exception types (OSError, SyntaxError,
        # ValueError, struct.error...); all of them mean the same thing to the member.
        raise ImageRejected(_l("The file is damaged or not a complete image.")) from None
    # A new image carries no info dict, so no EXIF, ICC, XMP or text chunk can be saved.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, image_format: str) -> bytes:
    """Encode `image` in `image_format` with the portal's quality settings."""
    out = io.BytesIO()
    image.save(out, format=image_format, **_SAVE_OPTIONS[image_format])
    return out.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers never see a partial file."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
