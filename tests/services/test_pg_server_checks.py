"""A ward's server checks what medtrack checks, whatever client writes: a nurse or prescriber
with `psql` (here: psycopg signed in as the role, raw SQL) cannot record what `log`, `void`,
`stock` or `symptom` would refuse.

The ward is a real-clock database (made without MEDTRACK_NOW), so the server's own clock is the
clock: the times below are relative to the server's now, the way a nurse at the ward writes them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.conninfo import make_conninfo

from medtrack.core.nights import night_of

NURSE = "nurse_y"
PRESCRIBER = "prescriber_y"
ZONE = "Europe/Berlin"
BERLIN = ZoneInfo(ZONE)
postgres = pytest.mark.postgres


@dataclass
class RealWard:
    server: Any
    name: str
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def url(self, user: str | None = None) -> str:
        return f"postgresql+psycopg://{user or self.server.role}@/{self.name}?host={self.server.socket}"

    def connect(self, user: str | None = None) -> psycopg.Connection[Any]:
        return psycopg.connect(make_conninfo(host=str(self.server.socket), user=user or self.server.role,
                                             dbname=self.name))

    def __call__(self, *argv: str, user: str | None = None) -> tuple[int, str, str]:
        """`medtrack --db URL argv...` on the real clock, signed in as `user` (None: the owner)."""
        from medtrack.cli import main

        self.monkeypatch.delenv("MEDTRACK_NOW", raising=False)
        self.capsys.readouterr()
        code = main(["--db", self.url(user), *argv])
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err

    def ok(self, *argv: str, user: str | None = None) -> str:
        code, out, err = self(*argv, user=user)
        assert code == 0, (argv, err)
        return out

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return conn.execute(sql, params).fetchall()

    def server_now(self) -> dt.datetime:
        now = self.rows("SELECT now()")[0][0]
        assert isinstance(now, dt.datetime), now
        return now.astimezone(BERLIN)


@pytest.fixture
def ward(pg_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[RealWard]:
    for name in ("MEDTRACK_DB", "MEDTRACK_NOW", "MEDTRACK_DEBUG", "MEDTRACK_USER", "MEDTRACK_PATIENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TZ", "UTC")
    name = pg_server.create_database("checks").split("@/", 1)[1].split("?")[0]
    ward = RealWard(pg_server, name, monkeypatch, capsys)
    start = (ward.server_now() - dt.timedelta(days=20)).date()
    ward.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", ZONE)
    ward.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", start.isoformat())
    ward.ok("db", "roles", "--apply")
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        for user, group in ((NURSE, "medtrack_nurse"), (PRESCRIBER, "medtrack_prescriber")):
            conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') "
                         f"THEN CREATE ROLE {user} LOGIN; END IF; END $$")
            conn.execute(f"GRANT {group} TO {user}")
    yield ward


def night_at(ward: RealWard, nights_ago: int, clock: str = "22:40") -> tuple[str, int]:
    """A night some nights before the server's tonight, and an instant of its evening."""
    now = ward.server_now()
    night = night_of(now, BERLIN) - dt.timedelta(days=nights_ago)
    local = dt.datetime.combine(night, dt.time.fromisoformat(clock), BERLIN)
    return night.isoformat(), int(local.timestamp())


def dose(**values: Any) -> tuple[str, dict[str, Any]]:
    row = {"patient_id": 1, "kind": "dose", "zone": ZONE, "dose_ug": 1000, "scheduled_ug": 1000,
           "already_taken": False, "voided": False, "not_taken": False, "imported": False,
           "recorded_at_utc": 0, "recorded_by": NURSE, **values}
    columns = ", ".join(row)
    marks = ", ".join(f"%({c})s" for c in row)
    return f"INSERT INTO record ({columns}) VALUES ({marks}) RETURNING id", row


def insert(ward: RealWard, user: str, table_sql: tuple[str, dict[str, Any]]) -> int:
    sql, row = table_sql
    with ward.connect(user) as conn:
        inserted = conn.execute(sql, row).fetchone()
        assert inserted is not None
        return int(inserted[0])


