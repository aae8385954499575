"""What a taper plan means before it is saved: each step with its cut, the warnings a
prescriber should see, and what to dispense. Advice only: nothing here refuses a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from medtrack.core.formulation import Formulation
from medtrack.core.model import PlanWarning, Regimen, Step, step_end
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.taper import Solved
from medtrack.core.taper_guidance import GUIDE_CUT, Kind, pace_warnings, quick_stop, span_words, unmeasurable
from medtrack.core.timeline import Takeover, Timeline
from medtrack.core.units import format_mg, plain_mg, ug_to_mg
from medtrack.i18n import _, decimal, medium_date, ngettext

BIG_CUT = GUIDE_CUT  # one cut over the guideline's 25 % is flagged on its own
SHORT_INTERVAL_DAYS = 7


@dataclass(frozen=True)
class PreviewStep:
    """One step of a plan as the prescriber previews it."""

    number: int
    start: dt.date
    end: dt.date | None  # None: open-ended (the last step)
    dose_ug: int
    as_taken: str
    cut_ug: int | None  # from the step before (None for the first)
    cut_percent: Fraction | None

    @property
    def days(self) -> int | None:
        return (self.end - self.start).days + 1 if self.end else None

    def change_text(self) -> str:
        """The change from the step before, for people: a cut in mg and %, or a rise (a step
        back) as a rise; nothing for the first step."""
        if self.cut_ug is None or self.cut_percent is None:
            return ""
        if self.cut_ug < 0:
            return _("+{dose} (rise)").format(dose=format_mg(-self.cut_ug))
        return f"{format_mg(self.cut_ug)} ({percent_text(self.cut_percent)})"

    def to_json(self) -> dict[str, Any]:
        return {"step": self.number, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "dose_mg": ug_to_mg(self.dose_ug), "as_taken": self.as_taken,
                "cut_mg": ug_to_mg(self.cut_ug) if self.cut_ug is not None else None,
                "cut_percent": percent_number(self.cut_percent), "days": self.days}


def percent_number(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 1)


def percent_text(value: Fraction) -> str:
    return decimal(f"{float(value):.1f}".rstrip("0").rstrip(".")) + " %"


def preview(steps: Sequence[Step], formulation: Formulation) -> list[PreviewStep]:
    rows = []
    for i, step in enumerate(steps):
        end = step_end(steps, i)
        before = steps[i - 1].dose_ug if i else None
        cut = before - step.dose_ug if before is not None else None
        percent = Fraction(cut * 100, before) if cut is not None and before else None
        rows.append(PreviewStep(i + 1, step.start, end, step.dose_ug,
                                formulation.as_taken(step.dose_ug), cut, percent))
    return rows


def finer(formulation: Formulation) -> str:
    """What would allow smaller cuts than this formulation's unit."""
    if formulation.liquid is not None:
        return _("a finer measuring step or a weaker liquid")
    if formulation.tablets:
        return _("quarter tablets of a lower strength, or the oral liquid")
    return _("quarter tablets or the oral liquid")


def cut_range(rows: Sequence[PreviewStep], final_from: int | None = None) -> tuple[Fraction, Fraction] | None:
    """The smallest and largest cut of a plan, in %; a stop to 0 set with a final-from dose
    (where it comes from that dose or less) is not counted."""
    percents = [r.cut_percent for r in _cuts(rows, final_from) if r.cut_percent is not None]
    return (min(percents), max(percents)) if percents else None


def range_text(span: tuple[Fraction, Fraction]) -> str:
    low, high = span
    return percent_text(low) if low == high else f"{percent_text(low).removesuffix(' %')}-{percent_text(high)}"


def _planned_stop(rows: Sequence[PreviewStep], final_from: int | None) -> bool:
    return (final_from is not None and len(rows) > 1 and rows[-1].dose_ug == 0
            and rows[-2].dose_ug <= final_from)


def _cuts(rows: Sequence[PreviewStep], final_from: int | None) -> list[PreviewStep]:
    cuts = [r for r in rows if r.cut_percent is not None and r.cut_ug and r.cut_ug > 0]
    if _planned_stop(rows, final_from):  # the stop to 0 was set with --final-from: not a cut to warn about
        cuts = [r for r in cuts if r is not rows[-1]]
    return cuts


