"""Use cases of the taper plan: set it, hold a step, step back, show it and its versions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from medtrack import i18n
from medtrack.core.formulation import Formulation
from medtrack.core.model import Profile, Regimen
from medtrack.core.parse import given_as, parse_date, parse_positive_int
from medtrack.core.rule_words import refusal
from medtrack.core.rules import (
    ceiling_ug,
    ceiling_words,
    contraindications,
    regimen_on,
)
from medtrack.core.stock import first_night
from medtrack.core.taper import (
    hold,
    plan_interval,
    step_back,
)
from medtrack.core.taper_guidance import start_warnings
from medtrack.core.taper_preview import Dispense, dispense_of, percent_number, preview
from medtrack.core.timeline import Takeover, Timeline
from medtrack.core.units import format_mg
from medtrack.errors import BadInput
from medtrack.i18n import _, medium_date
from medtrack.services.changes import next_seq, place_change
from medtrack.services.common import monograph, require_profile, withdrawal_data
from medtrack.services.lock import require_pin
from medtrack.services.plan_build import Draft, build_draft, draft_of
from medtrack.services.plan_build import PlanRequest as PlanRequest  # re-exported: CLI, screens, tests use it
from medtrack.services.status import decide_tonight
from medtrack.services.text import iso, mg, optional_text, require_text
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work


def _current_form(repo: Repository) -> Formulation | None:
    """The formulation of the newest prescription or plan version (a new plan keeps it)."""
    recorded = [r.formulation for r in repo.regimens() if r.formulation is not None
                and not r.formulation.is_plain]
    return recorded[-1] if recorded else None


def preview_plan(db: Database, request: PlanRequest) -> Draft:
    """Every step of a plan as it would be saved, with its warnings; nothing is written."""
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        return _with_start(repo, profile, build_draft(request, _current_form(repo)))


def _with_start(repo: Repository, profile: Profile, draft: Draft) -> Draft:
    """The draft with what only the database knows: its first step against the dose in force
    that night, and each step against the ceiling for the patient's age (saving refuses that)."""
    mono = monograph()
    first = draft.steps[0].start
    in_force = regimen_on(repo.regimens(), first)
    ceilings = [(ceiling_ug(mono, profile, s.start), ceiling_words(mono, profile, s.start))
                for s in draft.steps]
    found = start_warnings(draft.steps, in_force.dose_on(first) if in_force else None, ceilings)
    return dataclasses.replace(draft, warnings=(*found, *draft.warnings)) if found else draft


def plans(regimens: list[Regimen]) -> list[Regimen]:
    return [r for r in regimens if r.kind == "plan"]


def _check_fits(profile: Profile, version: Regimen, repo: Repository) -> tuple[str | None, tuple[str, ...]]:
    """Every step within the ceiling for the patient's age on its start; contraindications
    only when the prescriber already acknowledged them. Returns the acknowledgement carried."""
    mono = monograph()
    for step in version.steps:
        if step.dose_ug > ceiling_ug(mono, profile, step.start):
            raise refusal("monograph-ceiling", _("the step of {dose} from {night} is above {ceiling}.").format(
                dose=format_mg(step.dose_ug), night=medium_date(step.start),
                ceiling=ceiling_words(mono, profile, step.start)))
    start = version.start
    blocked = contraindications(mono, profile, start)
    in_force = regimen_on(repo.regimens(), start)
    ack_ids = in_force.acknowledged_ids if in_force else ()
    uncovered = [r for r in blocked if r.id not in ack_ids]
    if uncovered:
        reasons = "; ".join(r.text.rstrip(".") for r in uncovered)
        raise refusal("contraindication", _("{reasons}. A plan needs a prescription that acknowledges it.").format(
            reasons=reasons), hint=_("see: {command}").format(
                command="medtrack prescribe --acknowledge-contraindication TEXT"))
    return (in_force.acknowledged if in_force and blocked else None), tuple(r.id for r in blocked)


def _save_version(repo: Repository, profile: Profile, now: dt.datetime, version: Regimen) -> Regimen:
    acknowledged, ack_ids = _check_fits(profile, version, repo)
    new_id = repo.add_regimen(kind="plan", prescriber=version.prescriber, steps=version.steps,
                              at=now, acknowledged=acknowledged,
                              acknowledged_ids=ack_ids if acknowledged else (),
                              version=version.version, change=version.change,
                              reason=version.reason, round_ug=version.form.unit_ug,
                              start=version.start, formulation=version.formulation,
                              warnings=version.warnings, trend_rise=version.trend_rise)
    return next(r for r in repo.regimens() if r.id == new_id)


