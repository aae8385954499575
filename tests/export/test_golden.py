"""Golden files of the CSV, FHIR and iCalendar exporters on the fixed small history (see conftest).

The history is built from scratch through the CLI under several machine zones: the bytes must
not change with the zone of the machine (the profile's zone is the only one that counts), and the
clock is fixed by MEDTRACK_NOW. Regenerate with MEDTRACK_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from exporthist import build_history, check_golden, export_bytes

FORMATS = [("csv", "history.csv"), ("fhir", "history.fhir.json"), ("ics", "history.ics")]
CLIP = ("--from", "2026-10-24", "--to", "2026-11-15")


@pytest.mark.parametrize("machine_zone", ["UTC", "America/New_York", "Asia/Kathmandu"],
                         indirect=True)
@pytest.mark.slow
def test_exports_match_the_golden_files_whatever_the_machine_zone(run, machine_zone, tmp_path: Path):
    build_history(run)
    run.now = "2026-10-30T12:00+01:00"
    for fmt, name in FORMATS:
        check_golden(name, export_bytes(run, fmt, tmp_path / name))


@pytest.mark.parametrize("fmt,name", [("csv", "clipped.csv"), ("fhir", "clipped.fhir.json"),
                                      ("ics", "clipped.ics")])
def test_clipped_exports_match_the_golden_files(history, tmp_path: Path, fmt: str, name: str):
    check_golden(name, export_bytes(history, fmt, tmp_path / name, *CLIP))


def test_exports_are_deterministic(history, tmp_path: Path):
    for fmt, name in FORMATS:
        first = export_bytes(history, fmt, tmp_path / f"a-{name}")
        again = export_bytes(history, fmt, tmp_path / f"b-{name}")
        assert first == again, fmt


@pytest.mark.slow
def test_a_later_clock_changes_only_the_stamps(history, tmp_path: Path):
    """The export time shows only as the bundle timestamp and the DTSTAMP (a MedicationRequest's
    authoredOn is when the doctor's order was recorded, not when it was exported)."""
    history.now = "2026-10-30T12:00+01:00"
    early = {fmt: export_bytes(history, fmt, tmp_path / f"early.{fmt}") for fmt, _ in FORMATS}
    history.now = "2026-10-30T12:05+01:00"
    late = {fmt: export_bytes(history, fmt, tmp_path / f"late.{fmt}") for fmt, _ in FORMATS}
    assert early["csv"] == late["csv"]
    assert early["fhir"].count(b"2026-10-30T12:00:00+01:00") == 1
    assert early["fhir"].replace(b'"timestamp": "2026-10-30T12:00:00+01:00"',
                                 b'"timestamp": "2026-10-30T12:05:00+01:00"') == late["fhir"]
    assert early["ics"].replace(b"DTSTAMP:20261030T110000Z", b"DTSTAMP:20261030T110500Z") == late["ics"]
