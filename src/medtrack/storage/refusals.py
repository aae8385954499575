"""The schema's own safety net, read back the same on both engines: what it caught is a refusal
(the rules above it should have caught it first), not a storage problem."""

from __future__ import annotations

from medtrack.errors import Refused, StorageProblem
from medtrack.i18n import _

TWELVE_HOURS_TRIGGER = "medtrack: doses must be 12 hours apart"  # the trigger's own message
ONE_PER_NIGHT_INDEX = "record_one_per_night"


def one_per_night() -> Refused:
    return Refused("one-dose-per-night", _("refused (one dose per night): this night already has a "
                   "dose or a skip recorded. Never take a second dose."))


def twelve_hours() -> Refused:
    return Refused("12-hour-gap", _("refused (12-hour gap): doses must be at least 12 hours apart."))


def refused_change(detail: str) -> StorageProblem:
    return StorageProblem(_("the database refused the change ({detail}); nothing was written").format(
                              detail=detail))


def server_check(detail: str) -> Refused:
    """The ward's server refused an entry by one of its own checks (the same rules as medtrack's)."""
    rule = detail.removeprefix("medtrack: ")
    return Refused("server-check", _("refused (the database server's check): {rule}; nothing was written").format(
                                       rule=rule))
