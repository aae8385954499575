"""Helpers for the reliability tests: real `python -m medtrack` processes and raw looks at the file.

Everything here reads the database with sqlite3 directly, bypassing medtrack: what a test
asserts about the record is what is really on disk, not what medtrack says about it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PYTHON = sys.executable
CEILING_UG = 2000  # the monograph's adult ceiling (the standard patient is born 1970)
TWELVE_HOURS = 12 * 3600

# The standard patient of tests/conftest.py: Berlin, bedtime 22:30, wake 06:30, 1 mg from 11-01.
IN_WINDOW = "2026-11-25T22:40+01:00"


def night_at(night: dt.date, clock: str = "22:40", offset: str = "+01:00") -> str:
    """An ISO instant on a night's evening (Berlin winter offset unless told), for MEDTRACK_NOW."""
    return f"{night.isoformat()}T{clock}{offset}"


def cli_env(db: Path, now: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a child medtrack: this database and clock, the machine's zone UTC."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
    env.update(MEDTRACK_DB=str(db), TZ="UTC", PYTHONDONTWRITEBYTECODE="1")
    if now is not None:
        env["MEDTRACK_NOW"] = now
    env.update(extra)
    return env


def run_cli(db: Path, *argv: str, now: str = IN_WINDOW, timeout: float = 60,
            **popen: Any) -> subprocess.CompletedProcess[str]:
    """`python -m medtrack ARGV` in its own process; stdin is closed (no terminal)."""
    return subprocess.run([PYTHON, "-m", "medtrack", *argv], env=cli_env(db, now), capture_output=True,
                          check=False, text=True, timeout=timeout, stdin=subprocess.DEVNULL, **popen)


def assert_clean_failure(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """The exit code, exactly one 'medtrack: ...' line on stderr, no traceback, nothing on stdout."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("medtrack: "), proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == "", proc.stdout
    for word in words:
        assert word in lines[0], (word, lines[0])


@contextlib.contextmanager
def raw(path: Path, *, read_only: bool = True) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (read-only by default), closed afterwards."""
    uri = f"file:{path}?mode=ro" if read_only else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=10)
    try:
        yield conn
    finally:
        conn.close()


def integrity(path: Path) -> str:
    with raw(path) as conn:
        return "\n".join(r[0] for r in conn.execute("PRAGMA integrity_check"))


def tables(path: Path) -> list[str]:
    with raw(path) as conn:
        return [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def dump_digest(path: Path) -> str:
    """sha256 of a `.dump`-like listing: the schema and every row of every table, in order."""
    digest = hashlib.sha256()
    with raw(path) as conn:
        for line in conn.iterdump():
            digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
    return digest.hexdigest()


def rows(path: Path, table: str = "record") -> list[dict[str, Any]]:
    with raw(path) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")]


def planned_doses(path: Path) -> list[dict[str, Any]]:
    """Counted planned doses: kind dose, not voided, not recorded as 'already taken'."""
    return [r for r in rows(path) if r["kind"] == "dose" and not r["voided"] and not r["already_taken"]]


def rule_violations(path: Path) -> list[str]:
    """The promises a patient relies on, checked on the raw rows: [] when they all hold."""
    found: list[str] = []
    planned = planned_doses(path)
    seen: dict[str, dict[str, Any]] = {}
    for dose in planned:
        if dose["night"] in seen:
            found.append(f"two counted planned doses on the night {dose['night']}: "
                         f"{seen[dose['night']]['id']} and {dose['id']}")
        seen[dose["night"]] = dose
        if dose["dose_ug"] > CEILING_UG:
            found.append(f"dose {dose['id']} of {dose['dose_ug']} ug is above the ceiling")
        if dose["scheduled_ug"] is not None and dose["dose_ug"] > dose["scheduled_ug"]:
            found.append(f"dose {dose['id']} is above its scheduled {dose['scheduled_ug']} ug")
    by_time = sorted(planned, key=lambda r: r["at_utc"])
    for first, second in itertools.pairwise(by_time):
        if second["at_utc"] - first["at_utc"] < TWELVE_HOURS:
            found.append(f"doses {first['id']} and {second['id']} are less than 12 hours apart")
    return found


def snapshot(path: Path) -> tuple[bytes, int]:
    """The file's bytes and inode: 'untouched' means both are the same afterwards."""
    return path.read_bytes(), path.stat().st_ino


def checkpoint(path: Path) -> None:
    """Fold the WAL into the main file (so the file alone is the whole database)."""
    with raw(path, read_only=False) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def leftovers(folder: Path, allowed: Sequence[str]) -> list[str]:
    """Names in `folder` other than `allowed` (temp files a failed write must not leave)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in set(allowed))
