"""The ward on the screen: several patients open a list of everyone's tonight, due soonest first;
Enter opens that patient's Tonight, w comes back, and a dose from another terminal shows on its
own. One patient (or --patient) opens Tonight exactly as before.

Databases are made through the real CLI (`run`, from tests/conftest.py) in a file under tmp_path;
the app gets a fixed clock (Berlin) and an 80x24 terminal.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from contextlib import closing
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable
from tui_helpers import SIZE, berlin, flat, make_patient, press, screen_text, settle, showing, text_of, until

from medtrack.errors import StorageProblem
from medtrack.services.ward import WardRow
from medtrack.storage.database import Database
from medtrack.tui.dialogs import LogDialog
from medtrack.tui.problem import ProblemScreen
from medtrack.tui.tonight import TonightScreen
from medtrack.tui.ward import WardScreen

pytestmark = pytest.mark.slow  # a real Textual app per test

NOW = berlin(2026, 11, 25, 22, 40)
# At NOW: Bert due until 23:00, Ada due until 23:30, Carla's window opens at 23:00, Dora took hers.
ORDER = ["Bert Brandt", "Ada Muster", "Carla Cruz", "Dora Dahl"]


def table(app: App[Any]) -> DataTable[Any]:
    return app.screen.query_one("#ward-table", DataTable)


def names(app) -> list[str]:
    """The Patient column, top to bottom (each cell is 'NUMBER  NAME')."""
    return [str(table(app).get_row_at(i)[0]).split("  ", 1)[1] for i in range(table(app).row_count)]


def highlighted(app) -> str:
    return str(table(app).get_row_at(table(app).cursor_row)[0]).split("  ", 1)[1]


async def ward_shown(pilot) -> None:
    await settle(pilot)
    await until(pilot, lambda: isinstance(pilot.app.screen, WardScreen) and table(pilot.app).row_count > 0)


async def test_several_patients_open_the_ward_due_soonest_first(ward_db, make_app):
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        assert names(app) == ORDER
        assert text_of(app, "#ward-title") == "Ward: 4 patients · 2 due now"
        shown = screen_text(app)
        for line in (" Patient                     Tonight                   Dose      Window ",
                     " 2  Bert Brandt              Due now                   0.5 mg    20:00–23:00 ",
                     " 1  Ada Muster               Due now                   1 mg      20:30–23:30 ",
                     " 3  Carla Cruz               Not yet (from 23:00)      0.75 mg   23:00–01:30 ",
                     " 4  Dora Dahl                Taken at 21:10            1 mg      20:30–23:30 "):
            assert line in shown, shown
        assert "Enter: open the highlighted patient's Tonight" in shown
        assert highlighted(app) == "Bert Brandt"  # the most urgent first, under the cursor


async def test_at_60_columns_every_dose_and_window_is_whole_and_the_names_are_cut_with_an_ellipsis(ward_db, make_app):
    app = make_app(ward_db, NOW)
    async with app.run_test(size=(60, 20)) as pilot:
        await ward_shown(pilot)
        shown = screen_text(app)
        for line in (" 2  Bert Brandt  Due now            0.5 mg    20:00–23:00 ",
                     " 3  Carla Cruz   Not yet (from 23…  0.75 mg   23:00–01:30 "):
            assert line in shown, shown
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert " 3  Carla Cruz               Not yet (from 23:00)      0.75 mg   23:00–01:30 " in screen_text(app)
        assert highlighted(app) == "Bert Brandt"


async def test_enter_opens_that_patients_tonight_and_w_comes_back(ward_db, make_app):
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        await press(pilot, "down", "enter")  # Ada
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        assert text_of(app, "#night-title").startswith("Ada Muster · Flunitrazepam · night of")
        assert text_of(app, "#state") == "Due now"
        assert "w Ward" in screen_text(app)  # the way back is in the footer
        await press(pilot, "w")
        assert showing(app, WardScreen)
        assert highlighted(app) == "Ada Muster"
        await press(pilot, "down", "down", "enter")  # Dora: her own dose, not Ada's
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        assert text_of(app, "#night-title").startswith("Dora Dahl · ")
        assert text_of(app, "#state") == "Taken at 21:10"


async def test_a_double_enter_opens_one_tonight_and_w_w_returns_to_a_working_ward(ward_db, make_app):
    """Found in tmux: a second Enter reached the ward before the first opened, stacking two
    Tonights; `w` then uncovered the second one."""
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        await press(pilot, "down")
        ada = app.screen.highlighted()
        for _ in range(2):  # two Enters handled before the first Tonight has mounted
            app.open_patient(ada.number, ada.name)
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        assert sum(isinstance(s, TonightScreen) and s.patient.number is not None for s in app.screen_stack) == 1
        await pilot.press("w", "w")
        await until(pilot, lambda: isinstance(app.screen, WardScreen))
        assert highlighted(app) == "Ada Muster"
        await press(pilot, "down", "enter")  # the next patient opens, with their own records
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        assert not text_of(app, "#night-title").startswith("Ada Muster")


async def test_a_dose_logged_on_a_patients_tonight_shows_on_the_ward_at_once(ward_db, make_app):
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        await press(pilot, "enter")  # Bert, due first
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        await press(pilot, "l")
        assert isinstance(app.screen, LogDialog)
        await press(pilot, "enter")
        await until(pilot, lambda: text_of(app, "#state") == "Taken at 22:40")
        await press(pilot, "w")
        await until(pilot, lambda: "Taken at 22:40" in screen_text(app))
        assert names(app) == ["Ada Muster", "Carla Cruz", "Bert Brandt", "Dora Dahl"]
        assert highlighted(app) == "Bert Brandt"  # the cursor followed him down
        assert text_of(app, "#ward-title") == "Ward: 4 patients · 1 due now"


async def test_a_dose_from_another_terminal_shows_without_a_key(ward_db, make_app, run, monkeypatch):
    monkeypatch.setattr(WardScreen, "REFRESH_SECONDS", 0.2)
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        await press(pilot, "down")
        assert highlighted(app) == "Ada Muster"
        run.ok("--patient", "Ada Muster", "log", now="2026-11-25T22:41+01:00", db=ward_db)  # another terminal
        await until(pilot, lambda: "Taken at 22:41" in screen_text(app))  # no key pressed
        assert names(app) == ["Bert Brandt", "Carla Cruz", "Ada Muster", "Dora Dahl"]
        assert highlighted(app) == "Ada Muster"
        run.close()


async def test_a_storage_problem_on_the_ward_shows_the_problem_screen(ward_db, make_app, monkeypatch):
    import medtrack.tui.ward as ward_screen

    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        from medtrack.services.ward import ward as real  # what the screen calls

        def busy(db: Database, now: dt.datetime) -> list[WardRow]:
            raise StorageProblem("the database is busy (another program holds it)")

        monkeypatch.setattr(ward_screen, "ward", busy)
        await press(pilot, "r")
        await until(pilot, lambda: isinstance(app.screen, ProblemScreen))
        assert "The database is busy" in flat(screen_text(app))
        monkeypatch.setattr(ward_screen, "ward", real)
        await press(pilot, "r")  # try again
        await until(pilot, lambda: isinstance(app.screen, WardScreen) and names(app) == ORDER)


async def test_a_patient_who_cannot_be_judged_is_listed_and_says_why_instead_of_opening(ward_db, make_app):
    """A newer profile version in a zone this machine does not know (written straight to the file)."""
    with closing(sqlite3.connect(ward_db)) as conn:
        conn.execute("INSERT INTO profile_version (patient_id, recorded_at_utc, name, born, zone, bedtime, wake, "
                     "liver, renal, pregnant, breastfeeding, conditions, min_sleep_min, change) SELECT patient_id, "
                     "recorded_at_utc + 1, name, born, 'Mars/Olympus_Mons', bedtime, wake, liver, renal, pregnant, "
                     "breastfeeding, conditions, min_sleep_min, 'moved' FROM profile_version WHERE patient_id = 3")
        conn.commit()
    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        assert names(app) == ["Bert Brandt", "Ada Muster", "Carla Cruz", "Dora Dahl"]  # Carla: with the rest
        assert " 3  Carla Cruz               Unknown: check profile    -  " in screen_text(app)
        await press(pilot, "down", "down", "enter")
        assert isinstance(app.screen, WardScreen)  # not opened: it would only fail
        assert any("Carla Cruz cannot be opened here: its time zone is not known here"
                   in str(n.message) for n in app._notifications)


async def test_one_patient_opens_tonight_as_before(tmp_path, make_app):
    app = make_app(make_patient(tmp_path / "medtrack.db"), NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.screen.status is not None)
        assert [type(s) for s in app.screen_stack] == [TonightScreen]
        assert text_of(app, "#night-title").startswith("Flunitrazepam · night of")
        assert "Ward" not in screen_text(app)
        await press(pilot, "w")  # nothing to go back to
        assert [type(s) for s in app.screen_stack] == [TonightScreen]


async def test_a_chosen_patient_opens_their_tonight_and_no_ward(ward_db, make_app):
    app = make_app(ward_db, NOW, patient="Carla Cruz")  # as `medtrack --patient 'Carla Cruz'` gives it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: app.screen.status is not None)
        assert [type(s) for s in app.screen_stack] == [TonightScreen]
        assert text_of(app, "#state") == "Not yet"
        assert "0.75" in flat(screen_text(app)) or "0.75 mg" in text_of(app, "#guidance")
        assert "w Ward" not in screen_text(app)


def test_the_patient_option_reaches_the_screen(monkeypatch, tmp_path):
    """`medtrack --patient 2 --by Anna` (no command) opens patient 2's screen entering as Anna."""
    import medtrack.cli.tui_cmd as entry
    from medtrack.cli import main

    seen: dict[str, object] = {}

    def fake_run(path, now, **chosen):
        seen.update(chosen, path=path)
        return 0

    monkeypatch.setattr(entry, "run", fake_run)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["--db", str(tmp_path / "m.db"), "--patient", "2", "--by", "Anna"]) == 0
    assert seen == {"patient": "2", "by": "Anna", "path": tmp_path / "m.db"}


