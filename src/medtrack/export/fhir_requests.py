"""FHIR MedicationRequest: one per prescription and per taper plan version, chained by priorPrescription."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from medtrack.core.model import Regimen, Step
from medtrack.core.rules import regimen_on
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


def status(regimen: Regimen, regimens: tuple[Regimen, ...], tonight: dt.date,
           zone: dt.tzinfo = dt.UTC) -> tuple[str, str | None]:
    """The status tonight, with the reason when it is no longer active.

    A version is in force from its start until a newer one (by recording order) starts
    (core.rules.regimen_on). The one in force tonight is active, or completed once its final
    0 mg step has begun; one that starts later is active too (ordered, not begun). A replaced one
    is stopped, or completed if its final 0 mg step began before it was replaced. Cancelled only
    when the replacement was written before its first night: a newer version that starts on or
    before an older one's start but was written later replaces it after the fact (stopped).
    """
    newer = [r.start for r in regimens if r.seq > regimen.seq]
    end = min(newer, default=None)  # the first night a newer version takes over
    final = regimen.steps[-1]
    stop = max(final.start, regimen.start) if final.dose_ug == 0 else None  # the taper's end
    if end is None or (regimen.start < end and tonight < end):
        if stop is not None and stop <= tonight:
            return "completed", f"the taper reached 0 mg on {stop.isoformat()}"
        return "active", None
    replaced_from = max(end, regimen.start)
    successor = regimen_on(regimens, replaced_from)
    by = label(successor) if successor is not None else "a newer version"
    if (end <= regimen.start and successor is not None
            and successor.created_at.astimezone(zone).date() < regimen.start):
        return "cancelled", f"replaced by {by} before it started"
    replaced = f"replaced from {replaced_from.isoformat()} by {by}"
    if stop is not None and stop < end:
        return "completed", replaced
    return "stopped", replaced


def medication_requests(data: ExportData, ctx: Context) -> list[dict[str, Any]]:
    """All prescriptions and plan versions, oldest first, whatever the exported period: the
    administrations of the period point at them and each points at the one it replaced."""
    out: list[dict[str, Any]] = []
    previous: Regimen | None = None
    for regimen in sorted(data.regimens, key=lambda r: r.seq):
        out.append(_request(data, ctx, regimen, previous))
        previous = regimen
    return out


def _request(data: ExportData, ctx: Context, regimen: Regimen, previous: Regimen | None) -> dict[str, Any]:
    state, reason = status(regimen, data.regimens, data.tonight, data.profile.tz)
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
    resource["dosageInstruction"] = dosage_instructions(data, regimen)
    if previous is not None:
        resource["priorPrescription"] = {"reference": request_url(ctx.patient_id, previous),
                                         "display": label(previous)}
    return resource


def dosage_instructions(data: ExportData, regimen: Regimen) -> list[dict[str, Any]]:
    """The steps this version orders, from the first night it is in force (a hold restates the
    earlier steps; those were ordered by the version before it), the final 0 mg step included."""
    out: list[dict[str, Any]] = []
    steps = regimen.steps
    for i, step in enumerate(steps):
        following = steps[i + 1].start if i + 1 < len(steps) else None
        if following is not None and following <= regimen.start:
            continue
        end = following - DAY if following is not None else None
        out.append(_instruction(data, regimen, step, max(step.start, regimen.start), end, len(out) + 1))
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
        # the ceiling for the age on the night the step really starts, also when this version
        # only takes over later (a hold): restating a step does not change its limit
        limit = data.drug.dosing.max_ug_for_age(data.profile.age_on(step.start))
        instruction["maxDosePerPeriod"] = {
            "numerator": mg(limit), "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"}}
    return instruction
