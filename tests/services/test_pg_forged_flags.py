"""On a ward (PostgreSQL) a nurse with `psql` can INSERT a stock count stored as "as expected, not
flagged" that hides a loss, and a serious side effect stored as "not urgent": `medtrack stock` and
`medtrack symptoms`, run as that nurse, still show the count flagged against what was really
expected and the symptom urgent, because both are worked out when read.

The ward is set up as in test_pg_roles.py (a throwaway server, tests/pg_server.py); skipped, with
the reason, where the PostgreSQL binaries are missing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

NURSE = "nurse_x"
SET_UP_AT = "2026-11-01T12:00+01:00"
LATER = "2026-11-11T23:30+01:00"
BERLIN = dt.timezone(dt.timedelta(hours=1))
COUNTED_AT = dt.datetime(2026, 11, 11, 12, 0, tzinfo=BERLIN)
FELT_AT = dt.datetime(2026, 11, 11, 23, 0, tzinfo=BERLIN)
pytestmark = pytest.mark.postgres


@dataclass
class Ward:
    """A ward database on the test server and the CLI run as its owner or a nurse."""

    server: Any
    name: str
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]

    def url(self, user: str | None = None) -> str:
        return f"postgresql+psycopg://{user or self.server.role}@/{self.name}?host={self.server.socket}"

    def conninfo(self, user: str | None = None) -> str:
        return make_conninfo(host=str(self.server.socket), user=user or self.server.role, dbname=self.name)

    def ok(self, *argv: str, user: str | None = None, now: str = LATER) -> str:
        from medtrack.cli import main

        self.monkeypatch.setenv("MEDTRACK_NOW", now)
        self.capsys.readouterr()
        code = main(["--db", self.url(user), *argv])
        captured = self.capsys.readouterr()
        assert code == 0 and "Traceback" not in captured.err, (argv, user, captured.err)
        return captured.out

    def rows(self, sql: str) -> list[dict[str, Any]]:
        with psycopg.connect(self.conninfo()) as conn, conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(sql).fetchall()

    def insert_as(self, user: str, table: str, row: dict[str, Any]) -> None:
        """What the nurse can do with psql: an INSERT with any values her grants allow."""
        names = ", ".join(row)
        with psycopg.connect(self.conninfo(user)) as conn:
            conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('%s' for _ in row)})",
                         tuple(row.values()))


@pytest.fixture
def ward(pg_server: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Ward]:
    """The owner sets up a patient on 1 mg (1 mg tablets) and applies the roles; the nurse
    receives 30 tablets on 1 November and gives a tablet on each of the ten nights after, so
    20 are left on 11 November."""
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
    name = pg_server.create_database("forged").split("@/", 1)[1].split("?")[0]
    ward = Ward(pg_server, name, monkeypatch, capsys)
    ward.ok("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin", now=SET_UP_AT)
    ward.ok("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-01",
            "--tablet", "1mg", now=SET_UP_AT)
    ward.ok("db", "roles", "--apply")
    with psycopg.connect(pg_server.conninfo(), autocommit=True) as conn:
        conn.execute(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{NURSE}') "
                     f"THEN CREATE ROLE {NURSE} LOGIN; END IF; END $$")
        conn.execute(f"GRANT medtrack_nurse TO {NURSE}")
    ward.ok("stock", "add", "30x1mg", user=NURSE, now="2026-11-01T13:00+01:00")
    for day in range(10):
        ward.ok("log", user=NURSE, now=f"{dt.date(2026, 11, 1 + day).isoformat()}T22:40+01:00")
    ward.ok("symptom", "headache", "--severity", "2", user=NURSE, now="2026-11-11T22:00+01:00")
    yield ward
    for database in opened:
        if hasattr(database, "engine"):
            database.dispose()


def like(ward: Ward, table: str, **values: Any) -> dict[str, Any]:
    """The nurse's first row of `table`, without what the server fills in, with `values` instead."""
    (written, *_) = ward.rows(f"SELECT * FROM {table} ORDER BY id")
    return {**{k: v for k, v in written.items() if k not in ("id", "entered_by")}, **values}


@pytest.mark.slow
def test_a_count_a_nurse_forged_with_psql_shows_flagged_against_the_real_expected(ward: Ward) -> None:
    at = int(COUNTED_AT.timestamp())
    ward.insert_as(NURSE, "stock", like(ward, "stock", kind="count", amount=20, expected=20, flagged=False,
                                        at_utc=at, recorded_at_utc=at, note="all as expected"))
    assert [(r["kind"], r["expected"], r["flagged"]) for r in ward.rows("SELECT * FROM stock ORDER BY id")] == [
        ("add", None, False), ("count", 20, False)]  # what the table says

    text = ward.ok("stock", user=NURSE)
    assert "The count of 2026-11-11 (5 × 1 mg tablets) differs from the 20 × 1 mg tablets expected" in text
    shown = json.loads(ward.ok("stock", "--json", user=NURSE))
    assert [{k: c[k] for k in ("at", "counted", "expected")} for c in shown["flagged_counts"]] == [
        {"at": "2026-11-11T12:00:00+01:00", "counted": "5 × 1 mg tablets", "expected": "20 × 1 mg tablets"}]
    assert shown["levels"][0]["last_count_flagged"] is True
    status = json.loads(ward.ok("status", "--json", user=NURSE))
    assert status["stock"]["flagged_counts"] == shown["flagged_counts"]


@pytest.mark.slow
def test_a_serious_symptom_a_nurse_forged_as_not_urgent_with_psql_shows_urgent(ward: Ward) -> None:
    at = int(FELT_AT.timestamp())
    ward.insert_as(NURSE, "symptom", like(ward, "symptom", name="Respiratory depression",
                                          effect_id="respiratory-depression", severity=5, urgent=False,
                                          at_utc=at, recorded_at_utc=at, night="2026-11-11", note=None))
    assert [r["urgent"] for r in ward.rows("SELECT urgent FROM symptom ORDER BY id")] == [False, False]

    text = ward.ok("symptoms", user=NURSE)
    (line,) = [line for line in text.splitlines() if "Respiratory depression" in line]
    assert "URGENT" in line
    listed = json.loads(ward.ok("symptoms", "--json", user=NURSE))
    assert [(s["name"], s["urgent"]) for s in listed] == [("Headache", False), ("Respiratory depression", True)]