async def test_each_tonight_and_every_screen_above_it_keep_their_own_patient(ward_db, make_app):
    """The patient is held by the screens, not switched in the app: Ada's Tonight (and her
    calendar) stay Ada's after the ward opens Bert's."""
    from medtrack.tui.calendar import CalendarScreen

    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        await press(pilot, "down")
        ada = app.screen.highlighted()
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        ada_tonight = app.screen
        await press(pilot, "c")
        await until(pilot, lambda: isinstance(app.screen, CalendarScreen))
        assert app.screen.patient is ada_tonight.patient
        await press(pilot, "escape", "w")
        await ward_shown(pilot)
        await press(pilot, "up")
        bert = app.screen.highlighted()
        await press(pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, TonightScreen) and app.screen.status is not None)
        assert (ada.name, bert.name) == ("Ada Muster", "Bert Brandt")
        assert app.screen.patient.number == bert.number and ada_tonight.patient.number == ada.number
        assert text_of(app, "#night-title").startswith("Bert Brandt")
        assert not hasattr(app, "db")  # no app-wide "current patient" a worker could switch


async def test_palette_log_enter_enter_on_the_ward_opens_no_patient(ward_db, make_app):
    """Found in tmux: on the ward the palette offers no patient's action, yet ctrl+p, `log`,
    Enter Enter in one burst opened Ada's Tonight. The first Enter ran the last search's first
    command (Keys) before the search for `log` had ended, and the second reached the ward."""
    from test_key_order import burst, calm
    from textual.command import CommandPalette

    app = make_app(ward_db, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await ward_shown(pilot)
        burst(app, "ctrl+p", "l", "o", "g", "enter", "enter")
        await calm(pilot)
        assert [type(s) for s in app.screen_stack][:2] == [TonightScreen, WardScreen]
        assert not any(isinstance(s, TonightScreen) for s in app.screen_stack[1:]), "no patient was opened"
        assert isinstance(app.screen, CommandPalette)  # still open: nothing matched `log` here
        await press(pilot, "escape", "enter")  # an Enter typed after the ward came back opens the patient
        await until(pilot, lambda: isinstance(app.screen, TonightScreen))
