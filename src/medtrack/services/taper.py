"""Use cases of the taper plan: set it, hold a step, step back, show it and its versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from medtrack.core.model import Profile, Regimen, Step
from medtrack.core.parse import parse_date, parse_positive_int
from medtrack.core.rules import ceiling_ug, ceiling_words, contraindications, regimen_on
from medtrack.core.taper import (
    explicit_steps,
    hold,
    linear_steps,
    parse_every,
    parse_step,
    percent_steps,
    step_back,
    step_end,
)
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput, Refused
from medtrack.services.common import (
    iso,
    mg,
    monograph,
    optional_text,
    require_profile,
    require_text,
)
from medtrack.services.changes import next_seq, place_change
from medtrack.services.lock import require_pin
from medtrack.storage.repository import Database, Repository

DEFAULT_ROUND_UG = 250


@dataclass(frozen=True)
class PlanRequest:
    """`taper set` as typed: either a generator (start/from/step/every) or explicit steps."""

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


def build_steps(request: PlanRequest) -> tuple[list[Step], int]:
    """Parse and generate the plan's steps (pure: bad plans are bad input)."""
    round_ug = parse_dose(request.round, what="--round") if request.round is not None else DEFAULT_ROUND_UG
    if request.steps is not None:
        if any(v is not None for v in (request.start, request.from_dose, request.step, request.every, request.to)):
            raise BadInput("give either --steps or --start/--from/--step/--every, not both")
        return explicit_steps(request.steps, round_ug), round_ug
    missing = [name for name, value in (("--start", request.start), ("--from", request.from_dose),
                                        ("--step", request.step), ("--every", request.every)) if value is None]
    if missing:
        raise BadInput(f"taper set needs {', '.join(missing)} (or --steps DATE=D,...)")
    start = parse_date(request.start or "", what="--start")
    from_ug = parse_dose(request.from_dose or "", what="--from")
    to_ug = parse_dose(request.to, allow_zero=True, what="--to") if request.to is not None else 0
    every = parse_every(request.every or "")
    kind, amount = parse_step(request.step or "")
    if kind == "linear":
        return linear_steps(start, from_ug, int(amount), every, to_ug, round_ug), round_ug
    return percent_steps(start, from_ug, amount, every, to_ug, round_ug), round_ug  # type: ignore[arg-type]


def plans(regimens: list[Regimen]) -> list[Regimen]:
    return [r for r in regimens if r.kind == "plan"]


def _check_fits(profile: Profile, version: Regimen, repo: Repository) -> tuple[str | None, tuple[str, ...]]:
    """Every step within the ceiling for the patient's age on its start; contraindications
    only when the prescriber already acknowledged them. Returns the acknowledgement carried."""
    mono = monograph()
    for step in version.steps:
        if step.dose_ug > ceiling_ug(mono, profile, step.start):
            raise Refused("monograph-ceiling", f"refused (monograph ceiling): the step of "
                          f"{format_mg(step.dose_ug)} from {step.start} is above "
                          f"{ceiling_words(mono, profile, step.start)}.")
    start = version.start
    blocked = contraindications(mono, profile, start)
    in_force = regimen_on(repo.regimens(), start)
    ack_ids = in_force.acknowledged_ids if in_force else ()
    uncovered = [r for r in blocked if r.id not in ack_ids]
    if uncovered:
        reasons = "; ".join(r.text.rstrip(".") for r in uncovered)
        raise Refused("contraindication", f"refused (contraindication): {reasons}. A plan needs a "
                      "prescription that acknowledges it.",
                      hint="see: medtrack prescribe --acknowledge-contraindication TEXT")
    return (in_force.acknowledged if in_force and blocked else None), tuple(r.id for r in blocked)


def _save_version(repo: Repository, profile: Profile, now: dt.datetime, version: Regimen) -> Regimen:
    acknowledged, ack_ids = _check_fits(profile, version, repo)
    new_id = repo.add_regimen(kind="plan", prescriber=version.prescriber, steps=version.steps,
                              at=now, acknowledged=acknowledged,
                              acknowledged_ids=ack_ids if acknowledged else (),
                              version=version.version, change=version.change,
                              reason=version.reason, round_ug=version.round_ug, start=version.start)
    return next(r for r in repo.regimens() if r.id == new_id)


