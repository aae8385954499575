"""The thresholds of published taper guidance, and the plan-wide advice built on them: the pace
of a plan as a whole, a start above the dose in force or the ceiling, and doses no one can
measure. Advice only: nothing here refuses a plan.

Every number a warning compares against is a named constant below, with where it comes from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from fractions import Fraction

from medtrack.core.formulation import Formulation
from medtrack.core.model import PlanWarning, Step
from medtrack.core.units import format_mg
from medtrack.i18n import N_, _, decimal, medium_date, ngettext

GUIDE_CUT = Fraction(25)
"""ASAM Joint Clinical Practice Guideline on Benzodiazepine Tapering (2025): reductions are
generally no more than 25 % (of the current dose) every 2 weeks."""

GUIDE_DAYS = 14
"""The 2 weeks of the same ASAM sentence."""

# "25 %" as a value: a literal "% e" in a message reads to gettext tools as a placeholder.
GUIDE_SOURCE = N_("ASAM 2025: generally no more than {cut} every 2 weeks")
"""How a pace warning names its source, briefly."""

QUICK_STOP_DAYS = 28
"""A plan that stops the drug within 4 weeks of its start, 28 days included, is flagged. The FDA's
2020 boxed warning names abrupt discontinuation and rapid dosage reduction; 4 weeks is two
steps of the ASAM's 2 weeks, medtrack's line for "rapid"."""

SMALL_DOSE_UG = 250
"""A small dose, from which a stop to 0 is not flagged for its pace: half the lowest usual
starting dose of the flunitrazepam monograph (0.5 mg). Horowitz & Taylor (Lancet Psychiatry 2019)
end tapers on doses well below the usual therapeutic minimum; "half" is medtrack's reading."""

MIN_MEASURE_UL = 10
"""The finest volume anyone can measure: 0.01 ml, the finest marks of a 1 ml syringe (a 1 ml
tuberculin syringe is marked every 0.01 ml, a 1 ml oral syringe every 0.02 ml: Children's
Wisconsin teaching sheet 1619, 'How to read a syringe'). A liquid measured in finer steps gives
doses no one can measure."""

MIN_PLAIN_UNIT_UG = 10
"""The finest plain dispensable unit (`round`) that stands for a measurable amount: 0.01 mg, the
unit of the oral liquid medtrack documents (0.1 mg/ml in 0.1 ml steps, README). A plain unit
names no tablet or liquid to check, so a finer one is flagged; quarter tablets (the finest
split medtrack accepts) are always measurable."""

_KEEP = 1 - GUIDE_CUT / 100  # what one cut at the guideline's limit keeps of the dose


class Kind(StrEnum):
    """The stable kind of each warning (what `--json` gives with its text)."""

    BIG_CUT = "big-cut"  # one cut over 25 %
    OVER_CAP = "over-cap"  # one cut over the largest cut asked (one unit of the formulation)
    SHORT_STEP = "short-step"  # a step under 7 days
    ABOVE_FINAL_FROM = "above-final-from"  # the stop to 0 from above the dose asked for it
    COARSE = "coarse"  # the formulation's unit makes the cuts far larger than asked
    QUICK_STOP = "quick-stop"  # the plan stops within 4 weeks of its start
    PACE = "pace"  # the plan as a whole goes faster than the guidance
    START_ABOVE_CURRENT = "start-above-current"  # the first step is above the dose in force
    ABOVE_CEILING = "above-ceiling"  # a step above the monograph's ceiling (saving refuses it)
    UNMEASURABLE = "unmeasurable"  # doses finer than anyone can measure
    UNTIL = "until"  # an end-by night met with cuts far larger than found, or not within one interval


GUIDE_CUT_TEXT = "25 %"


def guide_source() -> str:
    """How a pace warning names its source, in the chosen language."""
    return _(GUIDE_SOURCE).format(cut=GUIDE_CUT_TEXT)


