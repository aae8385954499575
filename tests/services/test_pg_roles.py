"""A ward's roles on PostgreSQL (`medtrack db roles`): a nurse records, a prescriber prescribes, and
the server itself, not medtrack, refuses to let either change or delete a record.

Each test signs in as LOGIN roles in the groups (nurse_x, prescriber_x) over the throwaway
server's Unix socket (trust auth); skipped, with the reason, where the PostgreSQL binaries are missing.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from pg_server import BIN

NURSE = "nurse_x"
PRESCRIBER = "prescriber_x"
SET_UP_AT = "2026-11-01T12:00+01:00"
EVENING = "2026-11-25T22:40+01:00"
NEXT_EVENING = "2026-11-26T21:00+01:00"
TABLES = ("patient", "profile_version", "regimen", "regimen_step", "record", "symptom", "stock",
          "prescriber_lock", "migration_log", "alembic_version")
APPEND_ONLY = ("patient", "profile_version", "regimen", "regimen_step", "record", "symptom", "stock",
               "migration_log", "alembic_version", "doctor_report")
postgres = pytest.mark.postgres


@dataclass
class Ward:
    """A ward database on the test server, its owner's URL, and the CLI run as anyone."""

    server: Any
    name: str
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def url(self, user: str | None = None) -> str:
        return f"postgresql+psycopg://{user or self.server.role}@/{self.name}?host={self.server.socket}"

    def conninfo(self, user: str | None = None) -> str:
        return make_conninfo(host=str(self.server.socket), user=user or self.server.role, dbname=self.name)

    def __call__(self, *argv: str, user: str | None = None, now: str = EVENING) -> tuple[int, str, str]:
        """`medtrack --db URL argv...` signed in as `user` (None: the owner): code, stdout, stderr."""
        from medtrack.cli import main

        self.monkeypatch.setenv("MEDTRACK_NOW", now)
        self.capsys.readouterr()
        code = main(["--db", self.url(user), *argv])
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err
        if code:
            assert len(captured.err.splitlines()) == 1 and captured.err.startswith("medtrack: "), captured.err
        return code, captured.out, captured.err

    def ok(self, *argv: str, user: str | None = None, now: str = EVENING) -> str:
        code, out, err = self(*argv, user=user, now=now)
        assert code == 0, (argv, user, err)
        return out

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.conninfo()) as conn:
            return conn.execute(sql).fetchall()

    def counts(self) -> dict[str, int]:
        return {table: self.rows(f"SELECT count(*) FROM {table}")[0][0] for table in TABLES}

    def acls(self) -> list[tuple[Any, ...]]:
        return self.rows("SELECT relname, relacl::text FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                         "AND relkind = 'r' ORDER BY relname")


def _login_roles(server: Any) -> None:
    """nurse_x and prescriber_x, members of the groups (the cluster keeps them for the session)."""
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        for user, group in ((NURSE, "medtrack_nurse"), (PRESCRIBER, "medtrack_prescriber")):
            conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') "
                         f"THEN CREATE ROLE {user} LOGIN; END IF; END $$")
            conn.execute(f"GRANT {group} TO {user}")


@pytest.fixture
def wards(pg_server: Any, monkeypatch: pytest.MonkeyPatch,
          capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[str | None], Ward]]:
    """Makes ward databases: the owner sets up a patient on 1 mg and applies the roles."""
    from medtrack.storage.database import Database

    monkeypatch.setenv("TZ", "UTC")
    for name in ("MEDTRACK_DB", "MEDTRACK_NOW", "MEDTRACK_DEBUG", "MEDTRACK_USER", "MEDTRACK_PATIENT"):
        monkeypatch.delenv(name, raising=False)
    opened: list[Database] = []
    original_init = Database.__init__

    def tracking_init(self: Database, *args: Any, **kwargs: Any) -> None:
        opened.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(Database, "__init__", tracking_init)

    def new(database: str | None) -> Ward:
        if database is None:
            database = pg_server.create_database("roles").split("@/", 1)[1].split("?")[0]
        else:
            with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{database.replace(chr(34), chr(34) * 2)}"')
        ward = Ward(pg_server, database, monkeypatch, capsys)
        ward.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP_AT)
        ward.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
                now=SET_UP_AT)
        ward.ok("db", "roles", "--apply")
        _login_roles(pg_server)
        return ward

    yield new
    for database in opened:
        if hasattr(database, "engine"):
            database.dispose()


@pytest.fixture
def ward(wards: Callable[[str | None], Ward]) -> Ward:
    return wards(None)


def denied(ward: Ward, user: str, sql: str) -> None:
    """`sql`, run straight on the server as `user`, is refused for want of a privilege."""
    with psycopg.connect(ward.conninfo(user)) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql)


# -- through the medtrack command line -------------------------------------------------


