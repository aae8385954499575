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
from medtrack.i18n import N_, _, decimal, language, medium_date, short_time

HEADLINES = {
    TonightState.CONTRAINDICATED: N_("do not take it (contraindicated)"),
    TonightState.SKIPPED: N_("skipped"),
    TonightState.NO_PRESCRIPTION: N_("no prescription recorded"),
    TonightState.NO_DOSE: N_("nothing scheduled"),
    TonightState.SKIP: N_("too late: skip it"),
}


def headline(decision: NightDecision, as_taken: str | None = None) -> str:
    """The night in a few words, with a number only where a dose is to be taken or was taken
    (`as_taken`: the dose to take as tablets or a liquid)."""
    if decision.state == TonightState.TAKEN:
        return _("{dose} taken").format(dose=format_mg(decision.taken_ug or 0))
    if decision.may_take_ug is not None:
        dose = format_mg(decision.may_take_ug)
        at_most = _("at most {dose}").format(dose=dose) if decision.over_ceiling else dose
        taken = _(" ({as_taken})").format(as_taken=as_taken) if as_taken else ""
        when = _("due now") if decision.state == TonightState.DUE else _("not yet")
        return _("{dose}{as_taken}, {when}").format(dose=at_most, as_taken=taken, when=when)
    if decision.state == TonightState.NO_DOSE and decision.completion is not None:
        return _("taper complete: nothing scheduled")
    return _(HEADLINES[decision.state]) if decision.state in HEADLINES else str(decision.state)


def over_ceiling_words(mono: Monograph, d: NightDecision) -> str:
    """Why only the ceiling may be taken, and who must act."""
    return _("Your prescription says {dose}, which is above {ceiling}: take at most {limit}, and ask "
             "your prescriber to review the prescription.").format(
        dose=format_mg(d.scheduled_ug or 0), ceiling=ceiling_words(mono, d.profile, d.night),
        limit=format_mg(d.ceiling_ug))


def guidance(mono: Monograph, d: NightDecision, upcoming: dt.date | None = None) -> str:
    """What to do, in words, for the night's state (decided in core.decide): each state's words
    are made by its own function (GUIDANCE). `upcoming`: the night a prescription not yet in
    force starts."""
    return GUIDANCE[d.state](mono, d, upcoming)


