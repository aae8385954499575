"""medtrack's benchmark: builds demo databases and prints medians and ratios as a table.

Run:  .venv/bin/python bench/run.py [--quick]

Measures (each several times, medians):
  1. whole-process `medtrack status --json` and `medtrack log` against `python -c "import sqlmodel, dateutil"`
  2. time to the TUI's first frame against a bare Textual app
  3. status, log, calendar month, history page on databases of 0 and 10 years and 1M records
  4. export of 10 years to PDF, CSV, FHIR and ICS
  5. SQLite write transactions and fsyncs per `log`
Speed is measured here, never asserted by timers in the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
PY = sys.executable
NOW = dt.datetime(2026, 11, 25, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
NOW_TEXT = NOW.isoformat()
OLD_NIGHTS = dt.datetime(1990, 1, 1, 22, 0, tzinfo=dt.timezone.utc)
# Measure as an installed medtrack runs: from bytecode (pip compiles it at install time).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up: first calls pay one-off costs (imports, compiled patterns, page cache)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def process_ms(argv: list[str], env: dict[str, str], runs: int, before=None) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fresh_copy(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)


def build_demo(path: Path, years: int) -> Path:
    """The demo patient (a prescription, a taper with a hold) with `years` of history;
    0 years is the same patient and plan with no records, the base the others are held to."""
    from medtrack.services.demo import demo_database

    if not path.exists():
        demo_database(path, NOW, years)
    return path


def build_stress(path: Path, records: int) -> Path:
    """One million records straight through the storage layer on the 0-year demo patient: a
    planned dose and an already-taken dose on each of 500,000 nights before the demo's plan
    (all the schema's checks and triggers still apply)."""
    from medtrack.core.model import Record
    from medtrack.core.nights import local_instant
    from medtrack.storage.repository import Database

    if path.exists():
        return path
    build_demo(path, 0)
    db = Database(path)
    zone = "Europe/Berlin"
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    last = dt.date(2026, 8, 1)  # before the demo prescription and plan
    nights = records // 2
    batch: list[Record] = []
    with db.unit_of_work() as repo:
        for i in range(nights, 0, -1):
            night = last - dt.timedelta(days=i)
            at = local_instant(night, dt.time(22, 0), tz)
            batch.append(Record(0, "dose", night, at, zone, dose_ug=1000, scheduled_ug=1000))
            batch.append(Record(0, "dose", night, at + dt.timedelta(hours=1), zone, dose_ug=250,
                                already_taken=True, note="stress", rule="one-dose-per-night"))
            if len(batch) >= 20000:
                repo.add_records_bulk(batch, recorded_at=NOW)
                batch.clear()
        repo.add_records_bulk(batch, recorded_at=NOW)
    db.dispose()
    return path


def table(title: str, head: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def bench_processes(dbs: dict[str, Path], runs: int) -> None:
    """Floor and commands interleaved run by run, so a busy moment hits them alike."""
    env = dict(ENV, MEDTRACK_NOW=NOW_TEXT)
    work = CACHE / "work.db"
    commands = [("floor: import sqlmodel, dateutil", None, [PY, "-c", "import sqlmodel, dateutil"], False)]
    for label in ("empty", "10y"):
        commands.append((f"medtrack status --json ({label})", label, [PY, "-m", "medtrack", "status", "--json"], False))
        commands.append((f"medtrack log ({label})", label, [PY, "-m", "medtrack", "log", "--json"], True))
    times: dict[str, list[float]] = {name: [] for name, *_ in commands}
    for _ in range(runs):
        for name, label, argv, fresh in commands:
            if label is not None and (fresh or not times[name]):
                fresh_copy(dbs[label], work)
            env["MEDTRACK_DB"] = str(work)
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - start) * 1000)
    floor = statistics.median(times[commands[0][0]])
    rows = []
    for name, label, *_ in commands:
        ms = statistics.median(times[name])
        ratio = ms / floor
        target = "" if label is None else ("ok" if ratio <= 1.15 else "MISS (target <= 1.15)")
        rows.append([name, f"{ms:.0f}", f"{ratio:.2f}", target])
    table("1. Whole process (ms, median)", ["command", "ms", "x floor", "target"], rows)


