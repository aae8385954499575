"""A decided night in words: the guidance, the warnings, the headline and the window line that
`status`, Tonight, the ward and the reports show. Only words are made here; every fact comes
from the NightDecision (core.decide)."""

from __future__ import annotations

import datetime as dt

from medtrack.core.decide import DOSE_STATES, NightDecision
from medtrack.core.drug import Monograph
from medtrack.core.model import Record
from medtrack.core.rule_words import against_rule
from medtrack.core.rules import TonightState, cautions, ceiling_words, unacknowledged
from medtrack.core.units import format_mg

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
    """What to do, in words, for the night's state (decided in core.decide): each state's words
    are made by its own function (GUIDANCE). `upcoming`: the night a prescription not yet in
    force starts."""
    return GUIDANCE[d.state](mono, d, upcoming)


def _contraindicated(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    acknowledged = d.regimen.acknowledged_ids if d.regimen else ()
    reasons = "; ".join(r.text.rstrip(".") for r in unacknowledged(mono, d.profile, d.night, acknowledged))
    return (f"Do not take {mono.name}: it is contraindicated ({reasons}). "
            "Contact your doctor before taking any dose.")


def _taken(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    return _taken_too_much(d) if d.excess else _taken_once(d)


def _taken_too_much(d: NightDecision) -> str:
    planned = d.scheduled_ug
    over = f"more than the {format_mg(planned)} scheduled" if planned else "nothing was scheduled"
    more = " Take no more tonight." if _tonight_goes_on(d) else ""
    return f"{format_mg(d.taken_ug or 0)} taken {d.label}: {over}.{more}"


def _taken_once(d: NightDecision) -> str:
    first = next(r for r in d.records if r.counted)
    second = " Never take a second dose the same night." if _tonight_goes_on(d) else ""
    return (f"{format_mg(first.dose_ug or 0)} taken {d.label}, recorded at "
            f"{first.at.astimezone(d.profile.tz):%H:%M}.{second}")


def _skipped(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    when = "tonight" if d.morning else "tomorrow"
    return (f"The dose of {d.label} is recorded as skipped. Take the next dose at the usual time "
            f"{when}; never take two to make up.")


def _no_prescription(mono: Monograph, _d: NightDecision, _upcoming: dt.date | None) -> str:
    return (f"No prescription is recorded yet, so medtrack cannot check a dose. Take "
            f"{mono.name.lower()} only as your prescriber told you. {mono.guidance['stopping']} "
            "Enter the prescription as your prescriber wrote it.")


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


def _not_yet(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    window = d.window
    return (f"Tonight: {_at_most(d)}{format_mg(d.may_take_ug or 0)} at bedtime ({window.bedtime:%H:%M}). "
            f"The window opens at {window.opens:%H:%M}; the latest time is {window.latest:%H:%M}."
            f"{_capped(mono, d)}")


def _due(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    return (f"Take {_at_most(d)}{format_mg(d.may_take_ug or 0)} now, just before you go to bed. Latest "
            f"time tonight: {d.window.latest:%H:%M}. Do not drive or use machines afterwards."
            f"{_capped(mono, d)}")


def _too_late(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    latest = d.window.latest
    if d.morning:
        return (f"Too late for last night's dose: the latest time was {latest:%H:%M}. Skip it "
                "and take the next dose at the usual time tonight; never take two to make up.")
    return (f"Too late tonight: after {latest:%H:%M} there is no time left for "
            f"{d.profile.min_sleep_min / 60:g} hours of sleep. Skip tonight's dose and take the next "
            "one at the usual time; never take two to make up.")


def _at_most(d: NightDecision) -> str:
    return "at most " if d.over_ceiling else ""


def _capped(mono: Monograph, d: NightDecision) -> str:
    return f" {over_ceiling_words(mono, d)}" if d.over_ceiling else ""


def _tonight_goes_on(d: NightDecision) -> bool:
    """The night is tonight's and not over: words may say what to do for the rest of it."""
    return d.current and not d.morning


GUIDANCE = {
    TonightState.CONTRAINDICATED: _contraindicated,
    TonightState.TAKEN: _taken,
    TonightState.SKIPPED: _skipped,
    TonightState.NO_PRESCRIPTION: _no_prescription,
    TonightState.NO_DOSE: _no_dose,
    TonightState.NOT_YET: _not_yet,
    TonightState.DUE: _due,
    TonightState.SKIP: _too_late,
}


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
    """What the patient must notice about the night, beyond the guidance: what each of
    NIGHT_WARNINGS finds, in that order."""
    return [said for check in NIGHT_WARNINGS for said in check(mono, d)]


def _voided_not_taken(_mono: Monograph, d: NightDecision) -> list[str]:
    """Doses voided as never taken (they reopened the night)."""
    return [f"A {format_mg(r.dose_ug or 0)} dose recorded at {r.at.astimezone(d.profile.tz):%H:%M} was "
            f"voided as not taken: {r.void_reason}"
            for r in d.records if r.kind == "dose" and r.voided and r.not_taken]


def _already_taken(_mono: Monograph, d: NightDecision) -> list[str]:
    """Doses recorded as already taken, with the rule each broke."""
    more = " Take no more tonight." if _tonight_goes_on(d) else ""
    return [f"A dose of {format_mg(r.dose_ug or 0)} was recorded as already taken at "
            f"{r.at.astimezone(d.profile.tz):%H:%M}{_rule_broken(r)}.{more}"
            for r in d.records if r.counted and r.already_taken]


def _rule_broken(record: Record) -> str:
    return f", {against_rule(record.rule)}" if record.rule else ""


def _excess(mono: Monograph, d: NightDecision) -> list[str]:
    """More than the scheduled dose was taken."""
    return [excess_advice(mono)] if d.excess else []


def _acknowledged(_mono: Monograph, d: NightDecision) -> list[str]:
    """A contraindication the prescriber acknowledged, in their words."""
    if d.regimen is None or not d.regimen.acknowledged:
        return []
    return [f"A contraindication was acknowledged by {d.regimen.prescriber}: {d.regimen.acknowledged}"]


def _over_ceiling(mono: Monograph, d: NightDecision) -> list[str]:
    """A schedule above the ceiling, once no dose is invited (the guidance says it while one is)."""
    if not d.over_ceiling or d.state in DOSE_STATES:
        return []
    return [f"The scheduled {format_mg(d.scheduled_ug or 0)} is above "
            f"{ceiling_words(mono, d.profile, d.night)}; only up to that can be recorded. "
            "Ask your prescriber to review the prescription."]


def _cautions(mono: Monograph, d: NightDecision) -> list[str]:
    """The monograph's cautions that apply to the patient that night."""
    return [f"Caution: {rule.text}" for rule in cautions(mono, d.profile, d.night)]


def _interactions(mono: Monograph, d: NightDecision) -> list[str]:
    """What not to combine it with, while tonight's dose is invited or taken."""
    if d.state not in (*DOSE_STATES, TonightState.TAKEN) or d.morning:
        return []
    names = [i.name.lower() for i in mono.interactions]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
    return [f"Tonight: no {listed}; they add to the effect."]


NIGHT_WARNINGS = (_voided_not_taken, _already_taken, _excess, _acknowledged, _over_ceiling, _cautions,
                  _interactions)


def after_record(record: Record, decision: NightDecision) -> str:
    """What to do after a dose was recorded, given the decision for the record's night: about
    tonight only when the dose is tonight's and the night is not over."""
    if not decision.current or decision.morning:
        return f"Recorded for {decision.label}."
    if record.already_taken:
        return "Take no more tonight. If you feel unwell, contact your doctor."
    return "Go to bed now. Do not drive or use machines; no alcohol or other sedatives tonight."
