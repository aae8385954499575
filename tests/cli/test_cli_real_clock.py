"""The clock is the real one: MEDTRACK_NOW only works on a database made under a fixed clock.

Through the real `medtrack` entry point (the `run` fixture). A database `init` (or `demo`) makes
under MEDTRACK_NOW keeps the mark of a fixed clock, and there the fixed clock is the clock; one
made without it keeps the real clock: it refuses MEDTRACK_NOW (exit 2, one line, nothing
written), refuses every entry dated later than the real clock, and counts the wrong-PIN lockout
on the real clock. `run(..., real=WHEN)` runs a command without MEDTRACK_NOW, with the real clock
reading WHEN: the moments below are long past, so the schema's own check against the machine's
clock never decides an outcome, except where a test says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from backends import SCHEMA_5_DEMO
from medtrack.storage.pg_schema import FUTURE_MESSAGE

pytestmark = pytest.mark.sqlite_only  # the file's mark and trigger; PostgreSQL: test_postgres.py

SET_UP = "2025-03-01T12:00+01:00"
EVENING = "2025-03-12T20:00+01:00"  # before the window of that night (20:30 .. 23:30, Berlin)
IN_WINDOW = "2025-03-12T22:40+01:00"
PIN = "4821"
CLOCK_REFUSED = "MEDTRACK_NOW is only for databases made under a fixed clock"


def make_patient(run: Any, *, fixed: bool, db: Path | None = None) -> None:
    """The standard Berlin patient on 1 mg from SET_UP's night, made under the real clock or
    under MEDTRACK_NOW."""
    clock = {"now": SET_UP} if fixed else {"real": SET_UP}
    run.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           "--bedtime", "22:30", "--wake", "06:30", db=db, **clock)
    run.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", SET_UP[:10], db=db, **clock)


@pytest.fixture
def real(run: Any) -> Any:
    """A database made under the real clock."""
    make_patient(run, fixed=False)
    return run


@pytest.fixture
def fixed(run: Any) -> Any:
    """A database made under a fixed clock (MEDTRACK_NOW), as every other test's is."""
    make_patient(run, fixed=True)
    return run


def contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, and the files beside the database: what 'nothing written' means."""
    with closing(sqlite3.connect(db)) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found: dict[str, list[tuple[Any, ...]]] = {t: conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    found["files"] = [(p.name,) for p in sorted(db.parent.iterdir()) if not p.name.endswith(("-wal", "-shm"))]
    return found


def mark(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT fixed FROM database_clock").fetchone()[0])


# -- the mark ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_database_keeps_the_clock_it_was_made_under(run, tmp_path):
    make_patient(run, fixed=True, db=tmp_path / "demo-like.db")
    make_patient(run, fixed=False, db=tmp_path / "real.db")
    run.ok("demo", db=tmp_path / "demo.db", now=IN_WINDOW)
    run.ok("demo", db=tmp_path / "real-demo.db", real=IN_WINDOW)

    assert [mark(tmp_path / name) for name in ("demo-like.db", "real.db", "demo.db", "real-demo.db")] == [1, 0, 1, 0]


# -- MEDTRACK_NOW on a database kept on the real clock ------------------------------------------


def _import_file(tmp_path: Path) -> str:
    path = tmp_path / "import.csv"
    path.write_text("id,kind,night,time,dose_mg,already_taken,voids,note\n", encoding="utf-8")
    return str(path)


COMMANDS = [
    ("status",), ("status", "--json"), ("history",), ("log",), ("log", "--at", "2025-03-12 22:30"),
    ("skip",), ("void", "1", "--reason", "typo", "--not-taken"), ("symptom", "headache"),
    ("stock", "add", "30x1mg"), ("lock", "--pin", PIN), ("profile", "set", "--bedtime", "22:00"),
    ("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss"), ("taper", "show"),
    ("export", "--format", "csv", "-o", "out.csv"), ("import", "IMPORT"), ("backup", "BACKUP"),
    ("restore", "BACKUP"), ("db", "upgrade"), ("patients",), ("demo",),
    ("init", "--name", "Bruno", "--born", "1960-01-01", "--add-patient"), ("tui",), (),
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a) or "(no command)")
@pytest.mark.slow
def test_medtrack_now_on_a_real_clock_database_is_refused_and_nothing_is_written(real, db_path, tmp_path,
                                                                               monkeypatch, argv):
    real.ok("log", real=IN_WINDOW)  # a record to void
    backup = tmp_path / "saved.db"
    real.ok("backup", str(backup), real=IN_WINDOW)
    real.close()
    words = [_import_file(tmp_path) if w == "IMPORT" else str(backup) if w == "BACKUP" else w for w in argv]
    monkeypatch.chdir(tmp_path)
    before = contents(db_path)

    refused = real(*words, now="2025-03-13T22:40+01:00")
    real.close()

    assert refused.code == 2, refused
    assert CLOCK_REFUSED in refused.err and str(db_path.name) in refused.err, refused
    assert "unset MEDTRACK_NOW" in refused.err
    assert refused.out == ""
    assert contents(db_path) == before


def test_medtrack_now_on_an_older_database_is_refused_before_it_is_migrated(run, tmp_path):
    """A database made before the mark was kept was made under the real clock: refused as it
    is, not migrated first (no migration, no backup of the old schema)."""
    import shutil

    db = tmp_path / "old.db"
    shutil.copyfile(SCHEMA_5_DEMO, db)
    db.chmod(0o600)
    before = contents(db)

    for argv in (("status",), ("db", "upgrade")):
        refused = run(*argv, db=db, now="2026-11-27T15:00+01:00")
        assert refused.code == 2 and CLOCK_REFUSED in refused.err, refused
    assert contents(db) == before

    run.ok("db", "upgrade", db=db, real="2026-11-27T15:00+01:00")  # on the real clock it is migrated
    assert mark(db) == 0


def test_a_fixed_clock_database_takes_medtrack_now_and_the_real_clock(fixed, db_path):
    """There the fixed clock is the clock, even years later than the real one; without
    MEDTRACK_NOW it runs on the real clock (a demo file used for real is no risk: the real
    clock only ever dates what happens now)."""
    later = "2030-03-12T22:40+01:00"  # later than any real clock these tests run on
    fixed.ok("log", now=later)
    assert [r["night"] for r in fixed.ok("history", "--json", now=later).json()] == ["2030-03-12"]

    fixed.ok("log", real=IN_WINDOW)
    assert [r["night"] for r in fixed.ok("history", "--json", real=IN_WINDOW).json()] == ["2025-03-12", "2030-03-12"]


# -- no entry later than the real clock -----------------------------------------------------


FUTURE_ENTRIES = [
    ("log", "--at", "2025-03-12 23:10"),
    ("log", "0.5mg", "--at", "2025-03-13T22:40+01:00", "--already-taken", "--note", "tomorrow's, early"),
    ("symptom", "headache", "--at", "2025-03-12 22:50"),
    ("skip", "--night", "2025-03-13"),
]


@pytest.mark.parametrize("argv", FUTURE_ENTRIES, ids=lambda a: " ".join(a))
def test_a_real_clock_database_refuses_an_entry_later_than_the_real_clock(real, db_path, argv):
    before = contents(db_path)

    refused = real(*argv, real=IN_WINDOW)

    assert refused.code == 2 and "in the future" in refused.err, refused
    assert contents(db_path) == before


@pytest.mark.slow
def test_an_import_with_a_row_later_than_the_real_clock_imports_nothing(real, db_path, run, tmp_path):
    source = tmp_path / "other.db"
    make_patient(run, fixed=True, db=source)
    run.ok("log", db=source, now="2025-03-13T22:40+01:00")  # the next night: later than IN_WINDOW
    exported = tmp_path / "export.csv"
    run.ok("export", "--format", "csv", "-o", str(exported), db=source, now="2025-03-14T09:00+01:00")
    with exported.open(encoding="utf-8-sig") as f:
        assert [row["night"] for row in csv.DictReader(f)] == ["2025-03-13"]
    before = contents(db_path)

    refused = real("import", str(exported), real=IN_WINDOW)

    assert refused.code == 2 and "in the future" in refused.err and "nothing was imported" in refused.err, refused
    assert contents(db_path) == before
    real.ok("import", str(exported), real="2025-03-14T09:00+01:00")  # the next morning it is past


@pytest.mark.slow
def test_the_schemas_refusal_of_a_future_entry_is_a_clear_refusal_not_a_storage_problem(real, db_path):
    """If a real clock ran ahead (here read as 2099, past any machine's clock), the services
    would let the entry through; the schema refuses it against the machine's own clock, and
    that is bad input (exit 2) in words, never exit 4."""
    before = contents(db_path)

    refused = real("log", real="2099-03-12T22:40+01:00")

    assert refused.code == 2, refused
    assert "cannot be dated later than the real clock" in refused.err, refused
    assert contents(db_path) == before


def _dose_row(at_utc: int) -> tuple[Any, ...]:
    return ("dose", "2099-03-12", at_utc, "Europe/Berlin", 1000, 1000, at_utc, 1)


INSERT_DOSE = ("INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, recorded_at_utc, "
               "patient_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def test_a_raw_insert_of_a_future_dose_into_a_real_clock_database_fails(real, db_path):
    real.close()
    future = int(dt.datetime(2099, 3, 12, 21, 40, tzinfo=dt.UTC).timestamp())
    with closing(sqlite3.connect(db_path)) as conn, pytest.raises(sqlite3.IntegrityError, match=FUTURE_MESSAGE):
        conn.execute(INSERT_DOSE, _dose_row(future))
    for table, row in (("symptom", "(name, at_utc, zone, night, recorded_at_utc, patient_id) "
                                   f"VALUES ('x', {future}, 'UTC', '2099-03-12', {future}, 1)"),
                       ("stock", "(kind, at_utc, zone, strength_ug, amount, recorded_at_utc, patient_id) "
                                 f"VALUES ('add', {future}, 'UTC', 1000, 4, {future}, 1)")):
        with closing(sqlite3.connect(db_path)) as conn, pytest.raises(sqlite3.IntegrityError, match=FUTURE_MESSAGE):
            conn.execute(f"INSERT INTO {table} {row}")


def test_the_same_raw_insert_is_taken_by_a_fixed_clock_database(fixed, db_path):
    fixed.close()
    future = int(dt.datetime(2099, 3, 12, 21, 40, tzinfo=dt.UTC).timestamp())
    with closing(sqlite3.connect(db_path)) as conn, conn:
        conn.execute(INSERT_DOSE, _dose_row(future))
    assert len(contents(db_path)["record"]) == 1


# -- the wrong-PIN lockout counts on the real clock ---------------------------------------


def _prescribe(run: Any, pin: str, **clock: str) -> Any:
    return run("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--pin", pin, **clock)


def lock_row(db: Path) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT failures, locked_until_utc FROM prescriber_lock").fetchall()


@pytest.mark.slow
def test_the_lockout_of_a_real_clock_database_runs_on_the_real_clock(real, db_path):
    real.ok("lock", "--pin", PIN, real=EVENING)
    for _ in range(5):
        wrong = _prescribe(real, "0000", real=EVENING)
        assert wrong.code == 3, wrong
    assert "locked for 15 minutes" in wrong.err
    locked = lock_row(db_path)

    # a clock set by hand is refused (it would run the lockout out), and changes nothing
    assert _prescribe(real, PIN, now="2025-03-12T21:00+01:00").code == 2
    assert lock_row(db_path) == locked
    ten_minutes = _prescribe(real, PIN, real="2025-03-12T20:10+01:00")
    assert ten_minutes.code == 3 and "locked for 6 more minute(s)" in ten_minutes.err, ten_minutes
    real.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--pin", PIN,
            real="2025-03-12T20:16+01:00")


@pytest.mark.slow
def test_the_lockout_of_a_fixed_clock_database_runs_on_the_fixed_clock(fixed, db_path):
    fixed.ok("lock", "--pin", PIN, now=EVENING)
    for _ in range(5):
        assert _prescribe(fixed, "0000", now=EVENING).code == 3
    assert _prescribe(fixed, PIN, now="2025-03-12T20:10+01:00").code == 3
    fixed.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--pin", PIN,
             now="2025-03-12T20:16+01:00")


@pytest.mark.slow
def test_a_use_case_given_a_later_moment_does_not_shorten_a_real_clock_lockout(real, db_path):
    """The services take `now` from their caller; on a real-clock database the lock reads the
    real clock itself (injected here), whatever moment it is given."""
    from medtrack.clock import Clock
    from medtrack.errors import Refused
    from medtrack.services.database import open_database
    from medtrack.services.prescribing import PrescriptionRequest, prescribe

    real.ok("lock", "--pin", PIN, real=EVENING)
    for _ in range(5):
        _prescribe(real, "0000", real=EVENING)
    real.close()
    ten_minutes = dt.datetime.fromisoformat("2025-03-12T20:10+01:00")
    db = open_database(db_path, clock=Clock(real=lambda: ten_minutes))
    try:
        with pytest.raises(Refused, match="locked for 6 more minute"):
            prescribe(db, ten_minutes + dt.timedelta(hours=2),
                      PrescriptionRequest(dose="0.5mg", prescriber="Dr. Weiss", pin=PIN))
    finally:
        db.dispose()


# -- restore keeps the backup's clock, never a demo's over a real one ------------------------


@pytest.mark.slow
def test_a_fixed_clock_backup_never_replaces_a_real_clock_database(real, db_path, run, tmp_path):
    demo = tmp_path / "demo" / "demo.db"
    demo.parent.mkdir()
    make_patient(run, fixed=True, db=demo)
    saved = tmp_path / "demo-backup.db"
    run.ok("backup", str(saved), db=demo, now=IN_WINDOW)
    real.ok("log", real=IN_WINDOW)
    real.close()
    before = contents(db_path)

    for clock in ({"real": IN_WINDOW}, {"now": IN_WINDOW}):
        refused = real("restore", str(saved), **clock)
        real.close()
        assert refused.code == 2, refused
        assert contents(db_path) == before
    assert "made under a fixed clock" in real("restore", str(saved), real=IN_WINDOW).err

    fresh = tmp_path / "fresh" / "copy.db"  # no database there yet: a copy of the demo, still a demo
    fresh.parent.mkdir()
    real.ok("restore", str(saved), db=fresh, real=IN_WINDOW)
    assert mark(fresh) == 1


@pytest.mark.slow
def test_under_a_fixed_clock_a_real_clock_backup_is_not_restored(fixed, db_path, run, tmp_path):
    other = tmp_path / "real" / "real.db"
    other.parent.mkdir()
    make_patient(run, fixed=False, db=other)
    saved = tmp_path / "real-backup.db"
    run.ok("backup", str(saved), db=other, real=IN_WINDOW)
    fixed.close()
    before = contents(db_path)

    refused = fixed("restore", str(saved), now=IN_WINDOW)
    assert refused.code == 2 and CLOCK_REFUSED in refused.err, refused
    assert contents(db_path) == before

    fixed.ok("restore", str(saved), real=IN_WINDOW)  # on the real clock: restored, and it is real now
    assert mark(db_path) == 0


def test_a_backup_whose_clock_row_was_deleted_is_refused(real, db_path, tmp_path):
    """Without its row the schema's check of entries reads no mark and checks nothing."""
    saved = tmp_path / "saved.db"
    real.ok("backup", str(saved), real=IN_WINDOW)
    with closing(sqlite3.connect(saved)) as conn, conn:
        conn.execute("DELETE FROM database_clock")
    real.close()
    before = contents(db_path)

    refused = real("restore", str(saved), real=IN_WINDOW)

    assert refused.code == 2 and "which clock it keeps" in refused.err, refused
    assert contents(db_path) == before


# -- the screen ---------------------------------------------------------------------------


def test_the_screen_refuses_medtrack_now_on_a_real_clock_database_before_it_opens(real, tmp_path):
    """Checked before the terminal is: the same one line as every command (and no screen)."""
    refused = real("tui", now=IN_WINDOW)
    assert refused.code == 2 and CLOCK_REFUSED in refused.err, refused
    demo_like = tmp_path / "fixed.db"
    make_patient(real, fixed=True, db=demo_like)
    no_terminal = real("tui", db=demo_like, now=IN_WINDOW)  # a fixed clock's database: on to the screen
    assert no_terminal.code == 2 and "needs a terminal" in no_terminal.err, no_terminal
