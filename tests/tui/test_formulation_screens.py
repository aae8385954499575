"""Issue 11 on the screen: how a dose is taken, the stock, the end of the taper, the plan form
with its preview and warnings, and the stock forms.

Every test drives the real app with Pilot on a real SQLite file and a fixed clock (Berlin);
the patient is made through the services with the tablets the prescriber wrote.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Static
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

from medtrack.services.dosing import history
from medtrack.services.prescribing import PrescriptionRequest, latest_prescription, prescribe
from medtrack.services.stock import add_stock, count_stock, show_stock
from medtrack.services.taper import PlanRequest, plan_history, set_plan
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.dialogs import LogDialog, MessageDialog
from medtrack.tui.patient import Patient
from medtrack.tui.plan_form import PlanFormDialog
from medtrack.tui.profile import PrescribeDialog, ProfileScreen
from medtrack.tui.stock import AddStockDialog, CountStockDialog
from medtrack.tui.tonight import TonightScreen

pytestmark = pytest.mark.slow  # a real Textual app per test, key storms

IN_WINDOW = berlin(2026, 11, 25, 22, 40)
TABLETS = ("1mg:half", "0.5mg:quarter")
FORMULATION = "1 mg tablet (halves allowed), 0.5 mg tablet (quarters allowed)"


def tablet_patient(path: Path, dose: str = "0.5mg") -> Path:
    """The standard patient, prescribed `dose` made from 1 mg (halves) and 0.5 mg (quarters)."""
    make_patient(path, dose=None)
    with opened(path) as db:
        prescribe(db, SET_UP_AT, PrescriptionRequest(
            dose=dose, prescriber="Dr. Weiss", start="2026-11-01", tablets=TABLETS))
    return path


def shown(app: App[Any]) -> str:
    return flat(screen_text(app).replace("█", " ").replace("▌", " ").replace("▐", " "))


def styles_of(app: App[Any], selector: str) -> str:
    content = app.screen.query_one(selector, Static).content
    assert isinstance(content, Content), content
    return " ".join(str(span.style) for span in content.spans)


def notified(app: App[Any]) -> str:
    return " ".join(str(n.message) for n in app._notifications)


# -- Tonight ----------------------------------------------------------------------------------


async def test_tonight_says_how_the_dose_is_taken_and_what_is_left(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db")
    with opened(path) as db:
        add_stock(db, berlin(2026, 11, 20, 12), "30x1mg", "pharmacy")
        count_stock(db, berlin(2026, 11, 24, 12), "28x1mg")  # 2 tablets short: flagged
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Due now"
        assert text_of(app, "#as-taken") == "Take it as: ½ tablet of 1 mg"
        assert "Take it as: ½ tablet of 1 mg" in screen_text(app)
        stock = text_of(app, "#stock")
        assert "Stock: 28 × 1 mg tablets left" in stock
        assert "It lasts 56 more night(s)" in stock  # half a tablet a night
        assert ("! The count of 2026-11-24 (28 × 1 mg tablets) differs from the 30 × 1 mg "
                "tablets expected") in stock
        assert "text-warning" in styles_of(app, "#stock"), "a flagged count stands out"
        await press(pilot, "end")
        assert "differs from the 30 × 1 mg tablets expected" in shown(app)


async def test_without_a_formulation_or_stock_tonight_shows_neither(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Due now"
        assert not app.screen.query_one("#as-taken").display
        assert not app.screen.query_one("#stock").display
        assert not app.screen.query_one("#drug-free").display


async def test_the_log_dialog_says_the_dose_as_taken_and_records_mg(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        assert isinstance(app.screen, LogDialog)
        assert app.screen.query_one("#dose", Input).value == "0.5 mg"  # mg: the service parses it
        assert text_of(app, "#as-taken") == "0.5 mg = ½ tablet of 1 mg"
        assert "0.5 mg = ½ tablet of 1 mg" in shown(app)
        await type_into(pilot, "#dose", "1 mg")
        assert text_of(app, "#as-taken") == "Not the scheduled 0.5 mg (½ tablet of 1 mg)."
        await type_into(pilot, "#dose", "0.5mg")
        assert text_of(app, "#as-taken") == "0.5 mg = ½ tablet of 1 mg"
        await push_button(pilot, "#confirm")
        await until(pilot, lambda: text_of(app, "#state") == "Taken at 22:40")
    with opened(path) as db:
        assert [r.dose_ug for r in history(db) if r.kind == "dose"] == [500]


async def test_a_complete_taper_says_so_with_the_drug_free_nights(patient, make_app):
    with opened(patient) as db:
        set_plan(db, berlin(2026, 11, 20, 12), PlanRequest(
            prescriber="Dr. Weiss", steps="2026-11-20=1mg,2026-11-22=0"))
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Taper complete"
        assert app.screen.query_one("#state").has_class("state-complete")
        assert text_of(app, "#drug-free") == "4 drug-free nights"  # 22, 23, 24 and 25
        assert not app.screen.query_one("#dose-line").display, "no dose number"
        assert "since the night of 2026-11-22" in text_of(app, "#guidance")
        text = shown(app)
        assert "Taper complete" in text and "4 drug-free nights" in text
        await press(pilot, "c")
        assert isinstance(app.screen, CalendarScreen)
        assert "Taper complete: no flunitrazepam since the night of 2026-11-22 (4 drug-free nights)" in text_of(
            app, "#cal-summary")


# -- the calendar -----------------------------------------------------------------------------


async def test_the_calendar_detail_says_the_dose_as_taken(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, CalendarScreen)
        assert text_of(app, "#cal-detail").startswith(
            "Wed 25 Nov 2026: scheduled 0.5 mg (½ tablet of 1 mg)")
        assert "scheduled 0.5 mg (½ tablet of 1 mg)" in shown(app)
        assert "Taper complete" not in text_of(app, "#cal-summary")


# -- the plan form ----------------------------------------------------------------------------


async def open_plan_form(pilot: Pilot[Any]) -> PlanFormDialog:
    await press(pilot, "p")
    assert showing(pilot.app, ProfileScreen)
    await press(pilot, "t")
    dialog = pilot.app.screen
    assert isinstance(dialog, PlanFormDialog)
    return dialog


async def test_the_plan_preview_shows_the_steps_and_warnings_and_writes_nothing(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = await open_plan_form(pilot)
        assert app.focused is dialog.query_one("#start", Input)
        assert dialog.query_one("#from", Input).value == "1mg", "tonight's dose filled in"
        assert dialog.query_one("#prescriber", Input).value == "Dr. Weiss"
        await type_into(pilot, "#start", "2026-12-01")
        await type_into(pilot, "#step", "10%")
        await type_into(pilot, "#every", "14d")
        await press(pilot, "enter")  # Enter in a field previews, never saves
        await until(pilot, lambda: "Preview" in text_of(app, "#plan-preview"))
        assert isinstance(app.screen, PlanFormDialog)
        preview = text_of(app, "#plan-preview")
        assert f"Preview (nothing saved): {FORMULATION}" in preview
        for row in ("1  2026-12-01       14  1 mg",
                    "2  2026-12-15       14  0.875 mg  0.125 mg (12.5 %)",
                    "taken as ½ tablet of 1 mg + ¾ tablet of 0.5 mg",
                    "6  2027-02-09       14  0.375 mg  0.125 mg (25 %)",
                    "taken as ¾ tablet of 0.5 mg",
                    "7  2027-02-23       14  0.25 mg   0.125 mg (33.3 %)",
                    "9  2027-03-23  onwards  0 (stop)  0.125 mg (100 %)"):
            assert row in preview, row
        assert "4 warning(s) (advice for the prescriber; they do not block the plan):" in preview
        assert "! 2027-02-23: the cut from 0.375 mg to 0.25 mg is 33.3 %, over 25 %" in preview
        assert "text-warning" in styles_of(app, "#plan-preview")
        assert "33.3 %" in shown(app), "the preview is scrolled into view"
        # a change after the preview says the preview is stale
        await type_into(pilot, "#every", "7d")
        assert "changed since this preview" in text_of(app, "#preview-note")
    with opened(path) as db:
        assert plan_history(db)[0] == [], "a preview writes nothing"


async def test_save_plan_writes_a_version_with_its_warnings(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_plan_form(pilot)
        await type_into(pilot, "#start", "2026-12-01")
        await type_into(pilot, "#step", "10%")
        await type_into(pilot, "#every", "14d")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Taper plan version 1" in text_of(app, "#profile-text"))
        assert "Taper plan version 1 saved, in force from 2026-12-01, with 4 warning(s)" in notified(app)
        text = text_of(app, "#profile-text")
        assert f"   Formulation: {FORMULATION}" in text
        assert "   from 2027-02-09 to 2027-02-22: 0.375 mg (¾ tablet of 0.5 mg)" in text
        assert "Warnings when it was saved (4; advice, they did not block the plan):" in text
        assert "   ! 2027-02-23: the cut from 0.375 mg to 0.25 mg is 33.3 %, over 25 %" in text
        assert "text-warning" in styles_of(app, "#profile-text")
    with opened(path) as db:
        versions, _takeovers = plan_history(db)
    assert len(versions) == 1 and len(versions[0].warnings) == 4
    assert [s.dose_ug for s in versions[0].steps][-3:] == [250, 125, 0]


async def test_plan_form_errors_are_inline_in_words_and_keep_what_was_typed(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    with opened(path) as db:
        set_plan(db, berlin(2026, 11, 20, 12), PlanRequest(
            prescriber="Dr. Weiss", steps="2026-12-01=1mg,2026-12-15=0.5mg,2027-01-05=0"))
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_plan_form(pilot)
        await press(pilot, "enter")  # nothing typed
        error = text_of(app, ".dialog-error")
        assert error.startswith("the plan needs the first night, the step length")
        await type_into(pilot, "#start", "2026-12-01")
        await type_into(pilot, "#step", "10%")
        await type_into(pilot, "#every", "3x")
        await press(pilot, "enter")
        assert "the step length '3x' is not an interval" in text_of(app, ".dialog-error")
        assert app.screen.query_one("#step", Input).value == "10%", "what was typed stays"
        await type_into(pilot, "#every", "14d")
        await type_into(pilot, "#tablets", "1mg:third")
        await press(pilot, "enter")
        assert "the split must be whole, half or quarter" in text_of(app, ".dialog-error")
        await type_into(pilot, "#tablets", "")
        await push_button(pilot, "#save")  # a second plan needs a reason
        await until(pilot, lambda: "needs a reason" in text_of(app, ".dialog-error"))
        for words in (text_of(app, ".dialog-error"), shown(app)):
            assert "--" not in words, "no command-line wording on the screen"
        assert isinstance(app.screen, PlanFormDialog)
        await type_into(pilot, "#reason", "gentler")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert "Taper plan version 2 by Dr. Weiss: replaced (reason: gentler)" in text_of(
            app, "#profile-text")


async def test_the_profile_says_from_which_night_a_prescription_replaced_the_plan(tmp_path, make_app):
    """As `taper show` and `taper history` say it: a plan version's steps are listed as written,
    and the night a newer prescription took over is named below them."""
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    with opened(path) as db:
        set_plan(db, berlin(2026, 11, 10, 12), PlanRequest(
            prescriber="Dr. Weiss", steps="2026-11-11=1mg,2026-11-18=0.5mg,2026-12-15=0"))
        prescribe(db, berlin(2026, 11, 20, 12), PrescriptionRequest(
            dose="0.5mg", prescriber="Dr. Roth", start="2026-11-22", tablets=TABLETS))
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Taper plan version 1" in text_of(app, "#profile-text"))
        text = flat(text_of(app, "#profile-text"))
        assert ("A prescription by Dr. Roth (0.5 mg a night) replaced this plan from the night of "
                "2026-11-22; its steps from that night on no longer apply.") in text


# -- the prescription with its formulation ----------------------------------------------------


async def test_a_prescription_records_its_tablets_and_refuses_a_dose_they_cannot_make(
        tmp_path, make_app):
    path = make_patient(tmp_path / "medtrack.db", dose=None)
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "n")
        assert showing(app, PrescribeDialog)
        await type_into(pilot, "#dose", "0.3 mg")
        await type_into(pilot, "#prescriber", "Dr. Weiss")
        await type_into(pilot, "#tablets", "1mg:half, 0.5mg:quarter")
        await push_button(pilot, "#save")
        await until(pilot, lambda: "cannot be made" in text_of(app, ".dialog-error"))
        assert "the nearest doses are 0.25 mg or 0.375 mg" in text_of(app, ".dialog-error")
        assert app.screen.query_one("#tablets", Input).value == "1mg:half, 0.5mg:quarter"
        await type_into(pilot, "#dose", "0.75 mg")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Formulation:" in text_of(app, "#profile-text"))
        text = text_of(app, "#profile-text")
        assert f"Formulation: {FORMULATION}" in text
        assert "taken as ½ tablet of 1 mg + ½ tablet of 0.5 mg" in text
        assert "Prescription saved: 0.75 mg (½ tablet of 1 mg + ½ tablet of 0.5 mg)" in notified(app)
    with opened(path) as db:
        prescription = latest_prescription(db)
        assert prescription is not None and prescription.formulation is not None
        assert prescription.formulation.describe() == FORMULATION


# -- the stock forms --------------------------------------------------------------------------


async def test_stock_is_added_and_counted_and_an_off_count_is_said_plainly(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert "No stock recorded yet" in text_of(app, "#profile-text")
        await press(pilot, "a")
        assert showing(app, AddStockDialog)
        await type_into(pilot, "#quantity", "30x1mg")
        await type_into(pilot, "#note", "pharmacy")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Stock: 30 × 1 mg tablets left" in text_of(app, "#profile-text"))
        assert "Stock added: 30 × 1 mg tablets." in notified(app)
        assert "It lasts 60 more night(s)" in text_of(app, "#profile-text")
        # a count that agrees: a notice, nothing to read
        await press(pilot, "o")
        assert showing(app, CountStockDialog)
        await type_into(pilot, "#quantity", "30x1mg")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen))
        assert "Count recorded: 30 × 1 mg tablets." in notified(app)
        # two tablets short: flagged, and said in a dialog that waits for OK
        await press(pilot, "o")
        await type_into(pilot, "#quantity", "28x1mg")
        await type_into(pilot, "#note", "counted twice")
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, MessageDialog))
        assert ("This count differs from the 30 × 1 mg tablets expected by more than half a "
                "tablet; it is kept and shown to your prescriber") in text_of(app, ".dialog-text")
        assert "This count differs from the 30 × 1 mg tablets expected" in shown(app)
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Stock: 28 × 1 mg tablets left" in text_of(app, "#profile-text"))
        text = text_of(app, "#profile-text")
        assert "! The count of 2026-11-25 (28 × 1 mg tablets) differs from the 30 × 1 mg" in text
        assert "text-warning" in styles_of(app, "#profile-text")
        await press(pilot, "escape")
        assert isinstance(app.screen, TonightScreen)
        await until(pilot, lambda: "Stock: 28 × 1 mg tablets left" in text_of(app, "#stock"))
    with opened(path) as db:
        report = show_stock(db, IN_WINDOW)
    assert report is not None and [e.flagged for e in report.entries] == [False, False, True]


async def test_a_stock_form_refuses_what_it_cannot_read_inline(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "a")
        await type_into(pilot, "#quantity", "thirty")
        await press(pilot, "enter", "enter")
        assert showing(app, AddStockDialog)
        assert "is not a number of tablets and their strength" in text_of(app, ".dialog-error")
        assert app.screen.query_one("#quantity", Input).value == "thirty"
        await press(pilot, "escape")
        assert isinstance(app.screen, ProfileScreen)
    with opened(path) as db:
        assert show_stock(db, IN_WINDOW) is None


# -- small terminals and key storms -----------------------------------------------------------


def new_dialogs(who: Patient) -> list[ModalScreen[Any]]:
    return [PlanFormDialog(who, "Dr. Weiss", "1mg"), AddStockDialog(who), CountStockDialog(who),
            PrescribeDialog(who, contraindicated=True),
            LogDialog("0.875 mg", IN_WINDOW, "½ tablet of 1 mg + ¾ tablet of 0.5 mg")]


def buttons_on_screen(dialog: Screen[Any], width: int, height: int) -> None:
    buttons = list(dialog.query(Button))
    assert buttons
    for button in buttons:
        region = button.region
        assert region.height > 0 and region.y >= 0 and region.bottom <= height, (button.id, region)
        assert region.right <= width, (button.id, region)


@pytest.mark.parametrize("index", range(5))
async def test_at_60x20_every_new_dialog_keeps_its_buttons_reachable(patient, make_app, index):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        dialog = new_dialogs(Patient(app.opening))[index]
        app.push_screen(dialog)
        await settle(pilot)
        buttons_on_screen(dialog, 60, 20)


async def test_at_60x20_the_plan_preview_scrolls_and_its_buttons_stay(tmp_path, make_app):
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        dialog = await open_plan_form(pilot)
        await type_into(pilot, "#start", "2026-12-01")
        await type_into(pilot, "#step", "10%")
        await type_into(pilot, "#every", "14d")
        await push_button(pilot, "#preview")
        await until(pilot, lambda: "warning(s)" in text_of(app, "#plan-preview"))
        buttons_on_screen(dialog, 60, 20)
        await press(pilot, "end")
        buttons_on_screen(dialog, 60, 20)


STORM_KEYS = ["p", "t", "a", "o", "n", "e", "enter", "enter", "escape", "tab", "tab", "shift+tab",
              "1", "0", "%", "x", "m", "g", "d", "space", "down", "up", "end", "home",
              "backspace", "question_mark"]


@pytest.mark.parametrize("seed", range(4))
async def test_no_key_storm_over_the_profile_and_its_forms_ends_in_a_traceback(
        tmp_path, make_app, seed):
    path = tablet_patient(tmp_path / "medtrack.db", dose="1mg")
    with opened(path) as db:
        add_stock(db, berlin(2026, 11, 20, 12), "30x1mg")
    rng = random.Random(seed)
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        for _ in range(80):
            await pilot.press(rng.choice(STORM_KEYS))
            if rng.random() < 0.2:
                await settle(pilot)
        await settle(pilot)
        assert app.is_running
    # leaving `run_test` re-raises any exception the app hit
