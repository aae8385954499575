"""The same guarantees on PostgreSQL: the schema's safety net, errors by SQLSTATE, one writer at
a time across processes, and nothing half-written when a process or its connection dies.

Runs on the session's throwaway server (tests/pg_server.py) whatever MEDTRACK_TEST_BACKEND is;
skipped, with the reason, where the PostgreSQL binaries are missing.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from typing import Any

import psycopg
import pytest

from medtrack.clock import fixed_clock
from medtrack.errors import NoProfile, Refused, StorageProblem
from medtrack.location import ServerUrl, parse_location
from medtrack.services.dosing import DoseRequest, log_dose
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile
from medtrack.storage.database import Database
from medtrack.storage.engine import SCHEMA_VERSION
from medtrack.storage.pg_schema import CHECK_STATE
from medtrack.storage.work import Work
from pg_server import Server

pytestmark = pytest.mark.postgres

BERLIN = dt.timezone(dt.timedelta(hours=1))
SET_UP = dt.datetime(2026, 11, 1, 12, 0, tzinfo=BERLIN)
IN_WINDOW = dt.datetime(2026, 11, 25, 22, 40, tzinfo=BERLIN)
DOSE_AT = 1795642800  # 2026-11-25T21:40:00Z


def conninfo(url: str) -> str:
    return url.replace("+psycopg", "")


def patient_database(server: Server) -> str:
    """A fresh database with the standard patient on 1 mg from 2026-11-01 (through the services)."""
    url = server.create_database("svc")
    location = parse_location(url)
    init_profile(location, SET_UP, ProfileChanges(name="Ada", born="1970-05-01", zone="Europe/Berlin"), "UTC",
                 clock=fixed_clock(SET_UP))
    db = Database(location)
    try:
        prescribe(db, SET_UP, PrescriptionRequest(dose="1mg", prescriber="Dr. Weiss", start="2026-11-01"))
    finally:
        db.dispose()
    return url


@pytest.fixture
def patient_url(pg_server: Any) -> str:
    return patient_database(pg_server)


@pytest.fixture
def logged(patient_url: str) -> str:
    db = Database(parse_location(patient_url))
    try:
        log_dose(db, IN_WINDOW, DoseRequest())
    finally:
        db.dispose()
    return patient_url


def count(url: str, where: str = "TRUE") -> int:
    with psycopg.connect(conninfo(url)) as conn:
        row = conn.execute(f"SELECT count(*) FROM record WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def refused_with(url: str, sql: str) -> str:
    """Run `sql` straight on the server; it must fail with one of medtrack's trigger messages."""
    with psycopg.connect(conninfo(url)) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(sql)
    assert caught.value.diag.sqlstate in ("P0001", "23505", "23514", CHECK_STATE), caught.value
    return str(caught.value.diag.message_primary)


# -- the schema's safety net -------------------------------------------------------------


@pytest.mark.parametrize(("sql", "message"), [
    ("DELETE FROM record", "medtrack: records are append-only"),
    ("TRUNCATE record CASCADE", "medtrack: records are append-only"),
    ("DELETE FROM profile_version", "medtrack: profile versions are append-only"),
    ("UPDATE regimen SET prescriber = 'x'", "medtrack: regimens are append-only"),
    ("DELETE FROM regimen_step", "medtrack: regimens are append-only"),
    ("UPDATE patient SET created_at_utc = 0", "medtrack: the patient record is append-only"),
    ("UPDATE record SET note = 'edited'", "medtrack: the only change a record allows is voiding"),
    ("UPDATE record SET voided = true, dose_ug = 2000", "medtrack: the only change a record allows is voiding"),
    ("DELETE FROM migration_log", "medtrack: the migration log is append-only"),
])
@pytest.mark.slow
def test_the_triggers_refuse_with_the_same_messages_as_on_sqlite(logged: str, sql: str, message: str) -> None:
    assert refused_with(logged, sql) == message
    assert count(logged) == 1


@pytest.mark.slow
def test_voiding_is_the_one_update_and_happens_once(logged: str) -> None:
    with psycopg.connect(conninfo(logged)) as conn:
        conn.execute("UPDATE record SET voided = true WHERE id = 1")
    assert refused_with(logged, "UPDATE record SET voided = false WHERE id = 1") == (
        "medtrack: the only change a record allows is voiding")


