"""The schedule as segments: runs of nights with one version in force and one dose, for exports
(read from the plan timeline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from medtrack.core.model import Regimen
from medtrack.core.timeline import Timeline

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
    """Every night on which any version of the schedule, as known after each regimen was
    recorded, can change: regimen and step starts (the iCalendar export replays the versions)."""
    return sorted({r.start for r in regimens} | {s.start for r in regimens for s in r.steps if s.start >= r.start})


def segments(regimens: Sequence[Regimen], first: dt.date, last: dt.date | None) -> list[Segment]:
    """The schedule from `first` to `last` (None: up to the last change, then open-ended): one
    segment per run of nights with the same dose under the same version, so each segment names
    the version in force on its nights, as Tonight and page one do (a hold that keeps the dose
    starts a new segment under the new version)."""
    timeline = Timeline(regimens)
    points = [first] + [n for n in timeline.change_nights() if first < n and (last is None or n <= last)]
    found: list[Segment] = []
    for i, start in enumerate(points):
        end = points[i + 1] - DAY if i + 1 < len(points) else last
        regimen = timeline.regimen_on(start)
        dose = timeline.scheduled_ug(start)
        if found and found[-1].dose_ug == dose and found[-1].regimen == regimen:
            found[-1] = Segment(found[-1].start, end, dose, regimen)
        else:
            found.append(Segment(start, end, dose, regimen))
    return found
