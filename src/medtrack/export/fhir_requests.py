"""FHIR MedicationRequest: one per prescription and per taper plan version, chained by priorPrescription."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from medtrack.core.model import Regimen, Step
from medtrack.core.timeline import InForce, Timeline
from medtrack.core.units import ug_to_mg
from medtrack.export.fhir_base import (
    ORAL_ROUTE,
    UCUM,
    Context,
    identifier,
    mg,
    resource_id,
    url,
    when,
)
from medtrack.export.forms import as_taken

if TYPE_CHECKING:
    from medtrack.export.data import ExportData

DAY = dt.timedelta(days=1)


def request_url(patient_id: str, regimen: Regimen) -> str:
    """From the patient and the regimen's own row: the same in every export, whatever the period."""
    return url(resource_id(patient_id, "request", regimen.id))


def label(regimen: Regimen) -> str:
    if regimen.kind == "prescription":
        return f"the prescription from {regimen.start.isoformat()}"
    return f"taper plan version {regimen.version}"


def status(regimen: Regimen, regimens: Timeline | Iterable[Regimen], tonight: dt.date,
           zone: dt.tzinfo = dt.UTC) -> tuple[str, str | None]:
    """The status tonight, with the reason when it is no longer active.

    Which nights a version governs is the plan timeline's (core.timeline). The one in force
    tonight is active, or completed once its final 0 mg step has begun; one that starts later is
    active too (ordered, not begun). A replaced one is stopped, or completed if its final 0 mg
    step began before it was replaced. Cancelled only when the replacement was written before
    its first night: a newer version that starts on or before an older one's start but was
    written later replaces it after the fact (stopped).
    """
    timeline = regimens if isinstance(regimens, Timeline) else Timeline(regimens)
    period = timeline.period_of(regimen)
    final = regimen.steps[-1]
    stop = max(final.start, regimen.start) if final.dose_ug == 0 else None  # the taper's end
    if period is not None and (period.last is None or tonight <= period.last):
        if stop is not None and stop <= tonight:
            return "completed", f"the taper reached 0 mg on {stop.isoformat()}"
        return "active", None
    # replaced: from the night after its last one, or from its start if it never governed one
    replaced_from = period.last + DAY if period is not None and period.last is not None else regimen.start
    successor = timeline.regimen_on(replaced_from)
    by = label(successor) if successor is not None else "a newer version"
    if (period is None and successor is not None
            and successor.created_at.astimezone(zone).date() < regimen.start):
        return "cancelled", f"replaced by {by} before it started"
    replaced = f"replaced from {replaced_from.isoformat()} by {by}"
    if period is not None and stop is not None and stop < replaced_from:
        return "completed", replaced
    return "stopped", replaced


def medication_requests(data: ExportData, ctx: Context) -> list[dict[str, Any]]:
    """All prescriptions and plan versions, oldest first, whatever the exported period: the
    administrations of the period point at them and each points at the one it replaced."""
    out: list[dict[str, Any]] = []
    previous: Regimen | None = None
    for regimen in data.timeline.regimens:
        out.append(_request(data, ctx, regimen, previous))
        previous = regimen
    return out


def _request(data: ExportData, ctx: Context, regimen: Regimen, previous: Regimen | None) -> dict[str, Any]:
    state, reason = status(regimen, data.timeline, data.tonight, data.profile.tz)
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest", "id": resource_id(ctx.patient_id, "request", regimen.id),
        "identifier": [identifier(ctx.patient_id, "regimen", regimen.id)],
        "status": state,
    }
    if reason:
        resource["statusReason"] = {"text": reason}
    resource.update({"intent": "order", "medicationReference": ctx.medication, "subject": ctx.subject,
                     "authoredOn": when(regimen.created_at.astimezone(data.profile.tz))})
    if regimen.prescriber.strip():
        resource["requester"] = {"display": regimen.prescriber}
    notes = []
    if regimen.kind == "plan":
        notes.append(f"Taper plan version {regimen.version}"
                     + (f" ({regimen.change})" if regimen.change else "")
                     + (f": {regimen.reason}" if regimen.reason else ""))
    if regimen.acknowledged:
        notes.append(f"Contraindication acknowledged by the prescriber: {regimen.acknowledged}")
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    instructions = dosage_instructions(data, data.timeline.period_of(regimen))
    if instructions:  # none for a version replaced before its first night: it never governed one
        resource["dosageInstruction"] = instructions
    if previous is not None:
        resource["priorPrescription"] = {"reference": request_url(ctx.patient_id, previous),
                                         "display": label(previous)}
    return resource


def dosage_instructions(data: ExportData, period: InForce | None) -> list[dict[str, Any]]:
    """The steps a version orders on the nights it is in force (core.timeline), so that every
    night is claimed by exactly one order: from its first night (a hold restates the earlier
    steps; those were ordered by the version before it) to the night before the version that
    replaced it begins, or open-ended with the final 0 mg step. Nothing when it was never in force."""
    if period is None:
        return []
    out: list[dict[str, Any]] = []
    for run in period.step_runs():
        step, start, end = run.step, run.first, run.last
        drop = data.ceiling_drop(start, end) if step.dose_ug else None
        if drop is not None:  # the 65th birthday lowers the ceiling inside the step: two periods
            out.append(_instruction(data, period.regimen, step, start, drop - DAY, len(out) + 1))
            start = drop
        out.append(_instruction(data, period.regimen, step, start, end, len(out) + 1))
    return out


def _instruction(data: ExportData, regimen: Regimen, step: Step, start: dt.date, end: dt.date | None,
                 sequence: int) -> dict[str, Any]:
    bounds = {"start": start.isoformat()}
    if end is not None:
        bounds["end"] = end.isoformat()
    if step.dose_ug:
        taken = as_taken(regimen, step.dose_ug)
        text = f"{ug_to_mg(step.dose_ug)} mg orally at bedtime, once a night" + (f" ({taken})" if taken else "")
    else:
        text = f"0 mg: no more {data.drug.name} from this night on (the end of the taper)"
    instruction: dict[str, Any] = {
        "sequence": sequence,
        "text": text,
        "timing": {"repeat": {"boundsPeriod": bounds, "frequency": 1, "period": 1,
                              "periodUnit": "d", "when": ["HS"]},
                   "code": {"text": "at bedtime"}},
        "route": ORAL_ROUTE,
        "doseAndRate": [{"doseQuantity": mg(step.dose_ug)}],
    }
    if step.dose_ug:
        # the ceiling for the age on the nights of this period (split at the birthday that lowers
        # it), as `status` gives it each night
        limit = data.ceiling_on(start)
        instruction["maxDosePerPeriod"] = {
            "numerator": mg(limit), "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"}}
    return instruction
