"""The fixed small history the exporter tests share, built through the real CLI with a fixed clock,
and the golden-file check (tests/export/golden/; MEDTRACK_UPDATE_GOLDEN=1 rewrites the files).

The patient lives in Europe/Berlin, born 1961-11-10: 64 when the taper starts, 65 from the night of
2026-11-10 (the monograph's elderly ceiling, 1 mg, applies from then on). Bedtime 22:30, wake 06:30:
each night's window runs 20:30-23:30.

    2026-10-01  prescription 1 mg by Dr. Weiß
    2026-10-10  taper plan v1: 10-15 1 mg, 10-22 0.75 mg, 11-05 0.5 mg, 11-19 0.25 mg, 12-03 0
    2026-10-28  hold 7 days (v2): 10-15 1 mg, 10-22 0.75 mg, 11-12 0.5 mg, 11-26 0.25 mg, 12-10 0

Records (ids in recording order), the DST change (CEST -> CET) in the night of 2026-10-25:

    #1 dose 10-20 22:35 CEST 1 mg      note with accents and emoji
    #2 skip 10-21 21:00 CEST           note `=HYPERLINK("x")`
    #3 dose 10-24 22:30 CEST 0.75 mg   note starting with ', entered by Nurse Kim
    #4 dose 10-25 22:30 CET  0.75 mg   note starting with a tab
    #5 dose 10-26 22:40 CET  0.75 mg   voided by #6 (reason starting with +)
    #6 void of #5, 22:45, entered by Nurse Kim
    #7 dose 10-26 22:50 CET  0.75 mg   note starting with -
    #8 dose 10-27, at 00:10 on 10-28 (after the window): recorded as already taken, note with @
    (10-28 missed)
    #9 dose 10-29 22:30 CET 0.75 mg    note starting with a carriage return

Symptoms: withdrawal symptoms (severity 4) on the morning of 10-28; low blood pressure (urgent,
severity 3, entered by Nurse Kim) on the morning of 10-30. Exports are made at 2026-10-30 12:00 CET.

Everything else is entered by RECORDER (tests/conftest.py sets MEDTRACK_USER to it), never by the
machine's login name.

The machine's zone never matters: every time is given with its offset and the profile names its zone.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

import pytest

ZONE = "Europe/Berlin"
NAME = "Zoë Ångström"
BORN = "1961-11-10"
PRESCRIBER = "Dr. Weiß"
EXPORT_AT = "2026-10-30T12:00+01:00"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("MEDTRACK_UPDATE_GOLDEN") == "1"

NOTE_ACCENTS = "Müdigkeit, café crème ☕ 😴"
NOTE_FORMULA = '=HYPERLINK("x")'
NOTE_QUOTE = "'quoted"
NOTE_TAB = "\ttabbed"
VOID_REASON = "+logged the wrong night"
NOTE_MINUS = "-2 h sleep"
NOTE_AT = "@forgot I had logged; took it late"
NOTE_CR = "\rcarriage return"
SYMPTOM_NOTE = "Ängste 😟"
NURSE = "Nurse Kim"  # enters #3, the void #6 and the urgent symptom with --by

# The plan after the hold, as `taper show` gives it, and the prescription before it.
PRESCRIPTION = ("2026-10-01", "2026-10-14", 1.0)
STEPS = [("2026-10-15", "2026-10-21", 1.0), ("2026-10-22", "2026-11-11", 0.75),
         ("2026-11-12", "2026-11-25", 0.5), ("2026-11-26", "2026-12-09", 0.25)]
END_OF_TAPER = "2026-12-10"

SETUP: list[tuple[str, tuple[str, ...]]] = [
    ("2026-10-01T12:00+02:00", ("init", "--name", NAME, "--born", BORN, "--tz", ZONE,
                                "--bedtime", "22:30", "--wake", "06:30")),
    ("2026-10-01T12:00+02:00", ("prescribe", "--dose", "1mg", "--prescriber", PRESCRIBER,
                                "--start", "2026-10-01")),
    ("2026-10-10T10:00+02:00", ("taper", "set", "--steps",
                                "2026-10-15=1mg,2026-10-22=0.75mg,2026-11-05=0.5mg,"
                                "2026-11-19=0.25mg,2026-12-03=0", "--prescriber", PRESCRIBER)),
]
HOLD = ("2026-10-28T10:00+01:00", ("taper", "hold", "--days", "7", "--at", "2026-10-28",
                                   "--reason", "withdrawal symptoms: sleeps badly"))
EVENTS: list[tuple[str, tuple[str, ...]]] = [
    ("2026-10-20T22:35+02:00", ("log", "--note", NOTE_ACCENTS)),
    ("2026-10-21T21:00+02:00", ("skip", "--note", NOTE_FORMULA)),
    ("2026-10-24T22:30+02:00", ("log", "--by", NURSE, "--note", NOTE_QUOTE)),
    ("2026-10-25T22:30+01:00", ("log", "--note", NOTE_TAB)),
    ("2026-10-26T22:40+01:00", ("log",)),
    ("2026-10-26T22:45+01:00", ("void", "5", "--by", NURSE, "--reason", VOID_REASON, "--not-taken")),
    ("2026-10-26T22:50+01:00", ("log", "--note", NOTE_MINUS)),
    ("2026-10-28T00:10+01:00", ("log", "--already-taken", "--note", NOTE_AT)),
    ("2026-10-28T08:00+01:00", ("symptom", "withdrawal symptoms", "--severity", "4",
                                "--note", SYMPTOM_NOTE)),
    HOLD,
    ("2026-10-29T22:30+01:00", ("log", "--note", NOTE_CR)),
    ("2026-10-30T08:15+01:00", ("symptom", "Low-Blood pressure", "--severity", "3", "--by", NURSE,
                                "--note", "schwindelig beim Aufstehen")),
]


def build_plan(run: Any, db: Path | None = None) -> None:
    """The profile, prescription and plan (with its hold) of the history, without any record."""
    for now, argv in [*SETUP, HOLD]:
        run.ok(*argv, now=now, db=db)


def build_history(run: Any, db: Path | None = None) -> None:
    """The whole history, in the order it happened."""
    for now, argv in [*SETUP, *EVENTS]:
        run.ok(*argv, now=now, db=db)


def export_bytes(run: Any, fmt: str, out: Path, *extra: str) -> bytes:
    run.ok("export", "--format", fmt, "-o", str(out), *extra)
    return out.read_bytes()


def check_golden(name: str, actual: bytes) -> None:
    """The bytes are the contract: compare with tests/export/golden/NAME (MEDTRACK_UPDATE_GOLDEN=1
    rewrites it; review the diff before committing)."""
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(actual)
    assert path.exists(), f"{path} is missing: run with MEDTRACK_UPDATE_GOLDEN=1 and review it"
    expected = path.read_bytes()
    if actual != expected:
        diff = "\n".join(difflib.unified_diff(
            expected.decode("utf-8", "replace").splitlines(),
            actual.decode("utf-8", "replace").splitlines(),
            f"golden/{name}", "export", lineterm="", n=2))
        pytest.fail(f"the export differs from golden/{name} (MEDTRACK_UPDATE_GOLDEN=1 to accept "
                    f"after review):\n{diff[:6000]}")
