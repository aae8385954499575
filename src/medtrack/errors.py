"""The one error hierarchy: every failure a user can see, with its message and exit code."""

from __future__ import annotations


class MedtrackError(Exception):
    """A failure with a user-readable message and the exit code the CLI gives it.

    `message` is plain words that fit the screen and the command line alike; `hint` is what
    to type on the command line (e.g. "--pin PIN"): only the CLI shows it.
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class BadInput(MedtrackError):
    """What the user typed is not accepted; nothing was written."""

    exit_code = 2


class NoProfile(BadInput):
    """There is no database or no profile yet: the screen offers the first-run setup."""


class Refused(MedtrackError):
    """A safety rule refuses the action; the message names the rule and the limit."""

    exit_code = 3

    def __init__(self, rule: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.rule = rule


class StorageProblem(MedtrackError):
    """The database is busy, corrupt, unwritable or from a newer medtrack; nothing was lost."""

    exit_code = 4


class DesktopUnavailable(MedtrackError):
    """What the desktop must provide is missing: no notification service answers, or systemd is
    not running; nothing was installed or recorded."""

    exit_code = 5
