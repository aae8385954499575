"""`medtrack import` of a long file: checked whole before anything is written, then written in
short batches, each its own transaction, so a `log` from another process is never refused as busy
meanwhile; an import that stops part way is finished by running it again, every row once; the
rows left out are counted but listed only up to a bound; memory does not grow with the file."""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from medtrack.core.model import Record, RecordKind
from medtrack.export.csv_export import COLUMNS, neutralise, row_of

BERLIN = ZoneInfo("Europe/Berlin")
TONIGHT = "2026-11-25T22:40+01:00"  # tonight's window is open: `log` records tonight's dose
LAST_NIGHT = dt.date(2026, 10, 31)  # the standard patient's prescription starts on 11-01
PEAK = ("import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def history_csv(path: Path, nights: int, *, last: dt.date = LAST_NIGHT, dropped_every: int = 0,
                lag: int = 0) -> list[list[str]]:
    """medtrack's CSV export of `nights` nights up to `last`, a 1 mg dose each at 22:30; on every
    `dropped_every`-th night the dose is dropped, and voided as not taken and taken again
    (recorded `lag` nights later: further on in the file). The rows, as written, header first."""
    rows: list[list[str]] = [list(COLUMNS)]
    later: dict[int, list[tuple[dt.date, dt.datetime, int]]] = {}

    def add(**fields: Any) -> int:
        rows.append([neutralise(cell) for cell in row_of(Record(id=len(rows), zone="Europe/Berlin", **fields))])
        return len(rows) - 1

    for index, back in enumerate(range(nights - 1, -1, -1)):
        night = last - dt.timedelta(days=back)
        when = dt.datetime.combine(night, dt.time(22, 30), BERLIN)
        if dropped_every and back % dropped_every == 0:
            dropped = add(kind=RecordKind.DOSE, night=night, at=when, dose_ug=1000, voided=True,
                          not_taken=True, note="dropped it")
            later.setdefault(min(index + lag, nights - 1), []).append((night, when, dropped))
        else:
            add(kind=RecordKind.DOSE, night=night, at=when, dose_ug=1000, note="=ok" if back % 5 else None)
        for night, when, dropped in later.pop(index, []):
            add(kind=RecordKind.VOID, night=night, at=when + dt.timedelta(minutes=5), voids=dropped,
                not_taken=True, note="dropped the tablet")
            add(kind=RecordKind.DOSE, night=night, at=when + dt.timedelta(minutes=6), dose_ug=1000)
    write_rows(path, rows)
    return rows


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)