@postgres
@pytest.mark.slow
def test_a_nurse_records_doses_skips_voids_symptoms_and_stock_as_herself(ward: Ward) -> None:
    ward.ok("log", user=NURSE)
    ward.ok("skip", "--night", "2026-11-26", "--note", "asleep early", user=NURSE, now=NEXT_EVENING)
    ward.ok("void", "2", "--reason", "entered for the wrong night", user=NURSE, now=NEXT_EVENING)
    ward.ok("symptom", "headache", "--severity", "2", user=NURSE)
    ward.ok("stock", "add", "30x1mg", user=NURSE)
    # The void marked its record although a nurse may not UPDATE one (the schema's trigger did).
    assert ward.rows("SELECT id, kind, voided, recorded_by FROM record ORDER BY id") == [
        (1, "dose", False, NURSE), (2, "skip", True, NURSE), (3, "void", False, NURSE)]
    assert ward.rows("SELECT recorded_by FROM symptom") == [(NURSE,)]
    assert ward.rows("SELECT recorded_by FROM stock") == [(NURSE,)]
    history = json.loads(ward.ok("history", "--json", user=NURSE))
    assert [(r["id"], r["kind"], r["voided"]) for r in history] == [(1, "dose", False), (2, "skip", True)]
    if "recorded_by" in history[0]:  # `history --json` may name who entered each record
        assert {r["recorded_by"] for r in history} == {NURSE}


@postgres
@pytest.mark.slow
def test_a_nurse_writes_the_report_for_the_doctor_and_the_server_keeps_that_she_did(ward: Ward,
                                                                                   tmp_path: Path) -> None:
    ward.ok("log", user=NURSE)
    out = ward.ok("export", "--format", "pdf", "-o", str(tmp_path / "visit.pdf"), user=NURSE)
    assert "(25 nights), the whole record, shorter than 90 nights" in out
    assert ward.rows("SELECT format, first_night, last_night, basis, recorded_by, entered_by FROM doctor_report") == [
        ("pdf", "2026-11-01", "2026-11-25", "recent", NURSE, NURSE)]
    later = ward.ok("export", "--format", "pdf", "-o", str(tmp_path / "later.pdf"), user=PRESCRIBER,
                    now="2026-12-02T20:00+01:00")
    assert "nights 2026-11-25 to 2026-12-02 (8 nights), since the last report to the doctor, written on " \
           "2026-11-25" in later


@postgres
@pytest.mark.parametrize("argv", [
    ("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-26"),
    ("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
     "--prescriber", "Dr. Weiss"),
    ("lock", "--pin", "4821"),
    ("profile", "set", "--bedtime", "23:00"),
    ("init", "--add-patient", "--name", "Ben Beispiel", "--born", "1960-02-02", "--tz", "Europe/Berlin"),
], ids=lambda argv: " ".join(argv[:2]))
@pytest.mark.slow
def test_a_nurse_cannot_prescribe_and_nothing_is_written(ward: Ward, argv: tuple[str, ...]) -> None:
    before = ward.counts()
    code, _out, err = ward(*argv, user=NURSE)
    assert code == 3, err  # a refusal by the server's rules, naming the login, not a storage fault
    assert "refused (role permissions)" in err and "nothing was written" in err
    assert f"login {NURSE} may not" in err
    assert ward.counts() == before


@postgres
@pytest.mark.slow
def test_a_prescriber_prescribes_sets_the_pin_and_records(ward: Ward) -> None:
    ward.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-26", user=PRESCRIBER)
    ward.ok("lock", "--pin", "4821", user=PRESCRIBER)
    ward.ok("taper", "set", "--start", "2026-12-01", "--from", "0.5mg", "--step", "0.25mg", "--every", "2w",
            "--prescriber", "Dr. Weiss", "--reason", "plan agreed", "--pin", "4821", user=PRESCRIBER)
    ward.ok("log", user=PRESCRIBER, now=NEXT_EVENING)
    assert ward.rows("SELECT count(*) FROM regimen")[0][0] == 3
    assert ward.rows("SELECT kind, dose_ug, recorded_by FROM record") == [("dose", 500, PRESCRIBER)]


# -- straight SQL: the server refuses, not medtrack --------------------------------------


@postgres
@pytest.mark.parametrize("user", [NURSE, PRESCRIBER])
@pytest.mark.slow
def test_nobody_may_change_delete_or_truncate_an_append_only_table(ward: Ward, user: str) -> None:
    ward.ok("log", user=NURSE)
    for table in APPEND_ONLY:
        column = "uuid" if table == "patient" else "version_num" if table == "alembic_version" else "id"
        denied(ward, user, f"UPDATE {table} SET {column} = {column}")
        denied(ward, user, f"DELETE FROM {table}")
        denied(ward, user, f"TRUNCATE {table}")
        denied(ward, user, f"TRUNCATE {table} CASCADE")
    denied(ward, user, "UPDATE record SET voided = true")
    denied(ward, user, "UPDATE record SET note = 'edited' WHERE id = 1")
    denied(ward, user, "DELETE FROM prescriber_lock")
    denied(ward, user, "INSERT INTO migration_log (at_utc, from_version, to_version) VALUES (0, 6, 7)")
    assert ward.rows("SELECT id, voided, note FROM record") == [(1, False, None)]


