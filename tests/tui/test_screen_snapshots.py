"""SVG snapshots of every screen and dialog (pytest-textual-snapshot 1.1.0), each at 80x24 and
60x20, in three looks: the default dark theme, the light theme and NO_COLOR.

The apps read fixed databases (the demo: fill_demo, seed 7, at DEMO_NOW; the ward and a damaged
file made here) with a fixed clock, in UTC, so the pictures depend on nothing of the machine: no
wall clock, no zone, no path (the problem screen's file is named relatively, the export's default
folder is a fixed home). Each test waits until its screen has read what it shows (never
"Loading…"), then takes the picture.

Regenerate after an intended change of the screens with
`pytest tests/tui/test_screen_snapshots.py --snapshot-update`, and look at the SVGs before
keeping them (a browser draws them; `rsvg-convert -o x.png file.svg` drops the spaces that start
a run of text, shifting columns, unless the root `<svg` is given `xml:space="preserve"` first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from tui_helpers import DEMO_NOW, berlin, press, screen_text, settle, text_of, until

from medtrack.tui.dialogs import AlreadyTakenDialog, ConfirmDialog, LogDialog, VoidDialog
from medtrack.tui.keys import HelpPanel
from medtrack.tui.plan_form import PlanFormDialog
from medtrack.tui.problem import ProblemScreen
from medtrack.tui.profile import EditProfileDialog, PrescribeDialog
from medtrack.tui.setup import SetupScreen
from medtrack.tui.stock import AddStockDialog
from medtrack.tui.ward import WardScreen

pytestmark = pytest.mark.slow  # about 120 whole-screen pictures

SIZES = {"80x24": (80, 24), "60x20": (60, 20)}
LOOKS = ("dark", "light", "no-color")

Steps = Callable[[Pilot[Any]], Awaitable[None]]


@dataclass(frozen=True)
class Look:
    """A terminal size and a look; `run_before(steps)` sets the theme, then takes the steps."""

    size: tuple[int, int]
    look: str

    def run_before(self, steps: Steps | None = None) -> Steps:
        async def run_before(pilot: Pilot[Any]) -> None:
            if self.look == "light":
                pilot.app.theme = "textual-light"
            await settle(pilot)
            if steps is not None:
                await steps(pilot)
            await until(pilot, lambda: not loading(pilot))

        return run_before


@pytest.fixture(params=[pytest.param((size, look), id=f"{name}-{look}")
                        for name, size in SIZES.items() for look in LOOKS])
def look(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Look:
    size, name = request.param
    if name == "no-color":
        monkeypatch.setenv("NO_COLOR", "1")  # Textual reads it when the app object is made
    return Look(size, name)


@pytest.fixture(autouse=True)
def _fixed_home(monkeypatch: pytest.MonkeyPatch) -> None:
    """The export's default file goes to the home folder: the same one on every machine."""
    monkeypatch.setenv("HOME", "/home/alex")


def loading(pilot: Pilot[Any]) -> bool:
    """A screen still waiting for its worker says so ("Loading…", "Ward: loading…")."""
    return "oading…" in screen_text(pilot.app)


async def rows_shown(pilot: Pilot[Any]) -> None:
    """A table's rows come from a worker; its columns size to them a refresh later."""
    await until(pilot, lambda: pilot.app.screen.query_one(DataTable).row_count > 0)
    await pilot.pause(0.1)
    await settle(pilot)


async def profile_shown(pilot: Pilot[Any]) -> None:
    await press(pilot, "p")
    await until(pilot, lambda: text_of(pilot.app, "#profile-text") != "Loading…")


# -- Tonight and the screens its keys open (the demo database) ---------------------------------


def test_tonight(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: text_of(pilot.app, "#state") == "Due now")

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_keys_panel(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "question_mark")
        assert pilot.app.screen.query(HelpPanel)

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_calendar(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "c")
        await until(pilot, lambda: text_of(pilot.app, "#cal-detail") != "")
        await press(pilot, "left")  # select Tue 29 Dec, a missed night
        await until(pilot, lambda: text_of(pilot.app, "#cal-detail").startswith("Tue 29 Dec"))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_history(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "h")
        await rows_shown(pilot)

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_symptoms(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "s")
        await until(pilot, lambda: text_of(pilot.app, "#recent") != "")

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_checkin(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "n")

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_export(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "e")
        assert "/home/alex/" in screen_text(pilot.app)

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_about_the_medicine(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "i")

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_profile(demo, make_app, snap_compare, look):
    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(profile_shown))


# -- the dialogs of Tonight (tonight's dose is due on the demo at DEMO_NOW) --------------------


def test_log_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "l")
        await until(pilot, lambda: isinstance(pilot.app.screen, LogDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_skip_question(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "k")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_already_taken_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "a")
        await until(pilot, lambda: isinstance(pilot.app.screen, AlreadyTakenDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_void_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await press(pilot, "h")
        await rows_shown(pilot)
        await press(pilot, "v")  # the newest record, under the cursor
        await until(pilot, lambda: isinstance(pilot.app.screen, VoidDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


# -- the forms of the Profile screen -----------------------------------------------------------


def test_edit_profile_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await profile_shown(pilot)
        await press(pilot, "e")
        await until(pilot, lambda: isinstance(pilot.app.screen, EditProfileDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_prescription_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await profile_shown(pilot)
        await press(pilot, "n")
        await until(pilot, lambda: isinstance(pilot.app.screen, PrescribeDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_plan_form(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await profile_shown(pilot)
        await press(pilot, "t")
        await until(pilot, lambda: isinstance(pilot.app.screen, PlanFormDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_add_stock_dialog(demo, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await profile_shown(pilot)
        await press(pilot, "a")
        await until(pilot, lambda: isinstance(pilot.app.screen, AddStockDialog))

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


# -- the first screen when there is no patient, several, or no usable database ------------------


def test_first_run_setup(tmp_path, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, SetupScreen))

    app = make_app(tmp_path / "new" / "medtrack.db", DEMO_NOW)  # no file yet
    assert snap_compare(app, terminal_size=look.size, run_before=look.run_before(run_before))


WARD_NOW = berlin(2026, 11, 25, 22, 40)


def test_ward(ward_db, make_app, snap_compare, look):
    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, WardScreen))
        await rows_shown(pilot)
        await until(pilot, lambda: text_of(pilot.app, "#ward-title").startswith("Ward: 4 patients"))

    assert snap_compare(make_app(ward_db, WARD_NOW), terminal_size=look.size,
                        run_before=look.run_before(run_before))


def test_problem_screen(tmp_path, monkeypatch, make_app, snap_compare, look):
    """A damaged file, named relatively: the message quotes the name as given."""
    async def run_before(pilot: Pilot[Any]) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, ProblemScreen))

    (tmp_path / "medtrack.db").write_bytes(b"this is not SQLite at all\n" * 200)
    monkeypatch.chdir(tmp_path)
    app = make_app(Path("medtrack.db"), DEMO_NOW)
    assert snap_compare(app, terminal_size=look.size, run_before=look.run_before(run_before))
