"""A decided night in words: the guidance, the warnings, the headline and the window line that
`status`, Tonight, the ward and the reports show. Only words are made here; every fact comes
from the NightDecision (core.decide)."""

from __future__ import annotations

import datetime as dt

from medtrack.core.decide import DOSE_STATES, NightDecision
from medtrack.core.model import Record
from medtrack.core.rule_words import against_rule
from medtrack.core.rules import TonightState, cautions, ceiling_words, unacknowledged
from medtrack.core.units import format_mg
from medtrack.monograph import Monograph

HEADLINES = {
    TonightState.CONTRAINDICATED: "do not take it (contraindicated)",
    TonightState.SKIPPED: "skipped",
    TonightState.NO_PRESCRIPTION: "no prescription recorded",
    TonightState.NO_DOSE: "nothing scheduled",
    TonightState.SKIP: "too late: skip it",
}


def headline(decision: NightDecision, as_taken: str | None = None) -> str:
    """The night in a few words, with a number only where a dose is to be taken or was taken
    (`as_taken`: the dose to take as tablets or a liquid)."""
    if decision.state == TonightState.TAKEN:
        return f"{format_mg(decision.taken_ug or 0)} taken"
    if decision.may_take_ug is not None:
        dose = format_mg(decision.may_take_ug)
        at_most = f"at most {dose}" if decision.over_ceiling else dose
        taken = f" ({as_taken})" if as_taken else ""
        return f"{at_most}{taken}, {'due now' if decision.state == TonightState.DUE else 'not yet'}"
    if decision.state == TonightState.NO_DOSE and decision.completion is not None:
        return "taper complete: nothing scheduled"
    return HEADLINES.get(decision.state, str(decision.state))


def over_ceiling_words(mono: Monograph, d: NightDecision) -> str:
    """Why only the ceiling may be taken, and who must act."""
    return (f"Your prescription says {format_mg(d.scheduled_ug or 0)}, which is above "
            f"{ceiling_words(mono, d.profile, d.night)}: take at most {format_mg(d.ceiling_ug)}, and ask "
            "your prescriber to review the prescription.")


def guidance(mono: Monograph, d: NightDecision, upcoming: dt.date | None = None) -> str:
    """What to do, in words, for the night's state (first match wins, as the state does)."""
    window, label = d.window, d.label
    if d.state == TonightState.CONTRAINDICATED:
        acknowledged = d.regimen.acknowledged_ids if d.regimen else ()
        reasons = "; ".join(r.text.rstrip(".") for r in unacknowledged(mono, d.profile, d.night, acknowledged))
        return (f"Do not take {mono.name}: it is contraindicated ({reasons}). "
                "Contact your doctor before taking any dose.")
    if d.state == TonightState.TAKEN:
        return _taken(d)
    if d.state == TonightState.SKIPPED:
        when = "tonight" if d.morning else "tomorrow"
        return (f"The dose of {label} is recorded as skipped. Take the next dose at the usual time "
                f"{when}; never take two to make up.")
    if d.state == TonightState.NO_PRESCRIPTION:
        return (f"No prescription is recorded yet, so medtrack cannot check a dose. Take "
                f"{mono.name.lower()} only as your prescriber told you. {mono.guidance['stopping']} "
                "Enter the prescription as your prescriber wrote it.")
    if d.state == TonightState.NO_DOSE:
        return _no_dose(mono, d, upcoming)
    may = format_mg(d.may_take_ug or 0)
    capped = f" {over_ceiling_words(mono, d)}" if d.over_ceiling else ""
    at_most = "at most " if d.over_ceiling else ""
    if d.state == TonightState.NOT_YET:
        return (f"Tonight: {at_most}{may} at bedtime ({window.bedtime:%H:%M}). The window opens at "
                f"{window.opens:%H:%M}; the latest time is {window.latest:%H:%M}.{capped}")
    if d.state == TonightState.DUE:
        return (f"Take {at_most}{may} now, just before you go to bed. Latest time tonight: "
                f"{window.latest:%H:%M}. Do not drive or use machines afterwards.{capped}")
    if d.morning:
        return (f"Too late for last night's dose: the latest time was {window.latest:%H:%M}. Skip it "
                "and take the next dose at the usual time tonight; never take two to make up.")
    return (f"Too late tonight: after {window.latest:%H:%M} there is no time left for "
            f"{d.profile.min_sleep_min / 60:g} hours of sleep. Skip tonight's dose and take the next "
            "one at the usual time; never take two to make up.")


def _taken(d: NightDecision) -> str:
    doses = [r for r in d.records if r.counted]
    more = " Take no more tonight." if d.current and not d.morning else ""
    if d.excess:
        planned = d.scheduled_ug
        over = f"more than the {format_mg(planned)} scheduled" if planned else "nothing was scheduled"
        return f"{format_mg(d.taken_ug or 0)} taken {d.label}: {over}.{more}"
    first = doses[0]
    second = " Never take a second dose the same night." if d.current and not d.morning else ""
    return (f"{format_mg(first.dose_ug or 0)} taken {d.label}, recorded at "
            f"{first.at.astimezone(d.profile.tz):%H:%M}.{second}")


