"""The one error hierarchy: every failure a user can see, with its message and exit code."""

from __future__ import annotations


class MedtrackError(Exception):
    """A failure with a user-readable message and the exit code the CLI gives it."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(MedtrackError):
    """What the user typed is not accepted; nothing was written."""

    exit_code = 2


class Refused(MedtrackError):
    """A safety rule refuses the action; the message names the rule and the limit."""

    exit_code = 3

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


class StorageProblem(MedtrackError):
    """The database is busy, corrupt, unwritable or from a newer medtrack; nothing was lost."""

    exit_code = 4
