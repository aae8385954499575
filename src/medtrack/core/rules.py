"""The dose rules: what is scheduled, what the monograph allows, and the verdict on a dose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medtrack.core.drug import Monograph, Rule
from medtrack.core.model import ALLOWED, Profile, Record, Regimen, Verdict
from medtrack.core.nights import MIN_DOSE_GAP, Window, hours_apart
from medtrack.core.tonight_state import TonightState as TonightState  # re-exported: the rules' outcome
from medtrack.core.units import format_mg
from medtrack.i18n import _, date_time, decimal, medium_date, short_time


def utc(instant: dt.datetime) -> dt.datetime:
    """Compare instants in UTC: two times carrying the same zone compare by wall clock."""
    return instant.astimezone(dt.UTC)


def regimen_on(regimens: Iterable[Regimen], night: dt.date) -> Regimen | None:
    """The prescription or plan version in force on a night: the newest one (by recording
    order) whose start is on or before it. Each version replaces every older one from its own
    start night on, whatever their start dates."""
    best: Regimen | None = None
    for regimen in regimens:
        if regimen.start <= night and (best is None or regimen.seq > best.seq):
            best = regimen
    return best


def altered_nights(regimens: Sequence[Regimen], new: Regimen,
                   recorded: Iterable[dt.date]) -> list[dt.date]:
    """The recorded nights whose scheduled dose `new` (the newest version) would change."""
    after = [*regimens, new]
    return sorted(night for night in set(recorded)
                  if scheduled_ug(regimen_on(regimens, night), night)
                  != scheduled_ug(regimen_on(after, night), night))


def scheduled_ug(regimen: Regimen | None, night: dt.date) -> int | None:
    """The night's scheduled dose; None when nothing is scheduled (no regimen, or a 0 mg step)."""
    if regimen is None:
        return None
    dose = regimen.dose_on(night)
    return dose if dose else None


def profile_matches(rule: Rule, profile: Profile, night: dt.date) -> bool:
    """Whether a monograph contraindication or caution applies to this patient on this night."""
    kind, value = rule.match.kind, rule.match.value
    if kind == "condition":
        return value in profile.conditions
    if kind == "liver":
        return isinstance(value, tuple) and profile.liver in value  # the monograph's levels
    if kind == "renal":
        return profile.renal
    if kind == "pregnant":
        return profile.pregnant
    if kind == "breastfeeding":
        return profile.breastfeeding
    if kind == "age_below":
        return isinstance(value, int) and profile.age_on(night) < value  # the monograph's age
    return False


def contraindications(mono: Monograph, profile: Profile, night: dt.date) -> tuple[Rule, ...]:
    return tuple(r for r in mono.contraindications if profile_matches(r, profile, night))


def cautions(mono: Monograph, profile: Profile, night: dt.date) -> tuple[Rule, ...]:
    return tuple(r for r in mono.cautions if profile_matches(r, profile, night))


def unacknowledged(
    mono: Monograph, profile: Profile, night: dt.date, acknowledged_ids: Sequence[str]
) -> tuple[Rule, ...]:
    """Contraindications the prescriber has not acknowledged for the record."""
    return tuple(r for r in contraindications(mono, profile, night) if r.id not in acknowledged_ids)


def ceiling_ug(mono: Monograph, profile: Profile, night: dt.date) -> int:
    """The monograph's nightly ceiling for the patient's age on that night."""
    return mono.dosing.max_ug_for_age(profile.age_on(night))


def ceiling_words(mono: Monograph, profile: Profile, night: dt.date) -> str:
    limit = format_mg(ceiling_ug(mono, profile, night))
    if profile.age_on(night) < mono.dosing.min_age:
        return _("the monograph's limit: no dose under age {age}").format(age=mono.dosing.min_age)
    if profile.age_on(night) >= mono.dosing.elderly_from_age:
        return _("the monograph's {limit} nightly limit from age {age}").format(
            limit=limit, age=mono.dosing.elderly_from_age)
    return _("the monograph's {limit} nightly limit for adults").format(limit=limit)


@dataclass(frozen=True)
class NightFacts:
    """Everything the rules need to know about one night, gathered by the service layer."""

    night: dt.date
    window: Window
    regimen: Regimen | None
    records: tuple[Record, ...]  # dose and skip records of this night (voided ones included)
    nearby_doses: tuple[Record, ...]  # counted doses within a day either side, any night
    prescribed: bool = True  # whether any prescription or plan is recorded at all

    @property
    def scheduled(self) -> int | None:
        """What the prescription or plan in force schedules for the night now."""
        return scheduled_ug(self.regimen, self.night)

    @property
    def doses(self) -> tuple[Record, ...]:
        return tuple(r for r in self.records if r.counted)

    @property
    def skips(self) -> tuple[Record, ...]:
        return tuple(r for r in self.records if r.kind == "skip" and not r.voided)


