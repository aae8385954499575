"""FHIR export building blocks: ids and identifiers scoped to the patient, references, quantities, medtrack codes."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from medtrack.core.units import ug_to_mg

UCUM = "http://unitsofmeasure.org"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
RFC3986 = "urn:ietf:rfc:3986"
# medtrack's own extensions and code systems. No site publishes them yet: the .invalid domain
# (RFC 6761) can never resolve to someone else's page. Change this one constant when it can.
DEFINITIONS = "https://medtrack.invalid/fhir"
FLAG_EXTENSION = f"{DEFINITIONS}/StructureDefinition/flag"
FLAG_CODES = f"{DEFINITIONS}/CodeSystem/flag"
RULE_EXTENSION = f"{DEFINITIONS}/StructureDefinition/broken-rule"
RULE_CODES = f"{DEFINITIONS}/CodeSystem/rule"
SEVERITY_EXTENSION = f"{DEFINITIONS}/StructureDefinition/severity-score"
MEDICATION_EXTENSION = f"{DEFINITIONS}/StructureDefinition/related-medication"
SIDE_EFFECT_CODES = f"{DEFINITIONS}/CodeSystem/side-effect"  # the monograph's side effect ids
OBSERVATION_CODES = f"{DEFINITIONS}/CodeSystem/observation"

FLAGS = {
    "excess": "More than was scheduled that night",
    "already-taken": "Recorded as already taken although a rule refused the dose",
    "not-taken": "Voided: the dose was never taken",
    "skipped": "Skipped on purpose",
    "contraindication-acknowledged": "Taken under a contraindication the prescriber acknowledged",
    "imported": "Read from a medtrack CSV export, not checked against a schedule",
    "urgent": "A serious side effect of the monograph or a withdrawal red flag: consult a doctor immediately",
}
# Medication.form (SNOMED CT dose forms) and the denominator of a tablet's strength (HL7 v3
# orderable drug form, as in the specification's own Medication examples).
TABLET_FORM = {"coding": [{"system": SNOMED, "code": "385055001", "display": "Tablet"}]}
ORAL_SOLUTION_FORM = {"coding": [{"system": SNOMED, "code": "385023001", "display": "Oral solution"}]}
ORDERABLE_FORM = "http://terminology.hl7.org/CodeSystem/v3-orderableDrugForm"
ORAL_ROUTE = {"coding": [{"system": SNOMED, "code": "26643006", "display": "Oral route"}],
              "text": "oral"}
_NAMESPACE = uuid.UUID("6f1c1b8e-3f0e-4e4c-9d55-6d2f8e0b7a11")


def resource_id(patient_id: str, *parts: object) -> str:
    """A stable id: the same patient and thing give the same id in every export, whatever the
    period; two patients never share one."""
    return str(uuid.uuid5(_NAMESPACE, "/".join([patient_id, *(str(p) for p in parts)])))


def identifier(patient_id: str, kind: str, value: object) -> dict[str, str]:
    """medtrack's own number of a record, symptom or regimen, in a namespace of this patient
    (record #1 of one patient is not record #1 of another)."""
    return {"system": f"urn:medtrack:patient:{patient_id}:{kind}", "value": str(value)}


def url(resource_id_: str) -> str:
    return f"urn:uuid:{resource_id_}"


def mg(ug: int) -> dict[str, Any]:
    return {"value": ug_to_mg(ug), "unit": "mg", "system": UCUM, "code": "mg"}


def when(instant: dt.datetime) -> str:
    """An instant with its UTC offset, to the second."""
    return instant.isoformat(timespec="seconds")


def flag(code: str) -> dict[str, Any]:
    return {"url": FLAG_EXTENSION,
            "valueCoding": {"system": FLAG_CODES, "code": code, "display": FLAGS[code]}}


def entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": url(resource["id"]), "resource": resource}


@dataclass(frozen=True)
class Context:
    """What every resource of one bundle points at."""

    patient_id: str
    subject: dict[str, str]  # reference to the Patient
    medication: dict[str, str]  # reference to the Medication
    requests: dict[int, str] = field(default_factory=dict)  # regimen id -> MedicationRequest fullUrl
