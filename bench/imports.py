"""`medtrack import` of a long history: seconds for 100,000 rows, peak memory for 1,000,000.

Run:  .venv/bin/python bench/run.py --import [--runs N] [--markdown]   (this group alone)
      .venv/bin/python bench/run.py [--quick]                          (with the others)

The files are medtrack's own CSV export, written by the exporter's own functions (`row_of`,
`neutralise`, the same quoting and BOM) from generated nights that every rule of `log` allows:
a 1 mg dose inside the dose window, some skips, a few missed nights, a note now and then, two
people entering in turn. In the timed file 2% of the doses are dropped, voided as not taken and
taken again (a long history as the demo makes it). In the file for memory nearly every dose is
dropped and taken again, as in bench/run.py's big database (a void every third row, the most an
import keeps anything about), so that a million rows fit between the year 1043 and last night.
The patient is born long enough before the first night to be an adult on every night; 1 mg is
within every ceiling.

The import goes into a database holding only that patient and the 1 mg prescription from the
first night (so every row is judged like `log`, nothing is already present), a fresh copy for
every run, through the installed `medtrack` command. Its peak memory is the ru_maxrss of a
small parent process that starts only that import (resource.getrusage of its children).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import statistics
import subprocess
import sys
from pathlib import Path

from run import CACHE, ENV, MEDTRACK, NOW, PYTHON, TONIGHT, Report, Table, cache_tag, checkpoint, fresh_copy, say

TIMED_ROWS = 100_000
MEMORY_ROWS = 1_000_000
TIMED_MAX_S = 30.0  # the target: 100,000 rows in under 30 s
TIMED_DROPPED, MEMORY_DROPPED = 0.02, 0.95  # the share of doses dropped and taken again
ZONE = "Europe/Berlin"

# The parent that runs one import and says the import's peak resident memory (KiB on Linux).
PEAK = ("import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,"
        " stderr=subprocess.PIPE, text=True)\n"
        "sys.stderr.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(done.returncode)\n")


def history_rows(rows: int, dropped: float) -> tuple[dt.date, list[tuple[dt.date, str]]]:
    """The first night and, night by night up to last night, what was recorded ('' missed,
    'skip', 'dose', 'dropped': dose, void, dose, on a share `dropped` of the nights with a
    dose), `rows` rows in all."""
    rng = random.Random(23)
    plan: list[tuple[dt.date, str]] = []
    left, night = rows, TONIGHT - dt.timedelta(days=1)
    while left > 0:
        roll = rng.random()
        what = ("" if roll < 0.02 else "skip" if roll < 0.05
                else "dropped" if rng.random() < dropped else "dose")
        size = {"": 0, "skip": 1, "dose": 1, "dropped": 3}[what]
        if size > left:
            what, size = "dose", 1
        plan.append((night, what))
        left -= size
        night -= dt.timedelta(days=1)
    plan.reverse()
    return plan[0][0], plan


def write_history(path: Path, rows: int, dropped: float) -> dt.date:
    """The CSV export of `rows` records (see the module's docstring); the first night."""
    from zoneinfo import ZoneInfo

    from medtrack.core.model import Profile, Record, RecordKind
    from medtrack.core.nights import dose_window
    from medtrack.export.csv_export import COLUMNS, neutralise, row_of

    tz = ZoneInfo(ZONE)
    profile = Profile(name="Import Bench", born=dt.date(1900, 1, 1), zone=ZONE)
    first, plan = history_rows(rows, dropped)
    rng = random.Random(29)
    part = path.with_suffix(".part")
    with part.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        rid = 0

        def write(kind: RecordKind, night: dt.date, at: dt.datetime, **fields: object) -> int:
            nonlocal rid
            rid += 1
            record = Record(id=rid, kind=kind, night=night, at=at, zone=ZONE,
                            recorded_by=rng.choice(("Alex Demo", "Nurse Kim")), **fields)
            writer.writerow([neutralise(cell) for cell in row_of(record)])
            return rid

        for night, what in plan:
            if not what:
                continue
            window = dose_window(night, tz, profile.bedtime, profile.wake, profile.min_sleep_min)
            # early enough that the dose taken again 6 minutes later is still inside the window
            at = min(window.bedtime + dt.timedelta(minutes=rng.randint(-40, 50)),
                     window.latest - dt.timedelta(minutes=10))
            at = at.astimezone(tz).replace(microsecond=0)
            if what == "skip":
                write(RecordKind.SKIP, night, at, scheduled_ug=1000, note="too late, skipped")
                continue
            note = "=woke at 3, slept again" if rng.random() < 0.03 else None  # neutralised by the export
            if what == "dropped":
                dropped = write(RecordKind.DOSE, night, at, dose_ug=1000, scheduled_ug=1000, voided=True,
                                void_reason="dropped the tablet", not_taken=True)
                write(RecordKind.VOID, night, at + dt.timedelta(minutes=5), voids=dropped,
                      note="dropped the tablet", not_taken=True)
                at += dt.timedelta(minutes=6)
            write(RecordKind.DOSE, night, at, dose_ug=1000, scheduled_ug=1000, note=note)
    part.rename(path)
    return first


def build_target(path: Path, first: dt.date) -> Path:
    """A database under the fixed clock with only the patient (born 30 years before `first`, or
    in 1900 if later: an adult on every night) and 1 mg a night prescribed from `first`."""
    from medtrack.clock import fixed_clock
    from medtrack.core.model import Profile, Step
    from medtrack.services.database import open_database
    from medtrack.storage.work import Work

    part = path.with_suffix(".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    born = dt.date(min(first.year - 30, 1900), 1, 1)
    db = open_database(part, create=True, clock=fixed_clock(NOW))
    set_up = dt.datetime.combine(first, dt.time(9), NOW.tzinfo)
    with db.unit_of_work(Work.WRITE_DATABASE) as repo:
        repo.add_patient(at=set_up)
        repo.add_profile(Profile(name="Import Bench", born=born, zone=ZONE), at=set_up, change="created (bench)")
        repo.add_regimen(kind="prescription", prescriber="Dr. Bench", steps=[Step(first, 1000)], at=set_up)
    db.dispose()
    checkpoint(part)
    part.rename(path)
    return path


def tag() -> str:
    """Names the cached files after the migrations and this generator (see run.cache_tag)."""
    return hashlib.sha256((cache_tag()).encode() + Path(__file__).read_bytes()).hexdigest()[:10]


def inputs(rows: int, dropped: float) -> tuple[Path, Path]:
    """The cached CSV of `rows` rows and its target database (built once per tag)."""
    for old in CACHE.glob("import-*"):
        if tag() not in old.name:  # made by another version of the generator or the schema
            old.unlink()
    name = f"import-{rows}-{round(dropped * 100)}-{tag()}"
    csv_path, target = CACHE / f"{name}.csv", CACHE / f"{name}.db"
    if not csv_path.exists() or not target.exists():
        say(f"  writing the {rows:,}-row CSV export ({dropped:.0%} of the doses dropped) and its database ...")
        first = write_history(csv_path, rows, dropped)
        build_target(target, first)
    return csv_path, target


def import_once(csv_path: Path, target: Path, work: Path) -> tuple[float, int]:
    """One `medtrack import` into a fresh copy of `target`: seconds, and peak RSS in KiB."""
    import time

    copy = fresh_copy(target, work / "import.db")
    argv = [PYTHON, "-c", PEAK, MEDTRACK, "--db", str(copy), "import", str(csv_path)]
    start = time.perf_counter()
    done = subprocess.run(argv, env=ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: medtrack import {csv_path.name} failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, int(done.stdout.split()[-1])


def bench_import(runs: int, work: Path, report: Report, memory_rows: int = MEMORY_ROWS) -> None:
    CACHE.mkdir(exist_ok=True)
    timed_csv, timed_db = inputs(TIMED_ROWS, TIMED_DROPPED)
    memory_csv, memory_db = inputs(memory_rows, MEMORY_DROPPED)
    say(f"5. import: {TIMED_ROWS:,} rows x {runs} runs (after one warm-up), {memory_rows:,} rows once")
    import_once(timed_csv, timed_db, work)  # page cache, bytecode
    timed = [import_once(timed_csv, timed_db, work) for _ in range(runs)]
    seconds = [s for s, _ in timed]
    big_s, big_kib = import_once(memory_csv, memory_db, work)
    small_kib = max(k for _, k in timed)
    table = Table("5. `medtrack import` of a CSV export into a database with the plan, whole process",
                  ["rows", "file", "seconds, median (min–max)", "rows a second", "peak RSS", "target"])
    median = statistics.median(seconds)
    met = median < TIMED_MAX_S
    table.rows.append([f"{TIMED_ROWS:,}", f"{timed_csv.stat().st_size / 2**20:.0f} MiB",
                       f"{median:.1f} ({min(seconds):.1f}–{max(seconds):.1f})", f"{TIMED_ROWS / median:,.0f}",
                       f"{small_kib / 1024:.0f} MiB", f"< {TIMED_MAX_S:.0f} s: " + ("met" if met else "MISSED")])
    table.rows.append([f"{memory_rows:,}", f"{memory_csv.stat().st_size / 2**20:.0f} MiB", f"{big_s:.1f}",
                       f"{memory_rows / big_s:,.0f}", f"{big_kib / 1024:.0f} MiB",
                       f"÷ {TIMED_ROWS:,} rows: {big_kib / small_kib:.2f}"])
    table.notes.append("peak RSS: ru_maxrss of a parent that runs only that import (RUSAGE_CHILDREN)")
    table.notes.append(f"every row is new to the database, judged like `log` and written; doses dropped, "
                       f"voided and taken again: {TIMED_DROPPED:.0%} of the nights ({TIMED_ROWS:,} rows), "
                       f"{MEMORY_DROPPED:.0%} ({memory_rows:,} rows: a void every third row)")
    report.target(f"`medtrack import` of {TIMED_ROWS:,} rows under {TIMED_MAX_S:.0f} s", f"{median:.1f} s", met)
    report.target(f"`medtrack import` of {memory_rows:,} rows in bounded memory",
                  f"{big_kib / 1024:.0f} MiB peak against {small_kib / 1024:.0f} MiB for {TIMED_ROWS:,} rows",
                  big_kib < 1.5 * small_kib)
    report.tables.append(table)


if __name__ == "__main__":
    sys.exit("run it through bench/run.py --import")