def _contraindicated(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    acknowledged = d.regimen.acknowledged_ids if d.regimen else ()
    reasons = "; ".join(r.text.rstrip(".") for r in unacknowledged(mono, d.profile, d.night, acknowledged))
    return _("Do not take {drug}: it is contraindicated ({reasons}). "
             "Contact your doctor before taking any dose.").format(drug=mono.name, reasons=reasons)


def _taken(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    return _taken_too_much(d) if d.excess else _taken_once(d)


def _taken_too_much(d: NightDecision) -> str:
    planned = d.scheduled_ug
    over = (_("more than the {dose} scheduled").format(dose=format_mg(planned)) if planned
            else _("nothing was scheduled"))
    more = _(" Take no more tonight.") if _tonight_goes_on(d) else ""
    return _("{dose} taken {night}: {over}.{more}").format(dose=format_mg(d.taken_ug or 0), night=d.label,
                                                            over=over, more=more)


def _taken_once(d: NightDecision) -> str:
    first = next(r for r in d.records if r.counted)
    second = _(" Never take a second dose the same night.") if _tonight_goes_on(d) else ""
    return _("{dose} taken {night}, recorded at {time}.{more}").format(
        dose=format_mg(first.dose_ug or 0), night=d.label, time=short_time(first.at.astimezone(d.profile.tz)),
        more=second)


def _skipped(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    if d.morning:
        return _("The dose of {night} is recorded as skipped. Take the next dose at the usual time "
                 "tonight; never take two to make up.").format(night=d.label)
    return _("The dose of {night} is recorded as skipped. Take the next dose at the usual time "
             "tomorrow; never take two to make up.").format(night=d.label)


def _no_prescription(mono: Monograph, _d: NightDecision, _upcoming: dt.date | None) -> str:
    return _("No prescription is recorded yet, so medtrack cannot check a dose. Take {drug} only as "
             "your prescriber told you. {stopping} Enter the prescription as your prescriber wrote it.").format(
        drug=lower_in_english(mono.name), stopping=mono.guidance["stopping"])


def _no_dose(mono: Monograph, d: NightDecision, upcoming: dt.date | None) -> str:
    if d.regimen is None and upcoming is not None:
        return _("Nothing is scheduled tonight: your prescription starts on the night of {date}. Take no "
                 "dose tonight.").format(date=medium_date(upcoming))
    if d.completion is not None:
        return _("{taper_complete} Nothing is scheduled: take no dose. Keep noting how you feel in the "
                 "symptom journal.").format(taper_complete=d.completion.words(mono.name))
    if d.regimen is not None and d.regimen.kind == "plan":
        return _("Your taper plan schedules no dose tonight: take no dose.")
    return _("Nothing is scheduled tonight: take no dose.")


def _not_yet(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    window = d.window
    return _("Tonight: {dose} at bedtime ({bedtime}). The window opens at {opens}; the latest time is "
             "{latest}.{capped}").format(dose=_dose(d), bedtime=short_time(window.bedtime),
                                          opens=short_time(window.opens), latest=short_time(window.latest),
                                          capped=_capped(mono, d))


def _due(mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    return _("Take {dose} now, just before you go to bed. Latest time tonight: {latest}. Do not drive or "
             "use machines afterwards.{capped}").format(dose=_dose(d), latest=short_time(d.window.latest),
                                                        capped=_capped(mono, d))


def _too_late(_mono: Monograph, d: NightDecision, _upcoming: dt.date | None) -> str:
    latest = d.window.latest
    if d.morning:
        return _("Too late for last night's dose: the latest time was {latest}. Skip it and take the next "
                 "dose at the usual time tonight; never take two to make up.").format(latest=short_time(latest))
    return _("Too late tonight: after {latest} there is no time left for {hours} hours of sleep. Skip "
             "tonight's dose and take the next one at the usual time; never take two to make up.").format(
        latest=short_time(latest), hours=decimal(f"{d.profile.min_sleep_min / 60:g}"))


def lower_in_english(name: str) -> str:
    """A name inside an English sentence is lower case ("no alcohol"); German capitalises its
    nouns and Japanese has no case, so there it stays as the monograph writes it."""
    return name.lower() if language() == "en" else name


def _dose(d: NightDecision) -> str:
    """The dose to take: '1 mg', or 'at most 2 mg' when the prescription is above the limit."""
    dose = format_mg(d.may_take_ug or 0)
    return _("at most {dose}").format(dose=dose) if d.over_ceiling else dose



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
    limit = _("; nightly limit {limit}").format(limit=format_mg(d.ceiling_ug)) if shows_limit(d) else ""
    return _("Window: opens {opens}, latest {latest} ({zone}){limit}").format(
        opens=short_time(d.window.opens), latest=short_time(d.window.latest), zone=zone, limit=limit)


def dose_change_words(d: NightDecision) -> str | None:
    """One line on a night the dose to take changes (a taper step, a new prescription)."""
    change = d.dose_change
    if change is None:
        return None
    before, now = change
    if now is None:
        return _("Your plan reaches 0 mg tonight: no dose (was {before}).").format(before=format_mg(before or 0))
    return _("Your dose changes tonight: {now} (was {before}).").format(now=format_mg(now),
                                                                         before=format_mg(before or 0))


def excess_advice(mono: Monograph) -> str:
    """What to watch for after too much was taken, in the monograph's words."""
    names = ", ".join(lower_in_english(e.name)
                      + (f" ({lower_in_english(e.text.rstrip('.'))})" if 0 < len(e.text) <= 30 else "")
                      for e in mono.side_effects if e.urgent)
    return _("More than the scheduled dose was taken tonight. Take no more. Watch for the serious side "
             "effects ({names}): if you notice any, contact your doctor now, or emergency services if it "
             "is severe. {call_doctor}").format(names=names, call_doctor=mono.guidance["call_doctor"])


def warnings(mono: Monograph, d: NightDecision) -> list[str]:
    """What the patient must notice about the night, beyond the guidance: what each of
    NIGHT_WARNINGS finds, in that order."""
    return [said for check in NIGHT_WARNINGS for said in check(mono, d)]


def _voided_not_taken(_mono: Monograph, d: NightDecision) -> list[str]:
    """Doses voided as never taken (they reopened the night)."""
    return [_("A {dose} dose recorded at {time} was voided as not taken: {reason}").format(
                dose=format_mg(r.dose_ug or 0), time=short_time(r.at.astimezone(d.profile.tz)), reason=r.void_reason)
            for r in d.records if r.kind == "dose" and r.voided and r.not_taken]


def _already_taken(_mono: Monograph, d: NightDecision) -> list[str]:
    """Doses recorded as already taken, with the rule each broke."""
    more = _(" Take no more tonight.") if _tonight_goes_on(d) else ""
    return [_("A dose of {dose} was recorded as already taken at {time}{rule}.{more}").format(
                dose=format_mg(r.dose_ug or 0), time=short_time(r.at.astimezone(d.profile.tz)),
                rule=_rule_broken(r), more=more)
            for r in d.records if r.counted and r.already_taken]


def _rule_broken(record: Record) -> str:
    return _(", {rule}").format(rule=against_rule(record.rule)) if record.rule else ""


def _excess(mono: Monograph, d: NightDecision) -> list[str]:
    """More than the scheduled dose was taken."""
    return [excess_advice(mono)] if d.excess else []


def _acknowledged(_mono: Monograph, d: NightDecision) -> list[str]:
    """A contraindication the prescriber acknowledged, in their words."""
    if d.regimen is None or not d.regimen.acknowledged:
        return []
    return [_("A contraindication was acknowledged by {prescriber}: {words}").format(
        prescriber=d.regimen.prescriber, words=d.regimen.acknowledged)]


def _over_ceiling(mono: Monograph, d: NightDecision) -> list[str]:
    """A schedule above the ceiling, once no dose is invited (the guidance says it while one is)."""
    if not d.over_ceiling or d.state in DOSE_STATES:
        return []
    return [_("The scheduled {dose} is above {ceiling}; only up to that can be recorded. Ask your "
              "prescriber to review the prescription.").format(dose=format_mg(d.scheduled_ug or 0),
                                                               ceiling=ceiling_words(mono, d.profile, d.night))]


def _cautions(mono: Monograph, d: NightDecision) -> list[str]:
    """The monograph's cautions that apply to the patient that night."""
    return [_("Caution: {text}").format(text=rule.text) for rule in cautions(mono, d.profile, d.night)]


def _interactions(mono: Monograph, d: NightDecision) -> list[str]:
    """What not to combine it with, while tonight's dose is invited or taken."""
    if d.state not in (*DOSE_STATES, TonightState.TAKEN) or d.morning:
        return []
    names = [lower_in_english(i.name) for i in mono.interactions]
    listed = (_("{names} or {last}").format(names=", ".join(names[:-1]), last=names[-1]) if len(names) > 1
              else "".join(names))
    return [_("Tonight: no {listed}; they add to the effect.").format(listed=listed)]


NIGHT_WARNINGS = (_voided_not_taken, _already_taken, _excess, _acknowledged, _over_ceiling, _cautions,
                  _interactions)


def after_record(record: Record, decision: NightDecision) -> str:
    """What to do after a dose was recorded, given the decision for the record's night: about
    tonight only when the dose is tonight's and the night is not over."""
    if not decision.current or decision.morning:
        return _("Recorded for {night}.").format(night=decision.label)
    if record.already_taken:
        return _("Take no more tonight. If you feel unwell, contact your doctor.")
    return _("Go to bed now. Do not drive or use machines; no alcohol or other sedatives tonight.")