def _version(repo: Repository, now: dt.datetime, draft: Draft, prescriber: str, change: str,
             reason: str | None, start: dt.date | None = None, trend_rise: int | None = None) -> Regimen:
    """A candidate plan version (not yet saved): the newest regimen, from `start` on."""
    return Regimen(kind="plan", id=0, seq=next_seq(repo), prescriber=prescriber,
                   steps=draft.steps, created_at=now, round_ug=draft.formulation.unit_ug,
                   version=len(plans(repo.regimens())) + 1, change=change, reason=reason,
                   in_force_from=start, formulation=draft.formulation, warnings=draft.warnings,
                   trend_rise=trend_rise)


def set_plan(db: Database, now: dt.datetime, request: PlanRequest) -> Regimen:
    """A new plan, or a whole new version replacing the current one from its start (needs a reason)."""
    prescriber = require_text(request.prescriber, _("the prescriber's name")).strip()
    reason = optional_text(request.reason, _("the reason"))
    data = withdrawal_data()
    rise: int | None = None
    if request.trend_rise is not None:
        with given_as("--trend-rise N"):
            rise = parse_positive_int(request.trend_rise, what=_("the check-in rise to tell about"),
                                      maximum=len(data.items) * data.max_rating)
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        draft = _with_start(repo, profile, build_draft(request, _current_form(repo)))
        existing = plans(repo.regimens())
        if existing and reason is None:
            raise BadInput(_("changing the plan needs a reason (why the plan is replaced)"),
                           hint=_("add --reason TEXT"))
        change = "replaced" if existing else "created"
        version = place_change(repo, profile, now, lambda _night: _version(
            repo, now, draft, prescriber, change, reason, trend_rise=rise), draft.steps[0].start)[0]
        require_pin(repo, request.pin, now)
        return _save_version(repo, profile, now, version)


def _current_for_change(repo: Repository, at: dt.date) -> Regimen:
    existing = plans(repo.regimens())
    if not existing:
        raise BadInput(_("there is no taper plan yet: the prescriber sets one first"),
                       hint=_("set with: {command}").format(command="medtrack taper set"))
    current = existing[-1]
    newer = [r for r in repo.regimens() if r.seq > current.seq]
    if newer:  # a hold or step back would replace that prescription from its night on
        raise BadInput(_("a newer prescription (from {night}) has replaced the taper plan: set a new "
                         "plan instead").format(night=medium_date(newer[-1].start)))
    return current


class PlanAction(enum.Enum):
    """What a change to the current plan does, from the night of the change."""

    HOLD = "hold"  # stay N more days on the step in force
    STEP_BACK = "step-back"  # go back to the step before, at the plan's interval


@dataclass(frozen=True)
class PlanChange:
    """`taper hold` or `taper step-back` as typed: the action, why (required), the night of
    the change (None: tonight), who (None: the current version's prescriber), the PIN, and the
    number of days a hold lasts."""

    action: PlanAction
    reason: str | None
    at: str | None = None
    prescriber: str | None = None
    pin: str | None = None
    days: str | None = None  # a hold only


def change_plan(db: Database, now: dt.datetime, request: PlanChange) -> tuple[Regimen, str | None]:
    """Hold the current step N days, or step back: a new plan version with who, when and why,
    in force from the night of the change (default tonight; tomorrow when tonight is recorded
    and the change would alter it, with a notice saying so)."""
    reason = require_text(request.reason, _("the reason"))
    held = (parse_positive_int(request.days or "", what=_("the number of days"), maximum=3650)
            if request.action is PlanAction.HOLD else 0)
    at_night = parse_date(request.at, what=_("the night of the change")) if request.at is not None else None
    prescriber = request.prescriber
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)

        def make(night: dt.date) -> Regimen:
            current = _current_for_change(repo, night)
            who = require_text(prescriber, _("the prescriber's name")).strip() if prescriber else current.prescriber
            if request.action is PlanAction.HOLD:
                steps, change = hold(list(current.steps), night, held), f"hold {held} day(s) at {night}"
            else:
                steps, change = (step_back(list(current.steps), night, _interval(repo, current)),
                                 f"step back at {night}")
            return _version(repo, now, draft_of(steps, current.form), who, change, reason,
                            start=night, trend_rise=current.trend_rise)

        version, notice = place_change(repo, profile, now, make, at_night)
        require_pin(repo, request.pin, now)
        return _save_version(repo, profile, now, version), notice