def _version(repo: Repository, now: dt.datetime, steps: list[Step], prescriber: str, change: str,
             reason: str | None, round_ug: int, start: dt.date | None = None) -> Regimen:
    """A candidate plan version (not yet saved): the newest regimen, from `start` on."""
    return Regimen(kind="plan", id=0, seq=next_seq(repo), prescriber=prescriber, steps=tuple(steps),
                   created_at=now, round_ug=round_ug, version=len(plans(repo.regimens())) + 1,
                   change=change, reason=reason, in_force_from=start)


def set_plan(db: Database, now: dt.datetime, request: PlanRequest) -> Regimen:
    """A new plan, or a whole new version replacing the current one from its start (needs a reason)."""
    prescriber = require_text(request.prescriber, "the prescriber's name").strip()
    reason = optional_text(request.reason, "the reason")
    steps, round_ug = build_steps(request)
    with db.unit_of_work() as repo:
        profile = require_profile(repo)
        existing = plans(repo.regimens())
        if existing and reason is None:
            raise BadInput("changing the plan needs a reason (why the plan is replaced)",
                           hint="add --reason TEXT")
        change = "replaced" if existing else "created"
        version, _ = place_change(repo, profile, now, lambda _night: _version(
            repo, now, steps, prescriber, change, reason, round_ug), steps[0].start)
        require_pin(repo, request.pin, now)
        return _save_version(repo, profile, now, version)


def _current_for_change(repo: Repository, at: dt.date) -> Regimen:
    existing = plans(repo.regimens())
    if not existing:
        raise BadInput("there is no taper plan yet: the prescriber sets one first",
                       hint="set with: medtrack taper set")
    current = existing[-1]
    newer = [r for r in repo.regimens() if r.seq > current.seq]
    if newer:  # a hold or step back would replace that prescription from its night on
        raise BadInput(f"a newer prescription (from {newer[-1].start}) has replaced the taper "
                       "plan: set a new plan instead")
    return current


def change_plan(db: Database, now: dt.datetime, action: str, reason: str | None, at: str | None,
                prescriber: str | None, pin: str | None,
                days: str | None = None) -> tuple[Regimen, str | None]:
    """Hold the current step N days, or step back: a new plan version with who, when and why,
    in force from the night of the change (default tonight; tomorrow when tonight is recorded
    and the change would alter it, with a notice saying so)."""
    reason = require_text(reason, "the reason")
    held = parse_positive_int(days, what="the number of days", maximum=3650) if action == "hold" else 0
    at_night = parse_date(at, what="the night of the change") if at is not None else None
    with db.unit_of_work() as repo:
        profile = require_profile(repo)

        def make(night: dt.date) -> Regimen:
            current = _current_for_change(repo, night)
            who = require_text(prescriber, "the prescriber's name").strip() if prescriber else current.prescriber
            if action == "hold":
                steps, change = hold(list(current.steps), night, held), f"hold {held} day(s) at {night}"
            else:
                steps, change = step_back(list(current.steps), night), f"step back at {night}"
            return _version(repo, now, steps, who, change, reason,
                            current.round_ug or DEFAULT_ROUND_UG, start=night)

        version, notice = place_change(repo, profile, now, make, at_night)
        require_pin(repo, pin, now)
        return _save_version(repo, profile, now, version), notice


def current_plan(db: Database) -> Regimen | None:
    with db.unit_of_work(write=False) as repo:
        require_profile(repo)
        existing = plans(repo.regimens())
        return existing[-1] if existing else None


def plan_versions(db: Database) -> list[Regimen]:
    """Every version, newest first."""
    with db.unit_of_work(write=False) as repo:
        require_profile(repo)
        return list(reversed(plans(repo.regimens())))


def steps_json(plan: Regimen) -> list[dict[str, Any]]:
    steps = list(plan.steps)
    return [{"start": s.start.isoformat(),
             "end": (end.isoformat() if (end := step_end(steps, i)) else None),
             "dose_mg": mg(s.dose_ug)} for i, s in enumerate(steps)]


def plan_json(plan: Regimen) -> dict[str, Any]:
    return {"version": plan.version, "prescriber": plan.prescriber, "steps": steps_json(plan)}


def version_json(plan: Regimen) -> dict[str, Any]:
    return {"version": plan.version, "prescriber": plan.prescriber,
            "changed_at": iso(plan.created_at), "change": plan.change, "reason": plan.reason,
            "steps": steps_json(plan)}
