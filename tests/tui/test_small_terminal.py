"""A 60x20 terminal, NO_COLOR and the light theme, as a patient meets them (issue 21).

At 60x20 the calendar's doses stay on one line, History shows its Flags, By and Note columns and
the whole highlighted record, the already-taken dialog's required note is in sight when it opens,
and the check-in keeps a row per symptom. Under NO_COLOR (every colour turned into a grey) the
excess warning is as bright as ordinary text, a field has a visible frame, and a focused scroll
area shows that it has focus. Colours are read from the cells as drawn (after Textual's NO_COLOR
filter), not from the style sheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.color import Color
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, Static
from tui_helpers import DEMO_NOW, berlin, flat, opened, press, screen_text, settle, until

from medtrack.core.model import DoseEntry
from medtrack.services.dosing import DoseRequest, log_dose
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.checkin import Ratings
from medtrack.tui.dialogs import AlreadyTakenDialog, ConfirmDialog
from medtrack.tui.history import HistoryScreen
from medtrack.tui.setup import SetupScreen

SMALL = (60, 20)
THEMES = ("textual-dark", "textual-light")


def cell(app, x: int, y: int) -> tuple[str, Segment]:
    """The character drawn at column x of row y of the screen, and its segment."""
    column = 0
    for segment in app.screen._compositor.render_strips()[y]:
        if column <= x < column + segment.cell_length:
            return segment.text[x - column], segment
        column += segment.cell_length
    raise AssertionError(f"nothing drawn at {x},{y}")


def contrast(fg: Color, bg: Color) -> float:
    """WCAG contrast ratio of two opaque colours."""
    def luminance(c: Color) -> float:
        def channel(v: int) -> float:
            s = v / 255
            return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def colours(segment: Segment) -> tuple[Color, Color]:
    assert segment.style is not None and segment.style.color is not None and segment.style.bgcolor is not None
    return Color.from_rich_color(segment.style.color), Color.from_rich_color(segment.style.bgcolor)


def ordinary_contrast(app, bg: Color) -> float:
    """How ordinary text stands out from `bg` (the theme's text colour; grey under NO_COLOR)."""
    text = Color.parse(app.get_css_variables()["foreground"])
    return contrast(text.monochrome if app.no_color else text, bg)


# -- 60x20: the calendar, History, the already-taken dialog, the check-in -------------------

@pytest.mark.slow
async def test_calendar_at_60x20_keeps_each_dose_and_the_week_on_one_line(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, CalendarScreen)
        for month in ("December 2026", "November 2026"):  # five weeks; six, from a Sunday
            shown = screen_text(app)
            assert month in shown, shown
            lines = shown.splitlines()
            header = next(i for i, line in enumerate(lines) if "Mon" in line)
            assert "Sun" in lines[header], "the days of the week on one line"
            weeks = 0
            for top, low in zip(lines[header + 1::2], lines[header + 2::2], strict=False):
                days = re.findall(r"(?<![\d.:])\d{1,2}(?= )", top)
                if not re.match(r"\s+\d", top):
                    break
                # each night's dose whole under its day ("0.25 mg", never "0.25" / "mg"), or "-"
                doses = re.findall(r"\d(?:\.\d+)? ?mg\b|(?<!\S)-(?!\S)", low)
                assert len(doses) == len(days), (top, low)
                assert not low.lstrip().startswith("mg"), low
                weeks += 1
            assert weeks >= 5, shown
            assert "⊘ not allowed" in flat(shown), "the whole legend is in sight"
            await press(pilot, "pageup")


@pytest.mark.slow
async def test_calendar_grid_is_unchanged_at_80_columns(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        lines = screen_text(app).splitlines()
        assert lines[1].strip() == "December 2026"
        assert lines[2].startswith(" Mon       Tue       Wed")


@pytest.fixture
def flagged(patient: Path) -> Path:
    """The standard patient with a dose recorded as already taken (flagged) with a note."""
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 24, 22, 30), DoseRequest(dose="1mg"))
        log_dose(db, berlin(2026, 11, 25, 21, 0), DoseRequest(
            dose="2mg", note="took two by mistake", entry=DoseEntry.ALREADY_TAKEN))
    return patient


@pytest.mark.slow
async def test_history_at_60x20_shows_flags_by_and_note(flagged, make_app):
    app = make_app(flagged, berlin(2026, 11, 25, 21, 30))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await settle(pilot)
        # each column, with its padding, ends within what the table shows (nothing off the edge)
        right = 0
        ends = {}
        for column in table.columns.values():
            right += column.get_render_width(table)
            ends[str(column.label)] = right
        for label in ("Night", "Dose", "Flags", "By", "Note"):
            assert ends[label] <= table.scrollable_content_region.width, (label, ends)
        shown = screen_text(app)
        header = next(line for line in shown.splitlines() if "Night" in line)
        assert all(label in header.split() for label in ("Flags", "By", "Note")), header
        newest = next(line for line in shown.splitlines() if "2026-11-25" in line)
        assert "already" in newest and "took" in newest, newest
        # the line below the table has the highlighted record whole, its note included
        assert "took two by mistake" in flat(shown), shown