@pytest.mark.slow
def test_the_unique_index_and_the_12_hour_trigger_hold_below_the_rules(logged: str) -> None:
    """Below the server's checks (which refuse an unflagged second dose first), a dose that says
    which rule it broke still meets the one-per-night index and the 12 hours."""
    insert = ("INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, rule, recorded_at_utc, "
              "patient_id) VALUES ('dose', '{night}', {at}, 'Europe/Berlin', 1000, 1000, {rule}, 0, 1)")
    with psycopg.connect(conninfo(logged)) as conn, pytest.raises(psycopg.errors.UniqueViolation) as caught:
        conn.execute(insert.format(night="2026-11-25", at=DOSE_AT + 43200, rule="'one-dose-per-night'"))
    assert caught.value.diag.constraint_name == "record_one_per_night"
    assert refused_with(logged, insert.format(night="2026-11-25", at=DOSE_AT + 43140, rule="'x'")) == (
        "medtrack: doses must be 12 hours apart")
    with psycopg.connect(conninfo(logged)) as conn:  # the next night's dose, 14 hours on
        conn.execute(insert.format(night="2026-11-26", at=DOSE_AT + 14 * 3600, rule="NULL"))
    assert count(logged) == 2


@pytest.mark.slow
def test_a_temporary_table_cannot_hide_the_schema_checks(logged: str) -> None:
    """A session's own temporary `record` (searched first unless a function says otherwise)
    neither hides the 12-hour check nor receives the void trigger's update."""
    with psycopg.connect(conninfo(logged)) as conn:
        conn.execute("CREATE TEMPORARY TABLE record (LIKE public.record)")
        with pytest.raises(psycopg.Error) as caught:
            conn.execute("INSERT INTO public.record (kind, night, at_utc, zone, dose_ug, recorded_at_utc, "
                         f"patient_id) VALUES ('dose', '2026-11-25', {DOSE_AT + 3600}, 'UTC', 1000, 0, 1)")
        assert "12 hours apart" in str(caught.value)
    with psycopg.connect(conninfo(logged)) as conn:
        conn.execute("CREATE TEMPORARY TABLE record (LIKE public.record)")
        conn.execute("INSERT INTO public.record (kind, night, at_utc, zone, voids, note, recorded_at_utc, "
                     f"patient_id) VALUES ('void', '2026-11-25', {DOSE_AT + 3600}, 'UTC', 1, 'test', 0, 1)")
        assert conn.execute("SELECT voided FROM public.record WHERE id = 1").fetchone() == (True,)


@pytest.mark.slow
def test_the_schema_nets_are_refusals_through_the_repository(logged: str) -> None:
    """If a bug above let a second dose through, the database still refuses it (exit 3)."""
    from medtrack.core.model import Record, RecordKind

    db = Database(parse_location(logged))
    try:
        for night, at, rule in (("2026-11-25", IN_WINDOW + dt.timedelta(hours=12), "one-dose-per-night"),
                                ("2026-11-25", IN_WINDOW + dt.timedelta(hours=11), "12-hour-gap")):
            with pytest.raises(Refused) as caught, db.unit_of_work(Work.WRITE_PATIENT) as repo:
                repo.add_record(Record(id=0, kind=RecordKind.DOSE, night=dt.date.fromisoformat(night), at=at,
                                       zone="Europe/Berlin", dose_ug=1000, scheduled_ug=1000),
                                recorded_at=at)
            assert caught.value.rule == rule
    finally:
        db.dispose()
    assert count(logged) == 1


# -- opening: schema versions and the server's errors ----------------------------------


