"""Issue 18: the FHIR export tells one truth about every night, the one the CLI tells.

Orders: after a taper hold and a step back, every night from the prescription's start to well
after the last change is claimed by exactly one MedicationRequest dosage period, and its dose is
the one `calendar --json` and `taper show --json` give for that night. A skip entered late lands
on its own night, not on the night it was typed in.

Everything runs through the real `medtrack` entry point on the standard Berlin patient
(tests/conftest.py: 1 mg from 2026-11-01, bedtime 22:30, wake 06:30).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from test_fhir_export import (
    broken_references,
    export_fhir,
    resources,
    target,
    validate_with_r4b,
)

from medtrack.core.nights import night_of

BERLIN = ZoneInfo("Europe/Berlin")
DAY = dt.timedelta(days=1)
RECORDED = "http://hl7.org/fhir/5.0/StructureDefinition/extension-MedicationAdministration.recorded"
PLAN = ("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
        "--prescriber", "Dr. Weiss")
HOLD = ("taper", "hold", "--days", "7", "--at", "2026-12-20", "--reason", "withdrawal symptoms")
STEP_BACK = ("taper", "step-back", "--at", "2027-01-10", "--reason", "could not sleep")
# A second plan written before the first one began: the first is never in force.
REPLAN = ("taper", "set", "--steps", "2026-11-28=0.75mg,2026-12-12=0.5mg,2026-12-26=0",
          "--prescriber", "Dr. Weiss", "--reason", "start earlier, gentler")

# (clock, argv) in the order the doctor entered them, and the export's clock.
SCENARIOS = {
    # each change entered on the night it starts: the older versions have been replaced
    "as-it-happened": ([("2026-11-25T20:00+01:00", PLAN), ("2026-12-20T10:00+01:00", HOLD),
                        ("2027-01-10T10:00+01:00", STEP_BACK)], "2027-01-10T21:00+01:00"),
    # every change written in advance: all versions are still orders for the future
    "written-ahead": ([("2026-11-25T10:00+01:00", PLAN), ("2026-11-25T11:00+01:00", HOLD),
                       ("2026-11-25T12:00+01:00", STEP_BACK)], "2026-11-25T20:00+01:00"),
    # a plan replaced before its first night, then held and stepped back
    "replaced-before-start": ([("2026-11-25T10:00+01:00", PLAN), ("2026-11-26T10:00+01:00", REPLAN),
                               ("2026-11-26T11:00+01:00",
                                ("taper", "hold", "--days", "5", "--at", "2026-12-14", "--reason", "r")),
                               ("2026-11-26T12:00+01:00",
                                ("taper", "step-back", "--at", "2026-12-22", "--reason", "r"))],
                              "2026-11-26T20:00+01:00"),
}
PRESCRIBED_FROM = dt.date(2026, 11, 1)
LAST_CHANGE = {"as-it-happened": dt.date(2027, 1, 10), "written-ahead": dt.date(2027, 1, 10),
               "replaced-before-start": dt.date(2026, 12, 22)}


def nights(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + i * DAY for i in range((last - first).days + 1)]


def mg_or_none(value: float | None) -> float | None:
    """0 mg and nothing scheduled are the same night for a patient (the CLI says null)."""
    return value or None


def claims(bundle: dict[str, Any], night: dt.date) -> list[tuple[dict[str, Any], float | None]]:
    """Every (MedicationRequest, dose) whose dosage period covers the night."""
    found = []
    for request in resources(bundle, "MedicationRequest"):
        for instruction in request.get("dosageInstruction", []):
            bounds = instruction["timing"]["repeat"]["boundsPeriod"]
            start = dt.date.fromisoformat(bounds["start"])
            end = dt.date.fromisoformat(bounds["end"]) if "end" in bounds else None
            if start <= night and (end is None or night <= end):
                found.append((request, mg_or_none(instruction["doseAndRate"][0]["doseQuantity"]["value"])))
    return found


def calendar_mg(run: Any, first: dt.date, last: dt.date) -> dict[dt.date, float | None]:
    """Each night's scheduled dose as `calendar --json --month` gives it."""
    months = sorted({(n.year, n.month) for n in nights(first, last)})
    out = {}
    for year, month in months:
        for night in run.ok("calendar", "--json", "--month", f"{year}-{month:02d}").json()["nights"]:
            out[dt.date.fromisoformat(night["night"])] = night["scheduled_mg"]
    return out


