"""What the iCalendar export holds night by night, and how each entry changed over the versions.

A calendar client keeps an imported event by its UID and replaces it only by one with a higher
SEQUENCE. So every entry has a UID that never depends on the plan (the night, or the regimen for
an open-ended dose), and a SEQUENCE counted from the regimens themselves: replaying the versions
in recording order, it is the number of times the entry's content changed. Regimens are only
ever added, so it never goes down, and any change a new version makes raises it. An entry some
version had and the current schedule no longer has is still written, as cancelled.

Three kinds of entries:
- a bedtime reminder for each night with a dose, up to the last night the schedule changes;
- a note (all-day) on each night the dose changes: a step, a pause (0 mg with a dose later),
  the dose resuming after a pause, the end (0 mg and no dose later);
- a daily series for an open-ended dose (the last step of a regimen that is not 0 mg, e.g. a
  prescription with no plan), from that step on to the night a newer regimen replaces it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Generic, TypeVar

from medtrack.core.model import Regimen
from medtrack.core.schedule import change_nights
from medtrack.core.timeline import Timeline
from medtrack.export.forms import as_taken

DAY = dt.timedelta(days=1)
T = TypeVar("T")


@dataclass(frozen=True)
class Note:
    """The all-day note of a night the dose changes."""

    kind: str  # "step" | "pause" | "resume" | "end"
    dose_ug: int | None  # from tonight (None: nothing)
    before_ug: int | None  # the night before
    resume: dt.date | None = None  # a pause: the night the dose resumes
    resume_ug: int | None = None
    as_taken: str | None = None  # the new dose as the patient takes it (tablets or a liquid)


@dataclass(frozen=True)
class Dose:
    """A night's bedtime reminder: the dose, and how it is taken (None: no tablets or liquid
    recorded). Both are the reminder's content: a new version that only changes the tablets
    raises its SEQUENCE too."""

    dose_ug: int
    as_taken: str | None = None


@dataclass(frozen=True)
class Entry(Generic[T]):
    """One night's reminder or note: its content now (None: cancelled) and its SEQUENCE."""

    night: dt.date
    content: T | None
    sequence: int


@dataclass(frozen=True)
class Series:
    """The open-ended dose of a regimen: nights `first`..`last` (None: no end) as one daily
    event, or cancelled when a newer regimen replaced it before `first`."""

    regimen: Regimen
    dose_ug: int
    first: dt.date
    last: dt.date | None
    cancelled: bool
    sequence: int


@dataclass(frozen=True)
class Reminders:
    doses: list[Entry[Dose]]
    notes: list[Entry[Note]]
    series: list[Series]

    def __bool__(self) -> bool:
        return bool(self.doses or self.notes or self.series)


def tail_start(regimen: Regimen) -> dt.date:
    """The first night of a regimen's last step (open-ended until a newer regimen starts)."""
    return max(regimen.steps[-1].start, regimen.start)


def _in_series(timeline: Timeline, night: dt.date) -> bool:
    regimen = timeline.regimen_on(night)
    return (regimen is not None and regimen.steps[-1].dose_ug > 0
            and night >= tail_start(regimen))


def _reminder(timeline: Timeline, night: dt.date) -> Dose | None:
    """The night's own bedtime reminder: a dose not covered by an open-ended series."""
    if _in_series(timeline, night):
        return None
    dose = timeline.scheduled_ug(night)
    return Dose(dose, as_taken(timeline.regimen_on(night), dose)) if dose else None


def _notes(timeline: Timeline, changes: list[dt.date]) -> dict[dt.date, Note]:
    """The notes of one version of the schedule: the dose changes only on change nights."""
    doses = {night: timeline.scheduled_ug(night) for night in changes}
    notes: dict[dt.date, Note] = {}
    for night in changes:
        before, now = timeline.scheduled_ug(night - DAY), doses[night]
        if before == now:
            continue
        taken = as_taken(timeline.regimen_on(night), now)
        if now and before:
            notes[night] = Note("step", now, before, as_taken=taken)
        elif now:
            if any(doses[c] for c in changes if c < night):  # a first dose ever is no change
                notes[night] = Note("resume", now, before, as_taken=taken)
        else:
            later = [c for c in changes if c > night and doses[c]]
            notes[night] = (Note("pause", None, before, later[0], doses[later[0]]) if later
                            else Note("end", None, before))
    return notes


def _history(versions: list[T | None]) -> tuple[T | None, int] | None:
    """The content now and the SEQUENCE: how often it changed after it first appeared; None
    when no version ever had it."""
    sequence, seen = 0, False
    for previous, current in pairwise([None, *versions]):
        if seen and current != previous:
            sequence += 1
        seen = seen or current is not None
    return (versions[-1], sequence) if seen else None


def _entries(prefixes: list[Timeline], nights: list[dt.date],
             content: Callable[[Timeline, dt.date], T | None]) -> list[Entry[T]]:
    out = []
    for night in nights:
        found = _history([content(prefix, night) for prefix in prefixes])
        if found is not None:
            out.append(Entry(night, found[0], found[1]))
    return out


def _series(ordered: list[Regimen], index: int, first: dt.date, last: dt.date | None,
            tonight: dt.date) -> Series | None:
    """A regimen's open-ended dose as each later version cut it. Its first night moves with
    `tonight` (past nights are left out), so the SEQUENCE counts those nights too: it grows
    whenever the first night, the last night or the status changes, and never goes down."""
    regimen = ordered[index]
    start = tail_start(regimen)
    cuts = [min((r.start for r in ordered[index + 1:k + 1]), default=None)
            for k in range(index, len(ordered))]
    cut_changes = sum(1 for a, b in pairwise(cuts) if a != b)
    end = cuts[-1] - DAY if cuts[-1] is not None else None
    sequence = max(0, (tonight - start).days) + cut_changes
    # cancelled only when no night of it is left from tonight (or an earlier --from) on; a
    # period that merely misses it leaves it out
    kept_from = max(start, min(first, tonight))
    if end is not None and end < kept_from:
        return Series(regimen, regimen.steps[-1].dose_ug, kept_from, None, True, sequence)
    shown_from = max(start, first)
    if (end is not None and shown_from > end) or (last is not None and shown_from > last):
        return None
    until = end if last is None or (end is not None and end < last) else last
    return Series(regimen, regimen.steps[-1].dose_ug, shown_from, until, False, sequence)


def reminders(regimens: Sequence[Regimen], first: dt.date, last: dt.date | None,
              tonight: dt.date) -> Reminders:
    """Everything the calendar holds for nights `first`..`last` (None: no end)."""
    ordered = sorted(regimens, key=lambda r: r.seq)
    if not ordered:
        return Reminders([], [], [])
    prefixes = [Timeline(ordered[:k]) for k in range(1, len(ordered) + 1)]  # the plan as known then
    changes = change_nights(ordered)
    end = changes[-1] if last is None else min(last, changes[-1])  # after it, only series
    nights = [first + i * DAY for i in range((end - first).days + 1)]
    notes_of = {id(prefix): _notes(prefix, changes) for prefix in prefixes}
    changed = set(changes)
    notes = _entries(prefixes, [n for n in nights if n in changed],
                     lambda prefix, night: notes_of[id(prefix)].get(night))
    series = [found for i, r in enumerate(ordered) if r.steps[-1].dose_ug > 0
              if (found := _series(ordered, i, first, last, tonight)) is not None]
    return Reminders(_entries(prefixes, nights, _reminder), notes, series)
