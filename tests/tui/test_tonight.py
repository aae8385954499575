"""Tonight: the dose and the state in words; log, refused double, bad input, skip, already taken."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Digits, Input
from tui_helpers import (
    SET_UP_AT,
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

from medtrack.clock import fixed_clock
from medtrack.core.model import Record
from medtrack.services.dosing import DoseRequest, history, log_dose, skip_night
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, init_profile, set_profile
from medtrack.tui.dialogs import (
    AlreadyTakenDialog,
    ConfirmDialog,
    LogDialog,
    MessageDialog,
)
from medtrack.tui.tonight import TonightScreen

pytestmark = pytest.mark.slow  # a real Textual app per test


def doses(path: Path) -> list[Record]:
    with opened(path) as db:
        return [r for r in history(db) if r.kind == "dose"]


def records(path: Path) -> list[Record]:
    with opened(path) as db:
        return history(db)


# -- the state in words ---------------------------------------------------------------------

@pytest.mark.parametrize(("hour", "minute", "words", "hint", "unit"), [
    (20, 0, "Not yet", "", "mg at bedtime"),
    (22, 40, "Due now", "Press  l  to log tonight's dose.", "mg now"),
    (23, 45, "Too late: skip tonight", "Press  k  to record that you skip tonight.", None),
])
async def test_tonight_shows_dose_and_state_by_the_clock(patient, make_app, hour, minute, words,
                                                         hint, unit):
    app = make_app(patient, berlin(2026, 11, 25, hour, minute))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TonightScreen)
        if unit is None:  # too late: the instruction in words, no dose number at all
            assert not app.screen.query_one("#dose-line").display
        else:
            assert app.screen.query_one("#dose-digits", Digits).value == "1"
            assert text_of(app, "#dose-unit") == unit
        assert text_of(app, "#state") == words
        assert text_of(app, "#action-hint") == hint
        shown = screen_text(app)
        assert "Flunitrazepam · night of Wednesday 25 November" in shown
        assert words in shown
        # the window in the profile's zone (Berlin), whatever the machine's zone (UTC here)
        assert "Window: opens 20:30, latest 23:30 (Europe/Berlin)" in shown


async def test_tonight_shows_the_time_a_dose_was_taken(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 41), DoseRequest(dose="1mg"))
    app = make_app(patient, berlin(2026, 11, 25, 23, 5))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Taken at 22:41"
        assert "Never take a second dose" in text_of(app, "#guidance")
        assert "Taken at 22:41" in screen_text(app)
        # `l` does not open the dialog: it says why, in words
        await press(pilot, "l")
        assert not isinstance(app.screen, LogDialog)
        assert any("already recorded" in str(n.message) for n in app._notifications)
    assert len(doses(patient)) == 1


async def test_tonight_shows_a_skipped_night(patient, make_app):
    with opened(patient) as db:
        skip_night(db, berlin(2026, 11, 25, 21, 0), None, "not tonight")
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Skipped tonight"


@pytest.mark.parametrize(("start", "words"), [
    (None, "No prescription recorded"), ("2026-12-01", "Nothing scheduled tonight")],
    ids=["no-prescription", "starts-later"])
async def test_tonight_nothing_scheduled(tmp_path, make_app, start, words):
    path = make_patient(tmp_path / "medtrack.db", dose=None if start is None else "1mg",
                        start=start or "2026-11-01")
    app = make_app(path, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == words
        assert not app.screen.query_one("#dose-line").display  # no dose number at all
        assert words in screen_text(app)
        if start is not None:
            assert "starts on the night of 2026-12-01" in text_of(app, "#guidance")
        await press(pilot, "l")
        assert not isinstance(app.screen, LogDialog)
    assert records(path) == []


async def test_tonight_contraindicated_with_the_reason(patient, make_app):
    with opened(patient) as db:
        set_profile(db, berlin(2026, 11, 20, 12), ProfileChanges(pregnant=True))
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Do not take it: contraindicated"
        assert "Pregnancy" in text_of(app, "#guidance")
        assert "Contact your doctor" in text_of(app, "#guidance")
        shown = flat(screen_text(app).replace("│", " "))
        assert "Do not take it: contraindicated" in shown
        assert "Pregnancy" in shown
        await press(pilot, "l")
        assert not isinstance(app.screen, LogDialog)
    assert records(patient) == []


# -- logging a dose -------------------------------------------------------------------------

async def test_log_dialog_prefilled_and_enter_records(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        assert showing(app, LogDialog)
        assert app.screen.query_one("#dose", Input).value == "1 mg"
        shown = flat(screen_text(app).replace("█", " "))
        assert "No alcohol, opioids, antihistamines or other sedatives tonight?" in shown
        assert "Do not drive" in shown
        await press(pilot, "enter")
        await until(pilot, lambda: text_of(app, "#state") != "Due now")
        assert isinstance(app.screen, TonightScreen)
        assert text_of(app, "#state") == "Taken at 22:40"
        assert any("Recorded: 1 mg at 22:40" in str(n.message) for n in app._notifications)
    [dose] = doses(patient)
    assert dose.dose_ug == 1000
    assert dose.night.isoformat() == "2026-11-25"
    assert not dose.already_taken


async def test_log_dialog_escape_records_nothing(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l", "escape")
        assert isinstance(app.screen, TonightScreen)
        assert text_of(app, "#state") == "Due now"
    assert records(patient) == []


async def test_double_dose_from_another_terminal_is_refused_at_confirm(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        assert showing(app, LogDialog)
        # Meanwhile, the CLI in another terminal logs tonight's dose.
        with opened(patient) as db:
            log_dose(db, berlin(2026, 11, 25, 22, 39), DoseRequest(dose="1mg"))
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, MessageDialog))
        shown = flat(screen_text(app).replace("█", " "))
        assert "Not recorded" in shown
        assert "refused" in shown
        assert "Nothing was recorded." in shown
        await press(pilot, "enter")  # OK
        assert isinstance(app.screen, TonightScreen)
        await until(pilot, lambda: text_of(app, "#state") != "Due now")
        assert text_of(app, "#state") == "Taken at 22:39"
    [dose] = doses(patient)
    assert dose.at.astimezone(berlin(2026, 1, 1, 0).tzinfo).strftime("%H:%M") == "22:39"


@pytest.mark.parametrize("text", ["two pills", "", "1 gram"])
async def test_invalid_dose_text_shows_an_error_and_records_nothing(patient, make_app, text):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        field = app.screen.query_one("#dose", Input)
        field.value = ""
        if text:
            await type_into(pilot, "#dose", text)
        await press(pilot, "enter")
        assert isinstance(app.screen, LogDialog), "a bad dose must keep the dialog open"
        error = text_of(app, ".dialog-error")
        assert error.strip(), "the dialog must say what is wrong"
        assert error in flat(screen_text(app).replace("█", " ")) or error[:30] in screen_text(app)
        await press(pilot, "escape")
    assert records(patient) == []


async def test_dose_above_the_limit_is_refused_in_words(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        await type_into(pilot, "#dose", "5 mg")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, MessageDialog))
        assert "refused" in flat(screen_text(app).replace("█", " "))
        await press(pilot, "enter")
        assert text_of(app, "#state") == "Due now"
    assert records(patient) == []


# -- too late: skip ------------------------------------------------------------------------

async def test_too_late_skip_records_a_skip(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 45))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Too late: skip tonight"
        # `l` is not offered when it is too late
        await press(pilot, "l")
        assert showing(app, TonightScreen)
        await press(pilot, "k")
        assert showing(app, ConfirmDialog)
        # the dialog starts on its main action: Enter records the skip
        assert app.focused is not None and app.focused.id == "yes", "Skip tonight is the default"
        await press(pilot, "enter")
        assert isinstance(app.screen, TonightScreen)
        await until(pilot, lambda: text_of(app, "#state") != "Too late: skip tonight")
        assert text_of(app, "#state") == "Skipped tonight"
    [skip] = records(patient)
    assert skip.kind == "skip"
    assert skip.night.isoformat() == "2026-11-25"


async def test_skip_dialog_escape_records_nothing_and_says_so(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 45))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "k", "escape")
        assert isinstance(app.screen, TonightScreen)
        assert text_of(app, "#state") == "Too late: skip tonight"
        assert "Not skipped: nothing was recorded." in [n.message for n in app._notifications]
    assert records(patient) == []


# -- already taken: the separate path with a required note ---------------------------------

async def test_already_taken_requires_a_note(patient, make_app):
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 0), DoseRequest(dose="1mg"))
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert showing(app, AlreadyTakenDialog)
        await type_into(pilot, "#dose", "0.5 mg")
        await push_button(pilot, "#confirm")
        assert showing(app, AlreadyTakenDialog)
        assert "note is required" in text_of(app, ".dialog-error")
        assert len(doses(patient)) == 1, "nothing may be recorded without a note"

        await type_into(pilot, "#note", "took half a tablet more at 22:50")
        await push_button(pilot, "#confirm")
        assert isinstance(app.screen, TonightScreen)
        await until(pilot, lambda: "already taken" in text_of(app, "#warnings"))
        warnings = text_of(app, "#warnings")
        assert "recorded as already taken" in warnings
        assert "More than the scheduled dose" in warnings
    first, second = doses(patient)
    assert not first.already_taken
    assert second.already_taken and second.dose_ug == 500
    assert second.note == "took half a tablet more at 22:50"
    assert second.rule  # the rule it broke is kept


async def test_already_taken_escape_records_nothing(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        await type_into(pilot, "#dose", "1 mg")
        await type_into(pilot, "#note", "oops")
        await press(pilot, "escape")
        assert isinstance(app.screen, TonightScreen)
    assert records(patient) == []


# -- quitting --------------------------------------------------------------------------------

async def test_q_quits_from_tonight(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_on_the_65th_birthday_the_screen_offers_only_what_may_be_taken(tmp_path, make_app):
    """Prescribed 1.5 mg, 65 tonight: Tonight shows 1 mg "at most", says why and who must act,
    and the log dialog is pre-filled with 1 mg, which Enter records (never the refused 1.5 mg)."""
    path = tmp_path / "medtrack.db"
    init_profile(path, SET_UP_AT, ProfileChanges(name="Ada Muster", born="1961-11-26", zone="Europe/Berlin",
                                                 bedtime="22:30", wake="06:30"), "Europe/Berlin",
                 clock=fixed_clock(SET_UP_AT))
    with opened(path) as db:
        prescribe(db, SET_UP_AT, PrescriptionRequest(dose="1.5mg", prescriber="Dr. Weiss", start="2026-11-20"))
    app = make_app(path, berlin(2026, 11, 26, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#dose-digits", Digits).value == "1"
        assert text_of(app, "#dose-unit") == "mg at most, now"
        assert "review the prescription" in text_of(app, "#guidance")
        await press(pilot, "l")
        assert isinstance(app.screen, LogDialog)
        assert app.screen.query_one("#dose", Input).value == "1 mg"
        await press(pilot, "enter")
        await until(pilot, lambda: text_of(app, "#state") != "Due now")
        assert text_of(app, "#state") == "Taken at 22:40"
    assert [d.dose_ug for d in doses(path)] == [1000]


async def test_the_morning_after_speaks_of_last_night(patient, make_app):
    """At 09:00 with nothing recorded, the screen says last night's dose is too late, not tonight's."""
    app = make_app(patient, berlin(2026, 11, 26, 9, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Too late: skip last night"
        assert "last night" in text_of(app, "#guidance")
        assert "changes tonight" not in screen_text(app)
