"""A taper plan as typed, turned into steps with their formulation and the preview's warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

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
        cuts = f"the cuts made are {range_text(span)}" if span is not None else "no cut is made"
        if self.solved.slowest:  # any small % gives this plan: the % itself says nothing
            return (f"To end by {self.solved.until}: every cut is the smallest this formulation "
                    f"makes; {cuts}.")
        return (f"To end by {self.solved.until}: {percent_text(self.solved.percent)} per step was "
                f"found; {cuts}.")


def build_draft(request: PlanRequest, current: Formulation | None) -> Draft:
    """Parse and generate the plan (pure: a plan that cannot be made is bad input; warnings
    only advise)."""
    formulation = (parse_formulation(list(request.tablets), request.liquid, request.measure,
                                     request.round) or current or Formulation(plain_ug=250))
    max_cut: Fraction | None = None
    final_from: int | None = None
    if request.max_cut is not None:
        with given_as(MAX_CUT.option):
            max_cut = parse_percent(request.max_cut, MAX_CUT.words)
    if request.final_from is not None:
        with given_as(FINAL_FROM.option):
            final_from = parse_dose(request.final_from, what=FINAL_FROM.words)
    asked: Fraction | None = None
    solved = None
    if request.steps is not None:
        given = (request.start, request.from_dose, request.step, request.every, request.to, request.until)
        if any(v is not None for v in given):
            raise BadInput(f"give either {STEPS.words} one by one or a plan to work out ("
                           f"{START.words}, {FROM.words}, {STEP.words} and {EVERY.words}), not both",
                           hint=f"{STEPS.option} or --start/--from/--step/--every, not both")
        steps = explicit_steps(request.steps, formulation)
    else:
        if request.step is not None and request.until is not None:
            raise BadInput(f"give either {STEP.words} or {UNTIL.words} (which finds the cut), not both",
                           hint=f"{STEP.option} or {UNTIL.option}, not both")
        missing = [field for field, value in ((START, request.start), (FROM, request.from_dose),
                                              (EVERY, request.every)) if value is None]
        words, options = [f.words for f in missing], [f.option for f in missing]
        if request.step is None and request.until is None and max_cut is None:
            words.append(f"{STEP.words} (or {MAX_CUT.words}, or {UNTIL.words})")
            options.append(f"{STEP.option} or {MAX_CUT.option} or {UNTIL.option}")
        if words:
            raise BadInput(f"the plan needs {', '.join(words)}",
                           hint=f"{' '.join(options)}; or {STEPS.option}")
        with given_as(START.option):
            start = parse_date(request.start or "", what=START.words)
        with given_as(FROM.option):
            from_ug = parse_dose(request.from_dose or "", what=FROM.words)
        to_ug = 0
        if request.to is not None:
            with given_as(TO.option):
                to_ug = parse_dose(request.to, allow_zero=True, what=TO.words)
        every = parse_every(request.every or "")
        if request.until is not None:
            with given_as(UNTIL.option):
                until = parse_date(request.until, what=UNTIL.words)
            solved = solve_until(start, until, from_ug, every, to_ug, formulation, max_cut, final_from)
            steps, asked = solved.steps, solved.percent
        elif request.step is not None and parse_step(request.step)[0] == "linear":
            cut = int(parse_step(request.step)[1])
            steps = linear_steps(start, from_ug, cut, every, to_ug, formulation.unit_ug)
        else:
            # a cut here is a percentage (a dose was linear, above): parse_step's own parse of it
            if request.step is not None:
                with given_as(STEP.option):
                    asked = parse_percent(request.step, STEP.words)
            steps = reduce_steps(start, from_ug, every, to_ug, formulation, percent=asked,
                                 max_cut=max_cut, final_from=final_from)
    for step in steps:
        if not formulation.can_make(step.dose_ug):
            raise cannot_make(formulation, step.dose_ug, f"the step of {step.start}:")
    found = plan_warnings(steps, formulation, asked_percent=asked, max_cut=max_cut,
                          final_from=final_from, solved=solved)
    return Draft(tuple(steps), formulation, tuple(found), tuple(preview(steps, formulation)),
                 solved, final_from)


def draft_of(steps: list[Step] | tuple[Step, ...], formulation: Formulation) -> Draft:
    """A version made by a hold or step back: its steps with the plan's formulation."""
    return Draft(tuple(steps), formulation, tuple(plan_warnings(steps, formulation)),
                 tuple(preview(steps, formulation)))
