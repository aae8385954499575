"""Tonight, and everything the rules need to know about one night, read in one place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from medtrack.core.decide import Decider
from medtrack.core.model import Profile, Record, Regimen
from medtrack.core.nights import dose_window, night_of
from medtrack.core.rules import NightFacts, regimen_on
from medtrack.core.timeline import Timeline
from medtrack.services.common import monograph, require_profile
from medtrack.storage.repository import Repository

DAY = dt.timedelta(days=1)
TWELVE_HOURS = dt.timedelta(hours=12)


def tonight(profile: Profile, now: dt.datetime) -> dt.date:
    return night_of(now, profile.tz)


def night_facts(repo: Repository, profile: Profile, night: dt.date,
                around: dt.datetime | None = None) -> NightFacts:
    """The night's window, regimen and records; counted doses within 12 h of `around`, if given."""
    nearby: tuple[Record, ...] = ()
    if around is not None:
        nearby = tuple(repo.doses_between(around - TWELVE_HOURS, around + TWELVE_HOURS))
    history = repo.profile_history()
    judged_by = history.for_night(night) if history is not None else profile  # the night's own
    return facts_of(judged_by, night, repo.regimens(), repo.records_for_nights(night, night), nearby)


def facts_of(profile: Profile, night: dt.date, regimens: Sequence[Regimen],
             records: Iterable[Record], nearby: Iterable[Record] = ()) -> NightFacts:
    """The same facts from values already read (the ward reads every patient at once):
    `regimens` are all of the patient's; of `records` (doses and skips, as both readers give
    them), the night's count."""
    window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
    return NightFacts(night=night, window=window, regimen=regimen_on(regimens, night),
                      records=tuple(r for r in records if r.night == night),
                      nearby_doses=tuple(nearby), prescribed=bool(regimens))


def decider(repo: Repository, now: dt.datetime) -> Decider:
    """The patient's profile history and plan timeline, read once, ready to decide nights."""
    require_profile(repo)
    profiles = repo.profile_history()
    assert profiles is not None  # a profile exists
    return Decider(monograph(), profiles, Timeline(repo.regimens()), now)
