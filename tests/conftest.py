"""Shared fixtures: the real CLI entry point run in-process on a temporary database.

`run("log", "1mg", now="2026-11-25T22:40+01:00")` calls `medtrack.cli.main(argv)` with
MEDTRACK_DB pointing at a file under tmp_path and MEDTRACK_NOW set to `now` (or the default
clock of the test), and returns a `Result` with `.code`, `.out`, `.err` and `.json()`.
The machine's zone never leaks in: TZ is UTC for every test that uses `run` (or `patient`).

A database `init` makes under MEDTRACK_NOW keeps the mark of a fixed clock (medtrack.clock), so
it takes MEDTRACK_NOW afterwards. `run(..., real="2026-11-25T22:40+01:00")` runs a command as a
user does, without MEDTRACK_NOW, on the real clock, which then reads that moment: a database kept
on the real clock is tested without the machine's clock deciding the outcome.

The database is a SQLite file, or with MEDTRACK_TEST_BACKEND=postgres a fresh database on a
throwaway PostgreSQL server started once per session (tests/pg_server.py): `db_path` is then
its URL, `query()` reads either, and tests about the file itself are marked `sqlite_only`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backends import ON_POSTGRES, Locations
from pg_server import Server, missing_reason

# The clock of a test unless a call passes `now=`: the evening of 2026-11-25 in Berlin, before
# the window of that night opens (20:30).
DEFAULT_NOW = "2026-11-25T20:00+01:00"

# The standard patient (see the `patient` fixture).
ZONE = "Europe/Berlin"
BORN = "1970-05-01"
BEDTIME = "22:30"
WAKE = "06:30"
PRESCRIBED_FROM = "2026-11-01"
SET_UP_AT = "2026-11-01T12:00+01:00"
RECORDER = "tester"  # who enters what a test's `run` writes, unless it says --by (MEDTRACK_USER)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one worker more than the machine has cores. Some tests wait without working
    (a busy database's 5 s before exit 4, the ward's next look at the file, a child process's
    lock); the extra worker uses the core they leave idle. Those tests are all `slow`: a quick
    run (`-m "not slow"`) keeps to one worker a core, where a third worker only cost its start."""
    cores = os.cpu_count() or 1
    return cores if "not slow" in (config.getoption("markexpr") or "") else cores + 1


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ON_POSTGRES:
        skip = pytest.mark.skip(reason="about the SQLite file itself (MEDTRACK_TEST_BACKEND=postgres)")
        for item in items:
            if "sqlite_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _english_unless_a_test_asks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's language never leaks into a test (LANG=de_DE would turn every expected
    English word German), and a test that chose a language leaves English behind it: the
    language is one per process (medtrack.i18n), and the screen's tests make apps directly."""
    from medtrack import i18n

    for name in i18n.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    i18n.use("en")
    yield
    i18n.use("en")


CHEAP_PIN_COST = {"n": 2**10, "r": 8, "p": 1}


@pytest.fixture(scope="session", autouse=True)
def _cheap_pin_hash() -> Iterator[dict[str, int]]:
    """A PIN set in a test is hashed at scrypt's lowest sensible cost (a millisecond, not half a
    second): the cost is stored with each hash and read back from it, so every check behaves as
    in use. Session-wide, so that a database a module's fixture locks once is cheap too (each
    check of its PIN cost 0.4 s when this was per test). Yields medtrack's own cost."""
    from medtrack.services import lock

    own = lock.PIN_HASH_COST
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lock, "PIN_HASH_COST", CHEAP_PIN_COST)
        yield own


