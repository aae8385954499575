"""The ward on PostgreSQL: 1,000 patients with 10 years each (about 3.6 million records) against
a ward of one such patient, on a throwaway PostgreSQL server started here as the tests start
theirs (tests/pg_server.py: initdb, a Unix socket only; fsync off, so writes are not the figure).

Run:  .venv/bin/python bench/run.py --ward [--patients N] [--runs N] [--markdown]

Measured, interleaved run by run like the rest of bench/run.py:
  - the ward view's query (services.ward.ward: every patient's tonight), in process, as the
    screen runs it on each refresh;
  - one patient's `medtrack status` as a whole process (the command a nurse types);
  - one patient's one-year CSV export as a whole process.
The ward query's target is under 1 s; a patient's status should be flat from 1 to 1,000 patients
(its ratio within the method's noise: the one-patient status measured twice under two names).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from run import (
    MEDTRACK,
    NOW,
    TONIGHT,
    Ratio,
    Report,
    Subject,
    Table,
    interleave,
    machine,
    ms_text,
    print_markdown,
    print_text,
    process,
    say,
    timed,
)

HERE = Path(__file__).resolve().parent
YEARS = 10
WARD_MAX_MS = 1000.0


def start_server() -> tuple[Any, Any]:
    """(a server object with create_database(), something to stop it)."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from pg_server import Server, missing_reason

    reason = missing_reason()
    if reason:
        raise SystemExit(f"bench: cannot start PostgreSQL: {reason}")
    server = Server().start()
    return server, server.stop


def fill(url: str, patients: int) -> int:
    """A ward of `patients`, each on 1 mg for 10 years with a dose (or, every 17th night, a skip)
    every night up to last night: written by SQL through the schema's own constraints and
    triggers (nothing switched off). Tonight is not logged yet: everyone's dose is due."""
    import psycopg

    from medtrack.clock import fixed_clock
    from medtrack.location import parse_location
    from medtrack.services.database import upgrade_database

    upgrade_database(parse_location(url), fixed_clock(NOW))  # the commands run under MEDTRACK_NOW
    first = TONIGHT - dt.timedelta(days=YEARS * 365)
    nights = (TONIGHT - first).days
    start = time.perf_counter()
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        # The 12-hour trigger's query is planned per row: a plan cached while the table was empty
        # would scan it for ever after (a medtrack command inserts one row per session).
        conn.execute("SET plan_cache_mode = force_custom_plan")
        conn.execute("INSERT INTO patient (uuid, created_at_utc) SELECT gen_random_uuid()::text, 0 "
                     "FROM generate_series(1, %s::integer)", (patients,))
        conn.execute("""INSERT INTO profile_version (patient_id, recorded_at_utc, name, born, zone, bedtime,
            wake, liver, renal, pregnant, breastfeeding, conditions, min_sleep_min, change)
            SELECT id, 0, 'Patient ' || lpad(id::text, 4, '0'), '1960-05-01', 'Europe/Berlin', '22:30',
            '06:30', 'none', false, false, false, '', 420, 'created' FROM patient""")
        conn.execute("""INSERT INTO regimen (patient_id, kind, created_at_utc, prescriber, start_night)
            SELECT id, 'prescription', 0, 'Dr. Bench', %s FROM patient""", (first.isoformat(),))
        conn.execute("INSERT INTO regimen_step (regimen_id, start_night, dose_ug) SELECT id, %s, 1000 FROM regimen",
                     (first.isoformat(),))
        conn.commit()
        base = int(dt.datetime.combine(first, dt.time(21, 30), dt.UTC).timestamp())
        for low in range(1, patients + 1, 50):
            conn.execute("""INSERT INTO record (patient_id, kind, night, at_utc, zone, dose_ug, scheduled_ug,
                recorded_at_utc, recorded_by)
                SELECT p, CASE WHEN (p + d) %% 17 = 0 THEN 'skip' ELSE 'dose' END,
                       to_char(%(first)s::date + d::integer, 'YYYY-MM-DD'), %(base)s + d * 86400 + (p %% 60) * 60,
                       'Europe/Berlin', CASE WHEN (p + d) %% 17 = 0 THEN NULL ELSE 1000 END, 1000,
                       %(base)s + d * 86400 + (p %% 60) * 60, 'bench'
                FROM generate_series(%(low)s::bigint, %(high)s::bigint) p, generate_series(0, %(last)s::integer) d""",
                         {"first": first.isoformat(), "base": base, "low": low,
                          "high": min(low + 49, patients), "last": nights - 1})
            conn.commit()
            say(f"  {min(low + 49, patients)} of {patients} patients written")
        conn.execute("ANALYZE")
        records = conn.execute("SELECT count(*) FROM record").fetchone()
    say(f"  filled in {time.perf_counter() - start:.0f} s")
    return int(records[0]) if records else 0


