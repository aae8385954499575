"""The live view: an invisible widget that tells its screen when the database changed.

A screen composes one `DatabaseWatch`, calls `reading()` in its worker just before it reads
what it shows, and re-reads on `DatabaseWatch.Changed`. Once a second, while its screen is the
one in view, the watch asks the database for its version in a thread worker (SQLite's
`PRAGMA data_version`, PostgreSQL's current snapshot: see services/live.py), so a dose recorded
in another terminal shows within about a second, and an idle screen reads nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from medtrack.errors import MedtrackError

if TYPE_CHECKING:  # the services load after the first frame
    from medtrack.services.database import Database
    from medtrack.services.live import Changes


class DatabaseWatch(Widget):
    """Posts `Changed` to its screen when something was committed since the screen's last read."""

    DEFAULT_CSS = "DatabaseWatch { display: none; }"
    SECONDS = 1.0  # how often the version is asked (a few microseconds on SQLite)
    BLIND_TICKS = 5  # a database that cannot be watched is re-read every 5 looks instead

    class Changed(Message):
        """The database changed since the screen last read it: read again."""

    def __init__(self, database: Callable[[], Database]) -> None:
        super().__init__()
        self.database = database  # what the screen reads: a patient's, or the whole ward's
        self._changes: Changes | None = None
        self._lock = threading.Lock()
        self._looking = False
        self._blind = 0
        self._let_go = False

    def on_mount(self) -> None:
        self.set_interval(self.SECONDS, self._tick)

    def on_unmount(self) -> None:
        with self._lock:
            self._let_go = True
            changes = self._changes
        if changes is not None:  # off the UI thread: it waits for a look under way (a slow server)
            threading.Thread(target=changes.close, name="medtrack-watch-close").start()

    def _watch(self) -> Changes:
        """The screen's watch, made on first use (in a worker: it opens the database)."""
        with self._lock:
            if self._changes is not None:
                return self._changes
        from medtrack.services.live import watch_changes

        made = watch_changes(self.database())  # holds nothing yet
        with self._lock:
            if self._changes is None:
                self._changes = made
            if self._let_go:  # a look that outlived its screen: nothing is held open
                self._changes.close()
            return self._changes

    def reading(self) -> None:
        """Call in the screen's worker just before it reads what it shows."""
        with contextlib.suppress(MedtrackError):  # the screen's own read says what is wrong
            self._watch().reading()

    def missed(self) -> None:
        """The screen dropped the read it started with `reading()`: the next look re-reads."""
        with self._lock:
            if self._changes is not None:
                self._changes.missed()

    def _tick(self) -> None:
        if not self._looking and self.screen.is_current:  # under another screen: it reads on return
            self._looking = True
            self._look()

    @work(thread=True, group="watch")
    def _look(self) -> None:
        try:
            changed = self._watch().changed()
        except MedtrackError:
            changed = None
        finally:
            self._looking = False
        if changed is None:  # cannot tell: read again now and then
            self._blind += 1
            changed = self._blind % self.BLIND_TICKS == 0
        if changed:
            self.post_message(self.Changed())
