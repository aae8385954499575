"""One decision per night: what was prescribed, what may be taken, the state, and how a recorded
night was judged. Tonight, `status`, the ward, the calendar and every export render this; none
of them works a night out again.

Three facts fix a night's verdict:
- the plan timeline (core.timeline) says what is scheduled now; a recorded night keeps what was
  scheduled when it was recorded;
- the profile in force for the night (`ProfileHistory.for_night`): a past night keeps the verdict
  of the profile of its own time, so a condition added today does not re-judge last week;
- the monograph's ceiling for the age on that night: nothing above it is ever offered.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medtrack.core.calendar import CalendarNight, NightState
from medtrack.core.drug import Monograph
from medtrack.core.model import Profile, Record, Regimen
from medtrack.core.nights import Window, dose_window, night_of
from medtrack.core.rules import (
    NightFacts,
    TonightState,
    ceiling_ug,
    is_excess,
    night_state,
    unacknowledged,
    utc,
)
from medtrack.core.timeline import Change, Completion, Timeline, completion

DAY = dt.timedelta(days=1)
DOSE_STATES = (TonightState.NOT_YET, TonightState.DUE)  # the states that invite a dose


@dataclass(frozen=True)
class ProfileVersion:
    """A profile as recorded at `at` (an aware instant); it holds until the next version."""

    at: dt.datetime
    profile: Profile


class ProfileHistory:
    """The profile versions in recording order; the newest is the profile."""

    def __init__(self, versions: Iterable[ProfileVersion]) -> None:
        self.versions = tuple(versions)  # in recording order: the last one is the profile
        self._instants = list(itertools.accumulate((v.at.timestamp() for v in self.versions), max))
        if not self.versions:
            raise ValueError("a profile history needs at least one version")

    @classmethod
    def of(cls, profile: Profile) -> ProfileHistory:
        """A history of one version that holds for every night."""
        return cls([ProfileVersion(dt.datetime.min.replace(tzinfo=dt.UTC), profile)])

    @property
    def current(self) -> Profile:
        return self.versions[-1].profile

    def for_night(self, night: dt.date) -> Profile:
        """The profile a night is judged by: changes apply in recording order while they were
        made before the night's window closed (its latest dose time) under the profile then in
        force. A later change never re-judges a closed night, and a change that would widen a
        closed window cannot reopen it. A night that closed before the first profile was
        recorded had no verdict to keep: the newest profile judges it."""
        if len(self.versions) == 1:
            return self.current
        first = self.versions[0]
        if utc(self._closes(night, first.profile)) < utc(first.at):
            return self.current  # closed before any profile was recorded: no verdict to keep
        # a version recorded before the night's date began anywhere on Earth applies for sure
        sure = dt.datetime.combine(night, dt.time(), dt.UTC) - dt.timedelta(hours=14)
        i = max(0, bisect.bisect_right(self._instants, sure.timestamp()) - 1)
        profile = self.versions[i].profile
        for version in self.versions[i + 1:]:
            if utc(version.at) > utc(self._closes(night, profile)):
                break
            profile = version.profile
        return profile

    @staticmethod
    def _closes(night: dt.date, p: Profile) -> dt.datetime:
        """When a night's window closes under a profile (its latest dose time)."""
        return dose_window(night, p.tz, p.bedtime, p.wake, p.min_sleep_min).latest


