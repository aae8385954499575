"""medtrack's benchmark: what a patient waits for, side by side with the floors below it.

Run:  .venv/bin/python bench/run.py [--quick] [--runs N] [--markdown]
      .venv/bin/python bench/run.py --ward [--patients N] [--runs N] [--markdown]   (PostgreSQL; bench/ward.py)
      .venv/bin/python bench/run.py --import [--quick] [--runs N] [--markdown]      (group 5 alone)

Five groups of measurements on an empty, a 10-year and a one-million-record database (100,000
records with --quick), every one repeated and interleaved (each subject in turn, run after
run, in a freshly shuffled order each run), so a busy moment of the machine hits all alike:

  1. `medtrack status` and `medtrack log` as whole processes (the installed command, with --db
     and MEDTRACK_NOW fixed at a moment tonight's dose is due; `log` gets a fresh copy of a
     database where tonight is not logged yet before each run, copied outside the timing),
     against three floors: `python -c pass`, `python -c "import sqlmodel"` and a plain
     sqlite3 read of the same nights' records from the same file.
  2. the screen: `medtrack --db FILE` started in a terminal (a pty), timed until its first frame
     ("Loading…") and until tonight's data ("Due now") appear on the terminal, against a bare
     Textual app (bench/bare_app.py) started the same way, which reads the same records with
     sqlite3 and then shows "Due now".
  3. the hot queries in process (status, log, calendar month, history page) on each database.
  4. `medtrack export` of one month and of ten years, in each format, from the 10-year and the
     one-million-record databases (whole processes); the ten-year XLSX against the CSV's time.
  5. `medtrack import` of a CSV export (bench/imports.py): seconds for 100,000 rows, and the
     peak memory (ru_maxrss) of importing 1,000,000 rows (200,000 with --quick), whole processes,
     a run per 5 of --runs.

Ratios are taken run by run (a subject's time over its reference's in the same run) and given as
the median with the interquartile range across runs. One subject is measured twice under two
names (`status` on the 10-year database; the bare app; each hot query): its ratio should read
1.00, and its spread is the method's noise. Speed is measured here, never asserted by the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import functools
import hashlib
import importlib.util
import inspect
import os
import platform
import pty
import random
import select
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
NOW = dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # tonight's dose is due
TONIGHT = dt.date(2026, 11, 25)
NIGHTS = (TONIGHT - dt.timedelta(days=1), TONIGHT)  # what `status` reads: last night and tonight
MONTH = (TONIGHT - dt.timedelta(days=30), TONIGHT)
TEN_YEARS = (TONIGHT - dt.timedelta(days=3652), TONIGHT)
FORMATS = {"csv": ".csv", "xlsx": ".xlsx", "pdf": ".pdf", "fhir": ".json", "ics": ".ics"}
SCREEN_SIZE = (24, 80)  # rows, columns


# Targets (from the issue that asked for this benchmark).
STATUS_FLOOR_MAX = 1.15  # `medtrack status` within 1.15x `python -c "import sqlmodel"`
SCREEN_MAX = 1.30  # the screen's first frame within 1.3x a bare Textual app
SCREEN_DATA_MAX = 2.50  # tonight's data on the screen within 2.5x a bare Textual app's (issue 23)
MONTH_EXPORT_MAX_MS = 1000.0  # a one-month export from the big database under 1 s
XLSX_MAX_RATIO = 2.0  # the ten-year XLSX within 2x the ten-year CSV (issue 22)


def command_paths() -> tuple[str, str]:
    """The installed `medtrack` command and the interpreter it starts (its #! line)."""
    found = shutil.which("medtrack", path=str(Path(sys.executable).parent)) or shutil.which("medtrack")
    if found is None:
        sys.exit("bench: no `medtrack` command found; run with the project's venv python "
                 "(.venv/bin/python bench/run.py)")
    first = Path(found).read_text(errors="replace").splitlines()[0]
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    return found, python


MEDTRACK, PYTHON = command_paths()


@functools.cache
def cache_tag() -> str:
    """Names the cached databases after what they are made of: NOW, the builders below, the demo
    and the migrations (a change to any of them builds the databases afresh)."""
    spec = importlib.util.find_spec("medtrack")
    root = Path(spec.origin).parent if spec and spec.origin else HERE
    digest = hashlib.sha256(NOW.isoformat().encode())
    for builder in (build_demo, build_big):
        digest.update(inspect.getsource(builder).encode())
    for source in [root / "services" / "demo.py", *sorted((root / "storage" / "migrations" / "versions").glob("*.py"))]:
        if source.exists():
            digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def base_env() -> dict[str, str]:
    """As a user runs medtrack: bytecode caches on, no test or debug switches, one terminal type."""
    drop = ("PYTHONDONTWRITEBYTECODE", "PYTHONPROFILEIMPORTTIME", "PYTHONDEVMODE", "MEDTRACK_DB",
            "MEDTRACK_DEBUG", "COLUMNS", "LINES", "NO_COLOR")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("TEXTUAL")}
    env["MEDTRACK_NOW"] = NOW.isoformat()
    env["TERM"] = "xterm-256color"
    return env