def utc(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()


def standing(rows: list[list[str]]) -> Counter[tuple[str, str, str, bool]]:
    """The doses and skips a file describes: (kind, night, instant, voided), each with its count."""
    body = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    voided = {r["voids"] for r in body if r["kind"] == "void"}
    return Counter((r["kind"], r["night"], utc(r["time"]), r["id"] in voided) for r in body if r["kind"] != "void")


def stored(history: list[dict[str, Any]]) -> Counter[tuple[str, str, str, bool]]:
    """The same of what `history --json` lists."""
    return Counter((r["kind"], r["night"], utc(r["taken_at"]), r["voided"]) for r in history)


# -- in process: batches, stops, re-runs, the report ----------------------------------------------


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 40 to 80 rows, so a file of a few hundred rows takes several."""
    monkeypatch.setattr("medtrack.services.importing.BATCH_ROWS", 40)
    monkeypatch.setattr("medtrack.services.importing.MAX_BATCH_ROWS", 80)


def test_an_import_stopped_after_some_batches_is_finished_by_running_it_again(
        patient, tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch):
    """The import is interrupted (Ctrl-C) after its third batch: those batches stay, nothing of
    the fourth; the same import again adds the rest, every row once and every void applied. A
    batch never ends between a dose and the void that cancels it, here 20 rows further on."""
    from medtrack.services import importing

    rows = history_csv(tmp_path / "h.csv", 300, dropped_every=40, lag=20)
    batches = importing._import_batch
    calls = []

    def interrupted(*args: Any) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return batches(*args)

    monkeypatch.setattr(importing, "_import_batch", interrupted)
    stopped = patient("import", str(tmp_path / "h.csv"))
    assert stopped.code == 130 and "run the same import again to finish it" in stopped.err
    first = patient.ok("history", "--json").json()
    assert 3 * 40 * 4 // 5 <= len(first) < sum(standing(rows).values())  # a fifth of the rows are voids
    assert all(r["voided"] for r in first if r["note"] == "dropped it")  # no dose waits for its void

    monkeypatch.setattr(importing, "_import_batch", batches)
    again = patient.ok("import", str(tmp_path / "h.csv"))
    assert stored(patient.ok("history", "--json").json()) == standing(rows)
    added, present = (int(word) for word in again.out.replace(";", " ").split() if word.isdigit())
    assert added + present == len(rows) - 1 and present > 0
    assert "Imported 0 record(s)" in patient.ok("import", str(tmp_path / "h.csv")).out


def test_a_batch_ends_before_a_record_whose_void_comes_too_far_on(tmp_path: Path, small_batches: None):
    """Record 35's void is row 102: the first batch would have to hold 101 rows to keep them
    together, more than 80, so it ends before record 35 instead, and the next holds both."""
    from medtrack.services.import_file import CsvFile, Targets
    from medtrack.services.importing import batches

    rows = history_csv(tmp_path / "h.csv", 120)
    void = [neutralise(c) for c in row_of(Record(
        id=121, kind=RecordKind.VOID, night=dt.date.fromisoformat(rows[35][2]),
        at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN), zone="Europe/Berlin", voids=35))]
    write_rows(tmp_path / "late.csv", [*rows[:101], void, *rows[101:]])
    source = CsvFile(tmp_path / "late.csv")
    found = [(batch[0].number, batch[-1].number) for batch in batches(source, Targets(*source.void_targets()))]
    assert found == [(2, 35), (36, 102), (103, 122)]


def test_rows_on_nights_the_plan_covers_are_judged_like_log_across_many_batches(
        patient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Batches of 5 to 10 rows over the standard patient's 1 mg nights: every dose is checked
    against the plan and recorded as `log` records it (scheduled 1 mg, not imported history),
    the dropped ones voided as not taken."""
    monkeypatch.setattr("medtrack.services.importing.BATCH_ROWS", 5)
    monkeypatch.setattr("medtrack.services.importing.MAX_BATCH_ROWS", 10)
    rows = history_csv(tmp_path / "h.csv", 24, last=dt.date(2026, 11, 24), dropped_every=4, lag=2)
    assert "Imported 36 record(s); 0 already present." in patient.ok("import", str(tmp_path / "h.csv")).out
    stored_rows = patient.ok("history", "--json").json()
    assert stored(stored_rows) == standing(rows)
    assert {(r["scheduled_mg"], r["imported"], r["rule_broken"]) for r in stored_rows} == {(1, False, None)}
    assert all(r["voided_as_not_taken"] for r in stored_rows if r["voided"])


def test_importing_the_first_part_then_the_whole_file_gives_every_row_once(patient, tmp_path: Path,
                                                                           small_batches: None):
    rows = history_csv(tmp_path / "whole.csv", 150, dropped_every=4)
    cut = next(n for n in range(len(rows) // 2, len(rows)) if rows[n][1] == "dose" and rows[n + 1][1] == "dose"
               and rows[n][7] == "taken")  # after a night, not between a dose and its void
    write_rows(tmp_path / "part.csv", rows[:cut + 1])
    patient.ok("import", str(tmp_path / "part.csv"))
    assert stored(patient.ok("history", "--json").json()) == standing(rows[:cut + 1])
    result = patient.ok("import", str(tmp_path / "whole.csv"))
    assert f"Imported {len(rows) - 1 - cut} record(s); {cut} already present." in result.out
    assert stored(patient.ok("history", "--json").json()) == standing(rows)


def test_a_refused_row_late_in_the_file_keeps_the_batches_before_and_says_how_to_finish(
        patient, tmp_path: Path, small_batches: None):
    rows = history_csv(tmp_path / "h.csv", 300)
    second = list(rows[250])  # a second dose on that night, 40 minutes later: refused
    second[0], second[3] = "9999", second[3].replace("T22:30", "T23:10")
    write_rows(tmp_path / "bad.csv", [*rows[:251], second, *rows[251:]])
    result = patient("import", str(tmp_path / "bad.csv"))
    assert result.code == 3, result
    assert "row 252 (record 9999)" in result.err and "one dose per night" in result.err
    assert "run the same import again" in result.err.lower()
    kept = patient.ok("history", "--json").json()
    assert 0 < len(kept) < 251
    assert stored(kept) == standing(rows[:len(kept) + 1])  # whole batches, from the first row on
    patient.ok("import", str(tmp_path / "h.csv"))  # the file put right
    assert stored(patient.ok("history", "--json").json()) == standing(rows)


def test_a_bad_row_at_the_end_of_a_long_file_writes_nothing(patient, tmp_path: Path, small_batches: None):
    rows = history_csv(tmp_path / "h.csv", 400)
    rows[-1][3] = "2026-10-31T22:30:00"  # no offset
    write_rows(tmp_path / "bad.csv", rows)
    result = patient("import", str(tmp_path / "bad.csv"))
    assert result.code == 2 and "row 401" in result.err, result
    assert patient.ok("history", "--json").json() == []


def test_voids_in_any_order_each_cancel_their_record_once(patient, tmp_path: Path):
    """medtrack writes voids in the order they were made; a file may hold them in another order,
    and a record voided twice: the second void is the first one again, already present."""
    rows = history_csv(tmp_path / "h.csv", 6)

    def void(rid: int, cancels: int) -> list[str]:
        night = dt.date.fromisoformat(rows[cancels][2])
        return [neutralise(c) for c in row_of(Record(
            id=rid, kind=RecordKind.VOID, night=night, at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN),
            zone="Europe/Berlin", voids=cancels, note=f"void of {cancels}", not_taken=True))]

    write_rows(tmp_path / "voids.csv", [*rows, void(7, 5), void(8, 2), void(9, 5)])
    result = patient.ok("import", str(tmp_path / "voids.csv"))
    assert "Imported 8 record(s); 1 already present." in result.out
    voided = {r["night"]: r["void_reason"] for r in patient.ok("history", "--json").json() if r["voided"]}
    assert voided == {rows[5][2]: "void of 5", rows[2][2]: "void of 2"}


def test_each_row_keeps_who_entered_it_whenever_it_is_written(patient, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    """Rows are written in groups; a row the file names nobody for is entered by whoever imports
    (here the login: no --by, no MEDTRACK_USER), even when a void named for someone else is
    what makes its group be written."""
    monkeypatch.delenv("MEDTRACK_USER")
    patient.ok("log", "--already-taken", "--note", "whoever imports", now="2026-11-02T09:00+01:00")
    (importer,) = {r["recorded_by"] for r in patient.ok("history", "--json").json()}  # the login
    rows = history_csv(tmp_path / "h.csv", 4)
    kim = [neutralise(c) for c in row_of(Record(
        id=5, kind=RecordKind.VOID, night=dt.date.fromisoformat(rows[3][2]),
        at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN), zone="Europe/Berlin", voids=3,
        note="wrong night", recorded_by="Nurse Kim"))]
    write_rows(tmp_path / "kim.csv", [*rows, kim])
    patient.ok("import", str(tmp_path / "kim.csv"))
    assert [r["recorded_by"] for r in patient.ok("history", "--json").json()] == [importer] * 5
    exported = patient.ok("export", "--format", "csv", "-o", "-").out.splitlines()
    assert exported[-1].endswith('"wrong night","Nurse Kim"')


def test_the_rows_left_out_are_all_counted_but_only_the_first_are_listed(patient, tmp_path: Path,
                                                                        small_batches: None):
    """A file that voids 120 records the database holds: each void is left out, with why; the
    output lists the first SHOWN and counts the rest."""
    from medtrack.services.importing import SHOWN

    rows = history_csv(tmp_path / "h.csv", 120)
    patient.ok("import", str(tmp_path / "h.csv"))
    voids = [[neutralise(c) for c in row_of(Record(
        id=1000 + n, kind=RecordKind.VOID, night=dt.date.fromisoformat(row[2]),
        at=dt.datetime(2026, 11, 20, 12, 0, tzinfo=BERLIN), zone="Europe/Berlin", voids=int(row[0]),
        note="a file says so"))] for n, row in enumerate(rows[1:])]
    write_rows(tmp_path / "voids.csv", [*rows, *voids])
    result = patient.ok("import", str(tmp_path / "voids.csv"))
    assert "Imported 0 record(s); 120 already present; 120 left out:" in result.out
    listed = [line for line in result.out.splitlines() if "which this database already holds" in line]
    assert len(listed) == SHOWN < 120
    assert f"... and {120 - SHOWN} more row(s) left out" in result.out
    assert not any(r["voided"] for r in patient.ok("history", "--json").json())


# -- whole processes: a `log` meanwhile, a killed import, memory ----------------------------------


def env(db: Path, now: str = TONIGHT) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
    found.update(MEDTRACK_DB=str(db), MEDTRACK_NOW=now, MEDTRACK_USER="tester", TZ="UTC",
                 PYTHONDONTWRITEBYTECODE="1")
    return found


def medtrack(db: Path, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "medtrack", *argv], env=env(db), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def records_in(db: Path) -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)) as conn:
        return int(conn.execute("SELECT count(*) FROM record").fetchone()[0])


