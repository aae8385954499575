"""Use case: a month of nights, each with its scheduled dose and what really happened."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from medtrack.core.calendar import CalendarNight, NightState
from medtrack.core.decide import calendar_night
from medtrack.core.model import Profile
from medtrack.core.parse import given_as, parse_month
from medtrack.core.timeline import Completion
from medtrack.i18n import _
from medtrack.services.common import require_profile
from medtrack.services.nights import DAY, decider, tonight
from medtrack.services.status import decide_tonight
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

__all__ = ["CalendarNight", "Month", "calendar_month", "decided_nights", "month_view", "recent_nights"]


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    nights: tuple[CalendarNight, ...]
    today: dt.date
    completion: Completion | None = None  # the taper's end, as seen tonight

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def to_json(self) -> dict[str, Any]:
        return {"month": self.label, "nights": [n.to_json() for n in self.nights],
                "taper_complete_since": self.completion.since.isoformat() if self.completion else None,
                "last_dose_night": (self.completion.last_dose.isoformat()
                                    if self.completion and self.completion.last_dose else None),
                "drug_free_nights": self.completion.drug_free_nights if self.completion else 0}

    def summary(self) -> dict[str, Any]:
        counts: dict[str, Any] = {str(s): sum(1 for n in self.nights if n.state == s)
                                  for s in (NightState.TAKEN, NightState.MISSED,
                                            NightState.SKIPPED, NightState.EXCESS)}
        doses = [n.taken_ug for n in self.nights if n.taken_ug]
        counts["average_ug"] = round(sum(doses) / len(doses)) if doses else None
        return counts


def decided_nights(repo: Repository, now: dt.datetime, first: dt.date, last: dt.date) -> list[CalendarNight]:
    """The nights first..last as decided (core.decide), in the calendar's shape."""
    decide = decider(repo, now)
    records = repo.records_for_nights(first - DAY, last)
    return [calendar_night(d) for d in decide.nights(records, first, last)]


def month_view(repo: Repository, profile: Profile, year: int, month: int, now: dt.datetime) -> Month:
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _calendar.monthrange(year, month)[1])
    nights = decided_nights(repo, now, first, last)
    current = decide_tonight(repo, now)
    return Month(year, month, tuple(nights), current.night, current.completion)


def calendar_month(db: Database, now: dt.datetime, month: str | None = None) -> Month:
    """The month given as YYYY-MM (default: tonight's month) in the profile's zone."""
    parsed: tuple[int, int] | None = None
    if month is not None:
        with given_as("--month YYYY-MM"):
            parsed = parse_month(month, what=_("the month"))
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        year, number = parsed or (tonight(profile, now).year, tonight(profile, now).month)
        return month_view(repo, profile, year, number, now)


def recent_nights(db: Database, now: dt.datetime, count: int = 7) -> list[CalendarNight]:
    """The last `count` nights up to tonight, for the strip on the Tonight screen."""
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        last = tonight(profile, now)
        first = last - (count - 1) * DAY
        return decided_nights(repo, now, first, last)
