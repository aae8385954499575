"""Each night as the calendar, the strip on Tonight, the CLI and the reports show it: its state,
the mark and words for that state (one table for every view), and the scheduled dose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from medtrack.core.model import Profile, Record, Regimen
from medtrack.core.nights import dose_window, night_of
from medtrack.core.rules import (
    NightFacts,
    is_excess,
    regimen_on,
    scheduled_ug,
    unacknowledged,
    utc,
)
from medtrack.core.units import ug_to_mg
from medtrack.monograph import Monograph

DAY = dt.timedelta(days=1)


class NightState(StrEnum):
    """What a night came to (past) or what is scheduled (to come)."""

    TAKEN = "taken"
    MISSED = "missed"
    SKIPPED = "skipped"
    EXCESS = "excess"
    FUTURE = "future"
    NONE = "none"
    CONTRAINDICATED = "contraindicated"


@dataclass(frozen=True)
class Mark:
    symbol: str
    label: str  # in a legend
    words: str  # about one night
    style: str  # a Textual colour variable (the CLI uses the symbol and the words)


MARKS: dict[NightState, Mark] = {
    NightState.TAKEN: Mark("✓", "taken", "taken", "$success"),
    NightState.MISSED: Mark("✗", "missed", "missed", "$error"),
    NightState.SKIPPED: Mark("–", "skipped", "skipped", "$warning"),
    NightState.EXCESS: Mark("‼", "excess", "more than scheduled", "bold $error"),
    NightState.FUTURE: Mark("·", "to come", "to come", "$foreground-muted"),
    NightState.NONE: Mark(" ", "nothing scheduled", "nothing scheduled", ""),
    NightState.CONTRAINDICATED: Mark("⊘", "not allowed", "not allowed", "$error"),
}
STEP_MARK = "▸"  # a night the scheduled dose changes
STRIP = (NightState.TAKEN, NightState.MISSED, NightState.SKIPPED, NightState.EXCESS,
         NightState.FUTURE)  # the legend of the week strip on Tonight


def legend(states: Sequence[NightState] = tuple(NightState), *, step: bool = False) -> str:
    """'✓ taken  ✗ missed …' for the states given (the blank mark left out)."""
    parts = [f"{MARKS[s].symbol} {MARKS[s].label}" for s in states if MARKS[s].symbol.strip()]
    if step:
        parts.insert(len(STRIP), f"{STEP_MARK} new dose")
    return "  ".join(parts)


@dataclass(frozen=True)
class CalendarNight:
    night: dt.date
    scheduled_ug: int | None
    taken_ug: int | None
    state: NightState
    step_change: bool
    already_taken: bool = False
    voided: bool = False
    as_taken: str | None = None  # the scheduled dose as the patient takes it (a formulation)

    def to_json(self) -> dict[str, Any]:
        return {"night": self.night.isoformat(),
                "scheduled_mg": ug_to_mg(self.scheduled_ug) if self.scheduled_ug is not None else None,
                "as_taken": self.as_taken,
                "taken_mg": ug_to_mg(self.taken_ug) if self.taken_ug is not None else None,
                "state": str(self.state), "step_change": self.step_change}


def calendar_state(mono: Monograph, profile: Profile, facts: NightFacts, scheduled: int | None,
                   now: dt.datetime) -> NightState:
    """One state per night, first match wins: what was recorded, then what is scheduled."""
    ack = facts.regimen.acknowledged_ids if facts.regimen else ()
    if facts.doses:
        return NightState.EXCESS if is_excess(facts) else NightState.TAKEN
    if facts.skips:
        return NightState.SKIPPED
    if scheduled is not None and unacknowledged(mono, profile, facts.night, ack):
        return NightState.CONTRAINDICATED
    if scheduled is None:
        return NightState.NONE
    current = night_of(now, profile.tz)
    if facts.night > current or (facts.night == current and utc(now) <= utc(facts.window.latest)):
        return NightState.FUTURE
    return NightState.MISSED


def night_states(mono: Monograph, profile: Profile, regimens: Sequence[Regimen],
                 records: Sequence[Record], first: dt.date, last: dt.date,
                 now: dt.datetime) -> list[CalendarNight]:
    """One entry per night from first to last; shared by the calendar and the exports."""
    by_night: dict[dt.date, list[Record]] = {}
    for record in records:
        by_night.setdefault(record.night, []).append(record)
    out: list[CalendarNight] = []
    before = scheduled_ug(regimen_on(regimens, first - DAY), first - DAY)
    night = first
    while night <= last:
        regimen = regimen_on(regimens, night)
        window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
        facts = NightFacts(night, window, regimen, tuple(by_night.get(night, ())), ())
        scheduled = facts.scheduled_as_recorded  # a recorded night keeps what it was judged by
        made_with = regimen.formulation if regimen is not None else None
        shown = made_with.as_taken(scheduled) if made_with and not made_with.is_plain and scheduled else None
        out.append(CalendarNight(night, scheduled, sum(d.dose_ug or 0 for d in facts.doses) or None,
                                 calendar_state(mono, profile, facts, scheduled, now),
                                 scheduled != before,
                                 already_taken=any(d.already_taken for d in facts.doses),
                                 voided=any(r.voided for r in facts.records), as_taken=shown))
        before = scheduled
        night += DAY
    return out
