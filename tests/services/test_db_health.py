"""The database's health and version, below the screen: `check_database` finds a damaged index
page and a write-protected file (and writes nothing doing so); `Changes` says when something was
committed elsewhere, and only then. SQLite files first, then the same on a PostgreSQL server.

A write-protected file as root: root ignores the mode bits, so the file gets the immutable
attribute (`chattr +i`, which binds root too) for the test; as another user, mode 0400.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from file_faults import damage_index, write_protected
from medtrack.clock import fixed_clock
from medtrack.location import parse_location
from medtrack.services.dosing import DoseRequest, history, log_dose
from medtrack.services.health import check_database
from medtrack.services.live import watch_changes
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile
from medtrack.storage import probe
from medtrack.storage.database import Database
from medtrack.storage.engine import BUSY_TIMEOUT_MS
from medtrack.storage.probe import Fault

BERLIN = dt.timezone(dt.timedelta(hours=1))
SET_UP = dt.datetime(2026, 11, 1, 12, 0, tzinfo=BERLIN)
IN_WINDOW = dt.datetime(2026, 11, 25, 22, 40, tzinfo=BERLIN)


def make_patient(location: Any) -> None:
    """Ada on 1 mg from 2026-11-01, made under a fixed clock through the services."""
    init_profile(location, SET_UP, ProfileChanges(name="Ada", born="1970-05-01", zone="Europe/Berlin"),
                 "UTC", clock=fixed_clock(SET_UP))
    with _open(location) as db:
        prescribe(db, SET_UP, PrescriptionRequest(dose="1mg", prescriber="Dr. Weiss", start="2026-11-01"))


@contextlib.contextmanager
def _open(location: Any) -> Iterator[Database]:
    db = Database(location)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def patient_file(tmp_path: Path) -> Path:
    path = tmp_path / "medtrack.db"
    make_patient(path)
    return path


def file_state(path: Path) -> tuple[bytes, int]:
    """The main file's bytes and the WAL's size (0 or absent: nothing waiting to be written)."""
    wal = Path(f"{path}-wal")
    return path.read_bytes(), wal.stat().st_size if wal.exists() else 0








# -- SQLite: the health check -----------------------------------------------------------------


@pytest.mark.sqlite_only
def test_a_sound_file_is_writable_and_the_check_writes_nothing(patient_file):
    before = file_state(patient_file)
    with _open(patient_file) as db, contextlib.closing(sqlite3.connect(patient_file)) as other:
        seen = other.execute("PRAGMA data_version").fetchone()[0]
        health = check_database(db)
        assert health.writable and health.fault is None and health.message is None
        assert other.execute("PRAGMA data_version").fetchone()[0] == seen  # nothing was committed
        assert history(db) == []
    assert file_state(patient_file) == before


@pytest.mark.sqlite_only
def test_another_writer_is_no_fault_and_the_check_does_not_wait_for_it(patient_file):
    """The check asks for the write lock once: waiting the busy timeout (5 s) for another writer
    held up `status` and the screen, and a busy file is no fault anyway. Writes still wait."""
    with _open(patient_file) as db, contextlib.closing(sqlite3.connect(patient_file, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another medtrack is writing
        started = time.monotonic()
        health = check_database(db)
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
        assert health.writable and health.fault is None
        assert waited < BUSY_TIMEOUT_MS / 1000 / 2, f"the check waited {waited:.1f} s for the other writer"
        with db.engine.connect() as conn:  # the pool's connection waits for a write as before
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
            conn.rollback()
        log_dose(db, IN_WINDOW, DoseRequest(dose="1mg"))
        assert len(history(db)) == 1


@pytest.mark.sqlite_only
def test_a_damaged_index_page_is_found_though_reads_still_work(patient_file):
    damage_index(patient_file)
    with _open(patient_file) as db:
        assert history(db) == []  # reads that do not use the index work: the screen would open
        health = check_database(db)
    assert health.fault is Fault.DAMAGED and not health.writable
    assert "damaged" in (health.message or "") and "restore" in (health.hint or "")


@pytest.mark.sqlite_only
def test_a_write_protected_file_is_read_only_and_is_left_as_it_was(patient_file):
    before = patient_file.read_bytes()
    with write_protected(patient_file), _open(patient_file) as db:
        assert history(db) == []
        health = check_database(db)
    assert health.fault is Fault.READ_ONLY
    assert "read-only" in (health.message or "")
    assert patient_file.read_bytes() == before


@pytest.mark.sqlite_only
def test_a_file_made_writable_again_is_writable_at_the_next_check(patient_file):
    with write_protected(patient_file):
        db = Database(patient_file)
        assert check_database(db).fault is Fault.READ_ONLY
    try:
        # the pooled connections SQLite opened read-only are replaced: no restart needed
        assert check_database(db).writable
        log_dose(db, IN_WINDOW, DoseRequest(dose="1mg"))
        assert len(history(db)) == 1
    finally:
        db.dispose()


@pytest.mark.sqlite_only
def test_the_damage_check_is_bounded_in_time(patient_file, monkeypatch):
    monkeypatch.setattr(probe, "CHECK_SECONDS", -1.0)  # out of time at the first look
    monkeypatch.setattr(probe, "CHECK_EVERY", 1)
    damage_index(patient_file)
    with _open(patient_file) as db:
        assert check_database(db).writable  # not checked to the end: taken as sound


@pytest.mark.sqlite_only
def test_what_to_do_tonight_keeps_to_the_plan_and_asks_for_help(patient_file):
    from medtrack.services.status import status

    damage_index(patient_file)
    with _open(patient_file) as db:
        health = check_database(db)
        tonight = status(db, IN_WINDOW)
    words = health.what_to_do(tonight)
    assert words.startswith("Tonight's dose by your plan: 1 mg, until 23:30, just before you go to bed; "
                            "do not drive or use machines afterwards.")
    assert "write down the time and the dose on paper" in words and "ask for help" in words
    assert health.to_json(tonight) == {"writable": False, "problem": "damaged",
                                       "message": health.message, "what_to_do": words}


# -- SQLite: the version ----------------------------------------------------------------------


@pytest.mark.sqlite_only
@pytest.mark.slow
def test_changes_are_news_only_after_a_commit_elsewhere(patient_file):
    with _open(patient_file) as screen, _open(patient_file) as elsewhere:
        changes = watch_changes(screen)
        try:
            changes.reading()
            assert changes.changed() is False
            assert changes.changed() is False
            history(elsewhere)  # a read commits nothing
            assert changes.changed() is False
            log_dose(elsewhere, IN_WINDOW, DoseRequest(dose="1mg"))
            assert changes.changed() is True
            assert changes.changed() is False
        finally:
            changes.close()
        assert changes.changed() is None  # closed: cannot tell


@pytest.mark.sqlite_only
def test_a_commit_between_the_watch_and_the_read_is_never_lost(patient_file):
    with _open(patient_file) as screen, _open(patient_file) as elsewhere:
        changes = watch_changes(screen)
        try:
            changes.reading()
            log_dose(elsewhere, IN_WINDOW, DoseRequest(dose="1mg"))  # the screen's read may or may not see it
            assert changes.changed() is True  # so it reads again
            changes.reading()
            changes.missed()  # that read was dropped (a newer one replaced it)
            assert changes.changed() is True
        finally:
            changes.close()


@pytest.mark.sqlite_only
def test_a_look_costs_the_same_however_long_the_history(patient_file):
    """data_version reads no table: a look never grows with the records."""
    with _open(patient_file) as db:
        changes = watch_changes(db)
        try:
            changes.reading()
            start = time.perf_counter()
            for _ in range(200):
                changes.changed()
            assert (time.perf_counter() - start) / 200 < 0.002  # well under a millisecond each
        finally:
            changes.close()


# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def patient_url(pg_server: Any) -> str:
    url: str = pg_server.create_database("health")
    make_patient(parse_location(url))
    return url


def admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(sql)


@pytest.mark.postgres
@pytest.mark.slow
def test_on_a_server_a_commit_elsewhere_is_news_and_a_read_is_not(patient_url):
    location = parse_location(patient_url)
    with _open(location) as screen, _open(location) as elsewhere:
        changes = watch_changes(screen)
        changes.reading()
        assert changes.changed() is False
        history(elsewhere)
        assert changes.changed() is False
        log_dose(elsewhere, IN_WINDOW, DoseRequest(dose="1mg"))
        assert changes.changed() is True
        assert changes.changed() is False
        changes.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_on_a_server_the_health_check_finds_a_read_only_database(patient_url):
    location = parse_location(patient_url)
    with _open(location) as db:
        assert check_database(db).writable
    name = patient_url.split("@/", 1)[1].split("?")[0]
    admin(patient_url, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    with _open(location) as db:
        health = check_database(db)
    assert health.fault is Fault.READ_ONLY
    assert "read-only" in (health.message or "") and "standby" in (health.hint or "")


@pytest.mark.postgres
@pytest.mark.slow
def test_on_a_server_a_login_that_may_only_read_is_told_so(patient_url):
    admin(patient_url, "DROP ROLE IF EXISTS health_viewer")
    admin(patient_url, "CREATE ROLE health_viewer LOGIN")
    admin(patient_url, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO health_viewer")
    rest = patient_url.split("@", 1)[1]
    viewer = parse_location(f"postgresql+psycopg://health_viewer@{rest}")
    with _open(viewer) as db:
        health = check_database(db)
    assert health.fault is Fault.NOT_PERMITTED
    assert "may look at the records but not add to them" in (health.message or "")