@pytest.mark.slow
def test_an_empty_database_is_no_profile_and_a_newer_schema_is_exit_4(pg_server: Any, patient_url: str) -> None:
    with pytest.raises(NoProfile):
        Database(parse_location(pg_server.create_database("empty")))
    with psycopg.connect(conninfo(patient_url)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    with pytest.raises(StorageProblem) as caught:
        Database(parse_location(patient_url))
    assert "newer medtrack" in caught.value.message
    assert count(patient_url) == 0


def test_a_server_that_is_not_there_is_exit_4(tmp_path: Any) -> None:
    with pytest.raises(StorageProblem) as caught:
        Database(ServerUrl(f"postgresql+psycopg://nobody@/nothing?host={tmp_path}"))
    assert "connection to the database server" in caught.value.message


@pytest.mark.slow
def test_a_connection_lost_mid_command_is_exit_4_and_nothing_is_written(patient_url: str) -> None:
    from medtrack.core.model import Record, RecordKind

    db = Database(parse_location(patient_url))
    try:
        with pytest.raises(StorageProblem) as caught, db.unit_of_work(Work.WRITE_PATIENT) as repo:
            repo.add_record(Record(id=0, kind=RecordKind.SKIP, night=dt.date(2026, 11, 20), at=IN_WINDOW,
                                   zone="Europe/Berlin", scheduled_ug=1000), recorded_at=IN_WINDOW)
            pid = repo.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with psycopg.connect(conninfo(patient_url), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            repo.session.flush()
            repo.add_record(Record(id=0, kind=RecordKind.SKIP, night=dt.date(2026, 11, 21), at=IN_WINDOW,
                                   zone="Europe/Berlin", scheduled_ug=1000), recorded_at=IN_WINDOW)
        assert "connection" in caught.value.message and caught.value.exit_code == 4
        log_dose(db, IN_WINDOW, DoseRequest())  # the pool recovers: the next command works
    finally:
        db.dispose()
    assert count(patient_url, "kind = 'skip'") == 0
    assert count(patient_url, "kind = 'dose'") == 1


@pytest.mark.slow
def test_a_server_restart_mid_command_is_exit_4_and_the_next_command_works(pg_server: Any) -> None:
    from medtrack.core.model import Record, RecordKind

    url = patient_database(pg_server)
    db = Database(parse_location(url))
    try:
        with pytest.raises(StorageProblem) as caught, db.unit_of_work(Work.WRITE_PATIENT) as repo:
            repo.add_record(Record(id=0, kind=RecordKind.SKIP, night=dt.date(2026, 11, 20), at=IN_WINDOW,
                                   zone="Europe/Berlin", scheduled_ug=1000), recorded_at=IN_WINDOW)
            pg_server.restart()
            repo.add_record(Record(id=0, kind=RecordKind.SKIP, night=dt.date(2026, 11, 21), at=IN_WINDOW,
                                   zone="Europe/Berlin", scheduled_ug=1000), recorded_at=IN_WINDOW)
        assert caught.value.exit_code == 4 and "nothing was written" in caught.value.message
        log_dose(db, IN_WINDOW, DoseRequest())  # the pool's dead connection is replaced: the next command works
    finally:
        db.dispose()
    assert count(url, "kind = 'skip'") == 0
    assert count(url, "kind = 'dose'") == 1


@pytest.mark.slow
def test_the_cli_takes_a_url_and_refuses_backup_and_restore(patient_url: str, monkeypatch: Any,
                                                            capsys: Any) -> None:
    from medtrack.cli import main

    monkeypatch.setenv("MEDTRACK_NOW", IN_WINDOW.isoformat())
    monkeypatch.delenv("MEDTRACK_DB", raising=False)
    postgres_url = patient_url.replace("postgresql+psycopg://", "postgresql://")
    assert main(["--db", postgres_url, "log"]) == 0
    for argv in (["backup", "/tmp/x.db"], ["restore", "/tmp/x.db"]):
        capsys.readouterr()
        code = main(["--db", patient_url, *argv])
        err = capsys.readouterr().err
        assert code == 2, err
        assert ("pg_dump" if argv[0] == "backup" else "pg_restore") in err
    assert count(patient_url, "kind = 'dose'") == 1


# -- many processes ------------------------------------------------------------------------

WORKERS = 8
ROUNDS = 20


def _log_rounds(url: str, barrier: Any, results: Any) -> None:  # runs in a child process
    import medtrack.services.dosing as dosing
    from medtrack.core.rules import NightFacts
    from medtrack.errors import MedtrackError
    from medtrack.services.nights import night_facts as real  # what dosing calls

    def slow_facts(*args: Any, **kwargs: Any) -> NightFacts:
        facts = real(*args, **kwargs)
        time.sleep(0.02)  # widen the gap between the check and the insert
        return facts

    pytest.MonkeyPatch().setattr(dosing, "night_facts", slow_facts)  # this child process ends after
    database = Database(parse_location(url))
    for round_ in range(ROUNDS):
        now = IN_WINDOW - dt.timedelta(days=ROUNDS - 1 - round_)
        barrier.wait()
        try:
            dosing.log_dose(database, now, dosing.DoseRequest())
            results.put((round_, 0))
        except MedtrackError as error:
            results.put((round_, error.exit_code))
    database.dispose()


@pytest.mark.slow
def test_eight_processes_logging_the_same_night_give_one_dose_twenty_rounds(patient_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_log_rounds, args=(patient_url, barrier, results)) for _ in range(WORKERS)]
    for proc in procs:
        proc.start()
    codes: dict[int, list[int]] = {}
    for _ in range(WORKERS * ROUNDS):
        round_, code = results.get(timeout=120)
        codes.setdefault(round_, []).append(code)
    for proc in procs:
        proc.join(30)
    assert all(sorted(c) == [0] + [3] * (WORKERS - 1) for c in codes.values()), codes
    with psycopg.connect(conninfo(patient_url)) as conn:
        per_night = conn.execute("SELECT night, count(*) FROM record WHERE kind = 'dose' GROUP BY night").fetchall()
    assert len(per_night) == ROUNDS and all(n == 1 for _, n in per_night), per_night


PATIENTS = 50


def _log_every_patient(url: str, barrier: Any, results: Any, seed: int) -> None:  # a child process
    import random

    import medtrack.services.dosing as dosing
    from medtrack.errors import MedtrackError

    database = Database(parse_location(url))
    views = {n: database.for_patient(n) for n in range(1, PATIENTS + 1)}
    # Night 1: all eight processes log the same patient at once, patient after patient.
    for number in range(1, PATIENTS + 1):
        barrier.wait()
        try:
            dosing.log_dose(views[number], IN_WINDOW - dt.timedelta(days=1), dosing.DoseRequest())
            results.put((1, number, 0))
        except MedtrackError as error:
            results.put((1, number, error.exit_code))
    # Night 2: each process goes through the ward in its own order, all at the same time.
    order = list(views)
    random.Random(seed).shuffle(order)
    barrier.wait()
    for number in order:
        try:
            dosing.log_dose(views[number], IN_WINDOW, dosing.DoseRequest())
            results.put((2, number, 0))
        except MedtrackError as error:
            results.put((2, number, error.exit_code))
    database.dispose()


def ward_database(server: Server) -> str:
    """A database with PATIENTS patients, each on 1 mg from 2026-11-01."""
    url = server.create_database("ward")
    location = parse_location(url)
    for number in range(1, PATIENTS + 1):
        init_profile(location, SET_UP, ProfileChanges(name=f"Patient {number:02d}", born="1960-05-01",
                                                      zone="Europe/Berlin"), "UTC", add_patient=True,
                     clock=fixed_clock(SET_UP))
    db = Database(location)
    try:
        for number in range(1, PATIENTS + 1):
            prescribe(db.for_patient(number), SET_UP, PrescriptionRequest(
                dose="1mg", prescriber="Dr. Weiss", start="2026-11-01"))
    finally:
        db.dispose()
    return url


@pytest.mark.slow
def test_fifty_patients_eight_processes_each_give_one_dose_per_patient(pg_server: Any) -> None:
    url = ward_database(pg_server)
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=_log_every_patient, args=(url, barrier, results, seed))
             for seed in range(WORKERS)]
    for proc in procs:
        proc.start()
    codes: dict[tuple[int, int], list[int]] = {}
    for _ in range(2 * WORKERS * PATIENTS):
        night, number, code = results.get(timeout=300)
        codes.setdefault((night, number), []).append(code)
    for proc in procs:
        proc.join(30)
    assert len(codes) == 2 * PATIENTS
    assert all(sorted(c) == [0] + [3] * (WORKERS - 1) for c in codes.values()), codes
    with psycopg.connect(conninfo(url)) as conn:
        doses = conn.execute("SELECT patient_id, night, count(*) FROM record WHERE kind = 'dose' "
                             "GROUP BY patient_id, night").fetchall()
    assert len(doses) == 2 * PATIENTS and all(n == 1 for _, _, n in doses), doses


