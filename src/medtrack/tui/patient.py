"""Whose records a screen shows: the database as opened once for the app, and each patient's view of it.

The app opens the database on first use, in whichever worker asks first (the first frame never
waits for it), and never replaces it. A screen is given the patient it shows when it is made
(`PatientScreen`), so no worker can switch the patient under another screen: a patient's
Tonight opened from the ward, and every screen opened from it, hold that patient's view.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from medtrack.clock import Clock
from medtrack.location import Location

if TYPE_CHECKING:  # the services load after the first frame
    from medtrack.services.database import Database


class Opening:
    """The database the command line named, opened once (thread-safe); it knows whether it
    holds several patients once that was read."""

    def __init__(self, location: Location, clock: Clock, *, patient: str | None, by: str | None) -> None:
        self.location = location
        self.clock = clock
        self.patient = patient  # --patient: that patient's Tonight, never the ward
        self.by = by
        self._lock = threading.Lock()
        self._db: Database | None = None
        self._several: bool | None = None

    def database(self) -> Database:
        """The database as opened (in a worker: it may read and migrate the file)."""
        with self._lock:
            if self._db is None:
                from medtrack.services.database import open_database

                self._db = open_database(self.location, patient=self.patient, by=self.by, clock=self.clock)
            return self._db

    def is_ward(self) -> bool:
        """Whether the first Tonight stands for a ward: no patient was chosen and the database
        holds several (read once, in the caller's worker)."""
        if self.patient is not None:
            return False
        db = self.database()
        with self._lock:
            if self._several is None:
                self._several = db.several_patients()
            return self._several

    @property
    def ward_known(self) -> bool:
        """Whether the database is known to be a ward (False until `is_ward` has read it)."""
        return self.patient is None and self._several is True

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.dispose()


class Patient:
    """One patient's view of the opened database: the one the command line chose (or the only
    one), or a patient opened from the ward by number."""

    def __init__(self, opening: Opening, number: int | None = None, name: str | None = None) -> None:
        self.opening = opening
        self.number = number  # from the ward; None: the patient the database was opened as
        self.name = name  # shown in the title when opened from the ward
        self._lock = threading.Lock()
        self._db: Database | None = None

    def database(self) -> Database:
        with self._lock:
            if self._db is None:
                opened = self.opening.database()
                self._db = opened if self.number is None else opened.for_patient(self.number)
            return self._db


class PatientScreen(Screen[Any]):
    """A screen about one patient: it reads and writes their records through `self.db`."""

    def __init__(self, patient: Patient) -> None:
        super().__init__()
        self.patient = patient

    @property
    def db(self) -> Database:
        """This screen's patient's database (opened on first use: call it in a worker)."""
        return self.patient.database()
