"""The prescriber lock as the repository stores it, and the signal that keeps a unit of work's
writes (a failed PIN is counted) while refusing what was asked."""

from __future__ import annotations

import datetime as dt

from medtrack.errors import MedtrackError


class KeepAndRefuse(Exception):
    """Raised inside a unit of work: commit what was written so far, then raise `error`."""

    def __init__(self, error: MedtrackError) -> None:
        super().__init__(error.message)
        self.error = error


class LockState:
    """The prescriber lock as stored: the PIN hash (None: no lock), failures, lockout end."""

    __slots__ = ("pin_hash", "failures", "locked_until")

    def __init__(self, pin_hash: str | None, failures: int, locked_until: dt.datetime | None) -> None:
        self.pin_hash = pin_hash
        self.failures = failures
        self.locked_until = locked_until
