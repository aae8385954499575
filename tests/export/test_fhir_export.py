"""The FHIR R4 export, validated with an independent library (fhir.resources, R4B models).

fhir.resources checks structure and datatypes but not code bindings, so the required value sets
(Bundle.type, MedicationRequest.status/intent, MedicationAdministration.status, Timing.when) are
checked here against the R4 specification.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from exporthist import (
    BORN,
    NAME,
    NOTE_ACCENTS,
    NOTE_CR,
    NOTE_FORMULA,
    NOTE_TAB,
    PRESCRIPTION,
    PRESCRIBER,
    STEPS,
    VOID_REASON,
)

UCUM = "http://unitsofmeasure.org"
# R4 required bindings (hl7.org/fhir/R4/valueset-*.html).
BUNDLE_TYPES = {"document", "message", "transaction", "transaction-response", "batch",
                "batch-response", "history", "searchset", "collection"}
ADMINISTRATION_STATUS = {"in-progress", "not-done", "on-hold", "completed", "entered-in-error",
                         "stopped", "unknown"}
REQUEST_STATUS = {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped",
                  "draft", "unknown"}
REQUEST_INTENT = {"proposal", "plan", "order", "original-order", "reflex-order", "filler-order",
                  "instance-order", "option"}
BIRTHDAY_65 = dt.date(2026, 11, 10)


def export_fhir(run: Any, tmp_path: Path, *extra: str) -> tuple[bytes, dict[str, Any]]:
    out = tmp_path / "bundle.json"
    run.ok("export", "--format", "fhir", "-o", str(out), *extra)
    raw = out.read_bytes()
    return raw, json.loads(raw)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


@pytest.fixture
def bundle(history, tmp_path: Path) -> dict[str, Any]:
    raw, data = export_fhir(history, tmp_path)
    Bundle.model_validate_json(raw)  # the whole bundle parses with the R4B models
    return data


def test_the_bundle_and_every_resource_validate_with_r4b(history, tmp_path: Path):
    raw, data = export_fhir(history, tmp_path)
    parsed = Bundle.model_validate_json(raw)
    assert parsed.type == "collection"
    assert len(parsed.entry) == len(data["entry"])
    for entry in data["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds[:3] == ["Patient", "Medication", "MedicationRequest"]
    assert set(kinds[3:]) == {"MedicationAdministration"}
    assert len({e["fullUrl"] for e in data["entry"]}) == len(kinds)  # unique ids
    assert raw.decode("utf-8")  # UTF-8 JSON


def test_bundle_type_and_value_sets(bundle):
    assert bundle["type"] == "collection" and bundle["type"] in BUNDLE_TYPES
    assert bundle["timestamp"] == "2026-10-30T12:00:00+01:00"
    (request,) = resources(bundle, "MedicationRequest")
    assert request["status"] in REQUEST_STATUS
    assert request["intent"] in REQUEST_INTENT
    for administration in resources(bundle, "MedicationAdministration"):
        assert administration["status"] in ADMINISTRATION_STATUS


def test_patient_and_medication(bundle):
    (patient,) = resources(bundle, "Patient")
    assert patient["name"] == [{"text": NAME}]  # accents as typed
    assert patient["birthDate"] == BORN
    (medication,) = resources(bundle, "Medication")
    codings = medication["code"]["coding"]
    assert {"system": "http://www.whocc.no/atc", "code": "N05CD03",
            "display": "Flunitrazepam"} in codings


def test_references_resolve_inside_the_bundle(bundle):
    urls = {e["fullUrl"]: e["resource"]["resourceType"] for e in bundle["entry"]}
    for resource in [*resources(bundle, "MedicationRequest"), *resources(bundle, "MedicationAdministration")]:
        assert urls[resource["subject"]["reference"]] == "Patient"
        assert urls[resource["medicationReference"]["reference"]] == "Medication"


def test_the_request_carries_one_dosage_instruction_per_step(bundle):
    (request,) = resources(bundle, "MedicationRequest")
    assert request["requester"]["display"] == PRESCRIBER
    assert "hold" in request["note"][0]["text"]  # the current plan version, a hold
    instructions = request["dosageInstruction"]
    # the prescription before the plan, then each step of the plan with a dose (the 0 mg end
    # of the taper is not a dosage)
    expected = [PRESCRIPTION, *STEPS]
    assert len(instructions) == len(expected)
    for number, (instruction, (start, end, dose)) in enumerate(zip(instructions, expected), 1):
        assert instruction["sequence"] == number
        repeat = instruction["timing"]["repeat"]
        assert repeat["when"] == ["HS"]
        assert repeat["boundsPeriod"] == {"start": start, "end": end}
        assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (1, 1, "d")
        (rate,) = instruction["doseAndRate"]
        assert rate["doseQuantity"] == {"value": dose, "unit": "mg", "system": UCUM, "code": "mg"}


def test_max_dose_per_period_follows_the_age_on_each_steps_start(bundle):
    (request,) = resources(bundle, "MedicationRequest")
    seen = set()
    for instruction in request["dosageInstruction"]:
        start = dt.date.fromisoformat(instruction["timing"]["repeat"]["boundsPeriod"]["start"])
        limit = 1 if start >= BIRTHDAY_65 else 2
        ratio = instruction["maxDosePerPeriod"]
        assert ratio["numerator"] == {"value": limit, "unit": "mg", "system": UCUM, "code": "mg"}
        assert ratio["denominator"] == {"value": 1, "unit": "d", "system": UCUM, "code": "d"}
        seen.add(limit)
    assert seen == {1, 2}  # the history has steps on both sides of the 65th birthday


def test_one_administration_per_dose_or_skip_never_for_a_void(history, bundle):
    records = history.ok("history", "--json").json()
    administrations = resources(bundle, "MedicationAdministration")
    assert [a["identifier"][0]["value"] for a in administrations] == [str(r["id"]) for r in records]
    assert "6" not in {a["identifier"][0]["value"] for a in administrations}  # the void record
    for record, administration in zip(records, administrations):
        assert administration["effectiveDateTime"] == record["taken_at"]
        if record["voided"]:
            assert administration["status"] == "entered-in-error"
        elif record["kind"] == "dose":
            assert administration["status"] == "completed"
        else:
            assert administration["status"] == "not-done"
        if record["kind"] == "skip":
            assert administration["statusReason"][0]["text"]
            assert "dosage" not in administration
        else:
            assert "statusReason" not in administration
            assert administration["dosage"]["dose"] == {"value": record["dose_mg"], "unit": "mg",
                                                        "system": UCUM, "code": "mg"}
    statuses = [a["status"] for a in administrations]
    assert statuses.count("not-done") == 1 and statuses.count("entered-in-error") == 1


def test_notes_voids_and_already_taken_are_kept_verbatim(bundle):
    notes = {a["identifier"][0]["value"]: [n["text"] for n in a.get("note", [])]
             for a in resources(bundle, "MedicationAdministration")}
    assert notes["1"] == [NOTE_ACCENTS]
    assert notes["2"] == [NOTE_FORMULA]  # JSON is not a spreadsheet: no neutralising here
    assert notes["4"] == [NOTE_TAB]
    assert notes["9"] == [NOTE_CR]
    assert notes["5"] == [f"voided: {VOID_REASON}"]
    assert any("already taken" in n and "dose-window" in n for n in notes["8"])


def test_a_clipped_bundle_holds_only_the_period(history, tmp_path: Path):
    raw, data = export_fhir(history, tmp_path, "--from", "2026-10-24", "--to", "2026-10-26")
    Bundle.model_validate_json(raw)
    ids = [a["identifier"][0]["value"] for a in resources(data, "MedicationAdministration")]
    assert ids == ["3", "4", "5", "7"]
    (request,) = resources(data, "MedicationRequest")
    periods = [i["timing"]["repeat"]["boundsPeriod"] for i in request["dosageInstruction"]]
    assert periods == [{"start": "2026-10-24", "end": "2026-10-26"}]


def test_clipping_does_not_change_a_steps_max_dose(history, tmp_path: Path):
    _, data = export_fhir(history, tmp_path, "--from", "2026-11-11", "--to", "2026-11-30")
    (request,) = resources(data, "MedicationRequest")
    first = request["dosageInstruction"][0]
    assert first["doseAndRate"][0]["doseQuantity"]["value"] == 0.75
    assert first["maxDosePerPeriod"]["numerator"]["value"] == 2


def test_a_profile_without_any_record_still_gives_a_valid_bundle(run, tmp_path: Path):
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           now="2026-11-01T12:00+01:00")
    raw, data = export_fhir(run, tmp_path)
    Bundle.model_validate_json(raw)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient", "Medication"]