def _no_dose(mono: Monograph, d: NightDecision, upcoming: dt.date | None) -> str:
    if d.regimen is None and upcoming is not None:
        return (f"Nothing is scheduled tonight: your prescription starts on the night of "
                f"{upcoming}. Take no dose tonight.")
    if d.completion is not None:
        return (f"{d.completion.words(mono.name)} Nothing is scheduled: take no dose. Keep noting how "
                "you feel in the symptom journal.")
    if d.regimen is not None and d.regimen.kind == "plan":
        return "Your taper plan schedules no dose tonight: take no dose."
    return "Nothing is scheduled tonight: take no dose."


def shows_limit(d: NightDecision) -> bool:
    """The nightly limit is shown only while a dose is invited (no number beside "do not take",
    "too late" or "taper complete")."""
    return d.state in DOSE_STATES


def shows_window(d: NightDecision) -> bool:
    """The window is shown while a dose is invited, and when it has just closed (why too late)."""
    return d.state in (*DOSE_STATES, TonightState.SKIP)


def window_line(d: NightDecision, zone: str) -> str | None:
    """The dose window, with the limit while a dose is invited."""
    if not shows_window(d):
        return None
    limit = f"; nightly limit {format_mg(d.ceiling_ug)}" if shows_limit(d) else ""
    return f"Window: opens {d.window.opens:%H:%M}, latest {d.window.latest:%H:%M} ({zone}){limit}"


def dose_change_words(d: NightDecision) -> str | None:
    """One line on a night the dose to take changes (a taper step, a new prescription)."""
    change = d.dose_change
    if change is None:
        return None
    before, now = change
    if now is None:
        return f"Your plan reaches 0 mg tonight: no dose (was {format_mg(before or 0)})."
    return f"Your dose changes tonight: {format_mg(now)} (was {format_mg(before or 0)})."


def excess_advice(mono: Monograph) -> str:
    """What to watch for after too much was taken, in the monograph's words."""
    names = ", ".join(e.name.lower() + (f" ({e.text.rstrip('.').lower()})" if 0 < len(e.text) <= 30 else "")
                      for e in mono.side_effects if e.urgent)
    return (f"More than the scheduled dose was taken tonight. Take no more. Watch for the serious "
            f"side effects ({names}): if you notice any, contact your doctor now, or emergency "
            f"services if it is severe. {mono.guidance['call_doctor']}")


def warnings(mono: Monograph, d: NightDecision) -> list[str]:
    """What the patient must notice about the night, beyond the guidance."""
    found: list[str] = []
    tz = d.profile.tz
    for record in d.records:
        if record.kind == "dose" and record.voided and record.not_taken:
            found.append(f"A {format_mg(record.dose_ug or 0)} dose recorded at "
                         f"{record.at.astimezone(tz):%H:%M} was voided as not taken: "
                         f"{record.void_reason}")
    for dose in (r for r in d.records if r.counted and r.already_taken):
        broke = f", {against_rule(dose.rule)}" if dose.rule else ""
        more = " Take no more tonight." if d.current and not d.morning else ""
        found.append(f"A dose of {format_mg(dose.dose_ug or 0)} was recorded as already taken "
                     f"at {dose.at.astimezone(tz):%H:%M}{broke}.{more}")
    if d.excess:
        found.append(excess_advice(mono))
    if d.regimen and d.regimen.acknowledged:
        found.append(f"A contraindication was acknowledged by {d.regimen.prescriber}: "
                     f"{d.regimen.acknowledged}")
    if d.over_ceiling and d.state not in DOSE_STATES:
        found.append(f"The scheduled {format_mg(d.scheduled_ug or 0)} is above "
                     f"{ceiling_words(mono, d.profile, d.night)}; only up to that can be recorded. "
                     "Ask your prescriber to review the prescription.")
    for rule in cautions(mono, d.profile, d.night):
        found.append(f"Caution: {rule.text}")
    if d.state in (*DOSE_STATES, TonightState.TAKEN) and not d.morning:
        names = [i.name.lower() for i in mono.interactions]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
        found.append(f"Tonight: no {listed}; they add to the effect.")
    return found


def after_record(record: Record, decision: NightDecision) -> str:
    """What to do after a dose was recorded, given the decision for the record's night: about
    tonight only when the dose is tonight's and the night is not over."""
    if not decision.current or decision.morning:
        return f"Recorded for {decision.label}."
    if record.already_taken:
        return "Take no more tonight. If you feel unwell, contact your doctor."
    return "Go to bed now. Do not drive or use machines; no alcohol or other sedatives tonight."
