"""A throwaway PostgreSQL server on loopback for tests marked `postgres`.

Uses DATABASE_URL_TEST when given (CI may export one), else starts Debian's
PostgreSQL in a temporary folder as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from glob import glob
from pathlib import Path

import pytest

from tests.support.ports import free_port

MIGRATED_TEMPLATE = "migrated_template"


def _require(flag: str) -> bool:
    return os.environ.get(flag, "") == "1"


def skip_or_fail(flag: str, reason: str):
    if _require(flag):
        pytest.fail(f"{reason} ({flag}=1, so this is a failure)")
    pytest.skip(reason)


def _pg_bin() -> Path | None:
    candidates = sorted(glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]) if candidates else None


def _as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else list(cmd)


class PostgresServer:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="pg."))
        self.port = free_port()
        self.migrated_template = False
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def run(self, tool: str, *args: str) -> None:
        subprocess.run(_as_postgres(str(self.bin_dir / tool), *args), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    def start(self) -> None:
        data = str(self.root / "data")
        self.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        self.run("pg_ctl", "-D", data, "-l", str(self.root / "log"), "-w", "-o",
                 f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                 "-c max_connections=200 -c full_page_writes=off", "start")

    def create_database(self, name: str, template: str | None = None) -> str:
        copy_of = ["-T", template] if template else []
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", *copy_of,
                 name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def migrated_database(self, name: str, migrate: Callable[[str], None]) -> str:
        """A new database that `migrate(url)` (the real migrations) has brought to the head:
        a copy of one template migrated once per server (issue 8: 70 migrations a test).
        `createdb -T` copies the template's files, so the copy is what an upgrade makes."""
        if not self.migrated_template:
            migrate(self.create_database(MIGRATED_TEMPLATE))
            self.migrated_template = True
        return self.create_database(name, template=MIGRATED_TEMPLATE)

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = _pg_bin()
    if bin_dir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        skip_or_fail("REQUIRE_POSTGRES", "PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()
