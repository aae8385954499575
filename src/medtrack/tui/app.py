"""The Textual app used at bedtime: Tonight first (the ward, for several patients), then the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import MedtrackError
from medtrack.location import Location
from medtrack.tui.tonight import TonightScreen

if TYPE_CHECKING:
    from medtrack.services.database import Database

# The command palette offers medtrack's own actions: (title, help, Tonight's action).
PALETTE = (
    ("Log tonight's dose", "Record tonight's dose after the checks (l)", "log"),
    ("Skip tonight", "Record that you skip tonight's dose (k)", "skip"),
    ("Already taken", "Record a dose you already took, with a note (a)", "already_taken"),
    ("Calendar", "The taper plan month by month (c)", "open('calendar')"),
    ("History", "Every record, newest first; void one (h)", "open('history')"),
    ("Symptoms", "The symptom journal (s)", "open('symptoms')"),
    ("Check-in", "How you are today during a taper, symptom by symptom (n)", "open('checkin')"),
    ("Export", "A report for the doctor (e)", "open('export')"),
    ("About the medicine", "The monograph's own words (i)", "open('about')"),
    ("Profile and plan", "The profile, prescription and plan (p)", "open('profile')"),
)


class MedtrackApp(App[None]):
    """Opens on Tonight (or the first-run setup); every action goes through the services."""

    CSS_PATH = Path(__file__).with_name("medtrack.tcss")
    TITLE = "medtrack"
    BINDINGS = [Binding("question_mark", "help", "Keys", key_display="?")]

    def __init__(self, db_path: Location, clock: Clock = REAL_CLOCK, *,
                 patient: str | None = None, by: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock  # fixed (MEDTRACK_NOW) only for a database made under a fixed clock
        self.patient = patient  # --patient: that patient's Tonight, never the ward
        self.by = by
        self._db: Database | None = None
        self._view: Database | None = None  # the patient opened from the ward
        self._ward_decided = False
        self.has_ward = False  # several patients and none chosen: the ward is the first screen

    @property
    def ward_db(self) -> Database:
        """The database as opened, on first use (so the first frame never waits for it); the
        ward reads every patient through it."""
        if self._db is None:
            from medtrack.services.database import (
                open_database,  # not before the first frame
            )

            self._db = open_database(self.db_path, patient=self.patient, by=self.by, clock=self.clock)
        return self._db

    @property
    def db(self) -> Database:
        """The database seen as the patient on screen: the one opened from the ward, else the
        one --patient chose, else the only one."""
        return self._view if self._view is not None else self.ward_db

    def now(self) -> dt.datetime:
        return self.clock.now()

    def needs_ward(self) -> bool:
        """Whether a Tonight opened for no one in particular stands for the ward: no patient was
        chosen and the database holds several (read once, in the caller's worker, after the
        first frame). One patient: False, and everything stays as it was."""
        if self.patient is not None:
            return False
        if not self._ward_decided:
            self.has_ward = self.ward_db.several_patients()
            self._ward_decided = True
        return self.has_ward

    def open_ward(self) -> None:
        """The ward over the first Tonight (Textual cannot replace the first screen: that Tonight,
        for no one in particular, stays below it, blank and idle)."""
        from medtrack.tui.ward import WardScreen

        if not any(isinstance(screen, WardScreen) for screen in self.screen_stack):
            self.push_screen(WardScreen())

    def open_patient(self, number: int, name: str) -> None:
        """From the ward: this patient's Tonight, every screen above it seeing their records."""
        from medtrack.tui.ward import WardScreen

        if not isinstance(self.screen, WardScreen):  # a second Enter before the first one opened
            return
        if self.saving():
            self.notify("Still saving the last entry: try again in a moment.", timeout=4)
            return
        self._view = self.ward_db.for_patient(number)
        self.push_screen(TonightScreen(name))

    def back_to_ward(self) -> None:
        """From a patient's Tonight back to the ward (it reads afresh as it comes into view)."""
        if self.saving():
            self.notify("Still saving: the ward opens once it is recorded.", timeout=4)
            return
        from medtrack.tui.ward import WardScreen

        self._pop_to(WardScreen)

    def _pop_to(self, kind: type[Screen[Any]]) -> None:
        """Close the screens above the nearest one of `kind` (never the first screen)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, kind):
            self.pop_screen()

    def saving(self) -> bool:
        """A write (or the fresh read before a dialog) is under way: it must finish with the
        patient it was started for, before another patient is opened."""
        return any(w.group in ("write", "recheck") and not w.is_finished for w in self.workers)

    def get_default_screen(self) -> TonightScreen:
        """Tonight is the first screen itself (not pushed over a blank one): a quicker first frame."""
        return TonightScreen()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """medtrack's actions, then the keys and quit; no screenshot (it would write health
        data to a world-readable file in Downloads)."""
        if self.patient_open():
            for title, help_text, action in PALETTE:
                yield SystemCommand(title, help_text, lambda a=action: self.on_tonight(a))
        for command in super().get_system_commands(screen):
            if command.title in ("Keys", "Quit", "Theme"):
                yield command

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        self.notify("Screenshots are off in medtrack: they would hold health data.", timeout=6)
        return None

    def patient_open(self) -> bool:
        """Whether a patient's Tonight is open (on the ward alone, no patient's action is offered)."""
        return any(isinstance(screen, TonightScreen) and (screen.patient is not None or not self.has_ward)
                   for screen in self.screen_stack)

    def on_tonight(self, action: str) -> None:
        """Run a Tonight action from anywhere: back to Tonight first (closing other screens)."""
        self._pop_to(TonightScreen)
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


def run(db_path: Location, clock: Clock = REAL_CLOCK, *, patient: str | None = None,
        by: str | None = None) -> int:
    app = MedtrackApp(db_path, clock, patient=patient, by=by)
    app.run()
    return app.return_code or 0
