"""Fixtures for the TUI tests (helpers and constants are in tui_helpers.py)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import textual._wait as textual_wait
from tui_helpers import DEMO_NOW, make_patient

from medtrack.clock import fixed_clock
from medtrack.tui.app import MedtrackApp

# Textual's Pilot waits after every key and pause until the process looks idle, sampling the CPU
# time over 20 ms at least (textual._wait), so every key cost 40 ms of waiting. Sampled over 4 ms
# the test waits the same way, for the same idleness, five times sooner: the screen tests ran a
# third faster. What a test waits for (a worker, a screen, a text) it waits for by name
# (tui_helpers.settle, until, wait_for_text), never by this sleep's length.
textual_wait.SLEEP_GRANULARITY = 0.004
textual_wait.SLEEP_IDLE = textual_wait.SLEEP_GRANULARITY / 20


@pytest.fixture(autouse=True)
def _no_machine_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The machine's zone, a database or clock from the environment must not leak in, and the
    screen's look is read from (and kept in) a folder of the test's own."""
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("MEDTRACK_DB", "MEDTRACK_NOW", "MEDTRACK_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def patient(tmp_path: Path) -> Path:
    return make_patient(tmp_path / "medtrack.db")


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from medtrack.services.demo import fill_demo

    folder = tmp_path_factory.mktemp("demo-template")
    with pytest.MonkeyPatch.context() as env:
        # History shows who entered each record: the demo's are the patient's login, not the machine's.
        env.setenv("LOGNAME", "alex")
        fill_demo(folder / "medtrack.db", DEMO_NOW, clock=fixed_clock(DEMO_NOW))
    return folder


@pytest.fixture
def demo(tmp_path: Path, _demo_template: Path) -> Path:
    """A copy of the fixed demo database (fill_demo with seed 7 at DEMO_NOW)."""
    target = tmp_path / "demo"
    target.mkdir()
    for file in _demo_template.iterdir():
        shutil.copy2(file, target / file.name)
    return target / "medtrack.db"


@pytest.fixture
def make_app() -> Iterator[Callable[..., MedtrackApp]]:
    """`make_app(path, now, patient=None)`: the real app on that file with a fixed clock (closed afterwards)."""
    apps: list[MedtrackApp] = []

    def make(path: Path, now: dt.datetime, *, patient: str | None = None) -> MedtrackApp:
        app = MedtrackApp(path, clock=fixed_clock(now), patient=patient)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.opening.close()




@pytest.fixture
def ward_db(run: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Four Berlin patients made with the CLI (numbers 1-4: Ada, Bert, Carla, Dora). At 22:40 on
    25 November Bert is due until 23:00, Ada until 23:30, Carla's window opens at 23:00 and Dora
    took hers at 21:10."""
    ids = (f"5f0c7d1e-9a4b-4c2d-8e6f-{n:012d}" for n in itertools.count(1))
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: next(ids))
    path = tmp_path / "ward.db"
    set_up = "2026-11-01T12:00+01:00"
    patients = {"Ada Muster": ("22:30", "06:30", "1mg"), "Bert Brandt": ("22:00", "06:00", "0.5mg"),
                "Carla Cruz": ("01:00", "08:30", "0.75mg"), "Dora Dahl": ("22:30", "06:30", "1mg")}
    for number, (name, (bedtime, wake, dose)) in enumerate(patients.items(), 1):
        more = ("--add-patient",) if number > 1 else ()
        run.ok("init", "--name", name, "--born", "1940-05-01", "--tz", "Europe/Berlin", "--bedtime", bedtime,
               "--wake", wake, *more, now=set_up, db=path)
        run.ok("--patient", str(number), "prescribe", "--dose", dose, "--prescriber", "Dr. Weiss",
               "--start", "2026-11-01", now=set_up, db=path)
    run.ok("--patient", "4", "log", now="2026-11-25T21:10+01:00", db=path)
    run.close()
    return path