@postgres
@pytest.mark.slow
def test_the_row_lock_column_is_the_only_update_and_the_schema_refuses_it(ward: Ward) -> None:
    """The per-patient lock (SELECT ... FOR UPDATE) needs UPDATE on one column of patient."""
    with psycopg.connect(ward.conninfo(NURSE)) as conn:
        assert conn.execute("SELECT id FROM patient WHERE id = 1 FOR UPDATE").fetchall() == [(1,)]
    with psycopg.connect(ward.conninfo(NURSE)) as conn, pytest.raises(psycopg.errors.RaiseException):
        conn.execute("UPDATE patient SET created_at_utc = 0")


@postgres
@pytest.mark.slow
def test_a_nurse_cannot_read_the_pin_hash_or_write_the_lock(ward: Ward) -> None:
    ward.ok("lock", "--pin", "4821", user=PRESCRIBER)
    with psycopg.connect(ward.conninfo(NURSE)) as conn:
        assert conn.execute("SELECT failures FROM prescriber_lock").fetchall() == [(0,)]
    denied(ward, NURSE, "SELECT pin_hash FROM prescriber_lock")
    denied(ward, NURSE, "UPDATE prescriber_lock SET failures = 0")
    denied(ward, NURSE, "INSERT INTO prescriber_lock (patient_id, changed_at_utc) VALUES (1, 0)")
    with psycopg.connect(ward.conninfo(PRESCRIBER)) as conn:
        assert conn.execute("SELECT pin_hash IS NOT NULL FROM prescriber_lock").fetchall() == [(True,)]


@postgres
@pytest.mark.parametrize("user", [NURSE, PRESCRIBER])
@pytest.mark.slow
def test_no_role_may_shadow_a_table_from_the_schemas_trigger_functions(ward: Ward, user: str) -> None:
    """A temporary table `record` would come first on the trigger functions' search path: it
    could hide the 12-hour check, and take over the void's trigger, which runs as the owner."""
    denied(ward, user, "CREATE TEMPORARY TABLE record (id bigint)")
    denied(ward, user, "CREATE TABLE public.shadow (id bigint)")


# -- the command itself --------------------------------------------------------------------


@postgres
@pytest.mark.slow
def test_applying_twice_is_fine_and_puts_back_what_was_changed_by_hand(ward: Ward) -> None:
    applied = ward.acls()
    assert dict(applied)["record"].count("medtrack_nurse=ar/") == 1
    with psycopg.connect(ward.conninfo(), autocommit=True) as conn:
        conn.execute("GRANT UPDATE, DELETE ON record TO medtrack_nurse")
        conn.execute("GRANT ALL ON stock TO PUBLIC")
    code, out, _err = ward("db", "roles", "--apply")
    assert code == 0 and "medtrack_nurse" in out and "CREATE ROLE anna LOGIN" in out
    assert ward.acls() == applied


@postgres
@pytest.mark.slow
def test_the_printed_statements_run_in_psql(pg_server: Any, wards: Callable[[str | None], Ward]) -> None:
    """A database with an awkward name, set up by psql from what `db roles` prints."""
    psql = BIN / "psql"
    if not psql.exists():
        pytest.skip(f"no psql in {BIN}")
    ward = wards('ward 7 "east" 100%')
    applied = ward.acls()
    out = ward.ok("db", "roles", user=NURSE)  # reading the statements needs no privilege
    assert out.startswith("-- ") and "CREATE ROLE anna LOGIN; GRANT medtrack_nurse TO anna;" in out
    sql = [line for line in out.splitlines() if not line.startswith("--")]
    assert sql[0] == "BEGIN;" and sql[-1] == "COMMIT;" and all(line.endswith(";") for line in sql)
    with psycopg.connect(ward.conninfo(), autocommit=True) as conn:
        conn.execute("GRANT DELETE ON record TO medtrack_nurse")
    done = subprocess.run([str(psql), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(pg_server.socket),
                           "-U", pg_server.role, "-d", ward.name], input=out, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert ward.acls() == applied
    ward.ok("log", user=NURSE)


@postgres
@pytest.mark.slow
def test_applying_needs_the_owner(ward: Ward) -> None:
    code, _out, err = ward("db", "roles", "--apply", user=PRESCRIBER)
    assert code == 3 and "role permissions" in err, err


def test_a_sqlite_file_has_no_roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    from medtrack.cli import main

    monkeypatch.setenv("MEDTRACK_NOW", SET_UP_AT)
    db = str(tmp_path / "medtrack.db")
    assert main(["--db", db, "init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin"]) == 0
    for argv in (["db", "roles"], ["db", "roles", "--apply"]):
        capsys.readouterr()
        assert main(["--db", db, *argv]) == 2
        assert capsys.readouterr().err == ("medtrack: roles are PostgreSQL's; a SQLite file is protected by its "
                                           "file permissions (0600)\n")