FIRST_FRAME = r"""
import os, sys, time
start = time.perf_counter()
def first_frame():
    print((time.perf_counter() - start) * 1000, flush=True)
    os._exit(0)
from textual.app import App
from textual.widgets import Footer, Header, Static
mode = sys.argv[1]
if mode == "bare":
    class Bare(App):
        def compose(self):
            yield Header(); yield Static("Tonight"); yield Footer()
        def on_mount(self):
            self.call_after_refresh(first_frame)
    app = Bare()
else:
    import datetime as dt
    from pathlib import Path
    from medtrack.tui.app import MedtrackApp
    class Timed(MedtrackApp):
        def on_mount(self):
            self.call_after_refresh(first_frame)
    now = dt.datetime.fromisoformat(sys.argv[3])
    app = Timed(Path(sys.argv[2]), lambda: now)
app.run(headless=True, size=(80, 24))
"""


def bench_first_frame(dbs: dict[str, Path], runs: int) -> None:
    script = CACHE / "first_frame.py"  # a file: Textual resolves CSS paths from the app's source file
    script.write_text(FIRST_FRAME)

    def run(args: list[str]) -> tuple[float, float]:
        inner, whole = [], []
        for _ in range(runs):
            start = time.perf_counter()
            out = subprocess.run([PY, str(script), *args], capture_output=True, text=True, check=True,
                                 env=ENV)
            whole.append((time.perf_counter() - start) * 1000)
            inner.append(float(out.stdout.strip().splitlines()[-1]))
        return statistics.median(inner), statistics.median(whole)

    bare_in, bare_whole = run(["bare"])
    rows = [["bare Textual app", f"{bare_in:.0f}", f"{bare_whole:.0f}", "1.00", ""]]
    for label in ("empty", "10y"):
        inner, whole = run(["medtrack", str(dbs[label]), NOW_TEXT])
        ratio = whole / bare_whole
        rows.append([f"medtrack TUI ({label})", f"{inner:.0f}", f"{whole:.0f}", f"{ratio:.2f}",
                     "ok" if ratio <= 1.3 else "MISS (target <= 1.3)"])
    table("2. TUI first frame (ms, median)", ["app", "in process", "whole process", "x bare", "target"], rows)


def bench_services(dbs: dict[str, Path], runs: int) -> None:
    from medtrack.services.calendar import calendar_month
    from medtrack.services.dosing import history_page, log_dose
    from medtrack.services.status import status
    from medtrack.storage.repository import Database

    runs = max(runs * 10, 100)  # milliseconds each: many runs to see past the noise
    databases = {}
    for label, source in dbs.items():
        work = CACHE / f"svc-{label}.db"
        fresh_copy(source, work)
        databases[label] = Database(work)
    counter = iter(range(10**9))
    cases = {
        "status": lambda db: status(db, NOW),
        # Every rule is checked as for a planned dose; recording it as already taken lets the
        # same night be logged again and again without a schedule for each.
        # Each goes on its own night long before the demo's history, so the other use cases
        # still see tonight and this month as they were.
        "log": lambda db: log_dose(db, NOW, "0.25mg", at=(OLD_NIGHTS + dt.timedelta(days=next(counter))).isoformat(),
                                   note="bench", already_taken=True),
        "calendar month": lambda db: calendar_month(db, NOW, "2026-11"),
        "history page (200)": lambda db: history_page(db, None, 200),
    }
    samples = {label: {name: [] for name in cases} for label in dbs}
    for label, db in databases.items():  # warm-up: one-off costs (imports, page cache)
        for case in cases.values():
            case(db)
    for _ in range(runs):  # interleaved, so a noisy moment hits every database alike
        for name, case in cases.items():
            for label, db in databases.items():
                start = time.perf_counter()
                case(db)
                samples[label][name].append((time.perf_counter() - start) * 1000)
    results = {label: {name: statistics.median(v) for name, v in by_case.items()}
               for label, by_case in samples.items()}
    for db in databases.values():
        db.dispose()
    # History size must not matter: each database is held to the one whose night or month
    # holds the same records. The stress database's records all lie before the demo's plan,
    # so its month is as empty as the empty database's; the 10-year one's month is as full as
    # the 1-year one's (a month of doses costs its own rows, whatever lies before it).
    stress = next(label for label in results if label.endswith("records"))
    pairs = [("10y", "1y"), (stress, "empty")]
    rows = []
    for name in ("status", "log", "calendar month", "history page (200)"):
        ratios = []
        for label, base in pairs:
            if name.startswith("history") and base == "empty":
                base = "1y"  # an empty database has no page of history to read
            ratios.append((results[label][name] / results[base][name], f"{label}/{base}"))
        worst, which = max(ratios)
        row = [name] + [f"{results[l][name]:.2f}" for l in results]
        row += [f"{worst:.2f} ({which})", "ok" if worst <= 1.10 else "MISS (target <= 1.10)"]
        rows.append(row)
    table("3. Use cases in process (ms, median)", ["use case", *results, "worst ratio", "target"], rows)