def check_dose(
    mono: Monograph,
    profile: Profile,
    facts: NightFacts,
    at: dt.datetime,
    dose_ug: int,
    acknowledged_ids: Sequence[str] = (),
) -> Verdict:
    """The verdict on taking `dose_ug` at `at`: each rule in turn, the first refusal wins."""
    night, window = facts.night, facts.window
    blocked = unacknowledged(mono, profile, night, acknowledged_ids)
    if blocked:
        reasons = "; ".join(r.text.rstrip(".") for r in blocked)
        return Verdict(False, "contraindication", _("{reasons}. Do not take {drug}; talk to your doctor.").format(
            reasons=reasons, drug=mono.name))
    scheduled = facts.scheduled
    if scheduled is None:
        return Verdict(False, "nothing-scheduled", _("nothing is scheduled for the night of {night}: no dose "
                                                     "may be recorded as planned.").format(night=medium_date(night)))
    if facts.doses:
        first = facts.doses[0]
        return Verdict(False, "one-dose-per-night", _("{dose} is already recorded for the night of {night} at "
                                                      "{time}. Never take a second dose.").format(
            dose=format_mg(first.dose_ug or 0), night=medium_date(night), time=short_time(first.at)))
    if facts.skips:
        return Verdict(False, "skipped-night", _("the night of {night} is recorded as skipped; take the next "
                                                 "dose at the usual time, never two to make up.").format(
            night=medium_date(night)))
    for other in facts.nearby_doses:
        if hours_apart(other.at, at) < MIN_DOSE_GAP:
            moment = other.at.astimezone(at.tzinfo)
            return Verdict(False, "12-hour-gap", _("doses must be at least 12 hours apart: a dose is recorded "
                                                   "at {when}.").format(
                when=date_time(moment)))
    if utc(at) < utc(window.opens):
        return Verdict(False, "dose-window", _("too early: the window for the night of {night} opens at "
                                               "{opens} (2 hours before bedtime).").format(
            night=medium_date(night), opens=short_time(window.opens)))
    if utc(at) > utc(window.latest):
        return Verdict(False, "dose-window", _("too late: the latest time for the night of {night} was "
                                               "{latest}, to leave {hours} hours of sleep. Skip tonight's "
                                               "dose; take the next one at the usual time, never two.").format(
            night=medium_date(night), latest=short_time(window.latest),
            hours=decimal(f"{profile.min_sleep_min / 60:g}")))
    limit = ceiling_ug(mono, profile, night)
    if dose_ug > limit:
        return Verdict(False, "monograph-ceiling", _("{dose} is above {ceiling}.").format(
            dose=format_mg(dose_ug), ceiling=ceiling_words(mono, profile, night)))
    if dose_ug > scheduled:
        return Verdict(False, "scheduled-dose", _("{dose} is above the {scheduled} scheduled for the night of "
                                                  "{night}.").format(dose=format_mg(dose_ug),
                                                                     scheduled=format_mg(scheduled),
                                                                     night=medium_date(night)))
    return ALLOWED


STATES = tuple(TonightState)


def night_state(
    mono: Monograph,
    profile: Profile,
    facts: NightFacts,
    now: dt.datetime,
    acknowledged_ids: Sequence[str] = (),
) -> TonightState:
    """One state per night, first match wins (see TonightState)."""
    if unacknowledged(mono, profile, facts.night, acknowledged_ids):
        return TonightState.CONTRAINDICATED
    if facts.doses:
        return TonightState.TAKEN
    if facts.skips:
        return TonightState.SKIPPED
    if not facts.prescribed:
        return TonightState.NO_PRESCRIPTION
    if facts.scheduled is None:
        return TonightState.NO_DOSE
    if utc(now) < utc(facts.window.opens):
        return TonightState.NOT_YET
    if utc(now) <= utc(facts.window.latest):
        return TonightState.DUE
    return TonightState.SKIP


def is_excess(facts: NightFacts) -> bool:
    """More than one counted dose, or more than was scheduled when the dose was recorded
    (only possible via --already-taken); a later plan change never makes a dose excess."""
    doses = facts.doses
    if len(doses) > 1:
        return True
    return bool(doses) and (doses[0].scheduled_ug is None
                            or (doses[0].dose_ug or 0) > doses[0].scheduled_ug)
