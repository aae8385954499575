"""User text is shown as text (never markup), NO_COLOR, the light theme, no paths on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.filter import Monochrome, NoColor
from textual.widgets import DataTable
from tui_helpers import (
    DEMO_NOW,
    SIZE,
    berlin,
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

from medtrack.services.dosing import DoseRequest, history, log_dose
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, set_profile
from medtrack.services.symptoms import log_symptom
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.dialogs import LogDialog
from medtrack.tui.history import HistoryScreen
from medtrack.tui.tonight import TonightScreen

pytestmark = pytest.mark.slow  # a real Textual app per test, every screen in two themes

NASTY = [
    "[bold]not bold[/bold]",
    "[/bold]",
    "[link=file:///etc/passwd]x[/link]",
    "[@click=app.quit]x[/]",
]


@pytest.fixture
def nasty_notes(patient: Path) -> Path:
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 20, 22, 30), DoseRequest(dose="1mg", note="ok\x1b[31mred\x07 bell"))
        for day, note in zip((21, 22, 23, 24), NASTY, strict=True):
            log_dose(db, berlin(2026, 11, day, 22, 30), DoseRequest(dose="1mg", note=note))
    return patient


def find(app, text: str) -> tuple[int, int]:
    """Where `text` is on the screen: (x, y) of its first character."""
    for y, line in enumerate(screen_text(app).splitlines()):
        if text in line:
            return line.index(text), y
    raise AssertionError(f"{text!r} is not on screen:\n{screen_text(app)}")


async def test_markup_in_notes_appears_literally_and_does_nothing(nasty_notes, make_app):
    app = make_app(nasty_notes, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        notes = [table.get_row_at(i)[6].plain for i in range(table.row_count)]  # By is column 5
        assert notes[4] == "ok[31mred bell", "control characters are stripped for display"
        # the Note column may cut a long note; the detail line shows the whole highlighted record
        for row, note in enumerate(reversed(NASTY)):
            assert note.startswith(notes[row].rstrip("…"))
            table.move_cursor(row=row)
            await settle(pilot)
            shown = screen_text(app)
            assert note in shown, f"{note!r} is not shown literally"
            assert "\x1b" not in shown and "\x07" not in shown
            if note in ("[@click=app.quit]x[/]", "[link=file:///etc/passwd]x[/link]"):
                # clicking the would-be action or the would-be link does nothing
                x, y = find(app, note)
                await pilot.click(offset=(x + note.index("]") + 1, y))
                await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, HistoryScreen)
        # and the screen still renders after a repaint (a lone [/bold] crashes a markup render)
        app.screen.refresh()
        await settle(pilot)
        table.move_cursor(row=list(reversed(NASTY)).index("[/bold]"))
        await settle(pilot)
        assert "[/bold]" in screen_text(app)
        # voiding with a markup reason keeps it literal too
        table.move_cursor(row=0)
        await press(pilot, "v")
        await type_into(pilot, "#reason", "[@click=app.quit]why[/]")
        await push_button(pilot, "#confirm")
        await until(pilot, lambda: table.row_count and table.get_row_at(0)[4].plain != "")
        assert table.get_row_at(0)[4].plain == "VOID: [@click=app.quit]why[/]"
        # the Flags column may cut it; the detail line shows the highlighted record whole
        await wait_for_text(pilot, "VOID: [@click=app.quit]why[/]")
        assert app.is_running
    with opened(nasty_notes) as db:
        assert [r.note for r in history(db)][1:] == NASTY  # stored verbatim


async def test_markup_in_symptom_notes_names_and_prescriber(patient, make_app):
    with opened(patient) as db:
        log_symptom(db, berlin(2026, 11, 25, 9), "[@click=app.quit]dizzy[/]", "2", note="[/bold]")
        set_profile(db, berlin(2026, 11, 20, 12), ProfileChanges(name="[bold]Ada[/bold] [/]"))
        prescribe(db, berlin(2026, 11, 20, 12), PrescriptionRequest(dose="1mg", prescriber="Dr. [link=https://evil]W[/link]"))
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        recent = text_of(app, "#recent")
        assert "[@click=app.quit]dizzy[/] (severity 2) - [/bold]" in recent
        assert "[@click=app.quit]dizzy[/]" in screen_text(app)
        x, y = find(app, "[@click=app.quit]dizzy[/]")
        await pilot.click(offset=(x + 18, y))
        await settle(pilot)
        assert app.is_running
        await press(pilot, "escape", "p")
        text = text_of(app, "#profile-text")
        assert text.startswith("[bold]Ada[/bold] [/], born")
        assert "by Dr. [link=https://evil]W[/link]" in text
        assert "[bold]Ada[/bold] [/]" in screen_text(app)


async def test_markup_typed_into_the_dose_field_is_an_error_shown_literally(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "l")
        await type_into(pilot, "#dose", "[/bold]")
        await press(pilot, "enter")
        assert isinstance(app.screen, LogDialog)
        assert "[/bold]" in text_of(app, ".dialog-error")
        await press(pilot, "escape")
        assert app.is_running


# -- NO_COLOR and themes -------------------------------------------------------------------

def segments_with(app, text: str) -> list[Segment]:
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip
            if text in seg.text]


async def test_no_color_is_respected_and_the_app_still_works(patient, make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(patient, berlin(2026, 11, 30, 22, 40))
    assert app.no_color
    assert any(isinstance(f, (NoColor, Monochrome)) for f in app._filters)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert text_of(app, "#state") == "Due now"
        await press(pilot, "l", "enter")
        await until(pilot, lambda: text_of(app, "#state") != "Due now")
        assert text_of(app, "#state") == "Taken at 22:40"
        # marks are characters, not colours: the strip says what happened without colour
        assert "Mon ✓" in text_of(app, "#strip")
        await press(pilot, "c")
        assert showing(app, CalendarScreen)
        # the selected night is shown in reverse video, which survives NO_COLOR
        selected = [seg for seg in segments_with(app, "30") if seg.style and seg.style.reverse]
        assert selected, "the selected day must be marked without colour"
        await press(pilot, "escape", "h")
        assert showing(app, HistoryScreen)
        assert "2026-11-30" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, TonightScreen)
    with opened(patient) as db:
        assert len(history(db)) == 1


async def test_light_theme_renders_every_main_screen(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await settle(pilot)
        assert app.current_theme.dark is False
        assert "Due now" in screen_text(app)
        svg = app.export_screenshot()
        assert "Due" in svg
        for key, words in (("c", "December 2026"), ("h", "2026-12-28"), ("s", "Recent entries")):
            await press(pilot, key)
            assert words in screen_text(app), key
            await press(pilot, "escape")
        await press(pilot, "l")
        assert "Log tonight's dose" in screen_text(app)
        await press(pilot, "escape")


def contrast(fg: Color, bg: Color) -> float:
    """WCAG contrast ratio of two opaque colours."""
    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def tonight_contrasts(app, pilot) -> dict[str, float]:
    found = {}
    for words in ("Due now", "! Tonight: no alcohol", "Take 0.25 mg now", "Window: opens"):
        [seg, *_] = segments_with(app, words)
        assert seg.style is not None, words
        fg = Color.from_rich_color(seg.style.color)
        bg = Color.from_rich_color(seg.style.bgcolor)
        found[words] = round(contrast(fg, bg), 2)
    return found


async def test_dark_theme_state_and_warnings_are_readable(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ratios = await tonight_contrasts(app, pilot)
    assert all(r >= 4.5 for r in ratios.values()), ratios


async def test_light_theme_state_and_warnings_are_readable(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "textual-light"
        await settle(pilot)
        ratios = await tonight_contrasts(app, pilot)
    assert all(r >= 3.0 for r in ratios.values()), ratios


# -- nothing of the machine on screen -----------------------------------------------------

async def test_no_path_on_the_main_screens(demo, make_app, tmp_path):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in ("", "c", "h"):
            if key:
                await press(pilot, key)
            shown = screen_text(app)
            svg = app.export_screenshot()
            for text in (shown, svg):
                assert str(tmp_path) not in text
                assert str(Path.home()) not in text
                assert "medtrack.db" not in text
            if key:
                await press(pilot, "escape")