# -- What a prescriber should know about a plan: one small function decides each warning (None:
# nothing to say); the words are made in one place, below them.


@dataclass(frozen=True)
class _Plan:
    """A plan as its warnings look at it."""

    steps: Sequence[Step]
    formulation: Formulation
    rows: list[PreviewStep]
    asked_percent: Fraction | None = None
    max_cut: Fraction | None = None
    final_from: int | None = None
    solved: Solved | None = None

    @property
    def cuts(self) -> list[_Cut]:
        return [_Cut(r, r.cut_percent, r.cut_ug) for r in _cuts(self.rows, self.final_from)
                if r.cut_percent is not None and r.cut_ug is not None]

    @property
    def span(self) -> tuple[Fraction, Fraction] | None:
        return cut_range(self.rows, self.final_from)


@dataclass(frozen=True)
class _Cut:
    """One cut of the plan: the step it leads to, and how much it takes off."""

    row: PreviewStep
    percent: Fraction
    cut_ug: int


def _over_cap(plan: _Plan, cut: _Cut) -> PlanWarning | None:
    """A cut over the cap the prescriber set (a stop to 0 aside): one unit of the formulation,
    the smallest cut it makes, is already more."""
    cap = plan.max_cut
    if cap is None or cut.row.dose_ug == 0 or cut.percent <= cap:
        return None
    return PlanWarning(Kind.OVER_CAP, _say_over_cap(cut, cap, plan.formulation))


def _big_cut(_plan: _Plan, cut: _Cut) -> PlanWarning | None:
    """One cut over the guideline's 25 %."""
    return PlanWarning(Kind.BIG_CUT, _say_big_cut(cut)) if cut.percent > BIG_CUT else None


def _short_step(row: PreviewStep) -> PlanWarning | None:
    """A step (not the last, which is open-ended) of fewer than 7 days."""
    if row.days is None or row.days >= SHORT_INTERVAL_DAYS:
        return None
    return PlanWarning(Kind.SHORT_STEP, _say_short_step(row, row.days))


def _above_final_from(plan: _Plan) -> PlanWarning | None:
    """A stop to 0 from a dose above the final-from dose the prescriber set."""
    rows, final_from = plan.rows, plan.final_from
    if final_from is None or len(rows) < 2 or rows[-1].dose_ug != 0 or rows[-2].dose_ug <= final_from:
        return None
    return PlanWarning(Kind.ABOVE_FINAL_FROM, _say_above_final_from(rows[-1], rows[-2].dose_ug, final_from))


def _until(plan: _Plan) -> PlanWarning | None:
    """A plan to end by a night: see until_warning."""
    return until_warning(plan.solved, plan.formulation, plan.span) if plan.solved is not None else None


def _coarse(plan: _Plan) -> PlanWarning | None:
    """A % asked (not found for an end-by night) that the formulation makes as cuts of more
    than twice that."""
    asked, span = plan.asked_percent, plan.span
    if plan.solved is not None or asked is None or span is None or span[1] <= 2 * asked:
        return None
    return PlanWarning(Kind.COARSE, _say_coarse(asked, span, plan.formulation))


CUT_CHECKS = (_over_cap, _big_cut)  # each cut, in order: the first that has something to say
PLAN_CHECKS = (_above_final_from, _until, _coarse)  # the plan as a whole, after its steps


def _first_said(plan: _Plan, cut: _Cut) -> PlanWarning | None:
    for check in CUT_CHECKS:
        said = check(plan, cut)
        if said is not None:
            return said
    return None


def plan_warnings(steps: Sequence[Step], formulation: Formulation, *,
                  asked_percent: Fraction | None = None, max_cut: Fraction | None = None,
                  final_from: int | None = None, solved: Solved | None = None) -> list[PlanWarning]:
    """What the prescriber should know about a plan, each in plain words with its kind: each
    cut, then each step, then the plan as a whole, then the guidance's (core.taper_guidance)."""
    plan = _Plan(steps, formulation, preview(steps, formulation), asked_percent, max_cut,
                 final_from, solved)
    found = [_first_said(plan, cut) for cut in plan.cuts]
    found += [_short_step(row) for row in plan.rows[:-1]]
    found += [check(plan) for check in PLAN_CHECKS]
    return [w for w in found if w is not None] + [
        *quick_stop(steps), *pace_warnings(steps, formulation), *unmeasurable(steps, formulation)]


