"""FHIR R4 export: a collection Bundle a clinic system can merge: Patient, Medication, a
MedicationRequest per prescription and plan version, each administration and each symptom.

Every id is derived from the patient's stored UUID and medtrack's own row ids, never from the
exported period or the patient's name, so exports of other periods, or after a rename, update
the same resources; two patients' bundles never share an id or an identifier. The modules
fhir_requests and fhir_events build the orders and the events.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import IO, Any

from medtrack.export.fhir_base import ATC, RFC3986, Context, entry, resource_id, url, when
from medtrack.export.fhir_events import administrations, symptoms
from medtrack.export.fhir_requests import medication_requests, request_url

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # letters, maybe joined by - or '


def human_name(text: str) -> dict[str, Any]:
    """The name as typed, and given/family when it splits without guessing: exactly two words
    of letters ("Ada Muster"). A single word, a title ("Dr."), a comma or more words ("Ludwig
    van Beethoven": which part is the family name?) keep only the text."""
    words = text.split()
    name: dict[str, Any] = {"text": text}
    if len(words) == 2 and all(_WORD.fullmatch(w) for w in words):
        name.update({"family": words[1], "given": [words[0]]})
    return name


def patient_id(data) -> str:  # type: ignore[no-untyped-def]
    """The UUID stored at init; a database without one (never expected) falls back to an id
    derived from the profile, so the bundle stays valid."""
    try:
        return str(uuid.UUID(data.patient_id))
    except ValueError:
        return resource_id("", "patient", data.profile.name, data.profile.born)


def bundle(data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    profile, drug = data.profile, data.drug
    pid = patient_id(data)
    patient = {"resourceType": "Patient", "id": pid,
               "identifier": [{"system": RFC3986, "value": url(pid)}],
               "name": [human_name(profile.name)], "birthDate": profile.born.isoformat()}
    # No form or strength: the profile does not record which product is taken (tablet of how
    # many mg); the route is given on each dosage.
    medication = {"resourceType": "Medication", "id": resource_id(pid, "medication", drug.id),
                  "code": {"coding": [{"system": ATC, "code": drug.atc, "display": drug.name}],
                           "text": drug.name}}
    ctx = Context(patient_id=pid, subject={"reference": url(pid), "display": profile.name},
                  medication={"reference": url(medication["id"]), "display": drug.name},
                  requests={r.id: request_url(pid, r) for r in data.regimens})
    resources = [patient, medication, *medication_requests(data, ctx), *administrations(data, ctx),
                 *symptoms(data, ctx)]
    return {"resourceType": "Bundle", "id": resource_id(pid, "bundle", data.first, data.last),
            "type": "collection", "timestamp": when(data.generated_at),
            "entry": [entry(r) for r in resources]}


def write_fhir(data, stream: IO[bytes]) -> None:  # type: ignore[no-untyped-def]
    stream.write(json.dumps(bundle(data), ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
