"""Calendar, History (void), Symptoms, Export, About, Profile, first-run Setup, Escape back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static
from tui_helpers import (
    SIZE,
    berlin,
    flat,
    opened,
    press,
    push_button,
    screen_text,
    settle,
    showing,
    text_of,
    type_into,
    until,
    wait_for_text,
)

from medtrack.services.dosing import DoseRequest, history, log_dose, skip_night
from medtrack.services.prescribing import current_regimen
from medtrack.services.profile import show_profile
from medtrack.services.symptoms import list_symptoms
from medtrack.services.taper import PlanAction, PlanChange, PlanRequest, change_plan, set_plan
from medtrack.tui.about import AboutScreen
from medtrack.tui.app import MedtrackApp
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.dialogs import ConfirmDialog, VoidDialog
from medtrack.tui.export import ExportScreen
from medtrack.tui.history import HistoryScreen
from medtrack.tui.profile import EditProfileDialog, ProfileScreen
from medtrack.tui.setup import SetupScreen
from medtrack.tui.symptoms import SymptomsScreen
from medtrack.tui.tonight import TonightScreen

pytestmark = pytest.mark.slow  # a real Textual app per test


def add_plan(path: Path) -> None:
    """A taper from 1 mg (from 20 Nov) down by 0.25 mg every 14 days."""
    with opened(path) as db:
        set_plan(db, berlin(2026, 11, 19, 12), PlanRequest(
            prescriber="Dr. Weiss", start="2026-11-20", from_dose="1mg", step="0.25mg", every="14d"))


# -- Calendar --------------------------------------------------------------------------------

def calendar_view(app: MedtrackApp) -> tuple[str, str]:
    return text_of(app, "#cal-title"), text_of(app, "#cal-detail")


async def test_calendar_arrows_cross_a_month_end(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 30, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, CalendarScreen)
        title, detail = calendar_view(app)
        assert title == "November 2026"
        assert detail.startswith("Mon 30 Nov 2026: scheduled 1 mg")
        assert "This month:" in text_of(app, "#cal-summary")

        await press(pilot, "right")
        title, detail = calendar_view(app)
        assert title == "December 2026"
        assert detail.startswith("Tue 01 Dec 2026: scheduled 1 mg")
        assert "December 2026" in screen_text(app)

        await press(pilot, "left")
        assert calendar_view(app)[0] == "November 2026"
        assert calendar_view(app)[1].startswith("Mon 30 Nov 2026")

        await press(pilot, "up")  # a week back
        assert calendar_view(app)[1].startswith("Mon 23 Nov 2026")
        await press(pilot, "down", "down")  # two weeks on: into December
        title, detail = calendar_view(app)
        assert (title, detail[:15]) == ("December 2026", "Mon 07 Dec 2026")
        await press(pilot, "t")  # back to today
        assert calendar_view(app)[1].startswith("Mon 30 Nov 2026")


async def test_calendar_page_keys_and_arrows_cross_a_year_end(patient, make_app):
    app = make_app(patient, berlin(2026, 12, 31, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert calendar_view(app)[0] == "December 2026"
        assert calendar_view(app)[1].startswith("Thu 31 Dec 2026")

        await press(pilot, "right")
        title, detail = calendar_view(app)
        assert title == "January 2027"
        assert detail.startswith("Fri 01 Jan 2027")

        await press(pilot, "left")
        assert calendar_view(app)[0] == "December 2026"
        assert calendar_view(app)[1].startswith("Thu 31 Dec 2026")

        await press(pilot, "pagedown")
        assert calendar_view(app)[0] == "January 2027"
        await press(pilot, "pagedown")
        assert calendar_view(app)[0] == "February 2027"
        await press(pilot, "pageup", "pageup")
        title, detail = calendar_view(app)
        assert title == "December 2026"
        assert detail.startswith("Tue 01 Dec 2026")
        assert "December 2026" in screen_text(app)


async def test_calendar_marks_and_summary_from_the_demo(demo, make_app):
    from tui_helpers import DEMO_NOW

    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        shown = screen_text(app)
        assert "December 2026" in shown
        assert "Wed 30 Dec 2026: scheduled 0.25 mg" in shown
        assert "(the dose changes this night)" in shown
        assert "This month: 27 taken, 2 missed, 0 skipped, 0 excess" in shown
        assert "▸ new dose" in shown
        await press(pilot, "pageup")
        assert "November 2026" in screen_text(app)
        # every line fits: nothing of the grid is cut at 80 columns
        assert all(len(line) <= 80 for line in shown.splitlines())


# -- History and void ------------------------------------------------------------------------

def row_texts(app: MedtrackApp) -> list[list[str]]:
    table = app.screen.query_one(DataTable)
    return [[str(getattr(cell, "plain", cell)) for cell in table.get_row_at(i)]
            for i in range(table.row_count)]


@pytest.fixture
def four_nights(patient: Path) -> Path:
    with opened(patient) as db:
        skip_night(db, berlin(2026, 11, 21, 23, 50), None, "too late")
        log_dose(db, berlin(2026, 11, 22, 22, 10), DoseRequest(dose="1mg"))
        log_dose(db, berlin(2026, 11, 23, 22, 20), DoseRequest(dose="1mg", note="slept well"))
        log_dose(db, berlin(2026, 11, 24, 22, 30), DoseRequest(dose="1mg"))
    return patient


async def test_history_newest_first_and_void_keeps_the_record(four_nights, make_app):
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert showing(app, HistoryScreen)
        rows = row_texts(app)
        assert [r[1] for r in rows] == ["2026-11-24", "2026-11-23", "2026-11-22", "2026-11-21"]
        assert [r[2] for r in rows] == ["22:30 CET", "22:20 CET", "22:10 CET", "23:50 CET"]
        assert rows[1][6] == "slept well"
        assert rows[3][4] == "skipped"
        shown = screen_text(app)
        assert shown.index("2026-11-24") < shown.index("2026-11-21")

        # void the newest (the cursor starts on it): v, a reason, Enter
        await press(pilot, "v")
        assert showing(app, VoidDialog)
        assert "Void record #" in screen_text(app)
        await press(pilot, "enter")  # no reason yet: refused in words
        assert showing(app, VoidDialog)
        assert "Please give a reason." in text_of(app, ".dialog-error")
        await type_into(pilot, "#reason", "logged the wrong night")
        await press(pilot, "enter")  # a dose: Enter asks for the explicit choice
        assert showing(app, VoidDialog)
        assert "did you take this dose" in text_of(app, ".dialog-error")
        await push_button(pilot, "#confirm")  # "Entered by mistake"
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen)
                    and row_texts(app)[0][4].startswith("VOID"))
        rows = row_texts(app)
        assert len(rows) == 4, "a voided record stays listed"
        assert rows[0][1] == "2026-11-24"
        assert rows[0][4] == "VOID: logged the wrong night"
        table = app.screen.query_one(DataTable)
        assert "strike" in str(table.get_row_at(0)[1].style)
        # the Flags column may cut it; the detail line shows the highlighted record whole
        await wait_for_text(pilot, "VOID: logged the wrong night")

        # voiding it again is refused in words
        await press(pilot, "v")
        assert isinstance(app.screen, HistoryScreen)
        assert any("already void" in str(n.message) for n in app._notifications)

    with opened(four_nights) as db:
        records = {r.night.isoformat(): r for r in history(db)}
    assert records["2026-11-24"].voided
    assert records["2026-11-24"].void_reason == "logged the wrong night"
    assert not records["2026-11-23"].voided


async def test_void_dialog_escape_changes_nothing(four_nights, make_app):
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h", "down", "v")
        assert showing(app, VoidDialog)
        assert "night 2026-11-23" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, HistoryScreen)
    with opened(four_nights) as db:
        assert not any(r.voided for r in history(db))


async def test_history_of_the_demo_shows_the_voided_record(demo, make_app):
    from tui_helpers import DEMO_NOW

    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        rows = row_texts(app)
        nights = [r[1] for r in rows]
        assert nights == sorted(nights, reverse=True)
        assert any(r[4] == "VOID, not taken: dropped the tablet" for r in rows)


async def test_history_empty(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h", "v")
        assert isinstance(app.screen, HistoryScreen)
        assert "No records yet." in screen_text(app)


# -- Symptoms --------------------------------------------------------------------------------

async def log_symptom_in_tui(pilot, effect: str | None, severity: int | None, own: str = "",
                             note: str = "") -> None:
    app = pilot.app
    if effect is not None:
        app.screen.query_one("#effect", Select).value = effect
    if severity is not None:
        app.screen.query_one("#severity", Select).value = severity
    if own:
        await type_into(pilot, "#own", own)
    if note:
        await type_into(pilot, "#note", note)
    await push_button(pilot, "#save")


async def test_respiratory_depression_shows_the_urgent_banner(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, SymptomsScreen)
        assert text_of(app, "#urgent-banner") == ""
        await log_symptom_in_tui(pilot, "respiratory-depression", 3, note="breathing slowly")
        await until(pilot, lambda: text_of(app, "#urgent-banner") != "")
        banner = text_of(app, "#urgent-banner")
        assert banner.startswith("URGENT: Respiratory depression.")
        assert "contact your doctor now, or emergency services" in banner
        assert app.screen.query_one("#urgent-banner").has_class("urgent")
        # the banner is on screen, not scrolled away
        app.screen.query_one("#symptoms").scroll_home(animate=False)
        await settle(pilot)
        assert "URGENT: Respiratory depression" in screen_text(app)
        assert "Respiratory depression (severity 3)  URGENT - breathing slowly" in text_of(app, "#recent")
    with opened(patient) as db:
        [entry] = list_symptoms(db)
    assert entry.urgent and entry.effect_id == "respiratory-depression" and entry.severity == 3


async def test_low_blood_pressure_in_own_words_is_urgent_too(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, None, 3, own="low blood pressure")
        await until(pilot, lambda: text_of(app, "#urgent-banner") != "")
        assert text_of(app, "#urgent-banner").startswith("URGENT: Hypotension.")


async def test_mild_symptom_has_no_banner(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, "headache", 2)
        await until(pilot, lambda: "Headache" in text_of(app, "#recent"))
        assert text_of(app, "#urgent-banner") == ""
        assert "Headache (severity 2)" in text_of(app, "#recent")




async def test_symptom_without_a_name_is_refused_in_words(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, None, 2)
        assert text_of(app, "#symptom-error").strip()
        assert "Select.NULL" not in screen_text(app)
    with opened(patient) as db:
        assert list_symptoms(db) == []


async def test_symptom_severity_is_optional(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, "respiratory-depression", None)
        assert "Select.NULL" not in text_of(app, "#symptom-error")
        assert text_of(app, "#urgent-banner").startswith("URGENT: Respiratory depression.")
    with opened(patient) as db:
        [entry] = list_symptoms(db)
    assert entry.severity is None


async def test_severe_symptom_during_a_taper_suggests_a_hold_on_tonight(patient, make_app):
    add_plan(patient)
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Severe symptoms" not in text_of(app, "#warnings")
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, "dizziness", 4)
        await until(pilot, lambda: "Dizziness" in text_of(app, "#recent"))
        assert text_of(app, "#urgent-banner") == ""  # severe, but not an emergency
        await press(pilot, "escape")
        assert isinstance(app.screen, TonightScreen)
        await until(pilot, lambda: "Severe symptoms" in text_of(app, "#warnings"))
        warnings = text_of(app, "#warnings")
        assert "Severe symptoms during this taper step (Dizziness)" in warnings
        assert "holding the current step" in warnings
        assert "Severe symptoms during this taper step" in flat(screen_text(app))


async def test_severe_symptom_without_a_plan_suggests_no_hold(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, "dizziness", 5)
        await until(pilot, lambda: "Dizziness" in text_of(app, "#recent"))
        await press(pilot, "escape")
        assert "Severe symptoms" not in text_of(app, "#warnings")


# -- Export ----------------------------------------------------------------------------------

async def test_export_csv_writes_the_file_and_says_where(four_nights, make_app, tmp_path):
    target = tmp_path / "out" / "report.csv"
    target.parent.mkdir()
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert showing(app, ExportScreen)
        await pilot.click("#fmt-csv")
        await settle(pilot)
        assert app.screen.query_one("#path", Input).value.endswith(".csv")
        await type_into(pilot, "#path", str(target))
        await push_button(pilot, "#write")
        await until(pilot, lambda: text_of(app, "#export-result") not in ("", "Writing…"))
        assert text_of(app, "#export-result") == f"Written to {target}"
        assert "Written to" in screen_text(app)
        # writing again to the same file asks first; declining keeps the first file
        before = target.read_bytes()
        await push_button(pilot, "#write")
        assert showing(app, ConfirmDialog)
        assert "already exists" in flat(screen_text(app).replace("█", " "))
        assert app.focused is not None and app.focused.id == "yes"  # it starts on its main action
        await press(pilot, "escape")  # declined
        assert isinstance(app.screen, ExportScreen)
    assert target.exists()
    assert target.read_bytes() == before
    text = target.read_text()
    assert "2026-11-24" in text and "2026-11-21" in text


async def test_the_pdf_for_the_doctor_says_which_nights_it_covers_and_why(four_nights, make_app, tmp_path):
    """The PDF (the first choice) covers the nights since the last report to the doctor, else the
    last 90 nights, and the screen says which, as the page does."""
    target = tmp_path / "visit.pdf"
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        await type_into(pilot, "#path", str(target))
        await push_button(pilot, "#write")
        await until(pilot, lambda: text_of(app, "#export-result") not in ("", "Writing…"))
        assert text_of(app, "#export-result") == (
            f"Written to {target}: nights 2026-11-01 to 2026-11-25, the whole record, shorter than 90 nights "
            "(no earlier report to the doctor is recorded)")
    assert target.read_bytes().startswith(b"%PDF-")


async def test_export_with_a_period(four_nights, make_app, tmp_path):
    target = tmp_path / "period.csv"
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        await pilot.click("#fmt-csv")
        await type_into(pilot, "#from", "2026-11-23")
        await type_into(pilot, "#to", "2026-11-24")
        await type_into(pilot, "#path", str(target))
        await push_button(pilot, "#write")
        await until(pilot, lambda: text_of(app, "#export-result") not in ("", "Writing…"))
        assert text_of(app, "#export-result") == f"Written to {target}"
    text = target.read_text()
    assert "2026-11-24" in text and "2026-11-21" not in text


async def test_export_the_check_ins_as_their_own_csv(four_nights, make_app, tmp_path):
    from medtrack.services.checkin import record_checkin

    with opened(four_nights) as db:
        record_checkin(db, berlin(2026, 11, 24, 20, 0), ["anxiety=2", "tremor=1"])
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        await pilot.click("#fmt-checkins")
        await settle(pilot)
        assert Path(app.screen.query_one("#path", Input).value).name.startswith("medtrack-checkins-")
        target = tmp_path / "checkins.csv"
        await type_into(pilot, "#path", str(target))
        await push_button(pilot, "#write")
        await until(pilot, lambda: text_of(app, "#export-result") not in ("", "Writing…"))
        assert text_of(app, "#export-result") == f"Written to {target}"
    header, row = target.read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith('"checkin_id","night"') and '"anxiety"' in header
    assert row.startswith('"1","2026-11-24"')


# -- About the medicine ----------------------------------------------------------------------

async def test_about_shows_the_monograph_in_plain_words(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        assert isinstance(app.screen, AboutScreen)
        shown = flat(screen_text(app))
        assert "What it is for" in shown
        assert "Respiratory depression (urgent: contact your doctor or emergency services now)" in shown
        assert "30-60 minutes" in shown
        every = flat(" ".join(str(s.content) for s in app.screen.query(".about-text").results(Static)))
        for words in ("Driving", "Storage", "Missed doses", "Disclaimer"):
            assert words in flat(" ".join(str(s.content) for s in app.screen.query(".about-title").results(Static)))
        assert "not be considered medical advice" in every
        await press(pilot, "end")  # scroll to the end: the disclaimer is readable
        assert "medical advice" in flat(screen_text(app))


# -- Profile and plan ------------------------------------------------------------------------

async def test_profile_shows_the_profile_and_the_prescription(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, ProfileScreen)
        text = text_of(app, "#profile-text")
        assert "Ada Muster, born 1970-05-01, zone Europe/Berlin" in text
        assert "Bedtime 22:30, wake 06:30, minimum sleep 7 h" in text
        assert "Prescription: 1 mg at bedtime from 2026-11-01, by Dr. Weiss" in text
        assert "Ada Muster" in screen_text(app)


async def test_profile_shows_the_plan_versions(patient, make_app):
    add_plan(patient)
    with opened(patient) as db:
        change_plan(db, berlin(2026, 11, 30, 12), PlanChange(
            action=PlanAction.HOLD, reason="withdrawal symptoms", at="2026-12-04", days="7"))
    app = make_app(patient, berlin(2026, 12, 1, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        text = text_of(app, "#profile-text")
        assert "Taper plan version 2 by Dr. Weiss: hold 7 day(s) at 2026-12-04" in text
        assert "(reason: withdrawal symptoms)" in text
        assert "Taper plan version 1 by Dr. Weiss: created" in text
        assert text.index("Taper plan version 2") < text.index("Taper plan version 1"), \
            "newest version first"
        assert "from 2026-11-20 to 2026-12-03: 1 mg" in text
        shown = screen_text(app)
        assert "Taper plan version 2" in shown


async def test_profile_shows_the_prescription_while_a_plan_is_in_force(patient, make_app):
    add_plan(patient)
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert "Prescription: 1 mg" in text_of(app, "#profile-text")


async def test_profile_edit_saves_a_new_bedtime(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        assert showing(app, EditProfileDialog)
        await type_into(pilot, "#bedtime", "22:00")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Bedtime 22:00" in text_of(app, "#profile-text"))
        assert "Bedtime 22:00" in text_of(app, "#profile-text")
    with opened(patient) as db:
        assert show_profile(db).bedtime == dt.time(22, 0)


async def test_profile_edit_of_a_guarded_field_asks_for_the_pin(patient, make_app):
    from medtrack.services.lock import set_lock

    with opened(patient) as db:
        set_lock(db, berlin(2026, 11, 2, 12), "4711", None)
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        await type_into(pilot, "#wake", "07:00")  # a later wake widens the window: guarded
        await push_button(pilot, "#save")
        await until(pilot, lambda: text_of(app, ".dialog-error") != "")
        assert isinstance(app.screen, EditProfileDialog), "no PIN: not saved"
        assert "PIN" in text_of(app, ".dialog-error")
        await type_into(pilot, "#pin", "4711")
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "wake 07:00" in text_of(app, "#profile-text"))
        assert "wake 07:00" in text_of(app, "#profile-text")


async def test_profile_shows_the_language_and_the_patient_chooses_another(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert "Language: as the environment says (English)" in text_of(app, "#profile-text")
        await press(pilot, "e")
        assert showing(app, EditProfileDialog)
        choice = app.screen.query_one("#language", Select)
        assert choice.value == ""
        choice.focus()
        # its list: as the environment says, English, Deutsch, 日本語
        await press(pilot, "enter", "down", "down", "enter")
        assert choice.value == "de"
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Deutsch" in text_of(app, "#profile-text"))
    with opened(patient) as db:
        assert show_profile(db).language == "de"


# -- First run: setup ------------------------------------------------------------------------

async def fill_setup(pilot) -> None:
    app = pilot.app
    assert isinstance(app.screen, SetupScreen)
    await type_into(pilot, "#name", "Ada Muster")
    await type_into(pilot, "#born", "1970-05-01")
    await type_into(pilot, "#zone", "Europe/Berlin")
    await push_button(pilot, "#save-profile")
    await until(pilot, lambda: app.screen.query_one("#prescription-form").display)
    assert not app.screen.query_one("#profile-form").display
    assert app.screen.query_one("#prescription-form").display
    assert "Profile saved." in screen_text(app)
    await type_into(pilot, "#dose", "1 mg")
    await type_into(pilot, "#prescriber", "Dr. Weiss")
    await push_button(pilot, "#save-prescription")


def assert_set_up(path: Path) -> None:
    with opened(path) as db:
        profile = show_profile(db)
        regimen = current_regimen(db, berlin(2026, 11, 25, 22, 40))
    assert (profile.name, profile.born, profile.zone) == ("Ada Muster", dt.date(1970, 5, 1), "Europe/Berlin")
    assert regimen is not None and regimen.steps[0].dose_ug == 1000
    assert regimen.prescriber == "Dr. Weiss"


@pytest.mark.parametrize("existing", [False, True], ids=["no-file", "empty-file"])
async def test_first_run_shows_setup_and_lands_on_tonight(tmp_path, make_app, existing):
    path = tmp_path / "new" / "medtrack.db"
    path.parent.mkdir()
    if existing:
        path.touch()
    app = make_app(path, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        assert "Welcome to medtrack" in screen_text(app)
        assert app.focused is app.screen.query_one("#name", Input)
        await fill_setup(pilot)
        await until(pilot, lambda: isinstance(app.screen, TonightScreen)
                    and text_of(app, "#state") == "Due now")
        assert "Due now" in screen_text(app)
    assert_set_up(path)


async def test_setup_form_explains_bad_input(tmp_path, make_app):
    path = tmp_path / "medtrack.db"
    app = make_app(path, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#name", "Ada")
        await type_into(pilot, "#born", "1.5.70")
        await type_into(pilot, "#zone", "Europe/Berlin")
        await push_button(pilot, "#save-profile")
        await until(pilot, lambda: text_of(app, ".dialog-error") != "")
        assert isinstance(app.screen, SetupScreen)
        assert "birth" in text_of(app, ".dialog-error")
        assert "birth" in screen_text(app)
        assert app.screen.query_one("#profile-form").display


async def test_setup_later_lands_on_tonight_without_a_prescription(tmp_path, make_app):
    path = tmp_path / "medtrack.db"
    app = make_app(path, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#name", "Ada Muster")
        await type_into(pilot, "#born", "1970-05-01")
        await type_into(pilot, "#zone", "Europe/Berlin")
        await push_button(pilot, "#save-profile")
        await push_button(pilot, "#later")
        await until(pilot, lambda: isinstance(app.screen, TonightScreen)
                    and text_of(app, "#state") == "No prescription recorded")
        guidance = text_of(app, "#guidance")
        assert "take no dose" not in guidance.lower()
        assert "only as your prescriber told you" in guidance
        assert "Do not stop taking flunitrazepam suddenly" in guidance
        assert text_of(app, "#action-hint") == "Press  p  to enter the prescription."
        assert not app.screen.query_one("#dose-line").display
    with opened(path) as db:
        assert show_profile(db).name == "Ada Muster"


# -- Escape goes back; q only quits from Tonight ----------------------------------------------

SCREENS = [("c", CalendarScreen), ("h", HistoryScreen), ("s", SymptomsScreen),
           ("e", ExportScreen), ("i", AboutScreen), ("p", ProfileScreen)]


async def test_escape_goes_back_from_every_screen_and_q_quits_only_tonight(four_nights, make_app):
    app = make_app(four_nights, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, screen in SCREENS:
            await press(pilot, key)
            assert isinstance(app.screen, screen), key
            await press(pilot, "q")  # not a quit key here (it may go into a text field)
            assert app.is_running and isinstance(app.screen, screen), key
            await press(pilot, "escape")
            assert isinstance(app.screen, TonightScreen), key
            assert text_of(app, "#state") == "Due now"
        # the footer's `?` shows every key, also those the 80-column footer cannot fit
        await press(pilot, "question_mark")
        assert app.screen.query("HelpPanel")


async def test_export_the_whole_record_as_an_archive(four_nights, make_app, tmp_path):
    import json
    import zipfile

    target = tmp_path / "whole.zip"
    app = make_app(four_nights, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        await pilot.click("#fmt-archive")
        await settle(pilot)
        assert app.screen.query_one("#path", Input).value.endswith(".zip")
        await type_into(pilot, "#path", str(target))
        await push_button(pilot, "#write")
        await until(pilot, lambda: text_of(app, "#export-result") not in ("", "Writing…"))
        assert text_of(app, "#export-result") == f"Written to {target}"
    with zipfile.ZipFile(target) as zipped:
        assert json.loads(zipped.read("manifest.json"))["tables"]["record"]["rows"] == 4