def warnings(steps: Sequence[Step], formulation: Formulation, *,
             asked_percent: Fraction | None = None, max_cut: Fraction | None = None,
             final_from: int | None = None) -> list[str]:
    """The words of plan_warnings, in its order."""
    return [w.text for w in plan_warnings(steps, formulation, asked_percent=asked_percent,
                                          max_cut=max_cut, final_from=final_from)]


def until_warning(solved: Solved, formulation: Formulation,
                  span: tuple[Fraction, Fraction] | None) -> PlanWarning | None:
    """An end-by night: the cuts really made when they are more than twice the % found, and an
    end more than one interval before the night, with why no plan comes nearer. None when the
    end is near and the cuts are as found."""
    coarse = span is not None and span[1] > 2 * solved.percent
    if solved.met:
        return PlanWarning(Kind.UNTIL, _say_until_coarse(solved, formulation, span)) if coarse else None
    return PlanWarning(Kind.UNTIL, _say_until_early(solved, formulation, span, _slower_pace(solved)))


def _slower_pace(solved: Solved) -> int | None:
    """When every cut is already the smallest the formulation makes: the days per step that
    would end by the night, if longer than the interval asked (None: no nearer plan, or none)."""
    if not solved.slowest:
        return None
    cut_count = len(solved.steps) - 1
    longer = (solved.until - solved.steps[0].start).days // cut_count if cut_count else 0
    return longer if longer > solved.every_days else None


# -- The words of the plan's warnings.


def _say_cut(cut: _Cut) -> str:
    row = cut.row
    return _("{start}: the cut from {before} to {after} is {percent}").format(
        start=medium_date(row.start), before=format_mg(row.dose_ug + cut.cut_ug), after=format_mg(row.dose_ug),
        percent=percent_text(cut.percent))


def _say_over_cap(cut: _Cut, cap: Fraction, formulation: Formulation) -> str:
    return _("{cut}, more than the {cap} cap: it is one {unit} unit, the smallest cut this formulation "
             "makes ({finer} would allow less)").format(
        cut=_say_cut(cut), cap=percent_text(cap), unit=format_mg(formulation.unit_ug), finer=finer(formulation))


def _say_big_cut(cut: _Cut) -> str:
    return _("{cut}, over 25 %").format(cut=_say_cut(cut))


def _say_short_step(row: PreviewStep, days: int) -> str:
    return _("{start}: the step of {dose} lasts {days} day(s), under {shortest}").format(
        start=medium_date(row.start), dose=format_mg(row.dose_ug), days=days, shortest=SHORT_INTERVAL_DAYS)


def _say_above_final_from(stop: PreviewStep, stop_from: int, final_from: int) -> str:
    return _("{start}: the stop to 0 comes from {dose}, above the final-from dose of {final_from}").format(
        start=medium_date(stop.start), dose=format_mg(stop_from), final_from=format_mg(final_from))


def _say_coarse(asked: Fraction, span: tuple[Fraction, Fraction], formulation: Formulation) -> str:
    return _("{asked} asked, {made} per step with {formulation}: consider {finer}").format(
        asked=percent_text(asked), made=range_text(span), formulation=formulation.describe(),
        finer=finer(formulation))


def _say_cuts_made(span: tuple[Fraction, Fraction] | None) -> str:
    return _("the cuts made are {made}").format(made=range_text(span)) if span is not None else _("no cut is made")


def _say_until_coarse(solved: Solved, formulation: Formulation, span: tuple[Fraction, Fraction] | None) -> str:
    return _("to end by {until}, {percent} per step was found, but with {formulation} {made}: "
             "consider {finer}").format(
        until=medium_date(solved.until), percent=percent_text(solved.percent), formulation=formulation.describe(),
        made=_say_cuts_made(span), finer=finer(formulation))


