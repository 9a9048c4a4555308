"""Loopback TCP for the throwaway servers the tests start: a free port, and which process
holds one end of a connection (to kill -9 exactly the worker serving a request)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def owner_of_connection(local_port: int, pids: Iterable[int]) -> int | None:
    """The process among `pids` holding the socket whose local port is `local_port` (e.g.
    the client port PostgreSQL's pg_stat_activity reports), from Linux /proc."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for descriptor in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(descriptor) in inodes:
                    return pid
            except OSError:  # closed meanwhile
                continue
    return None
