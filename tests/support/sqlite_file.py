"""Putting a test's SQLite database file back as the template had it.

SQLite keeps a process's locks and WAL-index mapping per database inode. If any
connection to the file is still open when the file is rewritten in place and its
`-shm` deleted, the next connection meets that stale state and fails with "disk I/O
error": CI failed five tests so, and a local run two (the straggler was not found — no
pooled connection was checked out at the end of any test). A new file moved into place
has a new inode, so a straggling connection keeps the old one and cannot affect the
next test; the whole suite has run clean since.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def put_database(database: str | Path, source: bytes | Path) -> None:
    """Make `database` a new file holding `source` (bytes, or a file to copy)."""
    database = Path(database)
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    incoming = database.with_name(f"{database.name}.incoming")
    if isinstance(source, bytes):
        incoming.write_bytes(source)
    else:
        shutil.copyfile(source, incoming)
    os.replace(incoming, database)
