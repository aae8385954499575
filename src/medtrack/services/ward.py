"""Use case: the ward, every patient's tonight at a glance, who is due soonest first.

Each row is the same decision as `medtrack status` (core.decide.Decider), from a few batched
reads for all patients. The ward reads each patient's newest profile only: tonight is judged by
it, as `status` judges tonight unless the profile changed after tonight's window closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from medtrack.core.decide import Decider, ProfileHistory
from medtrack.core.model import Profile, Record, Regimen, Symptom
from medtrack.core.nights import night_of
from medtrack.core.rules import TonightState
from medtrack.core.symptoms import URGENT_SHOWN_NIGHTS
from medtrack.core.timeline import Timeline
from medtrack.core.units import format_mg
from medtrack.i18n import N_, _, short_time
from medtrack.services.common import monograph
from medtrack.services.symptoms import urgent_warnings
from medtrack.storage.database import Database
from medtrack.storage.ward import WardPatient, ward_reader


class Unjudged(StrEnum):
    """Why a patient's tonight cannot be judged (the ward lists them all the same)."""

    NO_PROFILE = "no_profile"  # added, but no profile yet: nothing can be judged
    UNKNOWN = "unknown"  # the profile cannot be judged (unreadable, or an unknown time zone)


WardState = TonightState | Unjudged  # as `ward --json` says it
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

WORDS: dict[WardState, str] = {  # marked here, translated by words() and where a row is made
    TonightState.CONTRAINDICATED: N_("Contraindicated"),
    TonightState.SKIPPED: N_("Skipped"),
    TonightState.NO_PRESCRIPTION: N_("No prescription"),
    TonightState.NO_DOSE: N_("No dose tonight"),
    TonightState.DUE: N_("Due now"),
    TonightState.SKIP: N_("Too late tonight"),
    Unjudged.NO_PROFILE: N_("No profile yet"),
    Unjudged.UNKNOWN: N_("Unknown: check profile"),
}


@dataclass(frozen=True)
class WardRow:
    """One patient's tonight as the ward shows it; times are the patient's own wall clock."""

    number: int
    name: str
    state: WardState  # tonight's state (as `status --json` says it), or why it cannot be judged
    words: str  # the state for people: "Due now", "Taken at 22:10", "Not yet (from 20:30)", ...
    night: dt.date | None = None
    scheduled_ug: int | None = None  # the dose beside the state: may be taken, or was taken (core.decide)
    window_opens: dt.datetime | None = None  # aware, in the patient's zone
    latest_dose_at: dt.datetime | None = None
    taken_at: dt.datetime | None = None
    excess: bool = False  # more than scheduled was taken tonight
    problem: str | None = None  # why the row cannot be judged (state Unjudged.UNKNOWN)
    urgent: tuple[str, ...] = ()  # urgent symptoms of tonight and last night, as `status` words them

    @property
    def dose(self) -> str:
        """The scheduled dose in mg, for people ("" when none is scheduled)."""
        return format_mg(self.scheduled_ug) if self.scheduled_ug else ""

    @property
    def opens(self) -> str:
        return f"{self.window_opens:%H:%M}" if self.window_opens else ""

    @property
    def latest(self) -> str:
        return f"{self.latest_dose_at:%H:%M}" if self.latest_dose_at else ""

    @property
    def window(self) -> str:
        return f"{self.opens}–{self.latest}" if self.window_opens else ""


def ward(db: Database, now: dt.datetime) -> list[WardRow]:
    """Every patient in the database, sorted by `order`: a patient that cannot be judged is
    listed all the same, never dropped."""
    with ward_reader(db) as reader:
        listed = reader.patients()
        nights = {p.patient.id: night for p in listed if (night := _tonight(p.profile, now))}
        regimens = reader.regimens()
        records: dict[int, list[Record]] = {}
        symptoms: dict[int, list[Symptom]] = {}
        if nights:
            first, last = min(nights.values()), max(nights.values())
            records = reader.records(first, last)
            symptoms = reader.symptoms(first - dt.timedelta(days=URGENT_SHOWN_NIGHTS - 1), last)
    rows = [judge(p, nights.get(p.patient.id), regimens.get(p.patient.id, []),
                  records.get(p.patient.id, []), now, symptoms.get(p.patient.id, [])) for p in listed]
    return sorted(rows, key=order)


def _tonight(profile: Profile | None, now: dt.datetime) -> dt.date | None:
    if profile is None:
        return None
    try:
        return night_of(now, profile.tz)
    except (ValueError, LookupError):  # an unknown zone (ZoneInfoNotFoundError is a KeyError)
        return None


def judge(listed: WardPatient, night: dt.date | None, regimens: list[Regimen],
          records: list[Record], now: dt.datetime, symptoms: Sequence[Symptom] = ()) -> WardRow:
    """One patient's row: the same decision `status` makes for tonight (core.decide), and the
    same urgent symptoms `status` warns of."""
    number, profile = listed.patient.id, listed.profile
    name = listed.patient.name or _("Patient {number}").format(number=number)
    if profile is None and listed.problem is None:
        return WardRow(number, name, Unjudged.NO_PROFILE, _(WORDS[Unjudged.NO_PROFILE]))
    if profile is None or night is None:
        problem = listed.problem or _("its time zone is not known here")
        return WardRow(number, name, Unjudged.UNKNOWN, _(WORDS[Unjudged.UNKNOWN]), problem=problem)
    try:
        decide = Decider(monograph(), ProfileHistory.of(profile), Timeline(regimens), now.astimezone(profile.tz))
        d = decide.decide(night, records)
    except (ValueError, LookupError) as error:  # e.g. a step or zone this version cannot use
        return WardRow(number, name, Unjudged.UNKNOWN, _(WORDS[Unjudged.UNKNOWN]), night=night, problem=str(error),
                       urgent=tuple(urgent_warnings(symptoms, night)))
    return WardRow(number, name, d.state, words(d.state, d.window.opens, d.taken_at, d.excess),
                   night=night, scheduled_ug=d.shown_ug, window_opens=d.window.opens,
                   latest_dose_at=d.window.latest, taken_at=d.taken_at, excess=d.excess,
                   urgent=tuple(urgent_warnings(symptoms, night)))


def words(state: TonightState, opens: dt.datetime, taken_at: dt.datetime | None, excess: bool) -> str:
    if state is TonightState.TAKEN and taken_at is not None:
        taken = _("Taken at {time}").format(time=short_time(taken_at))
        return taken + _(": too much!") if excess else taken
    if state is TonightState.NOT_YET:
        return _("Not yet (from {time})").format(time=short_time(opens))
    return _(WORDS[state]) if state in WORDS else state.value


def order(row: WardRow) -> tuple[int, dt.datetime, str, int]:
    """Due now first, the latest time soonest; then not yet, the window opening soonest; then
    everyone else (taken, skipped, too late, ...) by name."""
    if row.state is TonightState.DUE and row.latest_dose_at is not None:
        return 0, row.latest_dose_at.astimezone(dt.UTC), "", row.number
    if row.state is TonightState.NOT_YET and row.window_opens is not None:
        return 1, row.window_opens.astimezone(dt.UTC), "", row.number
    return 2, _EPOCH, " ".join(row.name.split()).casefold(), row.number
