"""The schedule as segments: runs of nights with one regimen and one dose, for exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from medtrack.core.model import Regimen
from medtrack.core.rules import regimen_on, scheduled_ug

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Segment:
    """Nights `start`..`end` (None: open-ended) with the same scheduled dose (None: nothing)."""

    start: dt.date
    end: dt.date | None
    dose_ug: int | None
    regimen: Regimen | None

    def nights(self, last: dt.date) -> int:
        return ((self.end or last) - self.start).days + 1


def change_nights(regimens: Sequence[Regimen]) -> list[dt.date]:
    """Every night on which the schedule can change: regimen and step starts."""
    return sorted({r.start for r in regimens} | {s.start for r in regimens for s in r.steps if s.start >= r.start})


def segments(regimens: Sequence[Regimen], first: dt.date, last: dt.date | None) -> list[Segment]:
    """The schedule from `first` to `last` (None: up to the last change, then open-ended)."""
    points = [first] + [n for n in change_nights(regimens) if first < n and (last is None or n <= last)]
    found: list[Segment] = []
    for i, start in enumerate(points):
        end = points[i + 1] - DAY if i + 1 < len(points) else last
        regimen = regimen_on(regimens, start)
        dose = scheduled_ug(regimen, start)
        if found and found[-1].dose_ug == dose and _continues(found[-1], regimen):
            found[-1] = Segment(found[-1].start, end, dose, regimen)
        else:
            found.append(Segment(start, end, dose, regimen))
    return found


def _continues(segment: Segment, regimen: Regimen | None) -> bool:
    """The same regimen, or a newer plan version (a hold, say) that schedules the same dose on
    the segment's nights too: one step for the reader, under the newer version."""
    if segment.regimen == regimen:
        return True
    return (regimen is not None and segment.regimen is not None and regimen.kind == "plan"
            and segment.regimen.kind == "plan"
            and regimen.step_dose(segment.start) == segment.dose_ug)