@dataclass(frozen=True)
class NightDecision:
    """Everything every view says about one night, decided once."""

    night: dt.date
    profile: Profile  # the profile in force for this night
    window: Window
    regimen: Regimen | None
    state: TonightState  # what to do, as at the moment decided
    outcome: NightState  # how the night reads on a calendar or in a report
    scheduled_ug: int | None  # as recorded once the night has a record, else from the timeline
    previous_scheduled_ug: int | None  # the night before, the same way
    ceiling_ug: int  # the monograph's nightly ceiling for the age on this night
    taken_ug: int | None
    taken_at: dt.datetime | None  # the first counted dose, in the night's zone
    excess: bool
    current: bool  # the night the moment falls in
    morning: bool  # the moment is after this night's wake time: words say "last night"
    records: tuple[Record, ...] = ()
    next_change: Change | None = None  # the next night the dose changes (only decided for tonight)
    completion: Completion | None = None  # the taper's end (only decided for tonight)

    @property
    def over_ceiling(self) -> bool:
        """The scheduled dose is above the ceiling: only up to the ceiling can be taken."""
        return self.scheduled_ug is not None and self.scheduled_ug > self.ceiling_ug

    @property
    def may_take_ug(self) -> int | None:
        """The most that may be taken: while a dose is invited, the scheduled dose capped at the
        ceiling; None in every other state (nothing may be taken)."""
        if self.state not in DOSE_STATES or self.scheduled_ug is None:
            return None
        return min(self.scheduled_ug, self.ceiling_ug)

    @property
    def shown_ug(self) -> int | None:
        """The one dose a view puts beside the night's state: what may be taken while a dose is
        invited, what was taken once taken, and none otherwise (no number beside "do not take")."""
        if self.state == TonightState.TAKEN:
            return self.taken_ug
        return self.may_take_ug

    @property
    def step_change(self) -> bool:
        return self.scheduled_ug != self.previous_scheduled_ug

    @property
    def dose_change(self) -> tuple[int | None, int | None] | None:
        """(was, now) when the dose to take tonight differs from last night's and a dose is still
        to come tonight; None otherwise (never above "too late" or "do not take")."""
        if self.state not in DOSE_STATES or self.previous_scheduled_ug is None or not self.step_change:
            return None
        return self.previous_scheduled_ug, self.may_take_ug

    @property
    def label(self) -> str:
        """How to name this night to the patient: "tonight", "last night" or "the night of …"."""
        from medtrack.i18n import _, medium_date

        if self.current:
            return _("last night") if self.morning else _("tonight")
        return _("the night of {date}").format(date=medium_date(self.night))

    def to_json(self) -> dict[str, object]:
        """The decided facts that every view must agree on (the cross-view tests compare these)."""
        from medtrack.core.units import ug_to_mg

        def mg(ug: int | None) -> float | int | None:
            return None if ug is None else ug_to_mg(ug)

        return {"night": self.night.isoformat(), "state": str(self.state), "outcome": str(self.outcome),
                "scheduled_mg": mg(self.scheduled_ug), "may_take_mg": mg(self.may_take_ug),
                "ceiling_mg": mg(self.ceiling_ug), "over_ceiling": self.over_ceiling,
                "next_change": ({"night": self.next_change.night.isoformat(),
                                 "dose_mg": mg(self.next_change.dose_ug) or 0}
                                if self.next_change is not None else None)}


def as_recorded(records: Sequence[Record], scheduled_now: int | None) -> int | None:
    """What was scheduled when the night was recorded (its first dose or skip that stands), else
    what is scheduled now: a later change never re-judges a recorded night."""
    kept = [r for r in records if not r.voided and r.kind != "void"]
    return kept[0].scheduled_ug if kept else scheduled_now