@pytest.mark.slow
def test_a_write_locks_only_its_own_patient(pg_server: Any) -> None:
    """While one patient's write transaction is open, another patient's dose goes through at
    once; the same patient's waits for the lock and, past lock_timeout, is busy (exit 4)."""
    url = pg_server.create_database("lock")
    location = parse_location(url)
    for name in ("Ada", "Bruno"):
        init_profile(location, SET_UP, ProfileChanges(name=name, born="1970-05-01", zone="Europe/Berlin"),
                     "UTC", add_patient=True, clock=fixed_clock(SET_UP))
    db = Database(location)
    try:
        for number in (1, 2):
            prescribe(db.for_patient(number), SET_UP, PrescriptionRequest(
                dose="1mg", prescriber="Dr. Weiss", start="2026-11-01"))
        with db.for_patient(1).unit_of_work(Work.WRITE_PATIENT) as repo:  # holds patient 1's row lock until the end
            repo.profile()
            started = time.perf_counter()
            log_dose(db.for_patient(2), IN_WINDOW, DoseRequest())
            assert time.perf_counter() - started < 2
            with pytest.raises(StorageProblem) as caught:
                log_dose(db.for_patient(1), IN_WINDOW, DoseRequest())
            assert "busy" in caught.value.message
        log_dose(db.for_patient(1), IN_WINDOW, DoseRequest())  # released: the next command works
    finally:
        db.dispose()
    with psycopg.connect(conninfo(url)) as conn:
        assert conn.execute("SELECT patient_id FROM record ORDER BY id").fetchall() == [(2,), (1,)]


