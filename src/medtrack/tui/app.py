"""The Textual app a patient uses at bedtime: Tonight first, then calendar, history and more."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.binding import Binding

from medtrack.errors import MedtrackError

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class MedtrackApp(App[None]):
    """Opens on Tonight (or the first-run setup); every action goes through the services."""

    CSS_PATH = Path(__file__).with_name("medtrack.tcss")
    TITLE = "medtrack"
    BINDINGS = [Binding("question_mark", "help", "Keys", key_display="?")]

    def __init__(self, db_path: Path, clock: Clock = system_clock) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock
        self._db = None

    @property
    def db(self):  # type: ignore[no-untyped-def]
        """The database, opened on first use (so the first frame never waits for it)."""
        if self._db is None:
            from medtrack.storage.repository import Database

            self._db = Database(self.db_path)
        return self._db

    def now(self) -> dt.datetime:
        return self.clock()

    def has_profile(self) -> bool:
        if not self.db_path.exists():
            return False
        from medtrack.services.profile import show_profile

        try:
            show_profile(self.db)
        except MedtrackError:
            return False
        return True

    def get_default_screen(self):  # type: ignore[no-untyped-def]
        """Tonight is the first screen itself (not pushed over a blank one): a quicker first frame."""
        from medtrack.tui.tonight import TonightScreen

        return TonightScreen()

    def action_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def show_error(self, error: Exception) -> None:
        message = error.message if isinstance(error, MedtrackError) else f"Something went wrong: {error}"
        self.notify(message, severity="error", timeout=10, markup=False)


def run(db_path: Path, fixed_now: dt.datetime | None = None) -> int:
    clock = (lambda: fixed_now) if fixed_now is not None else system_clock  # type: ignore[return-value]
    app = MedtrackApp(db_path, clock)
    app.run()
    return app.return_code or 0
