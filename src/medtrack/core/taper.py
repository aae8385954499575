"""Taper plans as pure arithmetic: generating steps, holding a step, stepping back."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import pairwise

from medtrack.core.formulation import Formulation, cannot_make
from medtrack.core.model import Step
from medtrack.core.parse import given_as, parse_date
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput
from medtrack.i18n import N_, _, decimal, medium_date, ngettext

DAY = dt.timedelta(days=1)
MAX_STEPS = 400
TENTH = Fraction(1, 10)  # the finest step of the % an end-by night is solved in
_EVERY_RE = re.compile(r"([0-9]{1,4})\s*([dw])", re.IGNORECASE)
_PERCENT_RE = re.compile(r"([0-9]{1,2}(?:\.[0-9]{1,2})?)\s*%")


@dataclass(frozen=True)
class PlanField:
    """A value a plan is made from: in words (the messages, as the plan form labels it) and
    the command-line option it is typed with (the error's hint, which only the CLI prints)."""

    source: str  # the words in English, marked for the catalogs
    option: str

    @property
    def words(self) -> str:
        """The words in the chosen language."""
        return _(self.source)


START = PlanField(N_("the first night"), "--start DATE")
FROM = PlanField(N_("the starting dose"), "--from D")
STEP = PlanField(N_("the cut per step"), "--step D|P%")
EVERY = PlanField(N_("the step length"), "--every Nd|Nw")
TO = PlanField(N_("the target dose"), "--to D")
UNTIL = PlanField(N_("the end-by night"), "--until DATE")
MAX_CUT = PlanField(N_("the largest cut"), "--max-cut P%")
FINAL_FROM = PlanField(N_("the final-stop dose"), "--final-from D")
ROUND = PlanField(N_("the dispensable unit"), "--round D")
STEPS = PlanField(N_("the steps"), "--steps DATE=D,...")
AT = PlanField(N_("the night of the change"), "--at DATE")


def parse_every(text: str) -> int:
    """`14d`, `2w` -> days; a zero interval is bad input."""
    match = _EVERY_RE.fullmatch(text.strip())
    if not match:
        raise BadInput(_("{what} '{value}' is not an interval (accepted: Nd or Nw, e.g. 14d, 2w)").format(
            what=EVERY.words, value=text), hint=EVERY.option)
    days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
    if days <= 0 or days > 3650:
        raise BadInput(_("{what} '{value}' must be between 1 day and 10 years").format(
            what=EVERY.words, value=text), hint=EVERY.option)
    return days


def parse_step(text: str) -> tuple[str, int | Fraction]:
    """`0.25mg` -> ("linear", 250 ug); `10%` -> ("percent", Fraction(10))."""
    with given_as(STEP.option):
        if text.strip().endswith("%"):
            return "percent", parse_percent(text, STEP.words)
        return "linear", parse_dose(text, what=STEP.words)


def parse_percent(text: str, what: str) -> Fraction:
    """`10%` -> Fraction(10): above 0 and below 100 %."""
    match = _PERCENT_RE.fullmatch(text.strip())
    if not match:
        raise BadInput(_("{what} '{value}' is not a percentage (accepted: 1% to 99.99%, e.g. 10%)").format(
            what=what, value=text))
    percent = Fraction(match.group(1))
    if not 0 < percent < 100:
        raise BadInput(_("{what} '{value}': a percentage cut must be above 0% and below 100%").format(
            what=what, value=text))
    return percent


def check_unit(dose_ug: int, round_ug: int, what: str) -> None:
    if dose_ug % round_ug:
        raise BadInput(_("{what} {dose} is not a multiple of the dispensable unit {unit}").format(
            what=what, dose=format_mg(dose_ug), unit=format_mg(round_ug)),
            hint=_("{option} sets the unit").format(option=ROUND.option))


def linear_steps(start: dt.date, from_ug: int, cut_ug: int, every_days: int, to_ug: int,
                 round_ug: int) -> list[Step]:
    """From `from_ug`, cut `cut_ug` every `every_days` down to the target (the last step)."""
    for value, field in ((from_ug, FROM), (cut_ug, STEP), (to_ug, TO)):
        check_unit(value, round_ug, field.words)
    _check_direction(from_ug, to_ug)
    doses = [from_ug]
    while doses[-1] > to_ug:
        doses.append(max(to_ug, doses[-1] - cut_ug))
    return _dated(start, doses, every_days)


def percent_steps(start: dt.date, from_ug: int, percent: Fraction, every_days: int, to_ug: int,
                  round_ug: int) -> list[Step]:
    """Each step cuts `percent` of the current dose, rounded to the unit (halves up), and is
    always at least one unit below the step before; the last step is the target."""
    return reduce_steps(start, from_ug, every_days, to_ug, Formulation(plain_ug=round_ug),
                        percent=percent)


def reduce_steps(start: dt.date, from_ug: int, every_days: int, to_ug: int,
                 formulation: Formulation, *, percent: Fraction | None = None,
                 max_cut: Fraction | None = None, final_from: int | None = None) -> list[Step]:
    """A proportional (hyperbolic) taper with what the formulation can make.

    Each cut is `percent` of the current dose, to the nearest dose the formulation makes
    (halves up), and always at least one unit. `max_cut` caps every cut: the next dose is then
    the lowest the formulation makes within the cap (the largest allowed cut); where even one
    unit is more than the cap, the step is one unit (the preview flags it). `final_from` is
    the largest dose from which the last stop to the target is made.
    """
    if percent is None and max_cut is None:
        raise BadInput(_("a proportional taper needs {step} as a percentage (e.g. 10%) or {max_cut} "
                         "(e.g. 10%)").format(step=STEP.words, max_cut=MAX_CUT.words),
                       hint=_("{first} or {second}").format(first=STEP.option, second=MAX_CUT.option))
    for dose, field in ((from_ug, FROM), (to_ug, TO)):
        if not formulation.can_make(dose):
            error = cannot_make(formulation, dose, field.words)
            error.hint = field.option
            raise error
    _check_direction(from_ug, to_ug)
    doses = [from_ug]
    while doses[-1] > to_ug:
        doses.append(next_dose(doses[-1], formulation, to_ug, percent, max_cut, final_from))
        if len(doses) > MAX_STEPS:
            break
    return _dated(start, doses, every_days)


def next_dose(current: int, formulation: Formulation, to_ug: int, percent: Fraction | None,
              max_cut: Fraction | None, final_from: int | None) -> int:
    """The next step's dose after `current` (see reduce_steps)."""
    if final_from is not None and current <= final_from:
        return to_ug
    floor_ug = to_ug + 1 if final_from is not None and to_ug == 0 else to_ug
    below = [d for d in _makeable_below(current, formulation) if d >= floor_ug]
    if not below:
        return to_ug
    if percent is not None:
        target = Fraction(current) * (100 - percent) / 100
        chosen = min(below, key=lambda d: (abs(d - target), -d))  # nearest, halves up
    else:
        chosen = below[-1]
    if max_cut is not None:
        allowed = [d for d in below if d >= Fraction(current) * (100 - max_cut) / 100]
        chosen = max(chosen, min(allowed)) if allowed else below[0]
    return chosen


def _makeable_below(current: int, formulation: Formulation) -> list[int]:
    """Doses the formulation makes below `current`, highest first (0 included)."""
    unit = formulation.unit_ug
    return [d for d in range(current - unit, -1, -unit) if formulation.can_make(d)]


@dataclass(frozen=True)
class Solved:
    """What an end-by night gave: the smallest even % per interval (in tenths of a percent)
    that ends on or before `until`, its plan, and how near the date it could come."""

    percent: Fraction
    steps: list[Step]
    until: dt.date
    every_days: int
    slower: tuple[Fraction, dt.date] | None  # the next smaller % and its end (after `until`)
    slowest: bool  # no plan ends later: every cut is already the smallest the formulation makes

    @property
    def end(self) -> dt.date:
        return self.steps[-1].start

    @property
    def met(self) -> bool:
        """The plan ends within one interval of the date (on it, or less than one step before)."""
        return (self.until - self.end).days < self.every_days


def solve_until(start: dt.date, until: dt.date, from_ug: int, every_days: int, to_ug: int,
                formulation: Formulation, max_cut: Fraction | None = None,
                final_from: int | None = None) -> Solved:
    """The smallest even % per interval that reaches the target on or before `until`: first in
    half-percent steps, then in tenths below that."""

    def plan(percent: Fraction | None) -> list[Step] | None:
        try:
            return reduce_steps(start, from_ug, every_days, to_ug, formulation, percent=percent,
                                max_cut=max_cut, final_from=final_from)
        except BadInput:
            return None

    found = slower = None
    for halves in range(2, 199):
        steps = plan(Fraction(halves, 2))
        if steps is not None and steps[-1].start <= until:
            found = Fraction(halves, 2), steps
            break
        if steps is not None:
            slower = Fraction(halves, 2), steps[-1].start
    if found is None:
        raise _cannot_reach(until, every_days, to_ug, max_cut, plan)
    percent, steps = found
    lowest = percent - 4 * TENTH if percent > 1 else TENTH
    for tenths in range(int(lowest / TENTH), int(percent / TENTH)):
        candidate = plan(tenths * TENTH)
        if candidate is None:
            continue
        if candidate[-1].start <= until:
            percent, steps = tenths * TENTH, candidate
            break
        slower = tenths * TENTH, candidate[-1].start
    slowest = plan(TENTH)
    return Solved(percent, steps, until, every_days, slower,
                  slowest is not None and slowest[-1].start == steps[-1].start)


def solve_percent(start: dt.date, until: dt.date, from_ug: int, every_days: int, to_ug: int,
                  formulation: Formulation, max_cut: Fraction | None = None,
                  final_from: int | None = None) -> tuple[Fraction, list[Step]]:
    """The % and plan of solve_until."""
    solved = solve_until(start, until, from_ug, every_days, to_ug, formulation, max_cut, final_from)
    return solved.percent, solved.steps


def _cannot_reach(until: dt.date, every_days: int, to_ug: int, max_cut: Fraction | None,
                  plan: Callable[[Fraction | None], list[Step] | None]) -> BadInput:
    """Why no plan ends by `until`; with a largest cut, the cap is what holds it back."""
    if max_cut is not None:
        fastest = plan(None)
        ends = _(" (the fastest it allows ends on {night})").format(
            night=medium_date(fastest[-1].start)) if fastest is not None else ""
        return BadInput(_("with cuts of at most {percent} % a step (the largest cut asked), the plan "
                          "cannot reach {dose} by {until} at one step every {days} days{ends}: allow a "
                          "larger cut, give a later end-by night or make the steps shorter").format(
                            percent=decimal(f"{float(max_cut):g}"), dose=format_mg(to_ug),
                            until=medium_date(until), days=every_days, ends=ends),
                        hint=f"{MAX_CUT.option}, {UNTIL.option}, {EVERY.option}")
    # "100 %" as a value: a literal "% r" in a message reads to gettext tools as a placeholder.
    return BadInput(_("no even cut below {whole} reaches {dose} by {until} at one step every {days} days: "
                      "give a later end-by night or make the steps shorter").format(
                        whole="100 %", dose=format_mg(to_ug), until=medium_date(until), days=every_days),
                    hint=f"{UNTIL.option}, {EVERY.option}")


def explicit_steps(text: str, made_with: int | Formulation) -> list[Step]:
    """`DATE=D,DATE=D,...` with strictly increasing dates; 0 is allowed (stopped)."""
    with given_as(STEPS.option):
        return _explicit_steps(text, made_with)


def _explicit_steps(text: str, made_with: int | Formulation) -> list[Step]:
    formulation = made_with if isinstance(made_with, Formulation) else Formulation(plain_ug=made_with)
    steps: list[Step] = []
    parts = [p for p in text.split(",")]
    if not text.strip() or any(not p.strip() for p in parts):
        raise BadInput(_("the steps need a night and a dose each (DATE=DOSE), separated by commas, "
                         "e.g. 2026-12-01=1mg,2026-12-15=0.75mg,2027-01-05=0"))
    for part in parts:
        if "=" not in part:
            raise BadInput(_("the step '{value}' is not a night and a dose (DATE=DOSE, e.g. "
                             "2026-12-01=0.75mg)").format(value=part.strip()))
        date_text, dose_text = part.split("=", 1)
        night = parse_date(date_text.strip(), what=_("the night of a step"))
        dose = parse_dose(dose_text.strip(), allow_zero=True, what=_("the dose of a step"))
        if formulation.is_plain:
            check_unit(dose, formulation.unit_ug, _("the dose of a step"))
        elif not formulation.can_make(dose):
            raise cannot_make(formulation, dose, _("the dose of a step"))
        if steps and night == steps[-1].start:
            raise BadInput(_("two steps start on {night}: give each step its own night").format(
                night=medium_date(night)))
        if steps and night < steps[-1].start:
            raise BadInput(_("the steps must be in date order: {earlier} must come after {later}").format(
                earlier=medium_date(steps[-1].start), later=medium_date(night)))
        if steps and dose > steps[-1].dose_ug:
            raise BadInput(_("in the steps, the dose rises from {before} on {before_night} to {after} on "
                             "{after_night}: a taper goes down").format(
                before=format_mg(steps[-1].dose_ug), before_night=medium_date(steps[-1].start),
                after=format_mg(dose), after_night=medium_date(night)))
        steps.append(Step(night, dose))
    if len(steps) > MAX_STEPS:
        raise BadInput(_("the plan has {count} steps; up to {most} are accepted").format(
            count=len(steps), most=MAX_STEPS))
    return steps


def _check_direction(from_ug: int, to_ug: int) -> None:
    if to_ug >= from_ug:
        raise BadInput(_("{to} {to_dose} must be below {from_} {from_dose}: a taper goes down").format(
            to=TO.words, to_dose=format_mg(to_ug), from_=FROM.words, from_dose=format_mg(from_ug)),
            hint=f"{TO.option}, {FROM.option}")


def _dated(start: dt.date, doses: list[int], every_days: int) -> list[Step]:
    if len(doses) > MAX_STEPS:
        raise BadInput(_("that plan would have {count} steps; up to {most} are accepted: give a larger "
                         "cut per step").format(count=len(doses), most=MAX_STEPS), hint=STEP.option)
    try:
        return [Step(start + i * every_days * DAY, dose) for i, dose in enumerate(doses)]
    except OverflowError:
        raise BadInput(_("that plan runs past the year 9999: make the steps shorter"),
                       hint=EVERY.option) from None


def step_index(steps: tuple[Step, ...] | list[Step], night: dt.date) -> int | None:
    """The index of the step in force on a night (None before the first)."""
    found = None
    for i, step in enumerate(steps):
        if step.start <= night:
            found = i
    return found


def hold(steps: list[Step], at: dt.date, days: int) -> list[Step]:
    """The step in force at `at` lasts `days` more; every later step moves `days` later."""
    index = step_index(steps, at)
    if index is None:
        raise BadInput(_("{what}, {night}, is before the plan starts ({start}): nothing to hold").format(
            what=AT.words, night=medium_date(at), start=medium_date(steps[0].start)), hint=AT.option)
    if index == len(steps) - 1:
        raise BadInput(_("on {night} the last step ({dose}) is in force; it has no end to hold").format(
            night=medium_date(at), dose=format_mg(steps[index].dose_ug)))
    shift = days * DAY
    return steps[: index + 1] + [Step(s.start + shift, s.dose_ug) for s in steps[index + 1:]]


def runs(steps: list[Step]) -> list[Step]:
    """Consecutive steps with the same dose merged: the nightly schedule is unchanged."""
    merged: list[Step] = []
    for step in steps:
        if not merged or merged[-1].dose_ug != step.dose_ug:
            merged.append(step)
    return merged


def plan_interval(steps: Sequence[Step]) -> dt.timedelta | None:
    """A plan's interval: the most common length of its steps (the last, open-ended one aside),
    the shortest of equally common ones; a hold lengthens one step, not the interval. None for
    a plan of one step."""
    lengths = Counter(b.start - a.start for a, b in pairwise(runs(list(steps))))
    if not lengths:
        return None
    most = max(lengths.values())
    return min(length for length, count in lengths.items() if count == most)


def step_back(steps: list[Step], at: dt.date, interval: dt.timedelta | None = None) -> list[Step]:
    """From `at`, the previous (higher) step's dose for the plan's interval (`interval`, else
    the most common step length of these steps: a held step's extra nights are not repeated),
    then the interrupted step's dose for its full length; every later step moves accordingly.
    Nights before `at` keep theirs. A step back never lowers tonight's dose."""
    merged = runs(steps)
    index = step_index(merged, at)
    if index is None:
        raise BadInput(_("{what}, {night}, is before the plan starts ({start})").format(
            what=AT.words, night=medium_date(at), start=medium_date(steps[0].start)),
                       hint=AT.option)
    if index == 0:
        raise BadInput(_("on {night} the first step is in force: there is no earlier step to go back to").format(
            night=medium_date(at)))
    current = merged[index]
    back = index - 1
    while back >= 0 and merged[back].dose_ug <= current.dose_ug:
        back -= 1
    if back < 0:
        raise BadInput(_("on {night} the dose ({dose}) is already the highest of the plan so far: there "
                         "is no higher step to go back to").format(
            night=medium_date(at), dose=format_mg(current.dose_ug)))
    previous = merged[back]
    previous_length = interval or plan_interval(merged) or merged[back + 1].start - previous.start
    new = merged[:index] if at == current.start else merged[: index + 1]
    new = new + [Step(at, previous.dose_ug), Step(at + previous_length, current.dose_ug)]
    if index + 1 < len(merged):
        current_length = merged[index + 1].start - current.start
        shift = at + previous_length + current_length - merged[index + 1].start
        new += [Step(s.start + shift, s.dose_ug) for s in merged[index + 1:]]
    return runs(new)


_HOLD = re.compile(r"hold (\d+) day\(s\) at (\d{4}-\d{2}-\d{2})")
_STEP_BACK = re.compile(r"step back at (\d{4}-\d{2}-\d{2})")


def change_words(change: str | None) -> str:
    """A version's change as it is recorded ('created', 'hold 7 day(s) at 2026-12-04'), in the
    chosen language for people (the screen, the CLI, the PDF and XLSX); the record, JSON and
    FHIR keep it as it is."""
    if change == "created":
        return _("created")
    if change == "replaced":
        return _("replaced")
    if change and (held := _HOLD.fullmatch(change)):
        days = int(held.group(1))
        return ngettext("hold {count} day(s) at {night}", "hold {count} day(s) at {night}", days).format(
            count=days, night=medium_date(dt.date.fromisoformat(held.group(2))))
    if change and (back := _STEP_BACK.fullmatch(change)):
        return _("step back at {night}").format(night=medium_date(dt.date.fromisoformat(back.group(1))))
    return change or ""
