"""Use case: move whole patients from one medtrack database to another (`medtrack db copy`).

A patient moves from their own file to a care home's PostgreSQL, or to a new machine: every
profile version, prescription and plan version (with its warnings), record, void, symptom,
check-in, stock entry and the PIN lock go along, with who entered each row and when. Each patient
is one transaction in the target, written through the target's own schema checks; nothing is
written when the target already holds one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location
from medtrack.services.database import Database, open_database
from medtrack.storage.database import choose_patient


@dataclass(frozen=True)
class Copied:
    """One patient written into the target: their name, their number there, the rows written."""

    name: str
    number: int
    rows: int


def copy_patients(source: Location, target: Location, patient: str | None = None, *,
                  clock: Clock = REAL_CLOCK) -> list[Copied]:
    """Copy one patient (`patient`: a number, id or name in the source) or all of them."""
    if source == target:
        raise BadInput(_("the source and the target are the same database: give another target"))
    reading = open_database(source, clock=clock)
    try:
        if reading.made_under_fixed_clock() and not clock.fixed:  # before a target file is made
            raise BadInput(_("{source} was made under a fixed clock (a demo or a test): it is never copied "
                             "into a database kept on the real clock").format(source=source))
        writing = open_database(target, create=True, clock=clock)
        try:
            return _copy(reading, writing, patient)
        finally:
            writing.dispose()
    finally:
        reading.dispose()


def _copy(source: Database, target: Database, selector: str | None) -> list[Copied]:
    found = source.patients()
    if not found:
        raise BadInput(_("{source} holds no patient: there is nothing to copy").format(source=source.path))
    chosen = [choose_patient(found, selector)] if selector is not None else found
    held = {p.uuid for p in target.patients()}
    clash = [p for p in chosen if p is not None and p.uuid in held]
    if clash:
        names = ", ".join(f"{p.name or _('(no profile)')} ({p.uuid})" for p in clash)
        raise BadInput(_("{target} already holds {names}: nothing was written").format(target=target.path, names=names))
    copied = []
    for listed in chosen:
        assert listed is not None  # a selector that matches no one is refused by choose_patient
        rows = source.whole_patient(listed.id)
        number = target.add_whole_patient(rows)
        copied.append(Copied(listed.name or _("(no profile)"), number, rows.count()))
    return copied