HALF_WRITTEN = """
import datetime as dt, sys, time
from medtrack.core.model import Record
from medtrack.location import parse_location
from medtrack.storage.database import Database
from medtrack.storage.work import Work
db = Database(parse_location(sys.argv[1]))
with db.unit_of_work(Work.WRITE_PATIENT) as repo:
    at = dt.datetime.fromisoformat(sys.argv[2])
    for night in ("2026-11-20", "2026-11-21"):
        repo.add_record(Record(id=0, kind="skip", night=dt.date.fromisoformat(night), at=at,
                               zone="Europe/Berlin", scheduled_ug=1000), recorded_at=at)
    print("written, not committed", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_a_process_killed_mid_transaction_leaves_nothing_and_holds_no_lock(patient_url: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", HALF_WRITTEN, patient_url, IN_WINDOW.isoformat()],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "written, not committed"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    db = Database(parse_location(patient_url))
    try:
        started = time.monotonic()
        log_dose(db, IN_WINDOW, DoseRequest())  # the write lock went with the dead connection
        assert time.monotonic() - started < 5
    finally:
        db.dispose()
    assert count(patient_url, "kind = 'skip'") == 0
    assert count(patient_url, "kind = 'dose'") == 1


# -- schema migrations on the server --------------------------------------------------------


@pytest.mark.slow
def test_db_upgrade_creates_the_schema_and_migrates_an_older_one(pg_server: Any, monkeypatch: Any,
                                                                 capsys: Any) -> None:
    from medtrack.cli import main
    from medtrack.storage.migrate import upgrade
    from medtrack.storage.postgres import make_engine

    monkeypatch.setenv("MEDTRACK_NOW", IN_WINDOW.isoformat())
    empty = pg_server.create_database("up")
    assert main(["--db", empty, "db", "upgrade"]) == 0
    assert f"from version 0 to {SCHEMA_VERSION}" in capsys.readouterr().out
    assert main(["--db", empty, "db", "upgrade"]) == 0
    assert f"up to date (version {SCHEMA_VERSION})" in capsys.readouterr().out
    with psycopg.connect(conninfo(empty)) as conn:  # made under MEDTRACK_NOW: a fixed clock's
        assert conn.execute("SELECT fixed FROM database_clock").fetchall() == [(True,)]

    old = pg_server.create_database("old")  # schema 1, with a profile and a dose in it
    engine = make_engine(ServerUrl(old))
    upgrade(engine, ServerUrl(old), from_version=0, to_version=1)
    engine.dispose()
    with psycopg.connect(conninfo(old)) as conn:
        conn.execute("INSERT INTO profile_version (recorded_at_utc, name, born, zone, bedtime, wake, liver, "
                     "renal, pregnant, breastfeeding, conditions, min_sleep_min, change) VALUES (0, 'Ada', "
                     "'1970-05-01', 'Europe/Berlin', '22:30', '06:30', 'none', false, false, false, '', 420, "
                     "'created')")
        conn.execute("INSERT INTO record (kind, night, at_utc, zone, dose_ug, recorded_at_utc) "
                     f"VALUES ('skip', '2026-11-24', {DOSE_AT - 86400}, 'Europe/Berlin', NULL, 0)")
    # made before schema 7 kept the mark, so under the real clock: MEDTRACK_NOW would be refused
    monkeypatch.delenv("MEDTRACK_NOW")
    assert main(["--db", old, "db", "upgrade"]) == 0
    assert f"from version 1 to {SCHEMA_VERSION}" in capsys.readouterr().out
    with psycopg.connect(conninfo(old)) as conn:
        assert conn.execute("SELECT count(*) FROM patient").fetchone() == (1,)
        assert conn.execute("SELECT language FROM profile_version").fetchall() == [("",)]  # schema 10
        assert conn.execute("SELECT night, imported, not_taken FROM record").fetchall() == [
            ("2026-11-24", False, False)]
        assert conn.execute("SELECT from_version, to_version, backup FROM migration_log").fetchall() == [
            (1, SCHEMA_VERSION, None)]
        assert conn.execute("SELECT fixed FROM database_clock").fetchall() == [(False,)]
