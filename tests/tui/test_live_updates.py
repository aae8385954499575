"""What the screen shows is true now: a record made elsewhere shows within 5 s, an idle screen
reads nothing, and a database that cannot be written is said so on Tonight before any dose is
invited (a damaged index page; a write-protected file).

"Elsewhere" is another connection: the services on a second Database (as another terminal's
medtrack has), or `medtrack log` in a subprocess with the same MEDTRACK_NOW. The 5 s are real
seconds (the screens look once a second); the app's clock is fixed.

A write-protected file as root: root ignores the mode bits (chmod 0400 stops nobody), so the
file gets the immutable attribute (`chattr +i`, which binds root too) and loses it afterwards;
as another user, mode 0400. Where neither is possible the test is skipped, saying why.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable
from tui_helpers import SET_UP_AT, SIZE, berlin, flat, opened, press, screen_text, settle, showing, text_of, until

from file_faults import damage_index, protect, write_protected
from medtrack.clock import fixed_clock
from medtrack.core.calendar import CalendarNight
from medtrack.services.dosing import DoseRequest, history, log_dose
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile
from medtrack.services.status import Status
from medtrack.storage.database import Database
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.dialogs import LogDialog
from medtrack.tui.history import HistoryScreen
from medtrack.tui.tonight import TonightScreen
from medtrack.tui.ward import WardScreen

pytestmark = pytest.mark.slow  # a real Textual app per test

NOW = berlin(2026, 11, 25, 22, 40)  # tonight's dose is due (window 20:30 .. 23:30)
WITHIN = 5.0  # seconds: how soon a change made elsewhere must show


def log_elsewhere(path: Path, *, patient: str | None = None) -> None:
    """Tonight's dose, recorded through medtrack's own service on a second connection."""
    with opened(path) as db:
        log_dose(db.for_patient(patient) if patient else db, NOW, DoseRequest(dose="1mg"))


async def shows_within(pilot, check, seconds: float = WITHIN) -> float:
    """Real seconds until `check()` holds (no key pressed); fails after `seconds`."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await until(pilot, check, timeout=seconds)
    return loop.time() - start


def invited(app) -> bool:
    """Whether Tonight invites a dose: the big number, or the key to log it."""
    return bool(app.screen.query_one("#dose-line").display) or "Press  l" in text_of(app, "#action-hint")


# -- a change made elsewhere shows within 5 s ------------------------------------------------------


async def test_a_dose_logged_in_another_terminal_stops_the_invitation_within_5_s(patient, make_app):
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        assert text_of(app, "#state") == "Due now" and invited(app)
        env = {**os.environ, "MEDTRACK_DB": str(patient), "MEDTRACK_NOW": NOW.isoformat(),
               "MEDTRACK_USER": "tester"}
        done = await asyncio.to_thread(  # `medtrack log` in another process, as another terminal
            subprocess.run, [sys.executable, "-m", "medtrack", "log", "1mg"], env=env,
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 0, done.stderr
        await shows_within(pilot, lambda: text_of(app, "#state") == "Taken at 22:40")
        assert not invited(app)
        assert "Take 1 mg now" not in flat(screen_text(app))


async def test_a_record_made_elsewhere_shows_on_history_within_5_s(patient, make_app):
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        assert "No records yet." in screen_text(app)
        log_elsewhere(patient)
        await shows_within(pilot, lambda: app.screen.query_one(DataTable).row_count == 1)
        shown = screen_text(app)
        assert "2026-11-25" in shown and "1 mg" in shown
        assert "No records yet." not in shown


async def test_a_record_made_elsewhere_shows_on_the_calendar_within_5_s(patient, make_app):
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        await press(pilot, "c")
        assert isinstance(app.screen, CalendarScreen)
        await until(pilot, lambda: text_of(app, "#cal-detail").startswith("Wed 25 Nov 2026"))
        assert "taken" not in text_of(app, "#cal-detail")
        log_elsewhere(patient)
        await shows_within(pilot, lambda: "taken 1 mg" in text_of(app, "#cal-detail"))
        assert "1 taken" in text_of(app, "#cal-summary")


async def test_going_back_to_tonight_after_a_change_elsewhere_shows_it_at_once(patient, make_app):
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        await press(pilot, "h")
        log_elsewhere(patient)
        await press(pilot, "escape")
        await until(pilot, lambda: text_of(app, "#state") == "Taken at 22:40", timeout=WITHIN)


@pytest.fixture
def two_patients(tmp_path: Path) -> Path:
    """Ada (1) and Bert (2), both on 1 mg at bedtime 22:30: the ward opens first."""
    path = tmp_path / "ward.db"
    for number, name in enumerate(("Ada Muster", "Bert Brandt"), 1):
        init_profile(path, SET_UP_AT, ProfileChanges(
            name=name, born="1950-05-01", zone="Europe/Berlin", bedtime="22:30", wake="06:30"),
            "Europe/Berlin", add_patient=number > 1, clock=fixed_clock(SET_UP_AT))
        with opened(path) as db:
            prescribe(db.for_patient(number), SET_UP_AT, PrescriptionRequest(
                dose="1mg", prescriber="Dr. Weiss", start="2026-11-01"))
    return path


async def test_the_ward_reads_nothing_while_idle_and_a_dose_given_elsewhere_shows_within_5_s(
        two_patients, make_app, monkeypatch):
    import medtrack.tui.ward as ward_screen
    from medtrack.services.ward import WardRow
    from medtrack.services.ward import ward as real_ward  # what the screen calls

    reads: list[int] = []

    def counted(db: Database, now: dt.datetime) -> list[WardRow]:
        reads.append(1)
        return real_ward(db, now)

    monkeypatch.setattr(ward_screen, "ward", counted)
    app = make_app(two_patients, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, WardScreen) and "2 due now" in screen_text(app))
        await settle(pilot)
        first = len(reads)
        await pilot.pause(5.5)  # every patient's night was read every 5 s before
        await settle(pilot)
        assert len(reads) == first
        log_elsewhere(two_patients, patient="2")
        await shows_within(pilot, lambda: "1 due now" in text_of(app, "#ward-title"))
        assert "Taken at 22:40" in screen_text(app)
        assert len(reads) == first + 1