ENV = base_env()


def say(text: str) -> None:
    """Progress goes to stderr, so that `--markdown > file` holds only the tables."""
    print(text, file=sys.stderr, flush=True)


# -- databases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Db:
    key: str  # short name in the tables
    label: str  # long name
    source: Path  # the cached, checkpointed database file (never opened by a measurement)
    records: int


def fresh_copy(source: Path, target: Path) -> Path:
    """A private copy of `source` at `target`, flushed to disk (so that writing it back does not
    land in a timed run)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)
    with open(target, "rb+") as f:
        os.fsync(f.fileno())
    return target


def checkpoint(path: Path) -> None:
    """Fold the WAL into the file so that copying the file alone copies the database."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def build_demo(years: int) -> Path:
    """The demo patient (a prescription, then a taper with a hold in force tonight) with `years`
    of history up to last night; 0 years is the same patient and plan with no records."""
    from medtrack.clock import fixed_clock
    from medtrack.services.demo import demo_database

    path = CACHE / f"demo-{years}y-{cache_tag()}.db"
    if not path.exists():
        say(f"  building the {years}-year demo database ...")
        part = path.with_suffix(".part")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{part}{suffix}").unlink(missing_ok=True)
        demo_database(part, NOW, years, clock=fixed_clock(NOW))  # the commands run under MEDTRACK_NOW
        checkpoint(part)
        part.rename(path)
    return path


RECORD_COLUMNS = ("id", "kind", "night", "at_utc", "zone", "dose_ug", "scheduled_ug", "already_taken",
                  "voided", "voids", "note", "acknowledged", "rule", "recorded_at_utc", "not_taken",
                  "imported", "patient_id")
SYMPTOM_COLUMNS = ("id", "name", "effect_id", "severity", "at_utc", "zone", "night", "note", "urgent",
                   "recorded_at_utc", "patient_id")


