"""FHIR events: each dose or skip as a MedicationAdministration, each symptom as an Observation
or, for a serious side effect of the monograph, an AdverseEvent.

Who entered a record or symptom is known only by name, so it travels as a reference with a display
and nothing else (R4 allows one): the administration's performer, the observation's performer,
the adverse event's recorder. Left out when medtrack did not keep who entered it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from medtrack.core.model import Record, Symptom
from medtrack.core.rule_words import against_rule
from medtrack.export.fhir_base import (
    FLAG_CODES,
    FLAGS,
    MEDICATION_EXTENSION,
    OBSERVATION_CODES,
    ORAL_ROUTE,
    RULE_CODES,
    RULE_EXTENSION,
    SEVERITY_EXTENSION,
    SIDE_EFFECT_CODES,
    Context,
    flag,
    identifier,
    mg,
    resource_id,
    when,
)
from medtrack.export.forms import as_taken

if TYPE_CHECKING:
    from medtrack.export.data import ExportData

STATUS = {"dose": "completed", "skip": "not-done"}
# R4 AdverseEvent.severity has a required binding of three levels; medtrack's 1-5 scale calls
# 4-5 severe. The exact score travels in an extension beside it.
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
# An urgent symptom (the monograph says to consult a doctor immediately) is serious in R4's own
# terms; any other is left without a seriousness rather than called non-serious.
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
SERIOUS = {"coding": [{"system": AE_SERIOUSNESS, "code": "serious", "display": "Serious"}],
           "text": "serious: consult a doctor immediately"}
# R4 AdverseEvent has no note element: the R5 one, by HL7's cross-version extension.
AE_NOTE_EXTENSION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-AdverseEvent.note"
# R4 MedicationAdministration has no element for when it was entered: the R5 one, likewise.
RECORDED_EXTENSION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-MedicationAdministration.recorded"


def administrations(data: ExportData, ctx: Context) -> list[dict[str, Any]]:
    """One per dose or skip of the period, in recording order; a void is told on the record it
    voids (entered-in-error), never as an administration of its own."""
    excess_nights = {n.night for n in data.nights if n.state == "excess"}
    counted = Counter(r.night for r in data.records if r.counted)
    seen: set[dt.date] = set()
    out = []
    for record in data.records:
        if record.kind == "void":
            continue
        # on an excess night the dose that made it so: a second one, or a lone one above schedule
        excess = record.counted and record.night in excess_nights and (
            counted[record.night] == 1 or record.night in seen
            or (record.dose_ug or 0) > (record.scheduled_ug or 0))
        if record.counted:
            seen.add(record.night)
        out.append(_administration(data, ctx, record, excess))
    return out


def _administration(data: ExportData, ctx: Context, record: Record, excess: bool) -> dict[str, Any]:
    codes = [code for code, on in (("excess", excess), ("already-taken", record.already_taken),
                                   ("not-taken", record.voided and record.not_taken),
                                   ("contraindication-acknowledged", bool(record.acknowledged)),
                                   ("imported", record.imported)) if on]
    extension = [flag(code) for code in codes]
    if record.already_taken and record.rule:
        extension.append({"url": RULE_EXTENSION, "valueCoding": {"system": RULE_CODES, "code": record.rule}})
    if record.kind == "skip":  # a skip's instant is when it was entered, not when it happened
        extension.append({"url": RECORDED_EXTENSION, "valueDateTime": when(record.at)})
    resource: dict[str, Any] = {"resourceType": "MedicationAdministration",
                                "id": resource_id(ctx.patient_id, "record", record.id)}
    if extension:
        resource["extension"] = extension
    resource["identifier"] = [identifier(ctx.patient_id, "record", record.id)]
    resource["status"] = "entered-in-error" if record.voided else STATUS[record.kind]
    if record.kind == "skip":
        resource["statusReason"] = [{"coding": [{"system": FLAG_CODES, "code": "skipped",
                                                 "display": FLAGS["skipped"]}],
                                     "text": "dose deliberately skipped"}]
    resource.update({"medicationReference": ctx.medication, "subject": ctx.subject, **effective(data, record)})
    if record.recorded_by:
        resource["performer"] = [{"actor": person(record.recorded_by)}]
    regimen = data.timeline.regimen_on(record.night)
    if regimen is not None:  # the version in force that night (imported history may predate any)
        resource["request"] = {"reference": ctx.requests[regimen.id]}
    notes = [record.note] if record.note else []
    if record.already_taken:
        notes.append("recorded as already taken" + (f" {against_rule(record.rule)}" if record.rule else ""))
    if record.voided:
        notes.append(("voided, not taken: " if record.not_taken else "voided: ") + (record.void_reason or ""))
    if notes:
        resource["note"] = [{"text": n} for n in notes]
    if record.kind == "dose":
        taken = as_taken(regimen, record.dose_ug)
        resource["dosage"] = {**({"text": taken} if taken else {}), "route": ORAL_ROUTE,
                              "dose": mg(record.dose_ug or 0)}
    return resource


def effective(data: ExportData, record: Record) -> dict[str, Any]:
    """When it happened: a dose at the instant it was taken; a skip, which has no instant of its
    own (it may be entered days later), over its night's dose window, from opening to the latest
    time, so it lands on its own night and on no other."""
    if record.kind != "skip":
        return {"effectiveDateTime": when(record.at)}
    window = data.window_on(record.night)
    return {"effectivePeriod": {"start": when(window.opens), "end": when(window.latest)}}


def person(name: str) -> dict[str, str]:
    """Someone medtrack knows only by the name they entered under: a display-only reference."""
    return {"display": name}


def symptoms(data: ExportData, ctx: Context) -> list[dict[str, Any]]:
    """A serious side effect of the monograph is a suspected reaction to the drug: an
    AdverseEvent naming the drug as the suspect. Anything else the patient noted is an
    Observation of theirs, tied to the drug by an extension (R4 Observation has no element
    that links a symptom to a medication without claiming the medication is what was observed)."""
    out = []
    for symptom in data.symptoms:
        effect = data.drug.side_effect(symptom.effect_id) if symptom.effect_id else None
        code: dict[str, Any] = {"text": symptom.name}
        if effect is not None:
            code = {"coding": [{"system": SIDE_EFFECT_CODES, "code": effect.id, "display": effect.name}],
                    "text": symptom.name}
        if effect is not None and effect.serious:
            out.append(_adverse_event(ctx, symptom, code))
        else:
            out.append(_observation(ctx, symptom, code))
    return out


def _adverse_event(ctx: Context, symptom: Symptom, code: dict[str, Any]) -> dict[str, Any]:
    extension = []
    if symptom.severity is not None:
        extension.append({"url": SEVERITY_EXTENSION, "valueInteger": symptom.severity})
    if symptom.urgent:
        extension.append(flag("urgent"))
    if symptom.note:
        extension.append({"url": AE_NOTE_EXTENSION, "valueAnnotation": {"text": symptom.note}})
    resource: dict[str, Any] = {"resourceType": "AdverseEvent",
                                "id": resource_id(ctx.patient_id, "symptom", symptom.id)}
    if extension:
        resource["extension"] = extension
    resource.update({
        "identifier": identifier(ctx.patient_id, "symptom", symptom.id),  # 0..1 in R4
        "actuality": "actual", "event": code, "subject": ctx.subject, "date": when(symptom.at),
    })
    if symptom.urgent:
        resource["seriousness"] = SERIOUS
    if symptom.severity is not None:
        level = "mild" if symptom.severity <= 2 else "moderate" if symptom.severity == 3 else "severe"
        resource["severity"] = {"coding": [{"system": AE_SEVERITY, "code": level, "display": level.title()}],
                                "text": f"{symptom.severity} of 5"}
    if symptom.recorded_by:
        resource["recorder"] = person(symptom.recorded_by)
    resource["suspectEntity"] = [{"instance": ctx.medication}]
    return resource


def _observation(ctx: Context, symptom: Symptom, code: dict[str, Any]) -> dict[str, Any]:
    extension = [{"url": MEDICATION_EXTENSION, "valueReference": ctx.medication},
                 *([flag("urgent")] if symptom.urgent else [])]
    resource: dict[str, Any] = {
        "resourceType": "Observation", "id": resource_id(ctx.patient_id, "symptom", symptom.id),
        "extension": extension, "identifier": [identifier(ctx.patient_id, "symptom", symptom.id)],
        "status": "final", "code": code, "subject": ctx.subject, "effectiveDateTime": when(symptom.at),
    }
    if symptom.recorded_by:
        resource["performer"] = [person(symptom.recorded_by)]
    if symptom.note:
        resource["note"] = [{"text": symptom.note}]
    if symptom.severity is not None:
        resource["component"] = [{
            "code": {"coding": [{"system": OBSERVATION_CODES, "code": "severity",
                                 "display": "Severity, 1 (mild) to 5 (severe)"}],
                     "text": "severity (1 mild to 5 severe)"},
            "valueInteger": symptom.severity}]
    return resource
