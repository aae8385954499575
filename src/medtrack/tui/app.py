"""The Textual app a patient uses at bedtime: Tonight first, then calendar, history and more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from medtrack.errors import MedtrackError
from medtrack.location import Location
from medtrack.tui.tonight import TonightScreen

if TYPE_CHECKING:
    from medtrack.services.database import Database

Clock = Callable[[], dt.datetime]

# The command palette offers medtrack's own actions: (title, help, Tonight's action).
PALETTE = (
    ("Log tonight's dose", "Record tonight's dose after the checks (l)", "log"),
    ("Skip tonight", "Record that you skip tonight's dose (k)", "skip"),
    ("Already taken", "Record a dose you already took, with a note (a)", "already_taken"),
    ("Calendar", "The taper plan month by month (c)", "open('calendar')"),
    ("History", "Every record, newest first; void one (h)", "open('history')"),
    ("Symptoms", "The symptom journal (s)", "open('symptoms')"),
    ("Export", "A report for the doctor (e)", "open('export')"),
    ("About the medicine", "The monograph's own words (i)", "open('about')"),
    ("Profile and plan", "The profile, prescription and plan (p)", "open('profile')"),
)


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fixed_clock(now: dt.datetime) -> Clock:
    """A clock that always says `now` (for --now)."""
    return lambda: now


class MedtrackApp(App[None]):
    """Opens on Tonight (or the first-run setup); every action goes through the services."""

    CSS_PATH = Path(__file__).with_name("medtrack.tcss")
    TITLE = "medtrack"
    BINDINGS = [Binding("question_mark", "help", "Keys", key_display="?")]

    def __init__(self, db_path: Location, clock: Clock = system_clock) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The database, opened on first use (so the first frame never waits for it)."""
        if self._db is None:
            from medtrack.services.database import (
                open_database,  # not before the first frame
            )

            self._db = open_database(self.db_path)
        return self._db

    def now(self) -> dt.datetime:
        return self.clock()

    def get_default_screen(self) -> TonightScreen:
        """Tonight is the first screen itself (not pushed over a blank one): a quicker first frame."""
        return TonightScreen()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """medtrack's actions, then the keys and quit; no screenshot (it would write health
        data to a world-readable file in Downloads)."""
        for title, help_text, action in PALETTE:
            yield SystemCommand(title, help_text, lambda a=action: self.on_tonight(a))
        for command in super().get_system_commands(screen):
            if command.title in ("Keys", "Quit", "Theme"):
                yield command

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        self.notify("Screenshots are off in medtrack: they would hold health data.", timeout=6)
        return None

    def on_tonight(self, action: str) -> None:
        """Run a Tonight action from anywhere: back to Tonight first (closing other screens)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, TonightScreen):
            self.pop_screen()
        self.call_later(self.screen.run_action, action)

    def show_problem(self, error: MedtrackError) -> None:
        """The database cannot be used: one screen with the CLI's words, never the setup form."""
        from medtrack.tui.problem import ProblemScreen  # only when the database cannot be used

        if isinstance(self.screen, ProblemScreen):
            return
        self.push_screen(ProblemScreen(error.message), lambda _: self.refresh_tonight())

    def refresh_tonight(self) -> None:
        """Reload Tonight now (after a write elsewhere), wherever it is in the stack."""
        for screen in self.screen_stack:
            if isinstance(screen, TonightScreen):
                screen.load()

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def run(db_path: Location, fixed_now: dt.datetime | None = None) -> int:
    app = MedtrackApp(db_path, system_clock if fixed_now is None else fixed_clock(fixed_now))
    app.run()
    return app.return_code or 0