def build_big(records: int, ten_years: Path) -> Path:
    """`records` records whose last ten years are the 10-year demo's, record for record (the
    plan in force, tonight due, last night taken), preceded by generated older nights: a dose
    that was dropped, voided as not taken and taken again (as the demo does once); some skips,
    some missed nights, a symptom now and then. The prescription runs from the first night.

    The database is made by medtrack's own migrations and filled with plain SQL inserts in one
    transaction: every CHECK, unique index (one counted dose per night), foreign key and trigger
    (12 hours between doses) of the schema applies to every row.
    """
    from medtrack.clock import fixed_clock
    from medtrack.core.nights import local_instant
    from medtrack.services.database import open_database
    from medtrack.services.demo import SYMPTOMS
    from medtrack.storage.repository import to_epoch

    path = CACHE / f"big-{records}-{cache_tag()}.db"
    if path.exists():
        return path
    say(f"  building the {records:,}-record database ...")
    part = path.with_suffix(".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    # the schema, by medtrack's migrations, made under the fixed clock the commands run on
    open_database(part, create=True, clock=fixed_clock(NOW)).dispose()
    with closing(sqlite3.connect(part, isolation_level=None)) as con:
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("ATTACH DATABASE ? AS demo", (str(ten_years),))
        profile = con.execute("SELECT zone, bedtime, wake FROM demo.profile_version ORDER BY id DESC").fetchone()
        tz, bedtime, wake = ZoneInfo(profile[0]), dt.time.fromisoformat(profile[1]), dt.time.fromisoformat(profile[2])
        demo_count, demo_first = con.execute("SELECT count(*), min(night) FROM demo.record").fetchone()
        demo_symptoms = con.execute("SELECT count(*) FROM demo.symptom").fetchone()[0]
        patient = con.execute("SELECT id FROM demo.patient").fetchone()[0]

        # Going back night by night from the demo's first night until the count is reached.
        rng = random.Random(11)
        plan: list[tuple[dt.date, tuple[str, ...], int, int]] = []
        left, night = records - demo_count, dt.date.fromisoformat(demo_first) - dt.timedelta(days=1)
        while left > 0:
            roll = rng.random()
            kinds: tuple[str, ...] = () if roll < 0.02 else ("skip",) if roll < 0.05 else ("dose", "void", "dose")
            if len(kinds) > left:
                kinds = ("skip",) if left == 1 else ("dose", "void")
            symptom = rng.randrange(len(SYMPTOMS)) if rng.random() < 0.04 else -1
            plan.append((night, kinds, rng.randint(-40, 50), symptom))
            left -= len(kinds)
            night -= dt.timedelta(days=1)
        plan.reverse()
        first = plan[0][0]
        begun = to_epoch(local_instant(first, dt.time(9), tz))

        def old_records() -> Iterator[tuple[object, ...]]:
            rid = 0
            for night, kinds, minutes, _ in plan:
                at = to_epoch(local_instant(night, bedtime, tz)) + 60 * minutes
                night_text = night.isoformat()
                if kinds == ("skip",):
                    rid += 1
                    yield (rid, "skip", night_text, at, tz.key, None, 1000, 0, 0, None, "too late, skipped",
                           None, None, at, 0, 0, patient)
                elif kinds:
                    rid += 1
                    # not voided yet: the void below marks it (the only update the schema allows)
                    yield (rid, "dose", night_text, at, tz.key, 1000, 1000, 0, 0, None, None, None, None, at,
                           0, 0, patient)
                    rid += 1
                    yield (rid, "void", night_text, at + 300, tz.key, None, None, 0, 0, rid - 1,
                           "dropped the tablet", None, None, at + 300, 1, 0, patient)
                    if len(kinds) == 3:
                        rid += 1
                        yield (rid, "dose", night_text, at + 360, tz.key, 1000, 1000, 0, 0, None, None, None,
                               None, at + 360, 0, 0, patient)

        def old_symptoms() -> Iterator[tuple[object, ...]]:
            sid = 0
            for night, _, _, symptom in plan:
                if symptom >= 0:
                    sid += 1
                    name, effect, severity = SYMPTOMS[symptom]
                    at = to_epoch(local_instant(night + dt.timedelta(days=1), wake, tz)) + 3600
                    yield (sid, name, effect, severity, at, tz.key, night.isoformat(), None, 0, at, patient)

        def copy(table: str, change: Callable[[dict[str, Any]], None] | None = None) -> None:
            cursor = con.execute(f"SELECT * FROM demo.{table} ORDER BY id")
            names = [d[0] for d in cursor.description]
            rows = []
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                if change is not None:
                    change(row)
                rows.append(tuple(row.values()))
            con.executemany(f"INSERT INTO main.{table} ({', '.join(names)}) VALUES "
                            f"({', '.join('?' * len(names))})", rows)

        prescription = {r[0] for r in con.execute("SELECT id FROM demo.regimen WHERE kind = 'prescription'")}

        def from_first(row: dict[str, Any], *, created: str | None = None) -> None:
            row["start_night"] = first.isoformat()
            if created:
                row[created] = begun + 3600

        def moved(row: dict[str, Any], key: str) -> None:
            row[key] = begun

        con.execute("BEGIN IMMEDIATE")
        copy("patient", lambda row: moved(row, "created_at_utc"))  # first: every row names its patient
        copy("profile_version", lambda row: moved(row, "recorded_at_utc"))
        copy("regimen", lambda row: from_first(row, created="created_at_utc") if row["id"] in prescription
             else None)
        copy("regimen_step", lambda row: from_first(row) if row["regimen_id"] in prescription else None)
        copy("stock")
        con.executemany(f"INSERT INTO main.record ({', '.join(RECORD_COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(RECORD_COLUMNS))})", old_records())
        con.executemany(f"INSERT INTO main.symptom ({', '.join(SYMPTOM_COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(SYMPTOM_COLUMNS))})", old_symptoms())
        shift = records - demo_count
        shift_symptoms = con.execute("SELECT count(*) FROM main.symptom").fetchone()[0]

        def shifted(row: dict[str, Any]) -> None:
            row["id"] += shift
            row["voided"] = 0  # the void's own trigger marks its record again
            if row["voids"] is not None:
                row["voids"] += shift

        copy("record", shifted)
        copy("symptom", lambda row: row.update(id=row["id"] + shift_symptoms))
        con.execute("COMMIT")
        con.execute("DETACH DATABASE demo")
        count = con.execute("SELECT count(*) FROM record").fetchone()[0]
        problems = con.execute("PRAGMA foreign_key_check").fetchall()
        if count != records or problems or con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise SystemExit(f"bench: the big database came out wrong ({count} records, {problems[:3]})")
        say(f"    {count:,} records from {first} to {NIGHTS[0]}, "
            f"{shift_symptoms + demo_symptoms:,} symptoms")
    checkpoint(part)
    part.rename(path)
    return path


def check_due(db: Db) -> None:
    """Every measurement assumes tonight's dose is due and last night was taken: check it."""
    from medtrack.services.database import open_database
    from medtrack.services.status import status

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(fresh_copy(db.source, Path(folder) / "check.db"))
        report = status(database, NOW)
        database.dispose()
    if report.state != "due" or (db.records and report.previous_night != "taken"):
        raise SystemExit(f"bench: {db.label}: tonight is '{report.state}', last night "
                         f"'{report.previous_night}': expected due / taken")


def build_databases(big: int) -> list[Db]:
    say("databases (cached in bench/.cache):")
    start = time.perf_counter()
    for old in [*CACHE.glob("demo-*"), *CACHE.glob("big-*")]:
        if cache_tag() not in old.name:  # made by another version of the builders
            old.unlink()
    empty, ten = build_demo(0), build_demo(10)
    dbs = []
    for key, label, path in (("empty", "empty (the plan, no records)", empty),
                             ("10y", "10 years", ten),
                             (big_key(big), f"{big:,} records", build_big(big, ten))):
        with closing(sqlite3.connect(path)) as con:
            count = con.execute("SELECT count(*) FROM record").fetchone()[0]
        dbs.append(Db(key, label, path, count))
    for db in dbs:
        check_due(db)
    say(f"  ready in {time.perf_counter() - start:.0f} s: "
        + ", ".join(f"{db.key} = {db.records:,} records, {db.source.stat().st_size / 2**20:.1f} MiB" for db in dbs))
    return dbs


def big_key(records: int) -> str:
    return f"{records // 1_000_000}M" if records % 1_000_000 == 0 else f"{records // 1000}k"


# -- measuring ---------------------------------------------------------------------------------


@dataclass
class Subject:
    """Something timed: `run` does its own untimed preparation and returns {milestone: ms}."""

    name: str
    run: Callable[[], dict[str, float]]
    samples: dict[str, list[float]] = field(default_factory=dict)


def interleave(subjects: Sequence[Subject], runs: int, what: str) -> None:
    """One warm-up round (page cache, bytecode, imports), then `runs` rounds; in each round every
    subject runs once, in an order shuffled afresh (seeded), so no subject always follows the same
    neighbour."""
    say(f"{what}: {len(subjects)} subjects x {runs} runs")
    for subject in subjects:
        subject.run()
    rng = random.Random(len(subjects))
    order = list(subjects)
    for _ in range(runs):
        rng.shuffle(order)
        for subject in order:
            for milestone, ms in subject.run().items():
                subject.samples.setdefault(milestone, []).append(ms)


def timed(fn: Callable[[], object]) -> dict[str, float]:
    start = time.perf_counter()
    fn()
    return {"": (time.perf_counter() - start) * 1000}


def process(argv: Sequence[str], before: Callable[[], object] | None = None) -> Callable[[], dict[str, float]]:
    """A whole process: from spawning it to its exit (stdout discarded, as when piped)."""

    def run() -> dict[str, float]:
        if before is not None:
            before()
        start = time.perf_counter()
        done = subprocess.run(argv, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        ms = (time.perf_counter() - start) * 1000
        if done.returncode != 0:
            raise SystemExit(f"bench: {' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
        return {"": ms}

    return run


def screen(argv: Sequence[str], marks: dict[str, str], timeout: float = 60.0) -> Callable[[], dict[str, float]]:
    """A screen started in a terminal (a pty of SCREEN_SIZE): the time from spawning it until each
    mark's text has appeared in what it wrote to the terminal; then the process is killed."""
    wanted = {name: text.encode() for name, text in marks.items()}

    def run() -> dict[str, float]:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *SCREEN_SIZE, 0, 0))
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=ENV, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        os.close(slave)
        seen: dict[str, float] = {}
        out = bytearray()
        try:
            while len(seen) < len(wanted) and time.perf_counter() - start < timeout:
                ready, _, _ = select.select([master], [], [], 0.5)
                if not ready:
                    continue
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:  # the terminal closed: the process ended
                    break
                at = time.perf_counter()
                out += chunk
                for name, text in wanted.items():
                    if name not in seen and text in out:
                        seen[name] = (at - start) * 1000
        finally:
            proc.kill()
            proc.wait()
            os.close(master)
        if len(seen) < len(wanted):
            tail = out[-600:].decode(errors="replace")
            raise SystemExit(f"bench: {' '.join(argv)} never showed {sorted(set(wanted) - set(seen))}: ...{tail!r}")
        return seen

    return run


# -- figures -----------------------------------------------------------------------------------


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def ms_text(values: Sequence[float]) -> str:
    q1, med, q3 = quartiles(values)
    digits = 2 if med < 10 else 0
    return f"{med:.{digits}f} ({q1:.{digits}f}–{q3:.{digits}f})"


@dataclass(frozen=True)
class Ratio:
    """Per-run ratios of a subject to its reference (paired by run)."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, subject: Sequence[float], reference: Sequence[float]) -> Ratio:
        return cls(tuple(a / b for a, b in zip(subject, reference, strict=True)))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def iqr(self) -> tuple[float, float]:
        q1, _, q3 = quartiles(self.values)
        return q1, q3

    def text(self) -> str:
        q1, q3 = self.iqr
        return f"{self.median:.2f} ({q1:.2f}–{q3:.2f})"

    def within(self, noise: Ratio) -> bool:
        """Whether the median lies within the noise's interquartile range (widened to hold 1.00)."""
        q1, q3 = noise.iqr
        return min(q1, 1.0) <= self.median <= max(q3, 1.0)


@dataclass
class Table:
    title: str
    head: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    tables: list[Table] = field(default_factory=list)
    targets: list[tuple[str, str, bool]] = field(default_factory=list)  # target, figure, met

    def target(self, text: str, figure: str, met: bool) -> str:
        self.targets.append((text, figure, met))
        return "met" if met else "MISSED"


# -- 1. commands -------------------------------------------------------------------------------

SQLITE_READ = ("import sqlite3, sys\n"
               "con = sqlite3.connect(sys.argv[1])\n"
               "rows = con.execute('SELECT * FROM record WHERE night BETWEEN ? AND ? ORDER BY night, id',"
               " sys.argv[2:4]).fetchall()\n"
               "print(len(rows))\n")


def bench_commands(dbs: list[Db], runs: int, work: Path, report: Report) -> None:
    reads = {db.key: fresh_copy(db.source, work / f"cmd-{db.key}.db") for db in dbs}
    nights = [n.isoformat() for n in NIGHTS]
    subjects = {"pass": Subject("python -c pass", process([PYTHON, "-c", "pass"])),
                "sqlmodel": Subject("import sqlmodel", process([PYTHON, "-c", "import sqlmodel"]))}
    for db in dbs:
        subjects[f"sqlite {db.key}"] = Subject(f"sqlite3 read {db.key}",
                                               process([PYTHON, "-c", SQLITE_READ, str(reads[db.key]), *nights]))
        subjects[f"status {db.key}"] = Subject(f"status {db.key}",
                                               process([MEDTRACK, "--db", str(reads[db.key]), "status"]))
        target = work / f"log-{db.key}.db"
        subjects[f"log {db.key}"] = Subject(
            f"log {db.key}", process([MEDTRACK, "--db", str(target), "log"],
                                     before=lambda s=db.source, t=target: fresh_copy(s, t)))
    ten = next(db for db in dbs if db.key == "10y")
    subjects["status again"] = Subject("status 10y again", process([MEDTRACK, "--db", str(reads["10y"]), "status"]))
    interleave(list(subjects.values()), runs, "1. commands, whole process")

    def s(key: str) -> list[float]:
        return subjects[key].samples[""]

    table = Table("1. Commands, whole process: ms, median (IQR), and per-run ratios",
                  ["command", "database", "ms", "÷ import sqlmodel", "÷ sqlite3 read, same file", "target"])
    table.rows.append(["`python -c pass`", "", ms_text(s("pass")), "", "", ""])
    table.rows.append(['`python -c "import sqlmodel"` (the floor)', "", ms_text(s("sqlmodel")), "1.00", "", ""])
    for db in dbs:
        table.rows.append([f"sqlite3 read of {NIGHTS[0]}..{NIGHTS[1]}", db.key, ms_text(s(f"sqlite {db.key}")),
                           Ratio.of(s(f"sqlite {db.key}"), s("sqlmodel")).text(), "1.00", ""])
    worst = max((Ratio.of(s(f"status {db.key}"), s("sqlmodel")) for db in dbs), key=lambda r: r.median)
    report.target(f"`medtrack status` within {STATUS_FLOOR_MAX}x `import sqlmodel`",
                  f"{worst.median:.2f} at worst", worst.median <= STATUS_FLOOR_MAX)
    for name in ("status", "log"):
        for db in dbs:
            ratio = Ratio.of(s(f"{name} {db.key}"), s("sqlmodel"))
            mark = ""
            if name == "status":
                mark = (f"≤ {STATUS_FLOOR_MAX}: " + ("met" if ratio.median <= STATUS_FLOOR_MAX else "MISSED"))
            table.rows.append([f"`medtrack {name}`", db.key, ms_text(s(f"{name} {db.key}")), ratio.text(),
                               Ratio.of(s(f"{name} {db.key}"), s(f"sqlite {db.key}")).text(), mark])
    noise = Ratio.of(s("status again"), s(f"status {ten.key}"))
    table.rows.append(["`medtrack status` again (noise)", "10y", ms_text(s("status again")),
                       "", "", f"÷ `medtrack status`, 10y: {noise.text()}"])
    big = dbs[-1]
    for name in ("status", "log"):
        ratio = Ratio.of(s(f"{name} {big.key}"), s(f"{name} empty"))
        table.notes.append(f"`medtrack {name}`, {big.key} ÷ empty: {ratio.text()}"
                           f" ({'within' if ratio.within(noise) else 'outside'} the noise)")
    report.tables.append(table)


# -- 2. the screen -----------------------------------------------------------------------------

FIRST, DATA = "first frame", "with tonight's data"


def bench_screen(dbs: list[Db], runs: int, work: Path, report: Report) -> None:
    marks = {FIRST: "Loading…", DATA: "Due now"}
    chosen = [db for db in dbs if db.key != "empty"]
    reads = {db.key: fresh_copy(db.source, work / f"screen-{db.key}.db") for db in chosen}
    nights = [n.isoformat() for n in NIGHTS]
    ten = chosen[0]
    bare_argv = [PYTHON, str(HERE / "bare_app.py"), str(reads[ten.key]), *nights]
    subjects = {"bare": Subject("bare app", screen(bare_argv, marks)),
                "bare again": Subject("bare app again", screen(bare_argv, marks))}
    for db in chosen:
        subjects[db.key] = Subject(f"medtrack {db.key}", screen([MEDTRACK, "--db", str(reads[db.key])], marks))
    interleave(list(subjects.values()), runs, "2. the screen, in a terminal")

    def s(key: str, milestone: str) -> list[float]:
        return subjects[key].samples[milestone]

    table = Table(f"2. The screen in a {SCREEN_SIZE[1]}x{SCREEN_SIZE[0]} terminal, whole process: ms from "
                  "start, median (IQR), and per-run ratios",
                  ["app", "database", f"{FIRST} (ms)", "÷ bare app", f"{DATA} (ms)", "÷ bare app", "target"])
    table.rows.append(["bare Textual app (the floor)", ten.key, ms_text(s("bare", FIRST)), "1.00",
                       ms_text(s("bare", DATA)), "1.00", ""])
    noise = {m: Ratio.of(s("bare again", m), s("bare", m)) for m in (FIRST, DATA)}
    table.rows.append(["bare Textual app again (noise)", ten.key, ms_text(s("bare again", FIRST)),
                       noise[FIRST].text(), ms_text(s("bare again", DATA)), noise[DATA].text(), ""])
    for milestone, limit, what in ((FIRST, SCREEN_MAX, "the screen's first frame"),
                                   (DATA, SCREEN_DATA_MAX, "tonight's data on the screen")):
        worst = max((Ratio.of(s(db.key, milestone), s("bare", milestone)) for db in chosen), key=lambda r: r.median)
        report.target(f"{what} within {limit}x a bare Textual app", f"{worst.median:.2f} at worst",
                      worst.median <= limit)
    for db in chosen:
        first = Ratio.of(s(db.key, FIRST), s("bare", FIRST))
        data = Ratio.of(s(db.key, DATA), s("bare", DATA))
        table.rows.append(["`medtrack --db FILE` (the screen)", db.key, ms_text(s(db.key, FIRST)), first.text(),
                           ms_text(s(db.key, DATA)), data.text(),
                           f"first frame ≤ {SCREEN_MAX}: " + ("met" if first.median <= SCREEN_MAX else "MISSED")
                           + f"; data ≤ {SCREEN_DATA_MAX}: "
                           + ("met" if data.median <= SCREEN_DATA_MAX else "MISSED")])
    big = chosen[-1]
    flat = Ratio.of(s(big.key, DATA), s(ten.key, DATA))
    table.notes.append(f"tonight's data on the screen, {big.key} ÷ 10y: {flat.text()} "
                       f"({'within' if flat.within(noise[DATA]) else 'outside'} the noise)")
    report.tables.append(table)


# -- 3. hot queries in process -----------------------------------------------------------------

QUERIES = ("status", "log", "calendar month", "history page")
MONTH_TEXT = f"{TONIGHT:%Y-%m}"  # the calendar month the hot query reads: tonight's


def bench_queries(dbs: list[Db], runs: int, work: Path, report: Report) -> None:
    from medtrack.services.calendar import calendar_month
    from medtrack.services.database import Database, open_database
    from medtrack.services.dosing import DoseRequest, history_page, log_dose
    from medtrack.services.status import status

    calls: dict[str, Callable[[Database], object]] = {
        "status": lambda d: status(d, NOW),
        "calendar month": lambda d: calendar_month(d, NOW, MONTH_TEXT),
        "history page": lambda d: history_page(d, None, 200),  # the newest page, as the screen opens it
    }
    ten = next(db for db in dbs if db.key == "10y")
    cases = [(db.key, db) for db in dbs] + [("10y again", ten)]
    opened = []
    reads: list[Subject] = []
    logs: list[Subject] = []
    for key, db in cases:
        path = fresh_copy(db.source, work / f"q-{key.replace(' ', '-')}.db")
        database = open_database(path)
        opened.append(database)
        for query, call in calls.items():
            reads.append(Subject(f"{query}|{key}", lambda d=database, c=call: timed(lambda: c(d))))
        target = work / f"qlog-{key.replace(' ', '-')}.db"

        def log_once(source: Path = db.source, target: Path = target) -> dict[str, float]:
            database = open_database(fresh_copy(source, target))  # opened as the command does, untimed
            try:
                return timed(lambda: log_dose(database, NOW, DoseRequest()))
            finally:
                database.dispose()

        logs.append(Subject(f"log|{key}", log_once))
    interleave(reads, runs * 20, "3. hot queries in process, reads")
    interleave(logs, runs * 3, "3. hot queries in process, log (a fresh copy before each)")
    for database in opened:
        database.dispose()

    samples = {tuple(s.name.split("|")): s.samples[""] for s in reads + logs}
    big = dbs[-1]
    table = Table("3. Hot queries in process: ms, median, and per-run ratios, median (IQR)",
                  ["query", *(db.key for db in dbs), "10y again ÷ 10y (noise)", f"{big.key} ÷ empty",
                   f"{big.key} ÷ 10y", "target: flat within the noise (÷ empty / ÷ 10y)"])
    missed: list[str] = []
    flat_from_ten = True
    for query in QUERIES:
        def s(key: str, query: str = query) -> list[float]:
            return samples[(query, key)]

        noise = Ratio.of(s("10y again"), s("10y"))
        from_empty, from_ten = Ratio.of(s(big.key), s("empty")), Ratio.of(s(big.key), s("10y"))
        if not from_empty.within(noise):
            missed.append(f"{query} {from_empty.median:.2f}")
        flat_from_ten = flat_from_ten and from_ten.within(noise)
        table.rows.append([query, *(f"{statistics.median(s(db.key)):.2f}" for db in dbs), noise.text(),
                           from_empty.text(), from_ten.text(),
                           ("met" if from_empty.within(noise) else "MISSED") + " / "
                           + ("within" if from_ten.within(noise) else "outside")])
    month = [f"{db.key} {hot_rows(db)}" for db in dbs]
    table.notes.append("records in tonight's calendar month / on the newest history page: " + ", ".join(month))
    table.notes.append("flat within the noise: the median ratio lies within the interquartile range of "
                       "10y again ÷ 10y (taken as at least 1.00)")
    table.notes.append(f"reads: {runs * 20} runs each; log: {runs * 3} runs, each on a fresh copy (untimed) "
                       "with tonight not yet logged")
    figure = (f"against empty, missed by {', '.join(missed)}" if missed else "all within the noise against empty")
    figure += f"; against 10y {'all' if flat_from_ten else 'not all'} within the noise"
    report.target(f"hot queries flat from empty to {big.key} records, within the noise", figure, not missed)
    report.tables.append(table)


def hot_rows(db: Db) -> str:
    """How many records the calendar month and the newest history page read in `db`."""
    first = TONIGHT.replace(day=1)
    with closing(sqlite3.connect(db.source)) as con:
        month = con.execute("SELECT count(*) FROM record WHERE night BETWEEN ? AND ? AND kind != 'void'",
                            (first.isoformat(), TONIGHT.isoformat())).fetchone()[0]
        page = con.execute("SELECT count(*) FROM (SELECT id FROM record WHERE kind != 'void' LIMIT 200)"
                           ).fetchone()[0]
    return f"{month} / {page}"


# -- 4. exports --------------------------------------------------------------------------------


def bench_exports(dbs: list[Db], runs: int, work: Path, report: Report) -> None:
    chosen = [db for db in dbs if db.key != "empty"]
    reads = {db.key: fresh_copy(db.source, work / f"exp-{db.key}.db") for db in chosen}
    out = work / "out"
    out.mkdir(exist_ok=True)
    periods = {"one month": MONTH, "ten years": TEN_YEARS}
    subjects: dict[tuple[str, str, str], Subject] = {}
    files: dict[tuple[str, str, str], Path] = {}
    for fmt, suffix in FORMATS.items():
        for period, (first, last) in periods.items():
            for db in chosen:
                key = (fmt, period, db.key)
                files[key] = out / f"{fmt}-{period.replace(' ', '-')}-{db.key}{suffix}"
                subjects[key] = Subject(" ".join(key), process(
                    [MEDTRACK, "--db", str(reads[db.key]), "export", "--format", fmt, "--from", first.isoformat(),
                     "--to", last.isoformat(), "-o", str(files[key]), "--force"]))
    interleave(list(subjects.values()), runs, "4. exports, whole process")
    big, ten = chosen[-1], chosen[0]
    table = Table(f"4. `medtrack export`, whole process: ms, median (IQR); {MONTH[0]}..{MONTH[1]} and "
                  f"{TEN_YEARS[0]}..{TEN_YEARS[1]}",
                  ["format", "period", f"from {ten.key}", f"from {big.key}", f"{big.key} ÷ 10y", "size",
                   f"target: one month from {big.key} < {MONTH_EXPORT_MAX_MS / 1000:g} s"])
    worst = 0.0
    for fmt in FORMATS:
        for period in periods:
            a, b = subjects[(fmt, period, ten.key)].samples[""], subjects[(fmt, period, big.key)].samples[""]
            size = files[(fmt, period, big.key)].stat().st_size
            mark = ""
            if period == "one month":
                worst = max(worst, statistics.median(b))
                mark = "met" if statistics.median(b) < MONTH_EXPORT_MAX_MS else "MISSED"
            table.rows.append([fmt, period, ms_text(a), ms_text(b), Ratio.of(b, a).text(),
                               f"{size / 1024:,.0f} KiB", mark])
    report.target(f"a one-month export from {big.key} records under {MONTH_EXPORT_MAX_MS / 1000:g} s",
                  f"{worst:.0f} ms at worst", worst < MONTH_EXPORT_MAX_MS)
    xlsx = Ratio.of(subjects[("xlsx", "ten years", ten.key)].samples[""],
                    subjects[("csv", "ten years", ten.key)].samples[""])
    table.notes.append(f"ten years from {ten.key}: the XLSX takes {xlsx.text()} times the CSV, run by run")
    report.target(f"a ten-year XLSX export within {XLSX_MAX_RATIO:g}x the CSV's time",
                  f"{xlsx.median:.2f}x ({ten.key})", xlsx.median < XLSX_MAX_RATIO)
    report.tables.append(table)


# -- output ------------------------------------------------------------------------------------


def machine() -> str:
    memory = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.0f} GiB"
    system = platform.platform()
    try:
        with open("/etc/os-release") as f:
            found = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        system = found.get("PRETTY_NAME", system).strip('"')
    except OSError:
        pass
    done = subprocess.run([PYTHON, "-c", "import platform, sqlite3; "
                           "print(platform.python_version(), sqlite3.sqlite_version)"],
                          capture_output=True, text=True, check=True)
    python, sqlite = done.stdout.split()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{platform.machine()}, {cores} cores, {memory} RAM, {system}, Python {python}, "
            f"SQLite {sqlite}")


