"""FHIR R4 export: a collection Bundle a clinic system can merge: Patient, Medication, a
MedicationRequest per prescription and plan version, each administration and each symptom, and
the withdrawal check-ins when the period has any (fhir_checkins).

Every id is derived from the patient's stored UUID and medtrack's own row ids, never from the
exported period or the patient's name, so exports of other periods, or after a rename, update
the same resources; two patients' bundles never share an id or an identifier. The modules
fhir_requests and fhir_events build the orders and the events.
"""

from __future__ import annotations

import json
import uuid
from typing import IO, TYPE_CHECKING, Any

from medtrack.export.fhir_base import (
    ATC,
    ORAL_SOLUTION_FORM,
    ORDERABLE_FORM,
    RFC3986,
    TABLET_FORM,
    UCUM,
    Context,
    entry,
    mg,
    resource_id,
    url,
    when,
)
from medtrack.export.fhir_checkins import checkin_resources
from medtrack.export.fhir_events import administrations, symptoms
from medtrack.export.fhir_requests import medication_requests, request_url
from medtrack.export.forms import product

if TYPE_CHECKING:
    from medtrack.export.data import ExportData


def human_name(text: str) -> dict[str, Any]:
    """The name as typed, as HumanName.text only. The profile keeps one name field, and which of
    its words is the family name is never certain: "山田 太郎" and "Nagy Ádám" put it first,
    "Wang Wei" does too in Latin letters, "Jón Einarsson" ends in a patronymic, "Ludwig van
    Beethoven" has three words. A wrong family name misfiles a patient at the receiver; the text
    alone is valid FHIR and is what a person reads."""
    return {"text": text}


def patient_id(data: ExportData) -> str:
    """The UUID stored at init; a database without one (never expected) falls back to an id
    derived from the profile, so the bundle stays valid."""
    try:
        return str(uuid.UUID(data.patient_id))
    except ValueError:
        return resource_id("", "patient", data.profile.name, data.profile.born)


def product_fields(data: ExportData) -> dict[str, Any]:
    """Medication.form and the flunitrazepam ingredient with its strength (mg per tablet, or mg
    per ml of the liquid), from the regimen in force tonight (else the next one to start).

    One Medication stands for one product: with tablets of several strengths (1 mg and 0.5 mg),
    one strength would be wrong for the others and two ingredients would read as a combination
    product, so the form's text names every strength and the ingredient carries none."""
    regimen = data.timeline.regimen_on(data.tonight) or min(
        (r for r in data.regimens if r.start > data.tonight), key=lambda r: r.start, default=None)
    made_with = product(regimen)
    if made_with is None:
        return {}
    ingredient: dict[str, Any] = {"itemCodeableConcept": {
        "coding": [{"system": ATC, "code": data.drug.atc, "display": data.drug.name}],
        "text": data.drug.name}, "isActive": True}
    if made_with.liquid is not None:
        form = {**ORAL_SOLUTION_FORM, "text": made_with.describe()}
        ingredient["strength"] = {"numerator": mg(made_with.liquid.ug_per_ml),
                                  "denominator": {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"}}
        return {"form": form, "ingredient": [ingredient]}
    strengths = sorted({t.strength_ug for t in made_with.tablets}, reverse=True)
    form = {**TABLET_FORM, "text": made_with.describe()}
    if len(strengths) == 1:
        ingredient["strength"] = {"numerator": mg(strengths[0]),
                                  "denominator": {"value": 1, "unit": "tablet", "system": ORDERABLE_FORM,
                                                  "code": "TAB"}}
    return {"form": form, "ingredient": [ingredient]}


def bundle(data: ExportData) -> dict[str, Any]:
    profile, drug = data.profile, data.drug
    pid = patient_id(data)
    patient = {"resourceType": "Patient", "id": pid,
               "identifier": [{"system": RFC3986, "value": url(pid)}],
               "name": [human_name(profile.name)], "birthDate": profile.born.isoformat()}
    # Form and strength only when the regimen in force tonight records tablets or a liquid;
    # otherwise nothing says which product is taken. The route is given on each dosage.
    medication = {"resourceType": "Medication", "id": resource_id(pid, "medication", drug.id),
                  "code": {"coding": [{"system": ATC, "code": drug.atc, "display": drug.name}],
                           "text": drug.name},
                  **product_fields(data)}
    ctx = Context(patient_id=pid, subject={"reference": url(pid), "display": profile.name},
                  medication={"reference": url(medication["id"]), "display": drug.name},
                  requests={r.id: request_url(pid, r) for r in data.regimens})
    resources = [patient, medication, *medication_requests(data, ctx), *administrations(data, ctx),
                 *symptoms(data, ctx), *checkin_resources(data, ctx)]
    return {"resourceType": "Bundle", "id": resource_id(pid, "bundle", data.first, data.last),
            "type": "collection", "timestamp": when(data.generated_at),
            "entry": [entry(r) for r in resources]}


def write_fhir(data: ExportData, stream: IO[bytes]) -> None:
    stream.write(json.dumps(bundle(data), ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