def _say_until_early(solved: Solved, formulation: Formulation, span: tuple[Fraction, Fraction] | None,
                     slower_pace: int | None) -> str:
    found = "" if solved.slowest else _(" ({percent} per step was found)").format(
        percent=percent_text(solved.percent))
    text = _("to end by {until}: the plan ends on {end}, {span} before, and {made}{found}. ").format(
        until=medium_date(solved.until), end=medium_date(solved.end),
        span=span_words((solved.until - solved.end).days), made=_say_cuts_made(span), found=found)
    if solved.slowest:
        pace = _("; one step every {days} days would end by then").format(
            days=slower_pace) if slower_pace is not None else ""
        return text + _("Every cut is already the smallest this formulation makes (one {unit} unit), so no "
                        "plan at one step every {days} days ends later{pace}, and {finer} would allow "
                        "smaller cuts").format(
            unit=format_mg(formulation.unit_ug), days=solved.every_days, pace=pace, finer=finer(formulation))
    if solved.slower is not None:
        slower, slower_end = solved.slower
        return text + _("The next smaller cut, {percent}, ends on {end}, after it: the doses this "
                        "formulation makes allow no end in between").format(
            percent=percent_text(slower), end=medium_date(slower_end))
    return text + _("No smaller cut gives a plan this formulation can make")


@dataclass(frozen=True)
class Need:
    """What to dispense: whole tablets of each strength (splits rounded up) or ml of liquid."""

    tablets: dict[int, int]  # strength µg -> whole tablets
    liquid_ul: int

    def text(self, formulation: Formulation) -> str:
        if formulation.liquid is not None:
            ml = self.liquid_ul / 1000
            return _("{ml} ml of {strength}").format(ml=decimal(f"{ml:g}"), strength=formulation.liquid.strength())
        if not self.tablets:
            return _("nothing")
        return " + ".join(ngettext("{count} × {strength} tablet", "{count} × {strength} tablets", n).format(
            count=n, strength=format_mg(s)) for s, n in sorted(self.tablets.items(), reverse=True))

    def to_json(self) -> dict[str, Any]:
        return {"tablets": {f"{plain_mg(s)} mg": n for s, n in sorted(self.tablets.items(), reverse=True)},
                "liquid_ml": self.liquid_ul / 1000 if self.liquid_ul else None}


def need(doses: Sequence[int], formulation: Formulation) -> Need:
    """What a run of nightly doses uses, split tablets rounded up to whole ones."""
    return need_of([(dose, formulation) for dose in doses])


def need_of(nights: Sequence[tuple[int, Formulation]]) -> Need:
    """The same for nights that may each be made from another formulation."""
    quarters: dict[int, int] = {}
    liquid = 0
    for dose, formulation in nights:
        if not dose:
            continue
        if formulation.liquid is not None:
            liquid += dose * 1000 // formulation.liquid.ug_per_ml
        for strength, (numerator, _four) in formulation.tablets_used(dose).items():
            quarters[strength] = quarters.get(strength, 0) + numerator
    return Need({s: -(-q // 4) for s, q in quarters.items()}, liquid)


@dataclass(frozen=True)
class Dispense:
    """What a plan needs: per step, and for the next `days` nights from `first`."""

    plan: Regimen
    per_step: tuple[tuple[PreviewStep, Need | None], ...]  # None: an open-ended step
    days: int
    first: dt.date
    upcoming: Need
    takeover: Takeover | None = None  # a newer version in force from some night on

    def to_json(self) -> dict[str, Any]:
        return {"per_step": [n.to_json() if n else None for _row, n in self.per_step],
                "next_days": self.days, "from_night": self.first.isoformat(),
                "next": self.upcoming.to_json()}


def dispense_of(regimens: Sequence[Regimen], first: dt.date, days: int) -> Dispense | None:
    """What the newest plan version (else the newest prescription) needs per step, and what
    the regimens in force need for `days` nights from `first` (each with its formulation)."""
    plans = [r for r in regimens if r.kind == "plan"]
    regimen = plans[-1] if plans else (regimens[-1] if regimens else None)
    if regimen is None:
        return None
    rows = preview(regimen.steps, regimen.form)
    per_step = tuple((r, need([r.dose_ug] * r.days, regimen.form) if r.days else None) for r in rows)
    nights = []
    for offset in range(days):
        night = first + dt.timedelta(days=offset)
        in_force = regimen_on(regimens, night)
        if in_force is not None:
            nights.append((scheduled_ug(in_force, night) or 0, in_force.form))
    return Dispense(regimen, per_step, days, first, need_of(nights), Timeline(regimens).taken_over(regimen))
