"""Tonight, and everything the rules need to know about one night, read in one place."""

from __future__ import annotations

import datetime as dt

from medtrack.core.model import Profile, Record
from medtrack.core.nights import dose_window, night_of
from medtrack.core.rules import NightFacts, regimen_on
from medtrack.storage.repository import Repository

DAY = dt.timedelta(days=1)
TWELVE_HOURS = dt.timedelta(hours=12)


def tonight(profile: Profile, now: dt.datetime) -> dt.date:
    return night_of(now, profile.tz)


def night_facts(repo: Repository, profile: Profile, night: dt.date,
                around: dt.datetime | None = None) -> NightFacts:
    """The night's window, regimen and records; counted doses within 12 h of `around`, if given."""
    window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
    nearby: tuple[Record, ...] = ()
    if around is not None:
        nearby = tuple(repo.doses_between(around - TWELVE_HOURS, around + TWELVE_HOURS))
    regimens = repo.regimens()
    return NightFacts(night=night, window=window, regimen=regimen_on(regimens, night),
                      records=tuple(repo.records_for_nights(night, night)), nearby_doses=nearby,
                      prescribed=bool(regimens))