def _interval(repo: Repository, current: Regimen) -> dt.timedelta | None:
    """The plan's interval as the prescriber set it: from the newest version that was set
    (created or replaced), before any hold lengthened a step."""
    made = [p for p in plans(repo.regimens()) if p.seq <= current.seq and p.change in ("created", "replaced")]
    return plan_interval(made[-1].steps if made else current.steps)


def current_plan(db: Database) -> Regimen | None:
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        existing = plans(repo.regimens())
        return existing[-1] if existing else None


def plan_history(db: Database) -> tuple[list[Regimen], dict[int, Takeover]]:
    """Every version, newest first, and each replaced version's takeover by its id (the night a
    newer version or a prescription took over, from the plan timeline), in one read."""
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        regimens = repo.regimens()
    versions, timeline = plans(regimens), Timeline(regimens)
    found = {plan.id: timeline.taken_over(plan) for plan in versions}
    return list(reversed(versions)), {key: takeover for key, takeover in found.items() if takeover is not None}


def steps_json(plan: Regimen) -> list[dict[str, Any]]:
    """Each step with its nights, dose, how it is taken and the cut from the step before."""
    rows = preview(plan.steps, plan.form)
    return [{"start": r.start.isoformat(), "end": r.end.isoformat() if r.end else None,
             "dose_mg": mg(r.dose_ug), "as_taken": r.as_taken,
             "cut_mg": mg(r.cut_ug) if r.cut_ug is not None else None,
             "cut_percent": percent_number(r.cut_percent)} for r in rows]


def plan_json(plan: Regimen) -> dict[str, Any]:
    """For programs: English, with a point in every number, whatever the screen speaks."""
    with i18n.speaking("en"):
        return _plan_json(plan)


def _plan_json(plan: Regimen) -> dict[str, Any]:
    return {"version": plan.version, "prescriber": plan.prescriber,
            "in_force_from": plan.start.isoformat(), "formulation": plan.form.describe(),
            "steps": steps_json(plan), "warnings": [w.to_json() for w in plan.warnings]}


def version_json(plan: Regimen, takeover: Takeover | None = None) -> dict[str, Any]:
    """For programs: English, with a point in every number, whatever the screen speaks."""
    with i18n.speaking("en"):
        return _version_json(plan, takeover)


def _version_json(plan: Regimen, takeover: Takeover | None) -> dict[str, Any]:
    return {"version": plan.version, "prescriber": plan.prescriber,
            "in_force_from": plan.start.isoformat(),
            "changed_at": iso(plan.created_at), "change": plan.change, "reason": plan.reason,
            "formulation": plan.form.describe(), "steps": steps_json(plan),
            "warnings": [w.to_json() for w in plan.warnings],
            "replaced": takeover.to_json() if takeover is not None else None}


def dispense_json(shown: Dispense) -> dict[str, Any]:
    """`taper show --json`: the plan with what to dispense, and what replaced it (if anything)."""
    return {**plan_json(shown.plan), "dispense": shown.to_json(),
            "replaced": shown.takeover.to_json() if shown.takeover is not None else None}


def no_plan_json() -> dict[str, Any]:
    """`taper show --json` before any plan: the same keys, empty (no version, no steps)."""
    return {"version": None, "prescriber": None, "in_force_from": None, "formulation": None,
            "steps": [], "warnings": [], "dispense": None, "replaced": None}


def tonight_in_plan(db: Database, now: dt.datetime) -> dict[str, Any]:
    """Where tonight stands in the plan, from the plan timeline (the same decision as `status`):
    the version in force, tonight's scheduled dose and the next change."""
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        d = decide_tonight(repo, now)
    following = d.next_change
    return {"night": d.night.isoformat(),
            "version_in_force": d.regimen.version if d.regimen is not None else None,
            "in_force": d.regimen.kind if d.regimen is not None else None,
            "scheduled_mg": mg(d.scheduled_ug), "may_take_mg": mg(d.may_take_ug),
            "next_change": ({"night": following.night.isoformat(), "dose_mg": mg(following.dose_ug) or 0}
                            if following is not None else None)}


def dispense(db: Database, now: dt.datetime, days: str | None = None) -> Dispense | None:
    """`taper show`: the plan (latest version) with what to dispense; None without a plan. The
    next nights start at the next dose due (core.stock.first_night), as the stock's do."""
    count = parse_positive_int(days, what=_("the number of days"), maximum=3650) if days else 28
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        regimens = repo.regimens()
        if not plans(regimens):
            return None
        return dispense_of(regimens, first_night(decide_tonight(repo, now)), count)
