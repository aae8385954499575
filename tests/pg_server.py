"""A throwaway PostgreSQL 15 server for the tests: initdb in a temporary folder, a Unix socket
only (no TCP port), one fresh database per test, stopped at the end of the session."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BIN = Path(os.environ.get("MEDTRACK_PG_BIN", "/usr/lib/postgresql/15/bin"))
_names = itertools.count(1)


def missing_reason() -> str | None:
    """Why a server cannot be started here (None: it can)."""
    if not (BIN / "initdb").exists():
        return f"PostgreSQL binaries not found in {BIN} (apt-get install postgresql, or set MEDTRACK_PG_BIN)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return None


class Server:
    """initdb + pg_ctl as the `postgres` user when run as root (initdb refuses root)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="medtrack-pg-"))
        self.data = self.root / "data"
        self.socket = self.root / "socket"
        self.user = "postgres" if os.geteuid() == 0 else None
        self.role = self.user or os.environ.get("USER") or "postgres"

    def _run(self, *argv: str) -> None:
        command = ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> Server:
        self.socket.mkdir()
        os.chmod(self.root, 0o755)
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(self.socket, self.user)
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", self.role, "-A", "trust",
                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        # autovacuum off: its analyze commits transactions of its own, which move the server's
        # snapshot (what a screen's change watch reads) in the middle of a test that asserts
        # "nothing changed" (seen once: test_on_a_server_a_commit_elsewhere_is_news...)
        options = (f"-k {self.socket} -c listen_addresses='' -c fsync=off -c full_page_writes=off "
                   "-c synchronous_commit=off -c max_connections=200 -c autovacuum=off")
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options,
                  "-w", "start")
        return self

    def restart(self) -> None:
        """Stop the server the way a restart by its admin does (fast: open sessions are ended)
        and start it again."""
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-m", "fast", "-w",
                  "restart")

    def stop(self) -> None:
        try:
            self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.role}@/{database}?host={self.socket}"

    def conninfo(self, database: str = "postgres") -> str:
        return f"host={self.socket} user={self.role} dbname={database}"

    def create_database(self, prefix: str = "t") -> str:
        """A new, empty database; its medtrack URL."""
        import psycopg

        name = f"{prefix}_{os.getpid()}_{next(_names)}"
        with psycopg.connect(self.conninfo(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
