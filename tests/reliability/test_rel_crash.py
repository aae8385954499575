"""Pulling the plug: `medtrack log` killed with SIGKILL at random moments, night after night.

Some children are killed at a random moment of their whole life (mostly while Python starts);
the others are first held at a gate after importing medtrack and killed a few milliseconds after
it opens, which lands inside the open / BEGIN IMMEDIATE / check / insert / commit sequence.
Afterwards the file must be sound, every dose whose command said "done" must be there, and no
night may hold two doses.
"""

from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from reliability_helpers import (
    PYTHON,
    cli_env,
    integrity,
    night_at,
    planned_doses,
    rows,
    rule_violations,
    run_cli,
)

ITERATIONS = 30
SEED = 20261125
FIRST_NIGHT = dt.date(2026, 11, 1)  # the standard patient's 1 mg starts this night

GATED_CHILD = r"""
import os, runpy, sys, time
import medtrack.cli, medtrack.cli.parser, medtrack.cli.core_cmds
import medtrack.services.dosing, medtrack.storage.repository, medtrack.storage.engine
ready, gate = sys.argv[1], sys.argv[2]
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.0005)
sys.argv = ["medtrack", "log", "--note", sys.argv[3]]
runpy.run_module("medtrack", run_name="__main__", alter_sys=True)
"""


pytestmark = pytest.mark.slow  # processes killed at random moments


def start_whole(db: Path, now: str, note: str, _folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([PYTHON, "-m", "medtrack", "log", "--note", note], env=cli_env(db, now),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True)


def start_gated(db: Path, now: str, note: str, folder: Path) -> subprocess.Popen[str]:
    ready, gate = folder / f"ready-{note}", folder / f"gate-{note}"
    proc = subprocess.Popen([PYTHON, "-c", GATED_CHILD, str(ready), str(gate), note],
                            env=cli_env(db, now), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    gate.touch()
    return proc


def test_sigkill_at_random_moments_never_loses_a_confirmed_dose_or_doubles_a_night(
        patient_db: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    # how long one whole `medtrack log` takes here, to spread the kills over its life
    probe = time.monotonic()
    assert run_cli(patient_db, "status", now=night_at(FIRST_NIGHT)).returncode == 0
    lifetime = time.monotonic() - probe

    outcomes: dict[str, tuple[str, int]] = {}  # note -> (night, exit code)
    for i in range(ITERATIONS):
        night = FIRST_NIGHT + dt.timedelta(days=i)
        note = f"crash-{i}"
        gated = rng.random() < 0.6
        delay = rng.uniform(0, 0.06) if gated else rng.uniform(0.3, 1.3) * lifetime
        proc = (start_gated if gated else start_whole)(patient_db, night_at(night), note, tmp_path)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=60)
        code = proc.returncode
        assert code in (0, -signal.SIGKILL), (i, code, out, err)  # never 3 or 4: each night is new
        if code == 0:
            assert "Dose recorded" in out and err == "", (out, err)
        outcomes[note] = (night.isoformat(), code)

    assert integrity(patient_db) == "ok"
    stored = {r["note"]: r for r in rows(patient_db)}
    assert all(r["kind"] == "dose" for r in stored.values())
    for note, (night_text, code) in outcomes.items():
        if code == 0:
            assert note in stored, f"the dose of {night_text} was confirmed (exit 0) but is missing"
        if note in stored:
            assert stored[note]["night"] == night_text
    nights = Counter(r["night"] for r in planned_doses(patient_db))
    assert max(nights.values(), default=1) == 1, nights
    assert rule_violations(patient_db) == []

    # the record goes on: a killed night can be logged afterwards (if nothing got in), the next
    # night as usual, and a second dose for a stored night is still refused
    last = FIRST_NIGHT + dt.timedelta(days=ITERATIONS)
    assert run_cli(patient_db, "log", now=night_at(last)).returncode == 0
    assert run_cli(patient_db, "log", now=night_at(last, "23:00")).returncode == 3
    killed_empty = [n for note, (n, code) in outcomes.items() if code != 0 and note not in stored]
    if killed_empty:
        night = dt.date.fromisoformat(killed_empty[0])
        assert run_cli(patient_db, "log", now=night_at(night, "23:00")).returncode == 0
    assert integrity(patient_db) == "ok"
    assert rule_violations(patient_db) == []
    # how the kills fell (shown with -s): (exit code, dose stored?)
    print(Counter((code, note in stored) for note, (_, code) in outcomes.items()))
