"""Issue 9 on the screen: Tonight says only what is true now; no stale dialog, no double
dismiss, no setup form over a broken database, no command-line words, forms that forgive.

Every test drives the real app with Pilot on a real SQLite file and a fixed clock (Berlin).
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Select
from tui_helpers import (
    SIZE,
    berlin,
    flat,
    make_patient,
    opened,
    press,
    push_button,
    screen_text,
    settle,
    showing,
    text_of,
    type_into,
    until,
)

from medtrack.core.model import DoseEntry, Record, RecordKind
from medtrack.services.dosing import DoseRequest, history, log_dose, skip_night
from medtrack.services.lock import set_lock
from medtrack.services.taper import PlanRequest, set_plan
from medtrack.tui.dialogs import (
    AlreadyTakenDialog,
    ConfirmDialog,
    LogDialog,
    MessageDialog,
    VoidDialog,
)
from medtrack.tui.history import HistoryScreen
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.patient import Patient
from medtrack.tui.problem import ProblemScreen
from medtrack.tui.profile import EditProfileDialog, PrescribeDialog, ProfileScreen
from medtrack.tui.setup import SetupScreen
from medtrack.tui.symptoms import SymptomsScreen
from medtrack.tui.tonight import TonightScreen

pytestmark = pytest.mark.slow  # a real Textual app per test, key storms

IN_WINDOW = berlin(2026, 11, 25, 22, 40)


def doses(path: Path) -> list[Record]:
    with opened(path) as db:
        return [r for r in history(db) if r.kind == "dose"]


# -- the big line is the instruction ----------------------------------------------------------


async def test_taken_shows_the_time_and_the_nights_total(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 41), DoseRequest(dose="1mg"))
    app = make_app(patient, berlin(2026, 11, 25, 23, 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Taken at 22:41"
        assert not app.screen.query_one("#dose-line").display  # no dose to take any more
        assert not app.screen.query_one("#guidance").has_class("danger")


async def test_an_excess_says_the_total_in_the_danger_style_with_the_monographs_advice(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 0), DoseRequest(dose="1mg"))
        log_dose(db, berlin(2026, 11, 25, 23, 0), DoseRequest(
            dose="1mg", note="took another by mistake", entry=DoseEntry.ALREADY_TAKEN))
    app = make_app(patient, berlin(2026, 11, 25, 23, 10))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        guidance = app.screen.query_one("#guidance")
        assert text_of(app, "#guidance").startswith("2 mg taken tonight: more than the 1 mg scheduled")
        assert guidance.has_class("danger")
        warnings = text_of(app, "#warnings")
        assert "respiratory depression" in warnings
        assert "consult your doctor immediately" in warnings  # the monograph's words


async def test_the_night_a_step_changes_the_dose_says_so(patient, make_app):
    with opened(patient) as db:
        set_plan(db, berlin(2026, 11, 20, 12), PlanRequest(
            prescriber="Dr. Weiss", steps="2026-11-20=1mg,2026-11-25=0.75mg,2026-12-10=0"))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#dose-change") == "Your dose changes tonight: 0.75 mg (was 1 mg)."
        assert "Your dose changes tonight: 0.75 mg (was 1 mg)." in screen_text(app)
    app = make_app(patient, berlin(2026, 11, 26, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.screen.query_one("#dose-change").display


@pytest.mark.parametrize("hour", [23])
async def test_skipped_and_too_late_show_no_dose_number(patient, make_app, hour):
    with opened(patient) as db:
        skip_night(db, berlin(2026, 11, 25, 21, 0), None, "not tonight")
    app = make_app(patient, berlin(2026, 11, 25, hour, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Skipped tonight"
        assert not app.screen.query_one("#dose-line").display


# -- l, k and a read tonight afresh before their dialog opens -------------------------------


@pytest.mark.parametrize("key", ["l", "k", "a"])
async def test_a_dose_logged_elsewhere_a_second_ago_is_refused_before_the_dialog(patient, make_app, key,
                                                                                  monkeypatch):
    # Before the screen's watch has looked (it looks once a second): on a busy machine a look
    # between the write and the key redrew the screen first, and then there was nothing to refuse.
    monkeypatch.setattr(DatabaseWatch, "SECONDS", 3600.0)
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Due now"  # the screen as drawn
        with opened(patient) as db:  # another terminal, a second later
            log_dose(db, berlin(2026, 11, 25, 22, 39), DoseRequest(dose="1mg"))
        await press(pilot, key)
        assert isinstance(app.screen, MessageDialog), "no dialog may say 'take it' now"
        shown = flat(screen_text(app).replace("█", " "))
        assert "Tonight has changed" in shown and "Nothing was recorded." in shown
        assert "already recorded (1 mg at 22:39)" in shown
        await press(pilot, "enter")
        assert text_of(app, "#state") == "Taken at 22:39"
    assert len(doses(patient)) == 1


async def test_pressing_l_twice_fast_opens_one_dialog(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l", "l")
        await settle(pilot)
        assert isinstance(app.screen, LogDialog)
        assert sum(isinstance(s, LogDialog) for s in app.screen_stack) == 1


# -- every dialog dismisses once --------------------------------------------------------------


async def test_enter_twice_fast_in_the_log_dialog_records_once_and_never_crashes(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        assert showing(app, LogDialog)
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        await until(pilot, lambda: text_of(app, "#state") == "Taken at 22:40")
        assert isinstance(app.screen, TonightScreen)
        assert any("Recorded: 1 mg at 22:40" in str(n.message) for n in app._notifications)
    assert len(doses(patient)) == 1


async def test_enter_twice_fast_in_the_void_dialog_voids_once(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 24, 22, 30), DoseRequest(dose="1mg"))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h", "v")
        assert isinstance(app.screen, VoidDialog)
        await type_into(pilot, "#reason", "wrong night")
        await pilot.press("enter", "enter")  # in the field: never makes the choice
        await settle(pilot)
        assert showing(app, VoidDialog)
        app.screen.query_one("#confirm", Button).focus()
        await pilot.press("enter", "enter", "enter")
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen)
                    and "VOID" in str(app.screen.query_one(DataTable).get_row_at(0)[4]))
    with opened(patient) as db:
        voided = [r for r in history(db) if r.voided]
    assert len(voided) == 1 and not voided[0].not_taken


KEYS = ["l", "k", "a", "c", "h", "s", "e", "i", "p", "v", "n", "m", "t", "r", "enter", "enter",
        "escape", "escape", "tab", "shift+tab", "down", "up", "left", "right", "pagedown", "1",
        "space", "question_mark"]


@pytest.mark.parametrize("seed", range(6))
async def test_no_key_sequence_ends_in_a_traceback(patient, make_app, seed):
    """Random key storms, pressed without waiting, on every screen: the app never raises."""
    rng = random.Random(seed)
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(60):
            await pilot.press(rng.choice(KEYS))
            if rng.random() < 0.2:
                await settle(pilot)
        await settle(pilot)
        assert app.is_running
    # leaving `run_test` re-raises any exception the app hit
    assert len(doses(patient)) <= 1


# -- a void from History ----------------------------------------------------------------------


async def test_a_recent_dose_is_voided_only_as_not_taken_and_tonight_reopens_at_once(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 24, 22, 30), DoseRequest(dose="1mg"))
        log_dose(db, berlin(2026, 11, 25, 22, 20), DoseRequest(dose="1mg"))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Taken at 22:20"
        await press(pilot, "h", "v")
        assert showing(app, VoidDialog)
        assert "less than 12 hours old" in flat(screen_text(app).replace("█", " "))
        assert not app.screen.query("#confirm"), "a recent dose offers no 'entered by mistake'"
        await type_into(pilot, "#reason", "dropped the tablet")
        await press(pilot, "enter")
        assert isinstance(app.screen, VoidDialog), "Enter never chooses 'not taken'"
        await push_button(pilot, "#not-taken")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen)
                    and "VOID" in str(app.screen.query_one(DataTable).get_row_at(0)[4]))
        tonight = app.screen_stack[0]
        assert isinstance(tonight, TonightScreen)
        await until(pilot, lambda: tonight.status is not None and tonight.status.state == "due")
        await press(pilot, "escape")
        assert "voided as not taken: dropped the tablet" in text_of(app, "#warnings")


async def test_the_history_cursor_stays_on_the_voided_row(patient, make_app):
    with opened(patient) as db:
        for day in (20, 21, 22, 23):
            log_dose(db, berlin(2026, 11, day, 22, 30), DoseRequest(dose="1mg"))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h", "down", "down", "v")
        assert "night 2026-11-21" in screen_text(app)
        await type_into(pilot, "#reason", "wrong night")
        await push_button(pilot, "#confirm")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: "VOID" in str(table.get_row_at(2)[4]))
        assert table.cursor_row == 2
        assert "night 2026-11-21" in text_of(app, "#history-detail")


# -- a broken database opens an error screen, never the setup form ----------------------------


def standalone(path: Path) -> Path:
    """A closed copy of the patient's file: everything in the main file, no WAL beside it,
    so a spoiled header is what medtrack reads (this process keeps the original open)."""
    copy = path.with_name("copy.db")
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    copy.chmod(0o600)
    return copy


def damaged(path: Path) -> Path:
    path = standalone(path)
    with open(path, "r+b") as file:
        file.write(b"this is not SQLite at all")
    return path


def newer(path: Path) -> Path:
    path = standalone(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA user_version = 99")
    return path


@pytest.mark.parametrize(("spoil", "words"), [(damaged, "is damaged"),
                                               (newer, "made by a newer medtrack")])
async def test_a_broken_database_says_what_is_wrong_and_to_have_the_backup_restored(patient, make_app, spoil, words):
    patient = spoil(patient)
    before = patient.read_bytes()
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, ProblemScreen))
        shown = flat(screen_text(app))
        assert words in shown and "restore your latest backup" in shown
        assert "medtrack restore" not in shown and "--" not in shown, "no command to type on the screen"
        assert not any(isinstance(s, SetupScreen) for s in app.screen_stack)
        await press(pilot, "r")  # try again: still broken, still the problem screen
        await until(pilot, lambda: isinstance(app.screen, ProblemScreen))
    assert patient.read_bytes() == before


async def test_a_locked_database_is_a_problem_not_a_first_run(patient, make_app):
    locked = standalone(patient)
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")  # another program holds the whole file
    try:
        app = make_app(locked, IN_WINDOW)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ProblemScreen), timeout=20)
            assert "is busy" in flat(screen_text(app))
            assert not any(isinstance(s, SetupScreen) for s in app.screen_stack)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- no prescription: never "take no dose"; enter it from the profile screen -------------------


async def test_the_first_prescription_can_be_entered_from_the_profile_screen(tmp_path, make_app):
    path = make_patient(tmp_path / "medtrack.db", dose=None)
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "No prescription recorded"
        await press(pilot, "p")
        assert "Press  n  to enter the prescription" in text_of(app, "#profile-text")
        await press(pilot, "n")
        assert isinstance(app.screen, PrescribeDialog)
        assert app.focused is app.screen.query_one("#dose", Input)
        await type_into(pilot, "#dose", "1 mg")
        await type_into(pilot, "#prescriber", "Dr. Weiss")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen))
        await press(pilot, "escape")
        await until(pilot, lambda: text_of(app, "#state") == "Due now")


async def test_a_locked_prescription_needs_the_pin_and_says_so_without_flags(patient, make_app):
    with opened(patient) as db:
        set_lock(db, berlin(2026, 11, 2, 12), "4711", None)
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "n")
        await type_into(pilot, "#dose", "0.5 mg")
        await type_into(pilot, "#prescriber", "Dr. Weiss")
        await push_button(pilot, "#save")
        await until(pilot, lambda: "PIN" in text_of(app, ".dialog-error"))
        error = text_of(app, ".dialog-error")
        assert "--" not in error, "no command-line wording on the screen"
        assert app.screen.query_one("#dose", Input).value == "0.5 mg", "what was typed stays"
        await type_into(pilot, "#pin", "4711")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen))


async def test_refusals_on_the_screen_carry_no_command_line_words(patient, make_app):
    with opened(patient) as db:
        set_lock(db, berlin(2026, 11, 2, 12), "4711", None)
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        assert isinstance(app.screen, EditProfileDialog)
        await type_into(pilot, "#wake", "07:00")  # a later wake widens the window: guarded
        await push_button(pilot, "#save")
        await until(pilot, lambda: "PIN" in text_of(app, ".dialog-error"))
        assert "--pin" not in text_of(app, ".dialog-error")


# -- the command palette ----------------------------------------------------------------------


async def test_the_palette_offers_medtracks_actions_and_no_screenshot(patient, make_app, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Log tonight's dose", "Skip tonight", "Calendar", "History", "Symptoms",
                      "Export", "About the medicine", "Profile and plan"):
            assert title in titles
        assert "Screenshot" not in titles
        app.deliver_screenshot()
        await settle(pilot)
        assert not list(tmp_path.rglob("*.svg")), "no screenshot file of health data"
        # an action from another screen goes back to Tonight first
        await press(pilot, "h")
        log = next(c for c in app.get_system_commands(app.screen) if c.title == "Log tonight's dose")
        log.callback()
        await settle(pilot)
        assert isinstance(app.screen, LogDialog)


# -- forms ----------------------------------------------------------------------------------


async def test_already_taken_form_starts_in_the_first_field_and_reads_a_bare_time(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 0), DoseRequest(dose="1mg"))
    app = make_app(patient, berlin(2026, 11, 25, 23, 30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, AlreadyTakenDialog)
        assert app.focused is app.screen.query_one("#dose", Input)
        await type_into(pilot, "#dose", "0.5 mg")
        await type_into(pilot, "#at", "23:59")  # later than now: refused inline
        await type_into(pilot, "#note", "half a tablet more")
        await press(pilot, "enter")
        assert isinstance(app.screen, AlreadyTakenDialog)
        assert "in the future" in text_of(app, ".dialog-error")
        assert app.screen.query_one("#note", Input).value == "half a tablet more"
        await type_into(pilot, "#at", "23:10")
        await press(pilot, "enter")
        await until(pilot, lambda: "already taken" in text_of(app, "#warnings"))
    second = doses(patient)[1]
    assert second.already_taken and f"{second.at:%Y-%m-%d %H:%M}" == "2026-11-25 23:10"


async def test_already_taken_refuses_a_time_the_clocks_showed_twice(patient, make_app):
    # Berlin 2026-10-25: 02:00-02:59 came twice; the form says so and names both offsets.
    app = make_app(patient, berlin(2026, 10, 25, 3, 30))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, AlreadyTakenDialog)
        await type_into(pilot, "#dose", "1 mg")
        await type_into(pilot, "#at", "02:30")
        await type_into(pilot, "#note", "took it in the night")
        await press(pilot, "enter")
        assert isinstance(app.screen, AlreadyTakenDialog)
        shown = " ".join(text_of(app, ".dialog-error").split())
        assert "twice" in shown and "2026-10-25T02:30+01:00" in shown, shown
    assert doses(patient) == []


async def test_the_symptom_form_clears_after_a_save(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, SymptomsScreen)
        assert app.focused is app.screen.query_one("#effect", Select)
        app.screen.query_one("#effect", Select).value = "headache"
        await type_into(pilot, "#note", "mild")
        await press(pilot, "enter")  # Enter in a field saves
        await until(pilot, lambda: "Headache" in text_of(app, "#recent"))
        assert app.screen.query_one("#effect", Select).value is Select.NULL
        assert app.screen.query_one("#note", Input).value == ""


def every_dialog(now: dt.datetime, who: Patient) -> list[ModalScreen[Any]]:
    from medtrack.core.model import Profile

    dose = Record(id=7, kind=RecordKind.DOSE, night=now.date(), at=now, zone="Europe/Berlin", dose_ug=1000)
    profile = Profile(name="Ada", born=berlin(1970, 5, 1, 0).date(), zone="Europe/Berlin")
    return [LogDialog("1 mg", now), AlreadyTakenDialog("Europe/Berlin", now),
            VoidDialog(dose, now), ConfirmDialog("Skip tonight?", "Record a skip. " * 8, "Skip"),
            MessageDialog("Not recorded", "A long refusal. " * 30),
            EditProfileDialog(who, profile), PrescribeDialog(who, contraindicated=True)]


@pytest.mark.parametrize("index", range(7))
async def test_at_60x20_every_dialog_keeps_its_buttons_reachable(patient, make_app, index):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        dialog = every_dialog(IN_WINDOW, Patient(app.opening))[index]
        app.push_screen(dialog)
        await settle(pilot)
        buttons = list(dialog.query(Button))
        assert buttons
        for button in buttons:
            region = button.region
            assert region.height > 0 and region.y >= 0 and region.bottom <= 20, (button.id, region)
            assert region.right <= 60, (button.id, region)


async def test_export_over_an_existing_file_asks_before_replacing(patient, make_app, tmp_path):
    target = tmp_path / "report.csv"
    target.write_text("old\n")
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        app.screen.query_one("#fmt-csv").value = True
        await settle(pilot)
        await type_into(pilot, "#path", str(target))
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmDialog)
        assert "--force" not in flat(screen_text(app))
        await press(pilot, "escape")  # no: the old file stays
        assert target.read_text() == "old\n"
        await press(pilot, "enter")
        app.screen.query_one("#yes", Button).focus()
        await press(pilot, "enter")
        await until(pilot, lambda: "Written to" in text_of(app, "#export-result"))
    assert target.read_text() != "old\n" and "night" in target.read_text()