def print_text(report: Report, header: str) -> None:
    print(header)
    for table in report.tables:
        widths = [max(len(str(r[i])) for r in [table.head, *table.rows]) for i in range(len(table.head))]
        print(f"\n{table.title}")
        print("  ".join(h.ljust(w) for h, w in zip(table.head, widths, strict=True)).rstrip())
        print("  ".join("-" * w for w in widths))
        for row in table.rows:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        for note in table.notes:
            print(f"  {note}")
    print("\nTargets")
    for text, figure, met in report.targets:
        print(f"  {'met   ' if met else 'MISSED'}  {text}: {figure}")


def print_markdown(report: Report, header: str) -> None:
    print(header)
    for table in report.tables:
        print(f"\n**{table.title}**\n")
        print("| " + " | ".join(table.head) + " |")
        print("|" + "---|" * len(table.head))
        for row in table.rows:
            print("| " + " | ".join(row) + " |")
        if table.notes:
            print()
            for note in table.notes:
                print(f"- {note}")
    print("\n**Targets**\n")
    for text, figure, met in report.targets:
        print(f"- {'met' if met else '**MISSED**'}: {text} ({figure})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a 100,000-record big database and 5 runs")
    parser.add_argument("--runs", type=int, default=None, help="runs of each measurement (default 15, 5 with --quick)")
    parser.add_argument("--markdown", action="store_true", help="print the tables as in the README")
    parser.add_argument("--ward", action="store_true",
                        help="only the ward on PostgreSQL (bench/ward.py): 1 patient against --patients")
    parser.add_argument("--patients", type=int, default=1000, help="patients in the big ward (default 1000)")
    parser.add_argument("--import", dest="import_only", action="store_true",
                        help="only `medtrack import` (bench/imports.py): 100,000 rows timed, 1,000,000 for memory")
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    if runs < 1:
        parser.error("--runs must be at least 1")
    if args.ward:
        from ward import main_ward  # bench/ is on sys.path when this file runs

        CACHE.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="medtrack-ward-", dir=CACHE) as folder:
            main_ward(max(2, args.patients), runs, args.markdown, Path(folder))
        return
    from imports import bench_import  # bench/ is on sys.path when this file runs

    import_runs, import_rows = max(1, runs // 5), 200_000 if args.quick else 1_000_000
    if args.import_only:
        CACHE.mkdir(exist_ok=True)
        started, report = time.perf_counter(), Report()
        with tempfile.TemporaryDirectory(prefix="medtrack-import-", dir=CACHE) as folder:
            bench_import(import_runs, Path(folder), report, memory_rows=import_rows)
        command = " ".join([".venv/bin/python bench/run.py", *sys.argv[1:]])
        header = (f"`{command}` on {dt.date.today()}: {machine()}; {import_runs} timed run(s); "
                  f"MEDTRACK_NOW={NOW.isoformat()}; {time.perf_counter() - started:.0f} s in all.")
        (print_markdown if args.markdown else print_text)(report, header)
        return
    big = 100_000 if args.quick else 1_000_000
    CACHE.mkdir(exist_ok=True)
    started = time.perf_counter()
    dbs = build_databases(big)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="medtrack-bench-", dir=CACHE) as folder:
        work = Path(folder)
        bench_commands(dbs, runs, work, report)
        bench_screen(dbs, runs, work, report)
        bench_queries(dbs, runs, work, report)
        bench_exports(dbs, runs, work, report)
        bench_import(import_runs, work, report, memory_rows=import_rows)
    command = " ".join([".venv/bin/python bench/run.py", *sys.argv[1:]])
    header = (f"`{command}` on {dt.date.today()}: {machine()}; {runs} runs each "
              f"(hot reads {runs * 20}, hot log {runs * 3}); MEDTRACK_NOW={NOW.isoformat()}; databases: "
              + ", ".join(f"{db.key} = {db.label}" + ("" if "records" in db.label else f" ({db.records:,} records)")
                          for db in dbs)
              + f"; {time.perf_counter() - started:.0f} s in all.")
    (print_markdown if args.markdown else print_text)(report, header)


if __name__ == "__main__":
    main()
