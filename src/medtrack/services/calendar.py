"""Use case: a month of nights, each with its scheduled dose and what really happened."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from medtrack.core.model import Profile, Record, Regimen
from medtrack.core.nights import dose_window
from medtrack.core.parse import parse_month
from medtrack.core.rules import (
    NightFacts,
    is_excess,
    regimen_on,
    scheduled_ug,
    unacknowledged,
    utc,
)
from medtrack.monograph import Monograph
from medtrack.services.common import DAY, mg, monograph, require_profile, tonight
from medtrack.storage.repository import Database, Repository


@dataclass(frozen=True)
class CalendarNight:
    night: dt.date
    scheduled_ug: int | None
    taken_ug: int | None
    state: str  # taken, missed, skipped, excess, future, none, contraindicated
    step_change: bool
    already_taken: bool = False
    voided: bool = False
    as_taken: str | None = None  # the scheduled dose as the patient takes it (a formulation)

    def to_json(self) -> dict[str, Any]:
        return {"night": self.night.isoformat(), "scheduled_mg": mg(self.scheduled_ug),
                "as_taken": self.as_taken, "taken_mg": mg(self.taken_ug), "state": self.state,
                "step_change": self.step_change}


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
        counts = {s: sum(1 for n in self.nights if n.state == s)
                  for s in ("taken", "missed", "skipped", "excess")}
        doses = [n.taken_ug for n in self.nights if n.taken_ug]
        counts["average_ug"] = round(sum(doses) / len(doses)) if doses else None
        return counts


def night_states(mono: Monograph, profile: Profile, regimens: list[Regimen],
                 records: list[Record], first: dt.date, last: dt.date,
                 now: dt.datetime) -> list[CalendarNight]:
    """One entry per night from first to last; shared by the calendar and the exports."""
    by_night: dict[dt.date, list[Record]] = {}
    for record in records:
        by_night.setdefault(record.night, []).append(record)
    current = tonight(profile, now)
    out: list[CalendarNight] = []
    before = scheduled_ug(regimen_on(regimens, first - DAY), first - DAY)
    night = first
    while night <= last:
        regimen = regimen_on(regimens, night)
        window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
        facts = NightFacts(night, window, regimen, tuple(by_night.get(night, ())), ())
        scheduled = facts.scheduled_as_recorded  # a recorded night keeps what it was judged by
        taken = sum(d.dose_ug or 0 for d in facts.doses) or None
        ack = regimen.acknowledged_ids if regimen else ()
        if facts.doses:
            state = "excess" if is_excess(facts) else "taken"
        elif facts.skips:
            state = "skipped"
        elif unacknowledged(mono, profile, night, ack) and scheduled is not None:
            state = "contraindicated"
        elif scheduled is None:
            state = "none"
        elif night > current or (night == current and utc(now) <= utc(window.latest)):
            state = "future"
        else:
            state = "missed"
        made_with = regimen.formulation if regimen is not None else None
        out.append(CalendarNight(night, scheduled, taken, state, scheduled != before,
                                 already_taken=any(d.already_taken for d in facts.doses),
                                 voided=any(r.voided for r in facts.records),
                                 as_taken=made_with.as_taken(scheduled) if made_with and scheduled else None))
        before = scheduled
        night += DAY
    return out


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
