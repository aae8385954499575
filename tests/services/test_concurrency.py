"""Two or more processes logging the same night at once: exactly one dose is ever stored."""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # several processes at once

PROCESSES = 8
NOW = "2026-11-25T22:40:00+01:00"


def _setup(db: Path) -> dict[str, str]:
    env = dict(os.environ, MEDTRACK_DB=str(db), MEDTRACK_NOW=NOW)
    for args in (["init", "--name", "A", "--born", "1970-01-01", "--tz", "Europe/Berlin"],
                 ["prescribe", "--dose", "1mg", "--prescriber", "Dr X", "--start", "2026-11-01"]):
        subprocess.run([sys.executable, "-m", "medtrack", *args], env=env, check=True, capture_output=True)
    return env


def _log_with_pause(db: str, now: str, barrier: Barrier, results: Queue[int]) -> None:
    """Child: wait for the others, then log through the service with a pause inside the check."""
    import medtrack.services.dosing as dosing
    from medtrack.core.rules import NightFacts
    from medtrack.errors import MedtrackError
    from medtrack.services.nights import night_facts as real  # what dosing calls
    from medtrack.storage.database import Database

    def slow_facts(*args: Any, **kwargs: Any) -> NightFacts:
        facts = real(*args, **kwargs)
        time.sleep(0.05)  # widen the gap between the check and the insert
        return facts

    pytest.MonkeyPatch().setattr(dosing, "night_facts", slow_facts)  # this child process ends after
    database = Database(Path(db))
    barrier.wait()
    try:
        dosing.log_dose(database, dt.datetime.fromisoformat(now), dosing.DoseRequest())
        results.put(0)
    except MedtrackError as error:
        results.put(error.exit_code)


def _race(target: Callable[..., None], *args: object) -> list[int]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, results)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    return sorted(results.get(timeout=5) for _ in procs)


@pytest.mark.parametrize("night", ["2026-11-23", "2026-11-24", "2026-11-25"])
def test_eight_processes_one_night_exactly_one_dose(tmp_path: Path, night: str) -> None:
    db = tmp_path / "m.db"
    _setup(db)
    now = f"{night}T22:40:00+01:00"
    codes = _race(_log_with_pause, str(db), now)
    assert codes == [0] + [3] * (PROCESSES - 1)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*) FROM record WHERE kind='dose' AND night=?", (night,)).fetchone()
    assert rows[0] == 1


def _naive_check_then_insert(db: str, use_medtrack_engine: bool, barrier: Barrier, results: Queue[int]) -> None:
    from sqlalchemy import create_engine, text

    from medtrack.storage.engine import make_engine

    engine = make_engine(Path(db)) if use_medtrack_engine else create_engine(f"sqlite:///{db}")
    barrier.wait()
    with engine.begin() as conn:
        taken = conn.execute(text("SELECT count(*) FROM scratch WHERE night = '2026-11-25'")).scalar()
        time.sleep(0.05)
        if taken == 0:
            conn.execute(text("INSERT INTO scratch(night) VALUES ('2026-11-25')"))
    results.put(0)


@pytest.mark.parametrize("use_medtrack_engine, expect_race", [(False, True), (True, False)])
def test_negative_control_default_engine_races(tmp_path: Path, use_medtrack_engine: bool, expect_race: bool) -> None:
    """Without BEGIN IMMEDIATE the check-then-insert races (several inserts); with it, one."""
    db = tmp_path / "scratch.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, night TEXT)")
    _race(_naive_check_then_insert, str(db), use_medtrack_engine)
    with sqlite3.connect(db) as conn:
        inserted = conn.execute("SELECT count(*) FROM scratch").fetchone()[0]
    if expect_race:
        assert inserted > 1
    else:
        assert inserted == 1


def test_cli_processes_at_once(tmp_path: Path) -> None:
    """The real `medtrack log` in separate processes: one exit 0, the rest exit 3, never 4."""
    env = _setup(tmp_path / "m.db")
    procs = [subprocess.Popen([sys.executable, "-m", "medtrack", "log"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(PROCESSES)]
    codes = sorted(p.wait(60) for p in procs)
    assert codes == [0] + [3] * (PROCESSES - 1)
    for p in procs:
        assert p.stderr is not None
        assert b"Traceback" not in p.stderr.read()