def wait_for_records(db: Path, at_least: int, proc: subprocess.Popen[str], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while (count := records_in(db)) < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"only {count} records after {timeout} s"
        time.sleep(0.02)
    return count


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_a_log_from_another_process_is_written_while_a_long_import_runs(patient, tmp_path: Path):
    rows = history_csv(tmp_path / "long.csv", 20_000)
    db = Path(patient.db)
    importing = medtrack(db, "import", str(tmp_path / "long.csv"))
    try:
        wait_for_records(db, 1, importing)  # the first batch is written: the import is under way
        log = subprocess.run([sys.executable, "-m", "medtrack", "log"], env=env(db), capture_output=True,
                             text=True, stdin=subprocess.DEVNULL, timeout=60)
        assert log.returncode == 0, log.stderr  # not 4, busy
        assert importing.poll() is None, "the import ended before `log` ran: use a longer file"
        out, err = importing.communicate(timeout=120)
    finally:
        importing.kill()
    assert importing.returncode == 0, err
    assert f"Imported {len(rows) - 1} record(s)" in out
    tonight = [r for r in patient.ok("history", "--json").json() if r["night"] == "2026-11-25"]
    assert len(tonight) == 1 and not tonight[0]["voided"]


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_an_import_killed_part_way_is_finished_by_running_it_again(patient, tmp_path: Path):
    rows = history_csv(tmp_path / "long.csv", 12_000, dropped_every=3)
    db = Path(patient.db)
    importing = medtrack(db, "import", str(tmp_path / "long.csv"))
    try:
        written = wait_for_records(db, 3000, importing)
        os.kill(importing.pid, signal.SIGKILL)
        importing.wait(timeout=30)
    finally:
        importing.kill()
    assert written < len(rows) - 1, "the import ended before it was killed: use a longer file"
    again = subprocess.run([sys.executable, "-m", "medtrack", "import", str(tmp_path / "long.csv")],
                           env=env(db), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "already present" in again.stdout and "Imported 0 record(s)" not in again.stdout
    assert stored(patient.ok("history", "--json").json()) == standing(rows)


def peak_rss_kib(db: Path, csv_file: Path) -> int:
    """The peak resident memory of one `medtrack import` (a parent that starts only that)."""
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "medtrack", "import", str(csv_file)],
                          env=env(db), capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    code, kib = done.stdout.split()
    assert code == "0", done
    return int(kib)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_memory_does_not_grow_with_the_file(run, tmp_path: Path):
    """The same import of 4,500 and of 27,000 rows (a third of them voids): the larger takes
    about as much memory. Reading the whole file into rows, as the import once did, took some
    1.3 kB a row: 29 MB more for the larger, before any was written."""
    sizes = {}
    for nights in (1_500, 9_000):
        db = tmp_path / f"{nights}.db"
        run.ok("init", "--name", "Ada Muster", "--born", "1900-05-01", "--tz", "Europe/Berlin",
               now="2026-11-01T12:00+01:00", db=db)  # no prescription: every row imported history
        run.close()
        history_csv(tmp_path / f"{nights}.csv", nights, dropped_every=1)
        sizes[nights] = peak_rss_kib(db, tmp_path / f"{nights}.csv")
    assert sizes[9_000] < sizes[1_500] + 16 * 1024, sizes
