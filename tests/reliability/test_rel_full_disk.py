"""A full disk: the write fails half way, the user gets one clear line, the record is as it was.

Two ways to run out of room:

- SQLite's `max_page_count` on medtrack's own connection. (The pragma belongs to the connection
  that sets it and is not stored in the file, so a limit set by another sqlite3 connection would
  not bind medtrack: the limit is added to the pragmas medtrack runs on every new connection.)
- A real child process under RLIMIT_FSIZE (SIGXFSZ ignored), so write() fails with EFBIG in the
  middle of the WAL append or of an export, exactly as a full disk fails it.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import (
    PYTHON,
    assert_clean_failure,
    cli_env,
    dump_digest,
    integrity,
    leftovers,
    raw,
    rows,
    rule_violations,
)

from medtrack.storage import engine

pytestmark = pytest.mark.slow  # a full disk, in child processes

_rng = random.Random(7)
BIG_NOTE = "".join(_rng.choice("abcdefghij klmnopqrstuvwxyz") for _ in range(100_000))
BIG_NAME = BIG_NOTE[:90_000].strip()  # a symptom name is kept without outer spaces
FILE_LIMIT = 64 * 1024  # bytes a child may write at any offset of any file


def page_count(path: Path) -> int:
    with raw(path) as conn:
        return int(conn.execute("PRAGMA page_count").fetchone()[0])


@pytest.fixture
def full(patient: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The standard patient, on a 'disk' that holds the file as it is and not one page more."""
    patient.close()
    monkeypatch.setattr(engine, "_PRAGMAS", (*engine._PRAGMAS, f"max_page_count={page_count(db_path)}"))
    return patient


@pytest.mark.parametrize("argv", [
    ("log", "--note", BIG_NOTE),
    ("log", "--already-taken", "--note", BIG_NOTE),
    ("symptom", "headache", "--severity", "2", "--note", BIG_NOTE),
    ("symptom", BIG_NAME),
    ("skip", "--note", BIG_NOTE),
], ids=["log", "already-taken", "symptom-note", "symptom-name", "skip"])
def test_a_full_disk_during_a_write_is_exit_4_and_nothing_half_written(full, db_path, monkeypatch, argv):
    before = dump_digest(db_path)
    result = full(*argv, now="2026-11-25T22:40+01:00")
    assert result.code == 4, result
    assert "full" in result.err and "nothing was written" in result.err, result.err
    assert result.out == ""
    full.close()
    assert dump_digest(db_path) == before
    assert integrity(db_path) == "ok"
    # room again: the same command goes through, and the text is kept whole
    monkeypatch.setattr(engine, "_PRAGMAS", tuple(p for p in engine._PRAGMAS if "max_page_count" not in p))
    full.ok(*argv, now="2026-11-25T22:40+01:00")
    table = "symptom" if argv[0] == "symptom" else "record"
    (row,) = rows(db_path, table)
    if argv[1] == BIG_NAME:
        assert row["name"] == BIG_NAME and row["note"] is None
    else:
        assert row["note"] == BIG_NOTE
    assert integrity(db_path) == "ok" and rule_violations(db_path) == []


def test_small_writes_still_fit_and_a_big_one_after_them_fails_cleanly(full, db_path):
    """Fill the last free bytes with small records until the disk is really full."""
    codes = []
    for day in range(1, 25):
        result = full("symptom", "dizziness", "--note", "x" * 400, now=f"2026-11-{day:02d}T23:00+01:00")
        codes.append(result.code)
        if result.code == 4:
            assert "full" in result.err
            break
    assert codes[-1] == 4, codes
    full.close()
    stored = rows(db_path, "symptom")
    assert len(stored) == codes.count(0)
    assert all(r["note"] == "x" * 400 for r in stored)
    assert integrity(db_path) == "ok"


# -- a real process hitting the file size limit ---------------------------------------------------


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def run_limited(db: Path, *argv: str, now: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "medtrack", *argv], env=cli_env(db, now), cwd=cwd,
                          capture_output=True, check=False, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          preexec_fn=limited)


@pytest.mark.parametrize("argv", [("log", "--note", BIG_NOTE), ("symptom", "nausea", "--note", BIG_NOTE)],
                         ids=["log", "symptom"])
def test_a_process_that_cannot_grow_the_wal_exits_4_and_writes_nothing(patient_db, tmp_path, argv):
    before = dump_digest(patient_db)
    proc = run_limited(patient_db, *argv, now="2026-11-25T22:40+01:00", cwd=tmp_path)
    assert_clean_failure(proc, 4, "full or failing", "nothing was written")
    assert dump_digest(patient_db) == before
    assert integrity(patient_db) == "ok"


@pytest.fixture
def big_record(patient, db_path: Path) -> Path:
    """A record whose exports are far larger than FILE_LIMIT (the database itself may be too)."""
    patient.ok("log", "--note", BIG_NOTE[:70_000], now="2026-11-25T22:40+01:00")
    patient.close()
    return db_path


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_an_export_that_does_not_fit_is_exit_4_with_nothing_at_the_target(big_record, tmp_path, fmt):
    out = tmp_path / "out"
    out.mkdir()
    before = dump_digest(big_record)
    for target, force in ((out / f"report.{fmt}", False), (out / f"old.{fmt}", True)):
        if force:
            target.write_bytes(b"the previous report")
        argv = ["export", "--format", fmt, "-o", str(target)] + (["--force"] if force else [])
        proc = run_limited(big_record, *argv, now="2026-11-26T12:00+01:00", cwd=out)
        assert_clean_failure(proc, 4, "full", "not written")
        if force:  # the report it would have replaced is still there, whole
            assert target.read_bytes() == b"the previous report"
        else:
            assert not target.exists()
        assert leftovers(out, [f"old.{fmt}"]) == [], "a temporary file was left behind"
    assert dump_digest(big_record) == before
    # without the limit the same export works (so it was the size, nothing else)
    proc = subprocess.run([PYTHON, "-m", "medtrack", "export", "--format", fmt, "-o",
                           str(out / f"report.{fmt}")], env=cli_env(big_record, "2026-11-26T12:00+01:00"),
                          capture_output=True, check=False, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert (out / f"report.{fmt}").stat().st_size > FILE_LIMIT


def test_json_output_of_the_stored_big_note_is_whole(big_record, run):
    (record,) = json.loads(run.ok("history", "--json", db=big_record).out)
    assert record["note"] == BIG_NOTE[:70_000]