def bench_exports(dbs: dict[str, Path], runs: int) -> None:
    from medtrack.services.export import export
    from medtrack.storage.repository import Database

    db = Database(dbs["10y"])
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for fmt in ("pdf", "csv", "fhir", "ics"):
            target = Path(folder) / f"out.{fmt}"
            ms = median_ms(lambda: export(db, NOW, fmt, str(target), force=True), max(3, runs // 3))
            rows.append([fmt, f"{ms:.0f}", f"{target.stat().st_size / 1024:.0f} KiB",
                         "ok" if ms < 2000 else "MISS (target < 2000)"])
    db.dispose()
    table("4. Export of 10 years (ms, median)", ["format", "ms", "size", "target"], rows)


def bench_transactions(dbs: dict[str, Path]) -> None:
    from sqlalchemy import event

    from medtrack.services.dosing import log_dose
    from medtrack.storage.repository import Database

    work = CACHE / "tx.db"
    fresh_copy(dbs["10y"], work)
    db = Database(work)
    counts = {"begin": 0, "commit": 0}
    event.listen(db.engine, "begin", lambda conn: counts.__setitem__("begin", counts["begin"] + 1))
    event.listen(db.engine, "commit", lambda conn: counts.__setitem__("commit", counts["commit"] + 1))
    log_dose(db, NOW)
    db.dispose()
    fsyncs = "strace not installed"
    if shutil.which("strace"):
        fresh_copy(dbs["10y"], work)
        env = dict(ENV, MEDTRACK_DB=str(work), MEDTRACK_NOW=NOW_TEXT)
        out = subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", PY, "-m", "medtrack", "log"],
                             env=env, capture_output=True, text=True)
        calls = [line.split() for line in out.stderr.splitlines() if line.strip().endswith(("fsync", "fdatasync"))]
        fsyncs = ", ".join(f"{c[-1]} {c[3]}" for c in calls) or "0"
    table("5. Writes per `medtrack log`", ["measure", "value", "target"], [
        ["write transactions (BEGIN IMMEDIATE ... COMMIT)", f"{counts['begin']} / {counts['commit']}",
         "ok" if counts["commit"] == 1 else "MISS (target 1)"],
        ["fsync calls (whole process, strace)", fsyncs, ""],
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer runs, a 100k-record stress database")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    CACHE.mkdir(exist_ok=True)
    subprocess.run([PY, "-m", "compileall", "-q", str(HERE.parent / "src")], check=True, env=ENV,
                   stdout=subprocess.DEVNULL)
    print(f"medtrack benchmark on {platform.node()}: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    stress = 100_000 if args.quick else 1_000_000
    start = time.perf_counter()
    dbs = {"empty": build_demo(CACHE / "demo-0y-v2.db", 0), "1y": build_demo(CACHE / "demo-1y.db", 1),
           "10y": build_demo(CACHE / "demo-10y.db", 10),
           f"{stress // 1000}k records": build_stress(CACHE / f"stress-v2-{stress}.db", stress)}
    print(f"databases ready in {time.perf_counter() - start:.1f} s (cached in {CACHE})")
    bench_processes(dbs, runs)
    bench_first_frame(dbs, max(3, runs // 2))
    bench_services(dbs, runs)
    bench_exports(dbs, runs)
    bench_transactions(dbs)


if __name__ == "__main__":
    main()
