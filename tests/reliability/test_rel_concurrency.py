"""Many writers at once: eight `python -m medtrack log` for one night, and the screen against the CLI.

tests/services/test_concurrency.py races the service function in spawned children and one round
of the real CLI; here the real command races round after round on one database (each round a
new night via MEDTRACK_NOW), half the rounds released by a gate after every child has imported
medtrack, so they reach the database within a millisecond of each other.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
from textual.pilot import Pilot
from textual.widgets import Static

PROCESSES = 8
BERLIN = ZoneInfo("Europe/Berlin")

# A child that imports everything `medtrack log` needs, says it is ready, waits for the gate,
# then runs exactly what `python -m medtrack log` runs.
GATED_CHILD = r"""
import os, runpy, sys, time
import medtrack.cli, medtrack.cli.parser, medtrack.cli.core_cmds
import medtrack.services.dosing, medtrack.storage.repository, medtrack.storage.engine

ready, gate = sys.argv[1], sys.argv[2]
open(ready, "w").close()
deadline = time.monotonic() + 60
while not os.path.exists(gate) and time.monotonic() < deadline:
    time.sleep(0.0005)
sys.argv = ["medtrack", "log"]
runpy.run_module("medtrack", run_name="__main__", alter_sys=True)
"""


pytestmark = pytest.mark.slow  # several processes at once


def race(db: Path, now: str, folder: Path, gated: bool) -> list[subprocess.Popen[str]]:
    env = cli_env(db, now)
    if not gated:
        argv = [PYTHON, "-m", "medtrack", "log"]
        return [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, text=True) for _ in range(PROCESSES)]
    gate = folder / "gate"
    gate.unlink(missing_ok=True)
    ready = [folder / f"ready-{i}" for i in range(PROCESSES)]
    for flag in ready:
        flag.unlink(missing_ok=True)
    procs = [subprocess.Popen([PYTHON, "-c", GATED_CHILD, str(flag), str(gate)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, text=True) for flag in ready]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready):
        assert time.monotonic() < deadline, "the children never became ready"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    gate.touch()
    return procs


NIGHTS = [dt.date(2026, 11, 21) + dt.timedelta(days=i) for i in range(3)]


def test_eight_cli_processes_per_night_round_after_round(patient_db: Path, tmp_path: Path) -> None:
    for round_no, night in enumerate(NIGHTS):
        gated = round_no > 0  # the first round as typed; the others released by the gate
        procs = race(patient_db, night_at(night), tmp_path, gated)
        outcomes = []
        for proc in procs:
            out, err = proc.communicate(timeout=90)
            outcomes.append((proc.returncode, out, err))
        codes = sorted(code for code, _, _ in outcomes)
        assert codes == [0] + [3] * (PROCESSES - 1), (night, gated, outcomes)
        for code, out, err in outcomes:
            assert "Traceback" not in err and "internal error" not in err, err
            if code == 0:
                assert out.startswith("Dose recorded: #") and f"night {night}: 1 mg" in out, out
                assert err == ""
            else:
                assert out == ""
                lines = err.splitlines()
                assert len(lines) == 1 and lines[0].startswith("medtrack: refused (one dose per night)"), err
                assert "Never take a second dose" in lines[0]
        doses = [r for r in planned_doses(patient_db) if r["night"] == night.isoformat()]
        assert len(doses) == 1, doses
    assert [r["night"] for r in rows(patient_db)] == [n.isoformat() for n in NIGHTS]
    assert rule_violations(patient_db) == []
    assert integrity(patient_db) == "ok"
    # and the database still works normally afterwards
    assert run_cli(patient_db, "status", "--json", now=night_at(NIGHTS[-1], "23:00")).returncode == 0


# -- the screen and the command line at once ------------------------------------------------------


async def settle(pilot: Pilot[Any]) -> None:
    """Let key handling, thread workers and the refreshes they cause finish."""
    app = pilot.app
    for _ in range(10):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            break
    await pilot.pause()


@pytest.mark.parametrize("cli_action, words", [
    (("log", "--note", "from the terminal"), "one dose per night"),
    (("skip", "--note", "from the terminal"), "skipped"),
])
async def test_the_screen_is_refused_when_the_cli_records_the_night_while_its_dialog_is_open(
        patient_db: Path, cli_action: tuple[str, ...], words: str) -> None:
    from medtrack.clock import fixed_clock
    from medtrack.tui.app import MedtrackApp
    from medtrack.tui.dialogs import LogDialog, MessageDialog

    now = dt.datetime(2026, 11, 25, 22, 40, tzinfo=BERLIN)
    app = MedtrackApp(patient_db, clock=fixed_clock(now))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("l")
            await settle(pilot)
            assert isinstance(app.screen, LogDialog), app.screen
            # meanwhile, in another terminal:
            other = run_cli(patient_db, *cli_action, now="2026-11-25T22:41+01:00")
            assert other.returncode == 0, other
            await pilot.press("enter")  # the patient confirms the dose in the dialog
            await settle(pilot)
            assert isinstance(app.screen, MessageDialog), app.screen
            shown = str(app.screen.text)
            assert words in shown and "Nothing was recorded" in shown, shown
            await pilot.press("enter")  # OK
            await settle(pilot)
            state = str(app.screen.query_one("#state", Static).content)
            assert state.startswith("Taken at 22:41" if cli_action[0] == "log" else "Skipped"), state
    finally:
        app.opening.close()
    records = rows(patient_db)
    assert len(records) == 1, records
    assert records[0]["kind"] == cli_action[0].replace("log", "dose")
    assert records[0]["note"] == "from the terminal"
    assert rule_violations(patient_db) == []
    assert integrity(patient_db) == "ok"
