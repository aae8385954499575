"""The FHIR R4 export, validated with an independent library (fhir.resources, R4B models).

fhir.resources checks structure and datatypes but not code bindings, so the required value sets
(Bundle.type, MedicationRequest.status/intent, MedicationAdministration.status, Observation.status,
AdverseEvent.actuality/severity, Timing.when) are checked here against the R4 specification.
Every reference is resolved against the bundle's fullUrls by a small checker of our own, shown
to fail when a reference is broken.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exporthist import (
    BORN,
    END_OF_TAPER,
    HOLD,
    NAME,
    NOTE_ACCENTS,
    NOTE_CR,
    NOTE_FORMULA,
    NOTE_TAB,
    PRESCRIBER,
    PRESCRIPTION,
    SETUP,
    STEPS,
    SYMPTOM_NOTE,
    VOID_REASON,
    build_history,
)
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from medtrack.core.model import Regimen, Step
from medtrack.core.rules import regimen_on
from medtrack.export.data import ExportData
from medtrack.services.export import gather
from medtrack.storage.database import Database

UCUM = "http://unitsofmeasure.org"
PATIENT_ID = "5f0c7d1e-9a4b-4c2d-8e6f-0123456789ab"  # what tests/conftest.py makes init store
OTHER_PATIENT_ID = "0b6a7c2e-1d3f-4e5a-8b9c-fedcba987654"
FLAG = "https://medtrack.invalid/fhir/StructureDefinition/flag"
RULE = "https://medtrack.invalid/fhir/StructureDefinition/broken-rule"
SEVERITY_SCORE = "https://medtrack.invalid/fhir/StructureDefinition/severity-score"
RELATED_MEDICATION = "https://medtrack.invalid/fhir/StructureDefinition/related-medication"
AE_NOTE = "http://hl7.org/fhir/5.0/StructureDefinition/extension-AdverseEvent.note"
# R4 required bindings (hl7.org/fhir/R4/valueset-*.html).
BUNDLE_TYPES = {"document", "message", "transaction", "transaction-response", "batch",
                "batch-response", "history", "searchset", "collection"}
ADMINISTRATION_STATUS = {"in-progress", "not-done", "on-hold", "completed", "entered-in-error",
                         "stopped", "unknown"}
REQUEST_STATUS = {"active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped",
                  "draft", "unknown"}
REQUEST_INTENT = {"proposal", "plan", "order", "original-order", "reflex-order", "filler-order",
                  "instance-order", "option"}
OBSERVATION_STATUS = {"registered", "preliminary", "final", "amended", "corrected", "cancelled",
                      "entered-in-error", "unknown"}
AE_ACTUALITY = {"actual", "potential"}
AE_SEVERITY = ("http://terminology.hl7.org/CodeSystem/adverse-event-severity", {"mild", "moderate", "severe"})
AE_SERIOUSNESS = ("http://terminology.hl7.org/CodeSystem/adverse-event-seriousness", {"serious", "non-serious"})
TIMING_WHEN = {"MORN", "MORN.early", "MORN.late", "NOON", "AFT", "AFT.early", "AFT.late", "EVE",
               "EVE.early", "EVE.late", "NIGHT", "PHS", "HS", "WAKE", "C", "CM", "CD", "CV", "AC",
               "ACM", "ACD", "ACV", "PC", "PCM", "PCD", "PCV"}
BIRTHDAY_65 = dt.date(2026, 11, 10)
# When the prescription, plan v1 and the hold (v2) were recorded (the clock of each command).
WRITTEN = [SETUP[1][0], SETUP[2][0], HOLD[0]]
# Regimen ids (rows, in recording order): the prescription, plan v1, plan v2.
PRESCRIPTION_ID, V1_ID, V2_ID = "1", "2", "3"


def export_fhir(run: Any, tmp_path: Path, *extra: str, db: Path | None = None,
                name: str = "bundle.json") -> tuple[bytes, dict[str, Any]]:
    out = tmp_path / name
    run.ok("export", "--format", "fhir", "-o", str(out), "--force", *extra, db=db)
    raw = out.read_bytes()
    return raw, json.loads(raw)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def by_identifier(bundle: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {r["identifier"][0]["value"]: r for r in resources(bundle, kind)}


def flags(resource: dict[str, Any]) -> set[str]:
    return {e["valueCoding"]["code"] for e in resource.get("extension", []) if e["url"] == FLAG}


def references(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every Reference.reference in a resource (extensions included), with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield path, value
            else:
                yield from references(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from references(item, f"{path}[{i}]")


def broken_references(bundle: dict[str, Any]) -> list[str]:
    """The references that do not resolve to an entry of the bundle (by fullUrl)."""
    urls = {e["fullUrl"] for e in bundle["entry"]}
    return [f"{e['resource']['resourceType']}{path} -> {target}"
            for e in bundle["entry"] for path, target in references(e["resource"])
            if target not in urls]


def target(bundle: dict[str, Any], reference: dict[str, str]) -> dict[str, Any]:
    found: dict[str, Any]
    (found,) = [e["resource"] for e in bundle["entry"] if e["fullUrl"] == reference["reference"]]
    return found


def validate_with_r4b(raw: bytes, bundle: dict[str, Any]) -> None:
    Bundle.model_validate_json(raw)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def export_data(run: Any) -> ExportData:
    """The ExportData the exporter received (for regimen_on over the real regimens)."""
    return gather(Database(run.db), dt.datetime.fromisoformat(run.now))


@pytest.fixture
def bundle(history, tmp_path: Path) -> dict[str, Any]:
    raw, data = export_fhir(history, tmp_path)
    Bundle.model_validate_json(raw)  # the whole bundle parses with the R4B models
    return data


def test_the_bundle_and_every_resource_validate_with_r4b(history, tmp_path: Path):
    raw, data = export_fhir(history, tmp_path)
    parsed = Bundle.model_validate_json(raw)
    assert parsed.type == "collection"
    assert parsed.entry is not None and len(parsed.entry) == len(data["entry"])
    for entry in data["entry"]:
        resource = entry["resource"]
        model = get_fhir_model_class(resource["resourceType"])
        model.model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds == ["Patient", "Medication", *["MedicationRequest"] * 3,
                     *["MedicationAdministration"] * 8, *["AdverseEvent"] * 2]
    assert len({e["fullUrl"] for e in data["entry"]}) == len(kinds)  # unique ids
    assert raw.decode("utf-8")  # UTF-8 JSON


def test_bundle_type_and_value_sets(bundle):
    assert bundle["type"] == "collection" and bundle["type"] in BUNDLE_TYPES
    assert bundle["timestamp"] == "2026-10-30T12:00:00+01:00"
    for request in resources(bundle, "MedicationRequest"):
        assert request["status"] in REQUEST_STATUS
        assert request["intent"] in REQUEST_INTENT
        for instruction in request["dosageInstruction"]:
            assert set(instruction["timing"]["repeat"]["when"]) <= TIMING_WHEN
    for administration in resources(bundle, "MedicationAdministration"):
        assert administration["status"] in ADMINISTRATION_STATUS
    for event in resources(bundle, "AdverseEvent"):
        assert event["actuality"] in AE_ACTUALITY
        (coding,) = event["severity"]["coding"]
        assert coding["system"] == AE_SEVERITY[0] and coding["code"] in AE_SEVERITY[1]
        for coding in event.get("seriousness", {}).get("coding", []):
            assert coding["system"] == AE_SERIOUSNESS[0] and coding["code"] in AE_SERIOUSNESS[1]
    for observation in resources(bundle, "Observation"):
        assert observation["status"] in OBSERVATION_STATUS


def test_the_patient_is_the_stored_id_with_the_name_as_typed(bundle):
    (patient,) = resources(bundle, "Patient")
    assert patient["id"] == PATIENT_ID
    assert bundle["entry"][0]["fullUrl"] == f"urn:uuid:{PATIENT_ID}"
    assert patient["identifier"] == [{"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{PATIENT_ID}"}]
    assert patient["name"] == [{"text": NAME}]  # as typed, never split (see human_name)
    assert patient["birthDate"] == BORN


def test_the_medication_carries_the_atc_code_and_no_invented_product(bundle):
    (medication,) = resources(bundle, "Medication")
    assert medication["code"]["coding"] == [{"system": "http://www.whocc.no/atc", "code": "N05CD03",
                                             "display": "Flunitrazepam"}]
    assert "form" not in medication and "ingredient" not in medication  # the profile names no product
    for request in resources(bundle, "MedicationRequest"):
        for instruction in request["dosageInstruction"]:
            assert instruction["route"]["text"] == "oral"
            assert {"system": "http://snomed.info/sct", "code": "26643006",
                    "display": "Oral route"} in instruction["route"]["coding"]


def test_a_rename_changes_the_name_but_no_id(history, tmp_path: Path):
    _, before = export_fhir(history, tmp_path, name="before.json")
    history.ok("profile", "set", "--name", "Ada Muster")
    raw, after = export_fhir(history, tmp_path, name="after.json")
    validate_with_r4b(raw, after)
    (patient,) = resources(after, "Patient")
    assert patient["id"] == PATIENT_ID
    assert patient["name"] == [{"text": "Ada Muster"}]
    assert [e["fullUrl"] for e in after["entry"]] == [e["fullUrl"] for e in before["entry"]]
    assert after["id"] == before["id"]

    def identifiers(bundle: dict[str, Any]) -> list[Any]:
        return [e["resource"].get("identifier") for e in bundle["entry"]]

    assert identifiers(after) == identifiers(before)


@pytest.mark.parametrize("text", [
    "山田 太郎",  # family name first: Yamada is the family
    "Nagy Ádám",  # Hungarian, family first in Latin letters
    "Wang Wei",  # Chinese in Latin letters, family first
    "Jón Einarsson",  # Icelandic: a patronymic, not a family name
    "Ada Muster", "Zoë Ångström", "Anne-Marie O'Neil",  # given first, but nothing says so
    "Ada", "Dr. Weiß", "Ludwig van Beethoven", "Muster, Ada", "R2 D2",
])
def test_a_name_is_never_split_into_family_and_given(text: str):
    """The profile keeps one name field: no rule on its words tells the family name for sure."""
    from medtrack.export.fhir import human_name

    assert human_name(text) == {"text": text}


def test_a_japanese_name_travels_as_text_only(history, tmp_path: Path):
    history.ok("profile", "set", "--name", "山田 太郎")
    raw, data = export_fhir(history, tmp_path)
    validate_with_r4b(raw, data)
    (patient,) = resources(data, "Patient")
    assert patient["name"] == [{"text": "山田 太郎"}]  # never family 太郎, given 山田
    parsed = Patient.model_validate(patient)
    assert parsed.name is not None
    assert parsed.name[0].text == "山田 太郎" and parsed.name[0].family is None and parsed.name[0].given is None


@pytest.mark.slow
def test_identifiers_and_ids_are_scoped_to_the_patient(history, tmp_path: Path):
    """Two patients with the same history (so the same record, symptom and regimen numbers)."""
    _, first = export_fhir(history, tmp_path, name="first.json")
    other = tmp_path / "other.db"
    history.monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: OTHER_PATIENT_ID)
    build_history(history, db=other)
    _, second = export_fhir(history, tmp_path, db=other, name="second.json")

    def identifiers(bundle: dict[str, Any]) -> set[tuple[str, str]]:
        found = set()
        for entry in bundle["entry"]:
            listed = entry["resource"].get("identifier", [])
            for ident in listed if isinstance(listed, list) else [listed]:  # AdverseEvent: 0..1
                found.add((ident["system"], ident["value"]))
        return found

    mine, theirs = identifiers(first), identifiers(second)
    assert len(mine) == len(first["entry"]) - 1  # every resource but the Medication has one
    assert mine.isdisjoint(theirs)
    assert {s for s, _ in mine if s.startswith("urn:medtrack:")}.isdisjoint({s for s, _ in theirs})
    assert (f"urn:medtrack:patient:{PATIENT_ID}:record", "1") in mine
    assert (f"urn:medtrack:patient:{OTHER_PATIENT_ID}:record", "1") in theirs
    assert {e["fullUrl"] for e in first["entry"]}.isdisjoint(e["fullUrl"] for e in second["entry"])
    assert resources(second, "Patient")[0]["id"] == OTHER_PATIENT_ID


def test_one_request_per_prescription_and_plan_version(bundle):
    requests = resources(bundle, "MedicationRequest")
    assert [r["identifier"][0]["value"] for r in requests] == [PRESCRIPTION_ID, V1_ID, V2_ID]
    for request, written in zip(requests, WRITTEN, strict=True):
        # when the doctor's order was recorded, not when the export was made
        assert dt.datetime.fromisoformat(request["authoredOn"]) == dt.datetime.fromisoformat(written)
        assert request["requester"] == {"display": PRESCRIBER}
        assert request["intent"] == "order"
    prescription, v1, v2 = requests
    # tonight (10-30) v2 is in force; the prescription and v1 were replaced before their end
    assert [r["status"] for r in requests] == ["stopped", "stopped", "active"]
    assert prescription["statusReason"]["text"] == "replaced from 2026-10-15 by taper plan version 1"
    assert v1["statusReason"]["text"] == "replaced from 2026-10-28 by taper plan version 2"
    assert "statusReason" not in v2
    assert "priorPrescription" not in prescription
    assert target(bundle, v1["priorPrescription"]) is prescription
    assert target(bundle, v2["priorPrescription"]) is v1
    assert "hold" in v2["note"][0]["text"] and "withdrawal symptoms" in v2["note"][0]["text"]


def bounds(request: dict[str, Any]) -> list[tuple[str, str | None, float]]:
    return [(i["timing"]["repeat"]["boundsPeriod"]["start"], i["timing"]["repeat"]["boundsPeriod"].get("end"),
             i["doseAndRate"][0]["doseQuantity"]["value"]) for i in request["dosageInstruction"]]


def test_each_version_orders_its_steps_to_the_final_0_mg(bundle):
    prescription, v1, v2 = resources(bundle, "MedicationRequest")
    # each version orders only the nights it is in force: to the night before its successor's first
    assert bounds(prescription) == [PRESCRIPTION]
    assert bounds(v1) == [("2026-10-15", "2026-10-21", 1), ("2026-10-22", "2026-10-27", 0.75)]
    # the hold is in force from 2026-10-28: the steps it orders from then on, as `taper show` has
    # them; the step across the 65th birthday is two periods, for the ceiling drops from 2 to 1 mg
    before = (BIRTHDAY_65 - dt.timedelta(days=1)).isoformat()
    assert bounds(v2) == [("2026-10-28", before, STEPS[1][2]), (BIRTHDAY_65.isoformat(), STEPS[1][1], STEPS[1][2]),
                          *STEPS[2:], (END_OF_TAPER, None, 0)]
    for request in (prescription, v1, v2):
        instructions = request["dosageInstruction"]
        assert [i["sequence"] for i in instructions] == list(range(1, len(instructions) + 1))
        for instruction in instructions:
            repeat = instruction["timing"]["repeat"]
            assert repeat["when"] == ["HS"]
            assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (1, 1, "d")
            (rate,) = instruction["doseAndRate"]
            assert set(rate["doseQuantity"]) == {"value", "unit", "system", "code"}
            assert rate["doseQuantity"]["system"] == UCUM and rate["doseQuantity"]["code"] == "mg"
    final = v2["dosageInstruction"][-1]
    assert final["doseAndRate"][0]["doseQuantity"] == {"value": 0, "unit": "mg", "system": UCUM, "code": "mg"}
    assert "0 mg" in final["text"] and "maxDosePerPeriod" not in final


def test_max_dose_per_period_follows_the_age_on_each_steps_start(bundle):
    seen = set()
    for request in resources(bundle, "MedicationRequest"):
        for instruction in request["dosageInstruction"]:
            if not instruction["doseAndRate"][0]["doseQuantity"]["value"]:
                continue
            start = dt.date.fromisoformat(instruction["timing"]["repeat"]["boundsPeriod"]["start"])
            limit = 1 if start >= BIRTHDAY_65 else 2
            ratio = instruction["maxDosePerPeriod"]
            assert ratio["numerator"] == {"value": limit, "unit": "mg", "system": UCUM, "code": "mg"}
            assert ratio["denominator"] == {"value": 1, "unit": "d", "system": UCUM, "code": "d"}
            seen.add(limit)
    assert seen == {1, 2}  # the history has steps on both sides of the 65th birthday


@pytest.mark.parametrize("period", [("--from", "2026-10-24", "--to", "2026-10-26"),
                                    ("--from", "2026-11-11", "--to", "2026-11-30"),
                                    ("--to", "2026-10-20")])
def test_the_orders_do_not_depend_on_the_exported_period(history, bundle, tmp_path: Path, period):
    raw, clipped = export_fhir(history, tmp_path, *period, name="clipped.json")
    validate_with_r4b(raw, clipped)
    for kind in ("Patient", "Medication", "MedicationRequest"):
        assert resources(clipped, kind) == resources(bundle, kind), kind
    whole = by_identifier(bundle, "MedicationAdministration")
    for value, administration in by_identifier(clipped, "MedicationAdministration").items():
        assert administration == whole[value]


def test_each_administration_points_at_the_version_in_force_that_night(history, bundle):
    data = export_data(history)
    nights = {str(r.id): r.night for r in data.records}
    requests = by_identifier(bundle, "MedicationRequest")
    seen = {}
    for value, administration in by_identifier(bundle, "MedicationAdministration").items():
        regimen = regimen_on(data.regimens, nights[value])
        assert regimen is not None, value
        assert administration["request"]["reference"] == bundle_url(bundle, requests[str(regimen.id)])
        seen[value] = str(regimen.id)
    # #8 was taken after midnight on 10-28 but belongs to the night of 10-27: still v1
    assert seen == {"1": V1_ID, "2": V1_ID, "3": V1_ID, "4": V1_ID, "5": V1_ID, "7": V1_ID,
                    "8": V1_ID, "9": V2_ID}


def bundle_url(bundle: dict[str, Any], resource: dict[str, Any]) -> str:
    found: str
    (found,) = [e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource]
    return found


def test_one_administration_per_dose_or_skip_never_for_a_void(history, bundle):
    records = history.ok("history", "--json").json()
    administrations = resources(bundle, "MedicationAdministration")
    assert [a["identifier"][0]["value"] for a in administrations] == [str(r["id"]) for r in records]
    assert "6" not in {a["identifier"][0]["value"] for a in administrations}  # the void record
    for record, administration in zip(records, administrations, strict=True):
        if record["kind"] == "skip":  # over its night's window; when it was entered beside it
            assert administration["effectivePeriod"] == {"start": "2026-10-21T20:30:00+02:00",
                                                         "end": "2026-10-21T23:30:00+02:00"}
            assert administration["extension"][-1]["valueDateTime"] == record["taken_at"]
        else:
            assert administration["effectiveDateTime"] == record["taken_at"]
        if record["voided"]:
            assert administration["status"] == "entered-in-error"
        elif record["kind"] == "dose":
            assert administration["status"] == "completed"
        else:
            assert administration["status"] == "not-done"
        if record["kind"] == "skip":
            (reason,) = administration["statusReason"]
            assert reason["text"] and reason["coding"][0]["code"] == "skipped"
            assert "dosage" not in administration
        else:
            assert "statusReason" not in administration
            assert administration["dosage"]["dose"] == {"value": record["dose_mg"], "unit": "mg",
                                                        "system": UCUM, "code": "mg"}
    statuses = [a["status"] for a in administrations]
    assert statuses.count("not-done") == 1 and statuses.count("entered-in-error") == 1


def test_a_void_not_taken_is_entered_in_error_and_says_so(bundle):
    voided = by_identifier(bundle, "MedicationAdministration")["5"]
    assert voided["status"] == "entered-in-error"
    assert flags(voided) == {"not-taken"}
    assert [n["text"] for n in voided["note"]] == [f"voided, not taken: {VOID_REASON}"]


def test_already_taken_is_coded_with_the_rule_it_broke(bundle):
    administrations = by_identifier(bundle, "MedicationAdministration")
    late = administrations["8"]
    assert flags(late) == {"already-taken"}
    assert [e["valueCoding"]["code"] for e in late["extension"] if e["url"] == RULE] == ["dose-window"]
    for value, administration in administrations.items():
        if value != "8":
            assert "already-taken" not in flags(administration)


@pytest.mark.slow
def test_excess_is_coded_on_the_dose_that_made_the_night_excess(patient, tmp_path: Path):
    patient.ok("log", now="2026-11-24T22:35+01:00")
    patient.ok("log", "--already-taken", "--note", "took a second one", now="2026-11-24T22:50+01:00")
    patient.ok("log", "2mg", "--already-taken", "--note", "took two", now="2026-11-23T22:50+01:00")
    raw, data = export_fhir(patient, tmp_path)
    validate_with_r4b(raw, data)
    administrations = by_identifier(data, "MedicationAdministration")
    assert flags(administrations["1"]) == set()  # the first dose of the night was as scheduled
    assert flags(administrations["2"]) == {"excess", "already-taken"}  # the second one
    assert flags(administrations["3"]) == {"excess", "already-taken"}  # one dose above schedule
    rules = {v: [e["valueCoding"]["code"] for e in a.get("extension", []) if e["url"] == RULE]
             for v, a in administrations.items()}
    assert rules == {"1": [], "2": ["one-dose-per-night"], "3": ["scheduled-dose"]}


def test_notes_voids_and_already_taken_are_kept_verbatim(bundle):
    notes = {a["identifier"][0]["value"]: [n["text"] for n in a.get("note", [])]
             for a in resources(bundle, "MedicationAdministration")}
    assert notes["1"] == [NOTE_ACCENTS]
    assert notes["2"] == [NOTE_FORMULA]  # JSON is not a spreadsheet: no neutralising here
    assert notes["4"] == [NOTE_TAB]
    assert notes["9"] == [NOTE_CR]
    assert notes["5"] == [f"voided, not taken: {VOID_REASON}"]
    assert any("already taken" in n and "the night's dose window" in n for n in notes["8"])  # the rule in words


def test_serious_side_effects_travel_as_suspected_reactions(bundle):
    (medication,) = resources(bundle, "Medication")
    withdrawal, hypotension = resources(bundle, "AdverseEvent")
    expected = [(withdrawal, "1", "withdrawal-symptoms", "Withdrawal symptoms", 4, "severe",
                 "2026-10-28T08:00:00+01:00", SYMPTOM_NOTE, set()),
                (hypotension, "2", "hypotension", "Hypotension", 3, "moderate",
                 "2026-10-30T08:15:00+01:00", "schwindelig beim Aufstehen", {"urgent"})]
    for event, number, code, text, score, level, at, note, flagged in expected:
        assert event["identifier"] == {"system": f"urn:medtrack:patient:{PATIENT_ID}:symptom", "value": number}
        assert event["actuality"] == "actual"
        assert event["event"]["text"] == text
        assert event["event"]["coding"][0]["code"] == code
        assert event["date"] == at  # with the offset of the moment
        assert event["severity"]["coding"][0]["code"] == level
        assert [e["valueInteger"] for e in event["extension"] if e["url"] == SEVERITY_SCORE] == [score]
        assert [e["valueAnnotation"]["text"] for e in event["extension"] if e["url"] == AE_NOTE] == [note]
        assert flags(event) == flagged
        (suspect,) = event["suspectEntity"]
        assert target(bundle, suspect["instance"]) is medication
        assert target(bundle, event["subject"])["resourceType"] == "Patient"


def test_an_urgent_adverse_event_is_serious_in_r4_terms_and_no_other_is(history, tmp_path: Path):
    """Hypotension (urgent: consult a doctor immediately) carries R4's seriousness, not only
    medtrack's urgent flag; withdrawal symptoms (a serious side effect of the monograph, but
    expected in a taper and not urgent) carry none rather than a guessed non-serious."""
    raw, data = export_fhir(history, tmp_path)
    validate_with_r4b(raw, data)
    withdrawal, hypotension = resources(data, "AdverseEvent")
    assert flags(hypotension) == {"urgent"} and flags(withdrawal) == set()
    (coding,) = hypotension["seriousness"]["coding"]
    assert coding == {"system": AE_SERIOUSNESS[0], "code": "serious", "display": "Serious"}
    assert coding["code"] in AE_SERIOUSNESS[1]
    assert "seriousness" not in withdrawal
    parsed = AdverseEvent.model_validate(hypotension)
    assert parsed.seriousness is not None and parsed.seriousness.coding is not None
    assert parsed.seriousness.coding[0].code == "serious"


def test_other_symptoms_travel_as_observations(patient, tmp_path: Path):
    patient.ok("symptom", "dizziness", "--severity", "2", "--note", "mornings", now="2026-11-25T08:00+01:00")
    patient.ok("symptom", "slept badly", now="2026-11-25T08:05+01:00")
    raw, data = export_fhir(patient, tmp_path)
    validate_with_r4b(raw, data)
    (medication,) = resources(data, "Medication")
    assert resources(data, "AdverseEvent") == []  # neither is a serious side effect
    dizziness, free_text = resources(data, "Observation")
    assert dizziness["status"] == "final"
    assert dizziness["code"]["text"] == "Dizziness" and dizziness["code"]["coding"][0]["code"] == "dizziness"
    assert dizziness["effectiveDateTime"] == "2026-11-25T08:00:00+01:00"
    assert dizziness["note"] == [{"text": "mornings"}]
    (severity,) = dizziness["component"]
    assert severity["code"]["coding"][0]["code"] == "severity" and severity["valueInteger"] == 2
    assert free_text["code"] == {"text": "slept badly"}
    assert "component" not in free_text and "note" not in free_text
    for observation in (dizziness, free_text):
        (link,) = [e["valueReference"] for e in observation["extension"] if e["url"] == RELATED_MEDICATION]
        assert target(data, link) is medication
    assert broken_references(data) == []


def test_every_reference_resolves_inside_the_bundle(bundle):
    assert broken_references(bundle) == []
    fields = {path.split(".")[1].split("[")[0] for e in bundle["entry"]
              for path, _ in references(e["resource"])}
    # the checker sees every kind of link the bundle makes
    assert fields == {"subject", "medicationReference", "request", "priorPrescription", "suspectEntity"}
    expected = {"subject": "Patient", "medicationReference": "Medication", "request": "MedicationRequest",
                "priorPrescription": "MedicationRequest"}
    for entry in bundle["entry"]:
        for field, kind in expected.items():
            if field in entry["resource"]:
                assert target(bundle, entry["resource"][field])["resourceType"] == kind


def test_the_reference_checker_catches_a_broken_reference(bundle):
    broken = copy.deepcopy(bundle)
    administration = resources(broken, "MedicationAdministration")[0]
    administration["request"]["reference"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert broken_references(broken) == [
        "MedicationAdministration.request -> urn:uuid:00000000-0000-4000-8000-000000000000"]
    # leaving out plan v1 breaks the chain from v2 and the administrations that point at it
    missing = copy.deepcopy(bundle)
    missing["entry"] = [e for e in missing["entry"] if e["resource"].get("identifier") != [
        {"system": f"urn:medtrack:patient:{PATIENT_ID}:regimen", "value": V1_ID}]]
    found = broken_references(missing)
    assert "MedicationRequest.priorPrescription" in found[0]
    assert len(found) == 1 + 7  # v2's priorPrescription and the seven administrations under v1


def test_a_clipped_bundle_holds_only_the_period(history, tmp_path: Path):
    raw, data = export_fhir(history, tmp_path, "--from", "2026-10-24", "--to", "2026-10-26")
    validate_with_r4b(raw, data)
    ids = [a["identifier"][0]["value"] for a in resources(data, "MedicationAdministration")]
    assert ids == ["3", "4", "5", "7"]
    assert resources(data, "AdverseEvent") == []  # both symptoms are later
    assert len(resources(data, "MedicationRequest")) == 3  # every order, so every link resolves
    assert broken_references(data) == []


def test_a_profile_without_any_record_still_gives_a_valid_bundle(run, tmp_path: Path):
    run.ok("init", "--name", "Ada", "--born", "1970-05-01", "--tz", "Europe/Berlin",
           now="2026-11-01T12:00+01:00")
    raw, data = export_fhir(run, tmp_path)
    validate_with_r4b(raw, data)
    assert [e["resource"]["resourceType"] for e in data["entry"]] == ["Patient", "Medication"]
    assert resources(data, "Patient")[0]["name"] == [{"text": "Ada"}]


def regimen(seq: int, start: str, *steps: tuple[str, int], kind: str = "plan",
            written: str | None = None) -> Regimen:
    created = dt.datetime.fromisoformat(written) if written else dt.datetime(2026, 1, seq, tzinfo=dt.UTC)
    return Regimen(kind, seq, seq, "Dr. X", tuple(Step(dt.date.fromisoformat(s), ug) for s, ug in steps),
                   created, version=seq, in_force_from=dt.date.fromisoformat(start))


def test_the_status_of_an_order_follows_what_happened_to_it():
    from medtrack.export.fhir_requests import status

    prescription = regimen(1, "2026-01-01", ("2026-01-01", 1000), kind="prescription")
    taper = regimen(2, "2026-02-01", ("2026-02-01", 500), ("2026-03-01", 0))
    restart = regimen(3, "2026-04-01", ("2026-04-01", 1000), kind="prescription")
    night = dt.date.fromisoformat
    both = (prescription, taper)
    assert status(prescription, both, night("2026-01-20")) == ("active", None)
    assert status(taper, both, night("2026-01-20")) == ("active", None)  # ordered, starts later
    assert status(taper, both, night("2026-02-20")) == ("active", None)
    assert status(taper, both, night("2026-03-01")) == ("completed", "the taper reached 0 mg on 2026-03-01")
    everything = (*both, restart)
    assert status(taper, everything, night("2026-04-02")) == (
        "completed", "replaced from 2026-04-01 by the prescription from 2026-04-01")  # it had run to its end
    assert status(prescription, everything, night("2026-04-02")) == (
        "stopped", "replaced from 2026-02-01 by taper plan version 2")
    # written on 01-04, before the restart's first night: that order never began
    early = regimen(4, "2026-03-15", ("2026-03-15", 250))
    assert status(restart, (*everything, early), night("2026-03-10")) == (
        "cancelled", "replaced by taper plan version 4 before it started")
    # a version written on 04-10 that starts on 04-01 replaces the running restart after the fact
    late = regimen(4, "2026-04-01", ("2026-04-01", 500), written="2026-04-10T09:00+00:00")
    assert status(restart, (*everything, late), night("2026-04-12")) == (
        "stopped", "replaced from 2026-04-01 by taper plan version 4")
