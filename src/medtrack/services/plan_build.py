"""A taper plan as typed, turned into steps with their formulation and the preview's warnings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple, TypeVar

from medtrack.core.formulation import Formulation, cannot_make, parse_formulation
from medtrack.core.model import PlanWarning, Step
from medtrack.core.parse import given_as, parse_date
from medtrack.core.taper import (
    EVERY,
    FINAL_FROM,
    FROM,
    MAX_CUT,
    START,
    STEP,
    STEPS,
    TO,
    UNTIL,
    PlanField,
    Solved,
    explicit_steps,
    linear_steps,
    parse_every,
    parse_percent,
    parse_step,
    reduce_steps,
    solve_until,
)
from medtrack.core.taper_preview import (
    PreviewStep,
    cut_range,
    percent_number,
    percent_text,
    plan_warnings,
    preview,
    range_text,
)
from medtrack.core.units import parse_dose
from medtrack.errors import BadInput
from medtrack.i18n import _, medium_date

T = TypeVar("T")


@dataclass(frozen=True)
class PlanRequest:
    """`taper set` as typed: a generator (start/from/every with a step, a cap or a target date)
    or explicit steps, with the formulation the doses are made from."""

    prescriber: str
    start: str | None = None
    from_dose: str | None = None
    step: str | None = None
    every: str | None = None
    to: str | None = None
    steps: str | None = None
    round: str | None = None
    reason: str | None = None
    pin: str | None = None
    tablets: tuple[str, ...] = ()
    liquid: str | None = None
    measure: str | None = None
    max_cut: str | None = None
    final_from: str | None = None
    until: str | None = None
    trend_rise: str | None = None  # the check-in rise to tell about (points of the mean total)


@dataclass(frozen=True)
class Draft:
    """A plan before it is saved: its steps, how each dose is made, and what to look at."""

    steps: tuple[Step, ...]
    formulation: Formulation
    warnings: tuple[PlanWarning, ...] = ()
    rows: tuple[PreviewStep, ...] = field(default=())
    solved: Solved | None = None  # what an end-by night gave
    final_from: int | None = None

    @property
    def solved_percent(self) -> Fraction | None:
        """The % per step an end-by night chose."""
        return self.solved.percent if self.solved is not None else None

    def to_json(self) -> dict[str, Any]:
        return {"formulation": self.formulation.describe(),
                "unit_mg": self.formulation.unit_ug / 1000,
                "solved_percent": percent_number(self.solved_percent),
                "steps": [r.to_json() for r in self.rows],
                "warnings": [w.to_json() for w in self.warnings]}

    def solved_words(self) -> str | None:
        """For an end-by night: the % found and the cuts really made (a coarse formulation
        makes them larger than the % found)."""
        if self.solved is None:
            return None
        span = cut_range(self.rows, self.final_from)
        cuts = (_("the cuts made are {range}").format(range=range_text(span)) if span is not None
                else _("no cut is made"))
        until = medium_date(self.solved.until)
        if self.solved.slowest:  # any small % gives this plan: the % itself says nothing
            return _("To end by {night}: every cut is the smallest this formulation makes; {cuts}.").format(
                night=until, cuts=cuts)
        return _("To end by {night}: {percent} per step was found; {cuts}.").format(
            night=until, percent=percent_text(self.solved.percent), cuts=cuts)


def build_draft(request: PlanRequest, current: Formulation | None) -> Draft:
    """Parse and generate the plan (pure: a plan that cannot be made is bad input; warnings
    only advise)."""
    formulation = (parse_formulation(list(request.tablets), request.liquid, request.measure,
                                     request.round) or current or Formulation(plain_ug=250))
    max_cut = _parsed(request.max_cut, MAX_CUT, lambda text: parse_percent(text, MAX_CUT.words))
    final_from = _parsed(request.final_from, FINAL_FROM, lambda text: parse_dose(text, what=FINAL_FROM.words))
    if request.steps is not None:
        _refuse(_steps_and_generator(request))
        made = _Made(explicit_steps(request.steps, formulation))
    else:
        _refuse(_step_and_until(request), _missing(request, max_cut))
        made = _generated(request, formulation, max_cut, final_from)
    for step in made.steps:
        if not formulation.can_make(step.dose_ug):
            raise cannot_make(formulation, step.dose_ug,
                              _("the step of {night}:").format(night=medium_date(step.start)))
    found = plan_warnings(made.steps, formulation, asked_percent=made.asked, max_cut=max_cut,
                          final_from=final_from, solved=made.solved)
    return Draft(tuple(made.steps), formulation, tuple(found), tuple(preview(made.steps, formulation)),
                 made.solved, final_from)


class _Made(NamedTuple):
    """The steps of a plan, the % per step asked or found, and what an end-by night gave."""

    steps: list[Step]
    asked: Fraction | None = None
    solved: Solved | None = None


def _as_given(text: str, option: PlanField, parse: Callable[[str], T]) -> T:
    """A value of the plan, its errors naming the option it was given as."""
    with given_as(option.option):
        return parse(text)


def _parsed(text: str | None, option: PlanField, parse: Callable[[str], T]) -> T | None:
    """An optional value of the plan (None: not given)."""
    return None if text is None else _as_given(text, option, parse)


def _generated(request: PlanRequest, formulation: Formulation, max_cut: Fraction | None,
               final_from: int | None) -> _Made:
    """The steps worked out from the first night, the starting dose and the step length: to
    end by a night, by a fixed cut, or by a % (a cap alone: the largest cut it allows)."""
    start = _as_given(request.start or "", START, lambda text: parse_date(text, what=START.words))
    from_ug = _as_given(request.from_dose or "", FROM, lambda text: parse_dose(text, what=FROM.words))
    to_ug = _parsed(request.to, TO, lambda text: parse_dose(text, allow_zero=True, what=TO.words)) or 0
    every = parse_every(request.every or "")
    until = _parsed(request.until, UNTIL, lambda text: parse_date(text, what=UNTIL.words))
    if until is not None:
        solved = solve_until(start, until, from_ug, every, to_ug, formulation, max_cut, final_from)
        return _Made(solved.steps, solved.percent, solved)
    if request.step is not None and parse_step(request.step)[0] == "linear":
        cut = int(parse_step(request.step)[1])
        return _Made(linear_steps(start, from_ug, cut, every, to_ug, formulation.unit_ug))
    # a cut here is a percentage (a dose was linear, above): parse_step's own parse of it
    asked = _parsed(request.step, STEP, lambda text: parse_percent(text, STEP.words))
    return _Made(reduce_steps(start, from_ug, every, to_ug, formulation, percent=asked,
                              max_cut=max_cut, final_from=final_from), asked)


# -- What a plan as typed may lack or give twice: one small function decides each (None: as it
# should be); the words are made below them.


def _refuse(*problems: BadInput | None) -> None:
    """The first problem found, raised."""
    for problem in problems:
        if problem is not None:
            raise problem


def _steps_and_generator(request: PlanRequest) -> BadInput | None:
    """Steps one by one, and a plan to work out as well."""
    given = (request.start, request.from_dose, request.step, request.every, request.to, request.until)
    return _say_steps_and_generator() if any(v is not None for v in given) else None


def _step_and_until(request: PlanRequest) -> BadInput | None:
    """A cut per step, and an end-by night that finds the cut."""
    return _say_step_and_until() if request.step is not None and request.until is not None else None


def _missing(request: PlanRequest, max_cut: Fraction | None) -> BadInput | None:
    """What a plan to work out lacks: its first night, starting dose and step length, and a
    way to cut (a cut, a cap or an end-by night)."""
    missing = [f for f, value in ((START, request.start), (FROM, request.from_dose),
                                  (EVERY, request.every)) if value is None]
    no_cut = request.step is None and request.until is None and max_cut is None
    return _say_missing(missing, no_cut) if missing or no_cut else None


def _say_steps_and_generator() -> BadInput:
    return BadInput(_("give either {steps} one by one or a plan to work out ({start}, {dose}, {step} and "
                      "{every}), not both").format(steps=STEPS.words, start=START.words,
                                                   dose=FROM.words, step=STEP.words, every=EVERY.words),
                    hint=_("{one} or {other}, not both").format(one=STEPS.option,
                                                                other="--start/--from/--step/--every"))


def _say_step_and_until() -> BadInput:
    return BadInput(_("give either {step} or {until} (which finds the cut), not both").format(
        step=STEP.words, until=UNTIL.words),
                    hint=_("{one} or {other}, not both").format(one=STEP.option, other=UNTIL.option))


def _say_missing(missing: list[PlanField], no_cut: bool) -> BadInput:
    words, options = [f.words for f in missing], [f.option for f in missing]
    if no_cut:
        words.append(_("{step} (or {cap}, or {until})").format(step=STEP.words, cap=MAX_CUT.words,
                                                              until=UNTIL.words))
        options.append(_("{step} or {cap} or {until}").format(step=STEP.option, cap=MAX_CUT.option,
                                                              until=UNTIL.option))
    return BadInput(_("the plan needs {what}").format(what=", ".join(words)),
                    hint=_("{options}; or {steps}").format(options=" ".join(options), steps=STEPS.option))


def draft_of(steps: list[Step] | tuple[Step, ...], formulation: Formulation) -> Draft:
    """A version made by a hold or step back: its steps with the plan's formulation."""
    return Draft(tuple(steps), formulation, tuple(plan_warnings(steps, formulation)),
                 tuple(preview(steps, formulation)))