@pytest.fixture(autouse=True)
def _real_pin_cost_when_marked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                               _cheap_pin_hash: dict[str, int]) -> None:
    """A test marked `real_pin_cost` hashes at medtrack's own cost (one asserts it)."""
    if request.node.get_closest_marker("real_pin_cost") is not None:
        from medtrack.services import lock

        monkeypatch.setattr(lock, "PIN_HASH_COST", _cheap_pin_hash)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A PostgreSQL 15 server for the session (skipped, with the reason, if it cannot start)."""
    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    server = Server().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def locations(request: pytest.FixtureRequest) -> Locations:
    return Locations(request.getfixturevalue("pg_server") if ON_POSTGRES else None)


@dataclass
class Result:
    """What one CLI call gave: the exit code and everything written to stdout and stderr."""

    code: int
    out: str
    err: str
    argv: tuple[str, ...] = ()

    def json(self) -> Any:
        assert self.code == 0, f"medtrack {' '.join(self.argv)} exited {self.code}: {self.err}"
        return json.loads(self.out)

    def assert_one_line_error(self) -> None:
        assert_one_line_error(self)

    def __repr__(self) -> str:  # readable in assertion messages
        return f"Result(code={self.code}, argv={self.argv!r}, out={self.out!r}, err={self.err!r})"


def assert_one_line_error(result: Result) -> None:
    """Exit 2/3/4: exactly one line on stderr, starting 'medtrack:', never a traceback."""
    assert result.code in (2, 3, 4), result
    assert result.err.endswith("\n"), result
    lines = result.err.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("medtrack:"), result
    assert "Traceback" not in result.err, result
    assert len(lines[0]) > len("medtrack: ") + 10, result  # says something


class Runner:
    """Calls `medtrack.cli.main` in-process with a fixed clock and database."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db: Path | str) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys
        self.db = db
        self.now = DEFAULT_NOW
        self.opened: list[Any] = []  # the Database objects the in-process calls made

    def close(self) -> None:
        """Close the pooled SQLite connections of the in-process engines (the WAL is checkpointed)."""
        for database in self.opened:
            if hasattr(database, "engine"):
                database.dispose()
        self.opened.clear()

    def __call__(self, *argv: str, now: str | None = None, db: Path | str | None = None,
                 real: str | None = None) -> Result:
        from medtrack.cli import main

        if real is not None:
            assert now is None, "a command runs on the real clock or on a fixed one, not both"
            moment = dt.datetime.fromisoformat(real)
            self.monkeypatch.delenv("MEDTRACK_NOW", raising=False)
            self.monkeypatch.setattr("medtrack.clock.system_now", lambda: moment)
        else:
            self.monkeypatch.setenv("MEDTRACK_NOW", now or self.now)
        self.monkeypatch.setenv("MEDTRACK_DB", str(db if db is not None else self.db))
        self.capsys.readouterr()  # drop anything printed before this call
        code = main(list(argv))
        captured = self.capsys.readouterr()
        result = Result(code, captured.out, captured.err, tuple(argv))
        if code in (2, 3, 4):
            assert_one_line_error(result)
        else:
            assert "Traceback" not in captured.err, result
        return result

    def ok(self, *argv: str, now: str | None = None, db: Path | str | None = None,
           real: str | None = None) -> Result:
        """Run and require exit 0."""
        result = self(*argv, now=now, db=db, real=real)
        assert result.code == 0, result
        return result


@pytest.fixture
def db_path(tmp_path: Path, locations: Locations) -> Path | str:
    """The test's database: a file path on SQLite, a fresh database's URL on PostgreSQL."""
    return locations.new(tmp_path)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], db_path: Path | str) -> Iterator[Runner]:
    from medtrack.storage.database import Database

    # No test depends on the machine's zone (init without --tz takes TZ) or on a database, clock
    # or debug switch from the environment, nor on its login name: whoever enters a record without
    # --by is RECORDER (a test about the login name deletes MEDTRACK_USER).
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("MEDTRACK_USER", RECORDER)
    for name in ("MEDTRACK_DB", "MEDTRACK_NOW", "MEDTRACK_DEBUG", "MEDTRACK_PATIENT"):
        monkeypatch.delenv(name, raising=False)
    # The patient's id is random in real use; tests fix it so exports can be compared.
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id",
                        lambda: "5f0c7d1e-9a4b-4c2d-8e6f-0123456789ab")
    runner = Runner(monkeypatch, capsys, db_path)
    original_init = Database.__init__

    def tracking_init(self: Database, *args: Any, **kwargs: Any) -> None:
        runner.opened.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Database, "__init__", tracking_init)
    yield runner
    runner.close()


_PATIENT_TEMPLATE: dict[str, Any] = {}


@pytest.fixture
def patient(run: Runner) -> Runner:
    """A Berlin patient born 1970-05-01 (bedtime 22:30, wake 06:30) on 1 mg from 2026-11-01.

    Made once through the CLI; later tests start from a copy of that file (created 0600), or
    on PostgreSQL, of that database (CREATE DATABASE ... TEMPLATE).
    """
    if isinstance(run.db, str):
        return _server_patient(run)
    if "db" in _PATIENT_TEMPLATE:
        fd = os.open(run.db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_PATIENT_TEMPLATE["db"])
        return run
    run.ok("init", "--name", "Ada Muster", "--born", BORN, "--tz", ZONE, "--bedtime", BEDTIME,
           "--wake", WAKE, now=SET_UP_AT)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", PRESCRIBED_FROM,
           now=SET_UP_AT)
    run.close()
    if not Path(f"{run.db}-wal").exists():  # checkpointed: the main file is the whole database
        _PATIENT_TEMPLATE["db"] = run.db.read_bytes()
    return run


def _server_patient(run: Runner) -> Runner:
    import psycopg

    url = run.db
    assert isinstance(url, str)
    name = url.split("@/", 1)[1].split("?")[0]
    admin = url.replace("+psycopg", "").replace(f"/{name}?", "/postgres?")
    template = f"patient_template_{os.getpid()}"
    if "pg" not in _PATIENT_TEMPLATE:
        run.ok("init", "--name", "Ada Muster", "--born", BORN, "--tz", ZONE, "--bedtime", BEDTIME,
               "--wake", WAKE, now=SET_UP_AT)
        run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", PRESCRIBED_FROM,
               now=SET_UP_AT)
        run.close()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{template}" TEMPLATE "{name}"')
        _PATIENT_TEMPLATE["pg"] = template
        return run
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return run