def span_words(days: int) -> str:
    """7 -> '1 week', 56 -> '8 weeks', 10 -> '10 days'."""
    if days and days % 7 == 0:
        return ngettext("{count} week", "{count} weeks", days // 7).format(count=days // 7)
    return ngettext("{count} day", "{count} days", days).format(count=days)


def pace_warnings(steps: Sequence[Step], formulation: Formulation) -> list[PlanWarning]:
    """The plan as a whole against the guidance: stretches of cuts that go faster than 25 %
    every 2 weeks, and a stop to 0 that comes before such a pace would reach a small dose."""
    return [*_fast_stretches(steps, formulation.unit_ug), *_early_stop(steps)]


def periods(days: int) -> int:
    """How many 2-week periods a stretch of cuts touches: cuts `days` apart (0: one night) fit in
    one period up to 13 days apart, two up to 27, and so on."""
    return days // GUIDE_DAYS + 1


def too_fast(before_ug: int, after_ug: int, days: int, unit_ug: int) -> bool:
    """Whether cuts from `before_ug` down to `after_ug`, the first and last `days` apart, go
    faster than 25 % every 2 weeks. "About": a dose within one unit of the formulation of that
    pace is not flagged (doses are rounded to what the formulation makes)."""
    return after_ug + unit_ug < before_ug * _KEEP ** periods(days)


def _fast_stretches(steps: Sequence[Step], unit_ug: int) -> list[PlanWarning]:
    """Two or more cuts (to a dose above 0) that, taken together, go faster than the guidance;
    each stretch is named once, as long as it stays too fast. A single cut is the per-cut
    warning's business, and the stop to 0 is _early_stop's."""
    cuts = [i for i in range(1, len(steps)) if 0 < steps[i].dose_ug < steps[i - 1].dose_ug]
    found: list[PlanWarning] = []
    a = 0
    while a < len(cuts):
        first, before = steps[cuts[a]], steps[cuts[a] - 1].dose_ug
        last = None
        for b in range(a + 1, len(cuts)):
            days = (steps[cuts[b]].start - first.start).days
            if before * _KEEP ** periods(days) <= unit_ug:
                break  # no dose above 0 can be too fast from here on
            if too_fast(before, steps[cuts[b]].dose_ug, days, unit_ug):
                last = b
        if last is None:
            a += 1
            continue
        end = steps[cuts[last]]
        found.append(PlanWarning(Kind.PACE, _(
            "{start}: from here to {end} the dose goes from {before} to {after} in {cuts} cuts, "
            "faster than the usual guidance ({source})").format(
            start=medium_date(first.start), end=medium_date(end.start), before=format_mg(before),
            after=format_mg(end.dose_ug), cuts=last - a + 1, source=guide_source())))
        a = last + 1
    return found


def cuts_to_small(dose_ug: int) -> int:
    """How many cuts of 25 % take a dose to a small one (0.25 mg) or less."""
    count, left = 0, Fraction(dose_ug)
    while left > SMALL_DOSE_UG:
        left, count = left * _KEEP, count + 1
    return count


def _early_stop(steps: Sequence[Step]) -> list[PlanWarning]:
    """A stop to 0 that comes before 25 % every 2 weeks, from a step above a small dose, would
    even have reached a small dose: the stop is made from more than a small dose in too few
    weeks. The earliest such step is named (it shows the whole stretch)."""
    if len(steps) < 2 or steps[-1].dose_ug != 0:
        return []
    stop = steps[-1].start
    for step in steps[:-1]:
        if step.dose_ug <= SMALL_DOSE_UG:
            continue
        reached = step.start + dt.timedelta(days=GUIDE_DAYS * cuts_to_small(step.dose_ug))
        if stop < reached:
            return [PlanWarning(Kind.PACE, _(
                "{stop}: the plan stops {span} after {dose} (from {start}); cutting {cut} every 2 "
                "weeks, the dose would come down to {small} or less only on {reached}: faster than "
                "the usual guidance ({source})").format(
                stop=medium_date(stop), span=span_words((stop - step.start).days),
                dose=format_mg(step.dose_ug), start=medium_date(step.start), small=format_mg(SMALL_DOSE_UG),
                reached=medium_date(reached), cut=GUIDE_CUT_TEXT, source=guide_source()))]
    return []


def quick_stop(steps: Sequence[Step]) -> list[PlanWarning]:
    """A plan that reaches 0 within 4 weeks (28 days included) of its first night."""
    if len(steps) < 2 or steps[-1].dose_ug != 0:
        return []
    span = (steps[-1].start - steps[0].start).days
    if span > QUICK_STOP_DAYS:
        return []
    return [PlanWarning(Kind.QUICK_STOP, _(
        "the plan stops the drug within {span} days of its start at {dose} (4 weeks or less)").format(
        span=span, dose=format_mg(steps[0].dose_ug)))]


def start_warnings(steps: Sequence[Step], in_force_ug: int | None,
                   ceilings: Sequence[tuple[int, str]]) -> list[PlanWarning]:
    """The first step against the dose in force on its night (None: nothing in force), and each
    step against its night's ceiling (`ceilings[i]`: the limit and its words for steps[i]);
    the first step above the ceiling is named, since saving refuses it."""
    found = []
    first = steps[0]
    if in_force_ug is not None and first.dose_ug > in_force_ug:
        found.append(PlanWarning(Kind.START_ABOVE_CURRENT, _(
            "{start}: the plan starts at {dose}, above the {current} in force that night: it would "
            "raise the dose").format(
            start=medium_date(first.start), dose=format_mg(first.dose_ug),
            current=format_mg(in_force_ug) if in_force_ug else _("0 mg (stopped)"))))
    for step, (limit_ug, words) in zip(steps, ceilings, strict=True):
        if step.dose_ug > limit_ug:
            found.append(PlanWarning(Kind.ABOVE_CEILING, _(
                "{start}: {dose} is above {limit}: saving this plan will be refused").format(
                start=medium_date(step.start), dose=format_mg(step.dose_ug), limit=words)))
            break
    return found


def unmeasurable(steps: Sequence[Step], formulation: Formulation) -> list[PlanWarning]:
    """Doses that need a measure finer than anyone can make: a liquid measured in steps under
    0.01 ml, or a plain unit under 0.01 mg. Named once, with the first such dose."""
    liquid = formulation.liquid
    if liquid is not None and liquid.step_ul < MIN_MEASURE_UL:
        bad = [s for s in steps if s.dose_ug and s.dose_ug * 1000 // liquid.ug_per_ml % MIN_MEASURE_UL]
        need = _("a measure finer than {ml} ml, the finest marks of an oral syringe").format(
            ml=_ml(MIN_MEASURE_UL))
    elif formulation.is_plain and formulation.unit_ug < MIN_PLAIN_UNIT_UG:
        bad = [s for s in steps if s.dose_ug % MIN_PLAIN_UNIT_UG]
        need = _("a measure finer than {dose}, and no tablet or liquid is named to make it with").format(
            dose=format_mg(MIN_PLAIN_UNIT_UG))
    else:
        return []
    if not bad:
        return []
    first = bad[0]
    taken = formulation.as_taken(first.dose_ug)
    shown = format_mg(first.dose_ug) + (f" ({taken})" if taken != format_mg(first.dose_ug) else "")
    return [PlanWarning(Kind.UNMEASURABLE, _(
        "{start}: {dose} needs {need}; {count} of the plan's {total} doses cannot be measured "
        "({formulation})").format(
        start=medium_date(first.start), dose=shown, need=need, count=len(bad),
        total=sum(1 for s in steps if s.dose_ug), formulation=formulation.describe()))]


def _ml(ul: int) -> str:
    return decimal(f"{ul / 1000:g}")