# -- an idle screen reads nothing ---------------------------------------------------------------


async def test_tonight_reads_again_only_when_the_database_changed(patient, make_app, monkeypatch):
    reads: list[int] = []
    real_read = TonightScreen.read

    def counted(screen: TonightScreen) -> tuple[Status, list[CalendarNight]]:
        reads.append(1)
        return real_read(screen)

    monkeypatch.setattr(TonightScreen, "read", counted)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        await settle(pilot)
        first = len(reads)
        await pilot.pause(3.2)  # three looks at the database's version, nothing changed
        await settle(pilot)
        assert len(reads) == first
        log_elsewhere(patient)
        await shows_within(pilot, lambda: text_of(app, "#state") == "Taken at 22:40")
        assert len(reads) == first + 1


# -- a database that cannot be written ------------------------------------------------------------











def assert_no_invitation_and_plain_help(app) -> str:
    assert isinstance(app.screen, TonightScreen)
    assert not invited(app)
    shown = flat(screen_text(app))
    assert "Take 1 mg now" not in shown
    for word in ("--", "medtrack restore", "chmod", "BACKUP-FILE"):  # no command line on screen
        assert word not in shown
    words = flat(text_of(app, "#guidance"))  # in the dose card, where the invitation would be
    assert "nothing can be recorded" in words
    assert "Tonight's dose by your plan: 1 mg, until 23:30" in words
    assert "write down the time and the dose on paper" in words and "ask for help" in words
    return words


async def test_a_damaged_index_is_said_on_tonight_before_any_dose_is_invited(patient, make_app):
    damage_index(patient)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        shown = assert_no_invitation_and_plain_help(app)
        assert "damaged" in shown
        await press(pilot, "l")  # the log dialog never opens for a dose that cannot be recorded
        assert showing(app, TonightScreen)
        assert not isinstance(app.screen, LogDialog)
    with opened(patient) as db:
        assert history(db) == []


async def test_a_write_protected_file_is_said_on_tonight_and_r_checks_again(patient, make_app):
    app = make_app(patient, NOW)
    with write_protected(patient):
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.status is not None)
            shown = assert_no_invitation_and_plain_help(app)
            assert "read-only" in shown
            await press(pilot, "k")  # nor the skip dialog
            assert isinstance(app.screen, TonightScreen)
            protect(patient, False)  # someone fixed the file: r checks again, the dose is invited
            await press(pilot, "r")
            await until(pilot, lambda: invited(app))
            assert "nothing can be recorded" not in flat(screen_text(app))
    with opened(patient) as db:
        assert history(db) == []


async def test_a_sound_database_invites_the_dose_as_before(patient, make_app):
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.screen.status is not None)
        assert invited(app)
        assert "Take 1 mg now" in flat(screen_text(app))
        assert app.screen.health is not None and app.screen.health.writable
