"""A taper plan as typed, turned into steps with their formulation and the preview's warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from medtrack.core.formulation import Formulation, cannot_make, parse_formulation
from medtrack.core.model import PlanWarning, Step
from medtrack.core.parse import parse_date
from medtrack.core.taper import (
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
    solved: Solved | None = None  # what an end-by night (--until) gave
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
    max_cut = parse_percent(request.max_cut, "--max-cut") if request.max_cut is not None else None
    final_from = (parse_dose(request.final_from, what="--final-from")
                  if request.final_from is not None else None)
    asked: Fraction | None = None
    solved = None
    if request.steps is not None:
        given = (request.start, request.from_dose, request.step, request.every, request.to, request.until)
        if any(v is not None for v in given):
            raise BadInput("give either --steps or --start/--from/--step/--every, not both")
        steps = explicit_steps(request.steps, formulation)
    else:
        pace = [n for n, v in (("--step", request.step), ("--until", request.until)) if v is not None]
        if len(pace) > 1:
            raise BadInput("give --step or --until (which solves the step), not both")
        missing = [name for name, value in (("--start", request.start), ("--from", request.from_dose),
                                            ("--every", request.every)) if value is None]
        if not pace and max_cut is None:
            missing.append("--step (or --max-cut, or --until)")
        if missing:
            raise BadInput(f"taper set needs {', '.join(missing)} (or --steps DATE=D,...)")
        start = parse_date(request.start or "", what="--start")
        from_ug = parse_dose(request.from_dose or "", what="--from")
        to_ug = parse_dose(request.to, allow_zero=True, what="--to") if request.to is not None else 0
        every = parse_every(request.every or "")
        if request.until is not None:
            until = parse_date(request.until, what="--until")
            solved = solve_until(start, until, from_ug, every, to_ug, formulation, max_cut, final_from)
            steps, asked = solved.steps, solved.percent
        elif request.step is not None and parse_step(request.step)[0] == "linear":
            cut = int(parse_step(request.step)[1])
            steps = linear_steps(start, from_ug, cut, every, to_ug, formulation.unit_ug)
        else:
            # a --step here is a percentage (a dose was linear, above): parse_step's own parse of it
            asked = parse_percent(request.step, "--step") if request.step is not None else None
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
