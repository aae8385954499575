"""Use case: has anything been recorded since a screen last read the database (its live view)?"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from medtrack.storage.database import Database
from medtrack.storage.watch import Watch, open_watch

UNREAD = object()  # no read yet, or its version was not known: the next look is news


class Changes:
    """One screen's watch on its database: `reading()` just before each read of what it shows,
    `changed()` every second or so. A change committed between the two is never lost: at worst
    it is read twice. Safe from any thread; the watch is opened on first use (not on the
    screen's first frame) and held until `close()`."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._watch: Watch | None = None
        self._opened = False
        self._seen: Hashable = UNREAD

    def _version(self) -> Hashable | None:
        if not self._opened:
            self._opened = True
            self._watch = open_watch(self._db.engine, self._db.path)
        return self._watch.version() if self._watch is not None else None

    def reading(self) -> None:
        """Call just before reading what the screen shows: only a commit after this is news."""
        with self._lock:
            version = self._version()
            self._seen = UNREAD if version is None else version

    def missed(self) -> None:
        """The read after `reading()` was not shown (a newer one replaced it): the next look is
        news whatever it finds."""
        with self._lock:
            self._seen = UNREAD

    def changed(self) -> bool | None:
        """Whether anything was committed since the last read or look (None: cannot tell now,
        e.g. a database that cannot be watched; the caller then re-reads now and then)."""
        with self._lock:
            version = self._version()
            if version is None:
                return None
            news = version != self._seen
            self._seen = version
            return news

    def close(self) -> None:
        with self._lock:
            self._opened = True  # never opened again
            if self._watch is not None:
                self._watch.close()
                self._watch = None


def watch_changes(db: Database) -> Changes:
    """A watch on `db` for one screen (it costs nothing until first asked)."""
    return Changes(db)