def plan_mg(run: Any) -> dict[dt.date, float | None]:
    """The current plan's dose for each night of its steps, as `taper show --json` gives it (the
    open-ended final step is left to the calendar)."""
    out = {}
    for step in run.ok("taper", "show", "--json").json()["steps"]:
        if step["end"] is None:
            continue
        for night in nights(dt.date.fromisoformat(step["start"]), dt.date.fromisoformat(step["end"])):
            out[night] = mg_or_none(step["dose_mg"])
    return out


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_exactly_one_order_is_in_force_each_night_and_says_what_the_cli_says(patient: Any, tmp_path: Path,
                                                                           scenario: str) -> None:
    changes, export_at = SCENARIOS[scenario]
    for now, argv in changes:
        patient.ok(*argv, now=now)
    patient.now = export_at
    raw, bundle = export_fhir(patient, tmp_path)
    validate_with_r4b(raw, bundle)
    assert broken_references(bundle) == []

    last = LAST_CHANGE[scenario] + 60 * DAY
    calendar = calendar_mg(patient, PRESCRIBED_FROM, last)
    plan = plan_mg(patient)
    for night in nights(PRESCRIBED_FROM, last):
        found = claims(bundle, night)
        assert len(found) == 1, (night, [(r["identifier"][0]["value"], r["status"], dose) for r, dose in found])
        (request, dose) = found[0]
        assert dose == calendar[night], night
        if night in plan:
            assert dose == plan[night], night
        assert request["status"] in {"active", "completed", "stopped"}, night

    requests = resources(bundle, "MedicationRequest")
    assert len(requests) == (5 if scenario == "replaced-before-start" else 4)  # the prescription + versions
    for request in requests:
        periods = [i["timing"]["repeat"]["boundsPeriod"] for i in request.get("dosageInstruction", [])]
        if request["status"] == "cancelled":  # never in force: it claims no night
            assert periods == [] and "before it started" in request["statusReason"]["text"]
        elif request is not requests[-1]:  # replaced: its last period ends, and says by whom
            assert "end" in periods[-1]
            if request["status"] != "active":
                assert "replaced from" in request["statusReason"]["text"]
                replaced_from = request["statusReason"]["text"].split()[2]
                assert dt.date.fromisoformat(periods[-1]["end"]) + DAY == dt.date.fromisoformat(replaced_from)
        if "priorPrescription" in request:
            target(bundle, request["priorPrescription"])
    if scenario == "as-it-happened":
        assert [r["status"] for r in requests] == ["stopped", "stopped", "stopped", "active"]
    if scenario == "replaced-before-start":
        assert requests[1]["status"] == "cancelled"


def test_a_skip_entered_later_lands_on_its_own_night(patient: Any, tmp_path: Path) -> None:
    patient.ok("log", now="2026-11-25T22:40+01:00")
    patient.ok("skip", "--night", "2026-11-07", now="2026-11-25T22:50+01:00")
    patient.now = "2026-11-25T23:00+01:00"
    raw, bundle = export_fhir(patient, tmp_path)
    validate_with_r4b(raw, bundle)

    records = {str(r["id"]): r for r in patient.ok("history", "--json").json()}
    administrations = resources(bundle, "MedicationAdministration")
    assert len(administrations) == 2
    for administration in administrations:
        record = records[administration["identifier"][0]["value"]]
        if "effectiveDateTime" in administration:
            landed = {night_of(dt.datetime.fromisoformat(administration["effectiveDateTime"]), BERLIN)}
        else:
            period = administration["effectivePeriod"]
            landed = {night_of(dt.datetime.fromisoformat(period[k]), BERLIN) for k in ("start", "end")}
        assert landed == {dt.date.fromisoformat(record["night"])}, administration

    (skip,) = [a for a in administrations if a["status"] == "not-done"]
    assert "effectiveDateTime" not in skip
    # the night's dose window, from its opening two hours before bedtime to the latest time
    assert skip["effectivePeriod"] == {"start": "2026-11-07T20:30:00+01:00", "end": "2026-11-07T23:30:00+01:00"}
    # when it was typed in is kept, as such
    assert {"url": RECORDED, "valueDateTime": "2026-11-25T22:50:00+01:00"} in skip["extension"]
    # the order in force on 11-07 is the prescription
    (prescription,) = resources(bundle, "MedicationRequest")
    assert target(bundle, skip["request"]) is prescription
