"""`medtrack status` says when nothing can be recorded (a damaged index page, a write-protected
file), first, in a warning line and in `status --json`, instead of inviting the dose; it still
exits 0 with the night's facts, and checking writes nothing.

A write-protected file as root: root ignores the mode bits, so the file gets the immutable
attribute (`chattr +i`, which binds root too) for the test; as another user, mode 0400.
"""

from __future__ import annotations

import pytest

from file_faults import damage_index, write_protected

pytestmark = pytest.mark.sqlite_only  # about the SQLite file itself

IN_WINDOW = "2026-11-25T22:40+01:00"








def test_a_sound_database_has_no_warning_and_says_writable_in_json(patient):
    out = patient.ok("status", now=IN_WINDOW).out
    assert "Warning" not in out
    assert "Take 1 mg now" in out
    assert patient.ok("status", "--json", now=IN_WINDOW).json()["database"] == {
        "writable": True, "problem": None, "message": None, "what_to_do": None}


def test_a_damaged_index_is_warned_first_and_the_dose_is_not_invited(patient, db_path):
    patient.close()
    damage_index(db_path)
    before = db_path.read_bytes()
    result = patient.ok("status", now=IN_WINDOW)
    lines = result.out.splitlines()
    assert lines[0].startswith("! Warning: medtrack's records are damaged, so nothing can be recorded")
    assert "restore your latest backup with medtrack restore BACKUP-FILE" in lines[1]
    assert "Take 1 mg now" not in result.out
    assert ("Tonight's dose by your plan: 1 mg, until 23:30, just before you go to bed; do not drive or "
            "use machines afterwards. If you are not sure whether you took tonight's dose already, ask "
            "for help before you take it.") in result.out
    assert "Window: opens 20:30, latest 23:30" in result.out  # the night's facts are all there
    database = patient.ok("status", "--json", now=IN_WINDOW).json()["database"]
    assert database["writable"] is False and database["problem"] == "damaged"
    assert "write down the time and the dose on paper" in database["what_to_do"]
    patient.close()
    assert db_path.read_bytes() == before


def test_a_write_protected_file_is_warned_and_left_as_it_was(patient, db_path):
    patient.close()
    before = db_path.read_bytes()
    with write_protected(db_path):
        result = patient.ok("status", now=IN_WINDOW)
        data = patient.ok("status", "--json", now=IN_WINDOW).json()
        patient.close()
    assert result.out.startswith("! Warning: medtrack's records are read-only here, so nothing can "
                                 "be recorded.\n")
    assert "chmod 600 FILE" in result.out  # the command line may name what to type
    assert "Take 1 mg now" not in result.out
    assert data["state"] == "due"
    assert data["database"]["problem"] == "read_only" and data["database"]["writable"] is False
    assert db_path.read_bytes() == before
    # writable again: no warning
    assert "Warning" not in patient.ok("status", now=IN_WINDOW).out