@pytest.mark.slow
async def test_history_keeps_its_columns_at_80_columns(flagged, make_app):
    app = make_app(flagged, berlin(2026, 11, 25, 21, 30))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "h")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2)
        assert [str(c.label) for c in table.columns.values()] == ["#", "Night", "Time", "Dose", "Flags",
                                                                   "By", "Note"]
        assert table.get_row_at(0)[2].plain == "21:00 CET"


@pytest.mark.slow
async def test_already_taken_note_is_in_sight_at_60x20(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        assert isinstance(app.screen, AlreadyTakenDialog)
        note = app.screen.query_one("#note", Input)
        body = app.screen.query_one(".dialog-body")
        assert body.scroll_y == 0
        # the note's field lies within the dialog's body as shown, on the screen, when it opens
        assert note in app.screen._compositor.visible_widgets
        assert body.content_region.contains_region(note.region), (note.region, body.content_region)
        assert note.region.bottom <= SMALL[1]
        assert "What happened (required):" in screen_text(app)
        await press(pilot, "tab", "tab")
        assert app.focused is note
        assert body.scroll_y == 0, "nothing moved: it was in sight already"


@pytest.mark.slow
async def test_checkin_keeps_a_row_per_symptom_at_60x20(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        ratings = app.screen.query_one(Ratings)
        assert ratings.size.height == len(ratings.items)
        rows = [line for line in screen_text(app).splitlines() if "[none]" in line]
        assert len(rows) == len(ratings.items)
        assert all(re.search(r"\[none\] +mild +moderate +severe", line) for line in rows), rows


# -- NO_COLOR and the themes: the excess warning, the fields, the focus -----------------------

@pytest.fixture
def excess(patient: Path) -> Path:
    """The standard patient (1 mg) who took 2 mg tonight, recorded as already taken."""
    with opened(patient) as db:
        log_dose(db, berlin(2026, 11, 25, 21, 0), DoseRequest(
            dose="2mg", note="took two", entry=DoseEntry.ALREADY_TAKEN))
    return patient


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.slow
async def test_the_excess_warning_stands_out(excess, make_app, monkeypatch, theme, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(excess, berlin(2026, 11, 25, 21, 30))
    async with app.run_test(size=SMALL) as pilot:
        app.theme = theme
        await settle(pilot)
        guidance = app.screen.query_one("#guidance", Static)
        await until(pilot, lambda: guidance.has_class("danger"))
        assert "Take no more tonight" in str(guidance.content)
        region = guidance.region
        _, segment = cell(app, region.x + 1, region.y)
        assert segment.style is not None and segment.style.bold and not segment.style.dim
        fg, bg = colours(segment)
        if no_color:  # no red to tell it apart: at least as bright as ordinary text, and bold
            ordinary = ordinary_contrast(app, bg)
            assert contrast(fg, bg) >= 0.95 * ordinary, (fg, bg, contrast(fg, bg), ordinary)
        else:  # red (and bold), and easy to read
            assert contrast(fg, bg) >= 4.5, (fg, bg, contrast(fg, bg))


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.slow
async def test_setup_fields_have_a_visible_frame(tmp_path, make_app, monkeypatch, theme, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path / "new.db", berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SMALL) as pilot:
        app.theme = theme
        await settle(pilot)
        assert isinstance(app.screen, SetupScreen)
        for field in app.screen.query_one("#profile-form").query(Input):
            if field.region.bottom > SMALL[1] - 1:
                continue  # below the fold
            for x in (field.region.x, field.region.right - 1):  # a bar at each end of the field
                char, segment = cell(app, x, field.region.y)
                assert char.strip(), f"#{field.id}: no frame at column {x}"
                fg, bg = colours(segment)
                assert contrast(fg, bg) >= 2.0, (field.id, fg, bg)


@pytest.mark.parametrize("no_color", [True, False], ids=["NO_COLOR", "colour"])
@pytest.mark.slow
async def test_a_focused_dialog_body_shows_its_focus(patient, make_app, monkeypatch, no_color):
    """Tab reaches a dialog's scrolling body (its arrow keys scroll it): it shows a bar."""
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.push_screen(ConfirmDialog("Replace the file?", "It exists. Replace it?", "Replace it"))
        await settle(pilot)
        body = app.screen.query_one(".dialog-body", VerticalScroll)
        blurred, was = cell(app, body.region.x, body.region.y)
        body.focus()
        await settle(pilot)
        assert app.focused is body
        char, segment = cell(app, body.region.x, body.region.y)
        assert (char, segment.style) != (blurred, was.style), "focused, it looks just as unfocused"
        assert char.strip(), "a bar down its left edge"
        fg, bg = colours(segment)
        assert contrast(fg, bg) >= 2.0, (fg, bg)


@pytest.mark.slow
async def test_tonight_at_60x20_shows_the_whole_strip_the_action_and_the_nightly_keys(demo, make_app):
    app = make_app(demo, DEMO_NOW)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "Last 7 nights" in screen_text(app))
        shown = screen_text(app)
        strip = next(line for line in shown.splitlines() if "Last 7 nights:" in line)
        assert len(re.findall(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \S", strip)) == 7, strip  # no night cut off
        footer = shown.splitlines()[-1]
        for key in ("l Log", "k Skip", "c Calendar", "s Symptoms", "n Check-in", "? Keys"):
            assert key in footer, footer