def ward_query(url: str) -> Callable[[], dict[str, float]]:
    """The ward's read, in process on one open database (as the screen refreshes it)."""
    from medtrack.location import parse_location
    from medtrack.services.database import open_database
    from medtrack.services.ward import ward

    db = open_database(parse_location(url))
    rows = ward(db, NOW)
    due = sum(1 for r in rows if r.state == "due")
    say(f"  ward: {len(rows)} patients, {due} due now")

    return lambda: timed(lambda: ward(db, NOW))


def bench_ward(patients: int, runs: int, work: Path, report: Report) -> None:
    server, stop = start_server()
    try:
        one, big = server.create_database("ward_one"), server.create_database("ward_big")
        say(f"ward: filling a ward of 1 patient and one of {patients:,} patients, {YEARS} years each")
        one_records, big_records = fill(one, 1), fill(big, patients)
        middle = str(max(1, patients // 2))
        year = (TONIGHT - dt.timedelta(days=365)).isoformat()

        def status(url: str, who: str) -> Any:
            return process([MEDTRACK, "--db", url, "--patient", who, "status"])

        def export(url: str, who: str, name: str) -> Any:
            return process([MEDTRACK, "--db", url, "--patient", who, "export", "--format", "csv", "--from", year,
                            "-o", str(work / f"{name}.csv"), "--force"])

        runners = {
            "ward one": ward_query(one), "ward big": ward_query(big), "ward one again": ward_query(one),
            "status one": status(one, "1"), "status one again": status(one, "1"), "status big": status(big, middle),
            "export one": export(one, "1", "one"), "export big": export(big, middle, "big"),
        }
        subjects = {name: Subject(name, run) for name, run in runners.items()}
        interleave(list(subjects.values()), runs, "ward")
    finally:
        stop()

    def ms(name: str) -> list[float]:
        return subjects[name].samples[""]

    table = Table(f"The ward on PostgreSQL 15: 1 patient ({one_records:,} records) against {patients:,} "
                  f"patients ({big_records:,} records), {YEARS} years each",
                  ["measure", "1 patient, ms", f"{patients:,} patients, ms", "ratio", "noise (1 vs 1)"])
    pairs = (("the ward view's query (in process)", "ward"), ("one patient's `medtrack status`", "status"),
             ("one patient's one-year CSV export", "export"))
    for label, key in pairs:
        ratio = Ratio.of(ms(f"{key} big"), ms(f"{key} one"))
        noise = (Ratio.of(ms(f"{key} one again"), ms(f"{key} one")).text()
                 if f"{key} one again" in subjects else "")
        table.rows.append([label, ms_text(ms(f"{key} one")), ms_text(ms(f"{key} big")), ratio.text(), noise])
    table.notes.append("Milliseconds as median (interquartile range); ratios run by run. The ward query "
                       "reads every patient's profile, regimens and the records of last night and tonight.")
    report.tables.append(table)
    ward_ms = statistics.median(ms("ward big"))
    report.target(f"the ward view's query on {patients:,} patients under {WARD_MAX_MS:.0f} ms",
                  f"{ward_ms:.0f} ms", ward_ms < WARD_MAX_MS)
    status_ratio = Ratio.of(ms("status big"), ms("status one"))
    noise = Ratio.of(ms("status one again"), ms("status one"))
    # Flat: no slower than the same subject against itself (faster is flat, not a miss).
    report.target(f"one patient's status flat from 1 to {patients:,} patients (ratio no higher than "
                  f"the noise {noise.text()} allows)", status_ratio.text(),
                  status_ratio.median <= max(noise.iqr[1], 1.0))


def main_ward(patients: int, runs: int, markdown: bool, work: Path) -> None:
    started = time.perf_counter()
    report = Report()
    bench_ward(patients, runs, work, report)
    header = (f"`.venv/bin/python bench/run.py --ward --patients {patients} --runs {runs}` on "
              f"{dt.date.today()}: {machine()}; MEDTRACK_NOW={NOW.isoformat()}; "
              f"{time.perf_counter() - started:.0f} s in all.")
    (print_markdown if markdown else print_text)(report, header)