def refused(ward: RealWard, user: str, table_sql: tuple[str, dict[str, Any]], words: str) -> None:
    """The server refuses the row with its own check's message; nothing is written."""
    before = ward.rows("SELECT count(*) FROM record")
    with pytest.raises(psycopg.Error) as caught:
        insert(ward, user, table_sql)
    assert caught.value.sqlstate == "MTCHK", caught.value
    assert words in str(caught.value), caught.value
    assert ward.rows("SELECT count(*) FROM record") == before


@postgres
@pytest.mark.slow
def test_a_dose_a_nurse_writes_by_hand_as_medtrack_would_is_kept_with_who_and_when_from_the_server(
        ward: RealWard) -> None:
    night, at = night_at(ward, 2)
    made = insert(ward, NURSE, dose(night=night, at_utc=at, recorded_by="Dr. Colleague",
                                    recorded_at_utc=86400))
    (entered_by, recorded_by, recorded_at), = ward.rows(
        "SELECT entered_by, recorded_by, recorded_at_utc FROM record WHERE id = %s", made)
    assert entered_by == NURSE and recorded_by == "Dr. Colleague"  # --by kept beside the login
    assert abs(recorded_at - ward.server_now().timestamp()) < 60  # the server's clock, not 1970
    history = json.loads(ward.ok("history", "--json", user=NURSE))
    assert made in [r["id"] for r in history]


@postgres
@pytest.mark.slow
def test_a_second_dose_labelled_the_next_night_is_refused(ward: RealWard) -> None:
    night, at = night_at(ward, 3)
    insert(ward, NURSE, dose(night=night, at_utc=at))
    next_night = (dt.date.fromisoformat(night) + dt.timedelta(days=1)).isoformat()
    refused(ward, NURSE, dose(night=next_night, at_utc=at + 12 * 3600), "belongs to the night")


@postgres
@pytest.mark.slow
def test_a_dose_above_the_schedule_or_the_ceiling_is_kept_only_flagged(ward: RealWard) -> None:
    night, at = night_at(ward, 2)
    refused(ward, NURSE, dose(night=night, at_utc=at, dose_ug=100_000), "above the scheduled 1000 µg")
    refused(ward, NURSE, dose(night=night, at_utc=at, dose_ug=1000, scheduled_ug=100_000),
            "scheduled dose of the night")
    # Flagged with the rule it broke, the record is honest: it stays, and every view shows it.
    insert(ward, NURSE, dose(night=night, at_utc=at, dose_ug=100_000, already_taken=True,
                             rule="monograph-ceiling"))
    assert ward.rows("SELECT dose_ug, rule FROM record") == [(100_000, "monograph-ceiling")]


@postgres
@pytest.mark.slow
def test_an_already_taken_dose_cannot_be_a_second_unflagged_dose(ward: RealWard) -> None:
    night, at = night_at(ward, 2)
    insert(ward, NURSE, dose(night=night, at_utc=at))
    refused(ward, NURSE, dose(night=night, at_utc=at + 12 * 3600, already_taken=True),
            "already has a dose")


@postgres
@pytest.mark.slow
def test_ids_come_only_from_the_server_and_the_next_log_still_works(ward: RealWard) -> None:
    night, at = night_at(ward, 4)
    refused(ward, NURSE, dose(night=night, at_utc=at, id=2), "ids are given by the database")
    # The identity was never bypassed: medtrack's next entry is not a duplicate key (exit 4).
    ward.ok("skip", "--night", night_at(ward, 5)[0], "--note", "slept without", user=NURSE)
    assert insert(ward, NURSE, dose(night=night, at_utc=at)) > 1


@postgres
@pytest.mark.parametrize("night", ["zz-garbage", "2026-02-30", "26-11-27", ""])
@pytest.mark.slow
def test_a_night_that_is_not_a_date_is_refused(ward: RealWard, night: str) -> None:
    _night, at = night_at(ward, 2)
    refused(ward, NURSE, dose(night=night, at_utc=at), "is not a date")


@postgres
@pytest.mark.slow
def test_a_dose_dated_in_the_future_is_refused_and_cannot_block_the_plan(ward: RealWard) -> None:
    later = ward.server_now() + dt.timedelta(days=400)
    night = night_of(later, BERLIN).isoformat()
    refused(ward, NURSE, dose(night=night, at_utc=int(later.timestamp())), "later than the real clock")
    refused(ward, NURSE, dose(night=night, at_utc=int(later.timestamp()), kind="skip", dose_ug=None),
            "later than the real clock")
    ward.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss")