class Decider:
    """Decides nights for one patient at one moment: the monograph, the profile history and the
    plan timeline are read once, then any number of nights are decided from them."""

    def __init__(self, mono: Monograph, profiles: ProfileHistory, timeline: Timeline,
                 now: dt.datetime) -> None:
        self.mono, self.profiles, self.timeline, self.now = mono, profiles, timeline, now
        self.tonight = night_of(now, profiles.current.tz)

    def facts(self, night: dt.date, records: Iterable[Record] = (),
              nearby: Iterable[Record] = ()) -> NightFacts:
        """What the rules need for one night (its window and records, the version in force)."""
        p = self.profiles.for_night(night)
        window = dose_window(night, p.tz, p.bedtime, p.wake, p.min_sleep_min)
        return NightFacts(night=night, window=window, regimen=self.timeline.regimen_on(night),
                          records=tuple(r for r in records if r.night == night and r.kind != "void"),
                          nearby_doses=tuple(nearby), prescribed=bool(self.timeline))

    def decide(self, night: dt.date, records: Iterable[Record] = (),
               previous: Iterable[Record] = (), *, dose_nights: Sequence[dt.date] = ()) -> NightDecision:
        """The decision for `night` given its records (and the night before's, for the step).
        For tonight the next dose change and the taper's end are decided too (`dose_nights`:
        the nights with a counted dose since the taper could have ended)."""
        profile = self.profiles.for_night(night)
        facts = self.facts(night, records)
        scheduled = as_recorded(facts.records, facts.scheduled)
        before = night - DAY
        previous_scheduled = as_recorded([r for r in previous if r.night == before and r.kind != "void"],
                                         self.timeline.scheduled_ug(before))
        state = self._state(profile, facts)
        doses = facts.doses
        current = night == self.tonight
        return NightDecision(
            night=night, profile=profile, window=facts.window, regimen=facts.regimen, state=state,
            outcome=self._outcome(profile, facts, scheduled), scheduled_ug=scheduled,
            previous_scheduled_ug=previous_scheduled, ceiling_ug=ceiling_ug(self.mono, profile, night),
            taken_ug=sum(d.dose_ug or 0 for d in doses) if doses else None,
            taken_at=doses[0].at.astimezone(profile.tz) if doses else None,
            excess=is_excess(facts), current=current,
            morning=utc(self.now) >= utc(facts.window.wake), records=facts.records,
            next_change=self.timeline.next_change(night) if current else None,
            completion=completion(self.timeline, night, dose_nights) if current else None,
        )

    def _acknowledged(self, facts: NightFacts) -> tuple[str, ...]:
        return facts.regimen.acknowledged_ids if facts.regimen else ()

    def _state(self, profile: Profile, facts: NightFacts) -> TonightState:
        """What to do, first match wins (see TonightState)."""
        return night_state(self.mono, profile, facts, self.now, self._acknowledged(facts))

    def _outcome(self, profile: Profile, facts: NightFacts, scheduled: int | None) -> NightState:
        """How the night reads on a calendar: what was recorded, then what is scheduled."""
        if facts.doses:
            return NightState.EXCESS if is_excess(facts) else NightState.TAKEN
        if facts.skips:
            return NightState.SKIPPED
        if scheduled is None:
            return NightState.NONE
        if unacknowledged(self.mono, profile, facts.night, self._acknowledged(facts)):
            return NightState.CONTRAINDICATED
        if facts.night > self.tonight or (facts.night == self.tonight
                                           and utc(self.now) <= utc(facts.window.latest)):
            return NightState.FUTURE
        return NightState.MISSED

    def nights(self, records: Sequence[Record], first: dt.date, last: dt.date) -> list[NightDecision]:
        """One decision per night from `first` to `last` (records: the period's, and the night
        before `first`'s for its step mark)."""
        by_night: dict[dt.date, list[Record]] = {}
        for record in records:
            if record.kind != "void":
                by_night.setdefault(record.night, []).append(record)
        out = []
        dose_nights = sorted({r.night for r in records if r.counted})
        night = first
        while night <= last:
            out.append(self.decide(night, by_night.get(night, ()), by_night.get(night - DAY, ()),
                                   dose_nights=dose_nights))
            night += DAY
        return out


def calendar_night(d: NightDecision) -> CalendarNight:
    """A decided night as the calendar, the strip and the reports list it."""
    made_with = d.regimen.formulation if d.regimen is not None else None
    scheduled = d.scheduled_ug
    shown = made_with.as_taken(scheduled) if made_with and not made_with.is_plain and scheduled else None
    doses = [r for r in d.records if r.counted]
    return CalendarNight(d.night, scheduled, d.taken_ug, d.outcome, d.step_change,
                         already_taken=any(r.already_taken for r in doses),
                         voided=any(r.voided for r in d.records), as_taken=shown)


def night_states(mono: Monograph, profile: Profile, regimens: Sequence[Regimen], records: Sequence[Record],
                 first: dt.date, last: dt.date, now: dt.datetime) -> list[CalendarNight]:
    """The nights first..last decided for one profile that holds throughout, in the calendar's
    shape (for callers with values in hand and no profile history)."""
    decide = Decider(mono, ProfileHistory.of(profile), Timeline(regimens), now)
    return [calendar_night(d) for d in decide.nights(records, first, last)]
