"""Files and disks: what medtrack writes over, reads on a full disk, leaves readable, takes from
the environment and makes of a wall time the clocks show twice.

Special files are made only inside tmp_path (a FIFO, a unix socket, and as root a character
device with the numbers of /dev/null): never point a test at a real device, as root a
replaced /dev/null breaks the whole machine.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import PYTHON, assert_clean_failure, cli_env, dump_digest, integrity, leftovers

NOW = "2026-11-25T22:40+01:00"
MEDTRACK = Path(sys.executable).with_name("medtrack")  # the installed entry point


# -- 1. only regular files are replaced --------------------------------------------------------


def special_file(kind: str, folder: Path) -> Path:
    path = folder / f"{kind[0]}.csv"  # short: a socket's path must fit in 108 bytes
    assert path.parent == folder
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))  # the socket file stays after the socket is closed
    else:
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs root")
    return path


KINDS = {"fifo": stat.S_ISFIFO, "socket": stat.S_ISSOCK, "device": stat.S_ISCHR}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("command", ["backup", "export"])
@pytest.mark.parametrize("force", [True, False], ids=["force", "no-force"])
def test_a_special_file_is_never_replaced(patient, tmp_path, kind, command, force):
    folder = tmp_path / "out"
    folder.mkdir()
    target = special_file(kind, folder)
    argv = ["backup", str(target)] if command == "backup" else ["export", "--format", "csv", "-o", str(target)]
    result = patient(*argv, *(["--force"] if force else []), now=NOW)
    assert result.code == 2, result
    assert "regular file" in result.err and str(target) in result.err, result.err
    assert KINDS[kind](os.lstat(target).st_mode), f"the {kind} was replaced"
    assert leftovers(folder, [target.name]) == []


# -- 2. a full disk still reads -----------------------------------------------------------------

# Below the 32 KiB -shm file SQLite makes beside a WAL database for its readers, above what the
# reads below write elsewhere: a process under this RLIMIT_FSIZE meets the database's disk as full
# (write() fails with EFBIG as with ENOSPC) and the export's folder as another disk with room.
NO_ROOM_FOR_SHM = 16 * 1024


def no_room() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (NO_ROOM_FOR_SHM, NO_ROOM_FOR_SHM))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def run_on_full_disk(db: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "medtrack", *argv], env=cli_env(db, NOW), cwd=cwd,
                          capture_output=True, check=False, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, preexec_fn=no_room)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_reads_work_when_the_databases_disk_is_full(patient, db_path, tmp_path):
    patient.ok("log", "--note", "kept", now="2026-11-24T22:40+01:00")
    patient.close()
    assert not Path(f"{db_path}-shm").exists()  # as after any medtrack: SQLite removes it on close
    before = dump_digest(db_path)
    other_disk = tmp_path / "stick"
    other_disk.mkdir()
    status = run_on_full_disk(db_path, "status", "--json", cwd=other_disk)
    assert status.returncode == 0, status.stderr
    history = run_on_full_disk(db_path, "history", "--json", cwd=other_disk)
    assert history.returncode == 0, history.stderr
    assert '"kept"' in history.stdout
    report = other_disk / "report.csv"
    export = run_on_full_disk(db_path, "export", "--format", "csv", "-o", str(report), cwd=other_disk)
    assert export.returncode == 0, export.stderr
    assert "kept" in report.read_text()
    # a write still fails cleanly, and nothing of it is in the file
    write = run_on_full_disk(db_path, "log", cwd=other_disk)
    assert_clean_failure(write, 4, "full")
    assert dump_digest(db_path) == before and integrity(db_path) == "ok"
    # with room again, the database is used as usual
    assert patient("status", now=NOW).code == 0


# -- 3. a database others can read is made private -------------------------------------------------


@pytest.mark.sqlite_only
def test_a_database_others_can_read_is_reported_and_made_private(patient, db_path):
    patient.close()
    os.chmod(db_path, 0o644)
    result = patient.ok("status", now=NOW)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o600
    (line,) = result.err.splitlines()
    assert line.startswith("medtrack: ") and "0644" in line and "0600" in line, result.err
    patient.close()
    assert patient.ok("status", now=NOW).err == ""  # said once: it is private now


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_readable_database_of_another_user_is_reported_and_left(patient, db_path):
    patient.close()
    os.chmod(db_path, 0o644)
    os.chown(db_path, 4321, -1)
    result = patient.ok("status", now=NOW)
    assert stat.S_IMODE(os.stat(db_path).st_mode) == 0o644  # not ours to change
    (line,) = result.err.splitlines()
    assert line.startswith("medtrack: ") and "0644" in line and "owner" in line, result.err


# -- 4. the environment ---------------------------------------------------------------------------

NOT_UTF8 = os.fsdecode(b"\xff")  # what Python makes of the byte 0xff in the environment


@pytest.mark.parametrize("variable", ["MEDTRACK_PATIENT", "MEDTRACK_USER"])
def test_an_environment_variable_that_is_not_utf8_is_bad_input(patient, db_path, monkeypatch, variable):
    patient.close()
    before = dump_digest(db_path)
    monkeypatch.setenv(variable, NOT_UTF8)
    result = patient("log", now=NOW)
    assert result.code == 2, result
    assert variable in result.err and "UTF-8" in result.err, result.err
    patient.close()
    assert dump_digest(db_path) == before


@pytest.mark.sqlite_only
def test_a_database_path_that_is_not_utf8_is_bad_input(patient, db_path, tmp_path):
    patient.close()
    odd = tmp_path / f"odd{NOT_UTF8}.db"
    shutil.copyfile(db_path, odd)
    result = patient("status", db=odd)
    assert result.code == 2, result
    assert "MEDTRACK_DB" in result.err and "UTF-8" in result.err, result.err


@pytest.mark.parametrize("now", ["0001-01-01T00:00+00:00", "9999-12-31T23:59+00:00",
                                 "0001-01-01T00:30+01:00", "9999-12-31T23:59-01:00"])
@pytest.mark.parametrize("command", ["status", "log", "history"])
def test_a_clock_at_the_calendars_ends_is_bad_input(patient, db_path, now, command):
    patient.close()
    before = dump_digest(db_path) if isinstance(db_path, Path) else None
    result = patient(command, now=now)
    assert result.code == 2, result
    assert "MEDTRACK_NOW" in result.err and "year" in result.err, result.err
    patient.close()
    if before is not None:
        assert dump_digest(db_path) == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("variable", ["MEDTRACK_DB", "MEDTRACK_PATIENT", "MEDTRACK_USER", "MEDTRACK_NOW"])
def test_bytes_in_the_environment_of_the_installed_command(patient, db_path, tmp_path, variable):
    patient.close()
    odd = tmp_path / f"odd{NOT_UTF8}.db"
    shutil.copyfile(db_path, odd)
    env = {os.fsencode(k): os.fsencode(v) for k, v in cli_env(db_path, NOW).items()}
    env[variable.encode()] = {"MEDTRACK_DB": os.fsencode(odd)}.get(variable, b"\xff")
    proc = subprocess.run([MEDTRACK, "log"], env=env, cwd=tmp_path, capture_output=True, check=False,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, proc
    (line,) = proc.stderr.splitlines()
    assert line.startswith(b"medtrack: ") and variable.encode() in line and b"UTF-8" in line, proc.stderr
    assert b"Traceback" not in proc.stderr and proc.stdout == b""
