"""Use case: a month of nights, each with its scheduled dose and what really happened."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from medtrack.core.calendar import CalendarNight, NightState, night_states
from medtrack.core.model import Profile
from medtrack.core.parse import parse_month
from medtrack.core.rules import regimen_on
from medtrack.services.common import monograph, require_profile
from medtrack.services.nights import DAY, tonight
from medtrack.storage.repository import Database, Repository

__all__ = ["CalendarNight", "Month", "calendar_month", "month_view", "night_states", "recent_nights"]


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    nights: tuple[CalendarNight, ...]
    today: dt.date
    complete_since: dt.date | None = None  # the taper reached 0 on this night

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def to_json(self) -> dict[str, Any]:
        return {"month": self.label, "nights": [n.to_json() for n in self.nights],
                "taper_complete_since": self.complete_since.isoformat() if self.complete_since else None}

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {str(s): sum(1 for n in self.nights if n.state == s)
                                  for s in (NightState.TAKEN, NightState.MISSED,
                                            NightState.SKIPPED, NightState.EXCESS)}
        doses = [n.taken_ug for n in self.nights if n.taken_ug]
        counts["average_ug"] = round(sum(doses) / len(doses)) if doses else None
        return counts


def month_view(repo: Repository, profile: Profile, year: int, month: int, now: dt.datetime) -> Month:
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _calendar.monthrange(year, month)[1])
    regimens = repo.regimens()
    nights = night_states(monograph(), profile, regimens,
                          repo.records_for_nights(first, last), first, last, now)
    ended = regimen_on(regimens, min(last, tonight(profile, now)))
    since = (ended.steps[-1].start if ended is not None and ended.kind == "plan"
             and ended.steps[-1].dose_ug == 0 and ended.steps[-1].start <= tonight(profile, now)
             else None)
    return Month(year, month, tuple(nights), tonight(profile, now), since)


def calendar_month(db: Database, now: dt.datetime, month: str | None = None) -> Month:
    """The month given as YYYY-MM (default: tonight's month) in the profile's zone."""
    parsed = parse_month(month, what="--month") if month is not None else None
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        year, number = parsed or (tonight(profile, now).year, tonight(profile, now).month)
        return month_view(repo, profile, year, number, now)


def recent_nights(db: Database, now: dt.datetime, count: int = 7) -> list[CalendarNight]:
    """The last `count` nights up to tonight, for the strip on the Tonight screen."""
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        last = tonight(profile, now)
        first = last - (count - 1) * DAY
        return night_states(monograph(), profile, repo.regimens(),
                            repo.records_for_nights(first, last), first, last, now)
