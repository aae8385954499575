"""FHIR R4 export: a collection Bundle with Patient, Medication, the plan and each administration."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import IO, Any

from medtrack.core.units import ug_to_mg

UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
_NAMESPACE = uuid.UUID("6f1c1b8e-3f0e-4e4c-9d55-6d2f8e0b7a11")
STATUS = {"dose": "completed", "skip": "not-done"}


def _id(*parts: object) -> str:
    """Stable ids, so the same history always gives the same bundle."""
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(p) for p in parts)))


def _mg(ug: int) -> dict[str, Any]:
    return {"value": ug_to_mg(ug), "unit": "mg", "system": UCUM, "code": "mg"}


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def step_start(segment) -> dt.date:  # type: ignore[no-untyped-def]
    """The night the step really starts, also when --from cut the period inside it."""
    if segment.regimen is None:
        return segment.start
    return max((s.start for s in segment.regimen.steps if s.start <= segment.start), default=segment.start)


def _dosage(data, segment, sequence: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    profile, drug = data.profile, data.drug
    limit = drug.dosing.max_ug_for_age(profile.age_on(step_start(segment)))
    period = {"start": segment.start.isoformat()}  # the step within the exported period
    if segment.end is not None:
        period["end"] = segment.end.isoformat()
    return {
        "sequence": sequence,
        "text": f"{ug_to_mg(segment.dose_ug)} mg orally at bedtime, once a night",
        "timing": {"repeat": {"boundsPeriod": period, "frequency": 1, "period": 1,
                              "periodUnit": "d", "when": ["HS"]},
                   "code": {"text": "at bedtime"}},
        "route": {"text": "oral"},
        "doseAndRate": [{"doseQuantity": _mg(segment.dose_ug)}],
        "maxDosePerPeriod": {"numerator": _mg(limit),
                             "denominator": {"value": 1, "unit": "d", "system": UCUM, "code": "d"}},
    }


def bundle(data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    profile, drug = data.profile, data.drug
    patient_id, medication_id = _id("patient", profile.name, profile.born), _id("medication", drug.id)
    patient = {"resourceType": "Patient", "id": patient_id, "name": [{"text": profile.name}],
               "birthDate": profile.born.isoformat()}
    medication = {"resourceType": "Medication", "id": medication_id,
                  "code": {"coding": [{"system": ATC, "code": drug.atc, "display": drug.name}],
                           "text": drug.name}}
    entries = [_entry(patient), _entry(medication)]
    subject = {"reference": f"urn:uuid:{patient_id}", "display": profile.name}
    med_ref = {"reference": f"urn:uuid:{medication_id}", "display": drug.name}
    steps = [s for s in data.schedule if s.dose_ug]
    if steps:
        plan = data.plan
        request: dict[str, Any] = {
            "resourceType": "MedicationRequest", "id": _id("request", plan.version if plan else 0,
                                                         steps[0].start),
            "status": "active", "intent": "order", "medicationReference": med_ref,
            "subject": subject, "authoredOn": data.generated_at.isoformat(timespec="seconds"),
            "requester": {"display": data.prescriber or "unknown"},
            "dosageInstruction": [_dosage(data, s, i + 1) for i, s in enumerate(steps)],
        }
        if plan is not None:
            request["note"] = [{"text": f"Taper plan version {plan.version} ({plan.change})"
                                + (f": {plan.reason}" if plan.reason else "")}]
        entries.append(_entry(request))
    for record in data.records:
        if record.kind == "void":
            continue
        status = "entered-in-error" if record.voided else STATUS[record.kind]
        resource: dict[str, Any] = {
            "resourceType": "MedicationAdministration", "id": _id("record", record.id, record.at.isoformat()),
            "identifier": [{"system": "urn:medtrack:record", "value": str(record.id)}],
            "status": status, "medicationReference": med_ref, "subject": subject,
            "effectiveDateTime": record.at.isoformat(timespec="seconds"),
        }
        if record.kind == "dose":
            resource["dosage"] = {"route": {"text": "oral"}, "dose": _mg(record.dose_ug or 0)}
        else:
            resource["statusReason"] = [{"text": "dose deliberately skipped"}]
        notes = [record.note] if record.note else []
        if record.already_taken:
            notes.append("recorded as already taken" + (f" against the rule '{record.rule}'" if record.rule else ""))
        if record.voided:
            notes.append(f"voided: {record.void_reason}")
        if notes:
            resource["note"] = [{"text": n} for n in notes]
        entries.append(_entry(resource))
    return {"resourceType": "Bundle", "id": _id("bundle", profile.name, data.first, data.last),
            "type": "collection", "timestamp": data.generated_at.isoformat(timespec="seconds"),
            "entry": entries}


def write_fhir(data, stream: IO[bytes]) -> None:  # type: ignore[no-untyped-def]
    stream.write(json.dumps(bundle(data), ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
