"""PDF attachments (drawings, reports) beside the photo handling of `portal.core.images`.

A PDF cannot be cleaned by re-encoding the way an image is, so it is only ever served as a
download: `Content-Disposition: attachment`, `X-Content-Type-Options: nosniff` and a
sandboxing CSP, so a hostile file cannot run in the portal's origin. Uploads must start
with the PDF header and end with its end-of-file marker; they are stored under a random
name outside `static/` (the user's filename is kept only as a cleaned download name) and
served only through `send_stored_document`, after the calling view has checked access.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Response, send_file
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from portal.core.images import CACHE_SECONDS, ImageRejected, read_limited, write_atomically

PDF_MAGIC = b"%PDF-"
CONTENT_TYPE = "application/pdf"
_NAME_RE = re.compile(r"[0-9a-f]{32}\.pdf")
_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


class DocumentRejected(ImageRejected):
    """An upload that is not an acceptable PDF; `str()` gives the translated reason."""


@dataclass(frozen=True)
class StoredDocument:
    name: str
    size: int
    download_name: str


def is_pdf(stream: BinaryIO) -> bool:
    """Whether the upload announces itself as a PDF (the stream is rewound)."""
    start = stream.read(len(PDF_MAGIC))
    stream.seek(0)
    return start == PDF_MAGIC


def clean_download_name(filename: str | None) -> str:
    """A filename safe to offer back: letters, digits, dots, dashes and spaces, ending in .pdf."""
    stem = unicodedata.normalize("NFKC", Path(filename or "").name).rsplit(".", 1)[0]
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:80] or "document"
    return f"{stem}.pdf"


def store_document(stream: BinaryIO, folder: Path, *, filename: str | None = None,
                   max_bytes: int = 10 * 1024 * 1024) -> StoredDocument:
    """Check and store an uploaded PDF; `DocumentRejected` (nothing written) when it is too
    large or not a complete PDF."""
    try:
        data = read_limited(stream, max_bytes)
    except ImageRejected as error:
        raise DocumentRejected(error.message) from None
    if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-1024:]:
        raise DocumentRejected(_l("The file is damaged or not a complete PDF."))
    name = f"{secrets.token_hex(16)}.pdf"
    folder.mkdir(parents=True, exist_ok=True)
    write_atomically(folder / name, data)
    return StoredDocument(name, len(data), clean_download_name(filename))


def document_path(folder: Path, name: str) -> Path:
    if not _NAME_RE.fullmatch(name):
        raise FileNotFoundError(f"not a stored document name: {name!r}")
    return folder / name


def send_stored_document(folder: Path, name: str, download_name: str) -> Response:
    """Serve a stored PDF as a download; `NotFound` for a bad name or a missing file."""
    try:
        response = send_file(document_path(folder, name).absolute(), mimetype=CONTENT_TYPE,
                             as_attachment=True, download_name=clean_download_name(download_name),
                             max_age=CACHE_SECONDS, conditional=True)
    except FileNotFoundError:
        raise NotFound() from None
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}"
    response.headers.remove("Expires")
    return response


def delete_stored_document(folder: Path, name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        document_path(folder, name).unlink()