@postgres
@pytest.mark.slow
def test_a_zone_the_server_does_not_know_is_refused(ward: RealWard) -> None:
    night, at = night_at(ward, 2)
    refused(ward, NURSE, dose(night=night, at_utc=at, zone="Mars/Olympus"), "not a time zone")
    refused(ward, NURSE, dose(night=night, at_utc=at, zone="+05"), "not a time zone")


@postgres
@pytest.mark.slow
def test_symptoms_and_stock_take_who_and_when_from_the_server(ward: RealWard) -> None:
    now = ward.server_now()
    with ward.connect(NURSE) as conn:
        conn.execute("INSERT INTO symptom (patient_id, name, severity, at_utc, zone, night, urgent, "
                     "recorded_at_utc, recorded_by) VALUES (1, 'headache', 2, %s, %s, %s, false, 5, 'x')",
                     (int(now.timestamp()), ZONE, night_of(now, BERLIN).isoformat()))
        conn.execute("INSERT INTO stock (patient_id, kind, at_utc, zone, strength_ug, amount, flagged, "
                     "recorded_at_utc, recorded_by) VALUES (1, 'add', %s, %s, 1000, 120, false, 5, 'x')",
                     (int(now.timestamp()), ZONE))
    for table in ("symptom", "stock"):
        (entered_by, recorded_at), = ward.rows(f"SELECT entered_by, recorded_at_utc FROM {table}")
        assert entered_by == NURSE and recorded_at > 5
    with ward.connect(NURSE) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute("INSERT INTO symptom (patient_id, name, severity, at_utc, zone, night, urgent, "
                     "recorded_at_utc) VALUES (1, 'headache', 2, %s, %s, '2020-01-01', false, 5)",
                     (int(now.timestamp()), ZONE))
    assert caught.value.sqlstate == "MTCHK" and "belongs to the night" in str(caught.value)


@postgres
@pytest.mark.slow
def test_a_step_is_never_added_to_a_prescription_later(ward: RealWard) -> None:
    before = ward.rows("SELECT regimen_id, start_night, dose_ug FROM regimen_step ORDER BY id")
    with ward.connect(PRESCRIBER) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute("INSERT INTO regimen_step (regimen_id, start_night, dose_ug) VALUES (1, %s, 2000)",
                     (ward.server_now().date().isoformat(),))
    assert caught.value.sqlstate == "MTCHK" and "never added to one later" in str(caught.value)
    assert ward.rows("SELECT regimen_id, start_night, dose_ug FROM regimen_step ORDER BY id") == before
    # With its regimen, in one transaction, a step is what a prescription is made of.
    with ward.connect(PRESCRIBER) as conn:
        inserted = conn.execute(
            "INSERT INTO regimen (patient_id, kind, created_at_utc, prescriber, start_night) "
            "VALUES (1, 'prescription', 0, 'Dr. Weiss', %s) RETURNING id",
            (ward.server_now().date().isoformat(),)).fetchone()
        assert inserted is not None
        regimen = inserted[0]
        conn.execute("INSERT INTO regimen_step (regimen_id, start_night, dose_ug) VALUES (%s, %s, 500)",
                      (regimen, ward.server_now().date().isoformat()))
    (created,), = ward.rows("SELECT created_at_utc FROM regimen WHERE id = %s", regimen)
    assert created > 0  # the server's clock


@postgres
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instant=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2037, 12, 31),
                            timezones=st.just(dt.UTC)),
       zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Karachi", "Australia/Lord_Howe",
                             "Pacific/Chatham", "UTC", "America/St_Johns", "Asia/Kathmandu"]))
@pytest.mark.slow
def test_the_servers_night_is_medtracks_night(ward: RealWard, instant: dt.datetime, zone: str) -> None:
    seconds = int(instant.timestamp())
    (server,), = ward.rows("SELECT medtrack_night_of(%s, %s)", seconds, zone)
    assert server == night_of(dt.datetime.fromtimestamp(seconds, dt.UTC), ZoneInfo(zone))
