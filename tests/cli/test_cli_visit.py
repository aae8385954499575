"""The CLI contract of issue 4 (doctor visit): symptom journal, hold suggestion, export, demo.

Every call goes through `medtrack.cli.main(argv)` in-process (the `run` fixture) with the clock
fixed by MEDTRACK_NOW; the full-disk case runs `python -m medtrack` in a subprocess with a file
size limit. The standard patient (`patient` fixture) lives in Europe/Berlin, born 1970-05-01,
bedtime 22:30, wake 06:30, on 1 mg from the night of 2026-11-01; unless a call says otherwise it
is 2026-11-25 20:00 in Berlin.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pytest

NOW = "2026-11-25T20:00+01:00"
TAPER = ("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every",
         "2w", "--prescriber", "Dr. Weiss")  # 11-15 1 mg, 11-29 0.75 mg, 12-13 0.5 mg, ...
TAPER_SET_AT = "2026-11-10T12:00+01:00"
MAGIC = {"pdf": b"%PDF-", "csv": b'\xef\xbb\xbf"id","kind","night"', "fhir": b"{",
         "ics": b"BEGIN:VCALENDAR", "xlsx": b"PK\x03\x04"}
SUFFIX = {"pdf": "pdf", "csv": "csv", "fhir": "json", "ics": "ics", "xlsx": "xlsx"}


def symptoms(run: Any, *extra: str) -> list[dict[str, Any]]:
    data = run.ok("symptoms", "--json", *extra).json()
    assert isinstance(data, list)
    return data


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# -- symptom / symptoms ----------------------------------------------------------------------------

URGENT = [
    ("respiratory depression", "respiratory-depression"),
    ("respiratory-depression", "respiratory-depression"),
    ("Respiratory Depression", "respiratory-depression"),
    ("  RESPIRATORY   depression ", "respiratory-depression"),
    ("respiratory_depression", "respiratory-depression"),
    ("low blood pressure", "hypotension"),
    ("Low-Blood-Pressure", "hypotension"),
    ("hypotension", "hypotension"),
    ("paradoxical reactions", "paradoxical-reactions"),
    ("Paradoxical-Reaction", "paradoxical-reactions"),
    ("suicidal thoughts", "suicidal-thoughts-or-behaviour"),
    ("Suicidal thoughts or behaviour", "suicidal-thoughts-or-behaviour"),
    ("suicidal behavior", "suicidal-thoughts-or-behaviour"),
]
NOT_URGENT = [
    ("withdrawal symptoms", "withdrawal-symptoms"),
    ("Withdrawal-Symptoms", "withdrawal-symptoms"),
    ("withdrawal", "withdrawal-symptoms"),
    ("dependence", "dependence"),
    ("physical dependence", "dependence"),
    ("headache", "headache"),
    ("felt strange after dinner", None),
    ("Kopfweh 🤕 seit Montag", None),
]


@pytest.mark.parametrize("name,effect", URGENT)
def test_urgent_side_effects_are_recognised_and_say_so(patient, name: str, effect: str):
    entry = patient.ok("symptom", name, "--severity", "3", "--json").json()
    assert entry["side_effect"] == effect
    assert entry["urgent"] is True
    message = entry["message"].lower()
    assert "doctor" in message and "emergency" in message and "now" in message
    assert entry["severity"] == 3
    plain = patient.ok("symptom", name)
    assert "URGENT" in plain.out and "doctor" in plain.out


@pytest.mark.parametrize("name,effect", NOT_URGENT)
def test_expected_effects_and_free_text_are_not_urgent(patient, name: str, effect: str | None):
    entry = patient.ok("symptom", name, "--json").json()
    assert entry["side_effect"] == effect
    assert entry["urgent"] is False
    assert not entry.get("message")
    if effect is None:
        assert entry["name"] == name.strip()  # free text kept as typed
    assert "URGENT" not in patient.ok("symptom", name).out


def test_a_side_effect_is_stored_under_its_monograph_name(patient):
    patient.ok("symptom", "  low-BLOOD pressure ", "--severity", "2", "--note", "beim Aufstehen 😵",
               now="2026-11-25T08:00+01:00")
    (entry,) = symptoms(patient)
    assert entry["name"] == "Hypotension" and entry["side_effect"] == "hypotension"
    assert entry["note"] == "beim Aufstehen 😵"
    assert entry["night"] == "2026-11-24"  # a morning belongs to the night before
    assert entry["at"] == "2026-11-25T08:00:00+01:00"


@pytest.mark.parametrize("severity", ["0", "6", "-1", "2.5", "high", "", "10"])
def test_severity_outside_1_to_5_is_bad_input(patient, severity: str):
    result = patient("symptom", "headache", f"--severity={severity}")
    assert result.code == 2, result
    assert symptoms(patient) == []


@pytest.mark.parametrize("severity", ["1", "5"])
def test_severity_1_and_5_are_accepted(patient, severity: str):
    assert patient.ok("symptom", "headache", "--severity", severity, "--json").json()["severity"] == int(severity)


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_an_empty_name_is_bad_input(patient, name: str):
    result = patient("symptom", name)
    assert result.code == 2, result
    assert symptoms(patient) == []


def test_symptom_at_a_given_time_and_not_in_the_future(patient):
    entry = patient.ok("symptom", "dizziness", "--at", "2026-11-20 23:10", "--json").json()
    assert entry["at"] == "2026-11-20T23:10:00+01:00" and entry["night"] == "2026-11-20"
    result = patient("symptom", "dizziness", "--at", "2026-11-26 08:00")
    assert result.code == 2, result
    assert len(symptoms(patient)) == 1


def test_symptoms_lists_a_range_of_nights(patient):
    for day in (3, 10, 17):
        patient.ok("symptom", "headache", "--severity", "2", now=f"2026-11-{day:02d}T21:00+01:00")
    assert [s["night"] for s in symptoms(patient)] == ["2026-11-03", "2026-11-10", "2026-11-17"]
    assert [s["night"] for s in symptoms(patient, "--from", "2026-11-04", "--to", "2026-11-17")] == [
        "2026-11-10", "2026-11-17"]
    assert [s["night"] for s in symptoms(patient, "--to", "2026-11-10")] == ["2026-11-03", "2026-11-10"]
    assert symptoms(patient, "--from", "2026-11-18") == []
    assert "No journal entries" in patient.ok("symptoms", "--from", "2026-11-18").out
    assert "headache" in patient.ok("symptoms").out.lower()


@pytest.mark.parametrize("argv", [("--from", "2026-11-20", "--to", "2026-11-10"),
                                  ("--from", "2026-02-30"), ("--to", "yesterday")])
def test_symptoms_bad_range_is_bad_input(patient, argv):
    result = patient("symptoms", *argv)
    assert result.code == 2, result


# -- the hold suggestion ------------------------------------------------------------------------------


def hold_warnings(run: Any, now: str = NOW) -> list[str]:
    warnings = run.ok("status", "--json", now=now).json()["warnings"]
    return [w for w in warnings if "hold" in w.lower()]


@pytest.fixture
def tapering(patient):
    """The standard patient on a taper: tonight (11-25) is in the first step (11-15 .. 11-28)."""
    patient.ok(*TAPER, now=TAPER_SET_AT)
    return patient


@pytest.mark.parametrize("argv,at", [
    (("withdrawal symptoms", "--severity", "4"), "2026-11-20T21:00+01:00"),
    (("headache", "--severity", "5"), "2026-11-25T08:00+01:00"),
    (("respiratory depression",), "2026-11-15T22:00+01:00"),  # urgent, no severity
    (("hypotension", "--severity", "1"), "2026-11-24T21:00+01:00"),  # urgent, mild
])
@pytest.mark.slow
def test_a_severe_or_urgent_symptom_in_the_current_step_suggests_a_hold(tapering, argv, at):
    plan_before = tapering.ok("taper", "show", "--json").json()
    assert hold_warnings(tapering) == []
    tapering.ok("symptom", *argv, now=at)
    (warning,) = hold_warnings(tapering)
    assert "prescriber" in warning.lower()
    assert tapering.ok("symptom", *argv, "--json", now=at).json()["name"] in warning
    # only a suggestion: the plan is not changed
    assert tapering.ok("taper", "show", "--json").json() == plan_before
    assert len(tapering.ok("taper", "history", "--json").json()) == 1


@pytest.mark.parametrize("argv,at", [
    (("headache", "--severity", "3"), "2026-11-20T21:00+01:00"),  # not severe
    (("withdrawal symptoms",), "2026-11-20T21:00+01:00"),  # no severity, not urgent
    (("withdrawal symptoms", "--severity", "5"), "2026-11-14T21:00+01:00"),  # before the step
    (("hypotension", "--severity", "5"), "2026-11-15T08:00+01:00"),  # night of 11-14: before
])
def test_no_hold_suggestion_for_mild_symptoms_or_before_the_step(tapering, argv, at):
    tapering.ok("symptom", *argv, now=at)
    assert hold_warnings(tapering) == []


def test_the_suggestion_ends_with_the_step(tapering):
    tapering.ok("symptom", "withdrawal symptoms", "--severity", "5", now="2026-11-20T21:00+01:00")
    assert len(hold_warnings(tapering, "2026-11-28T20:00+01:00")) == 1  # last night of the step
    assert hold_warnings(tapering, "2026-11-29T20:00+01:00") == []  # the next step


def test_no_hold_suggestion_before_the_plan_starts(tapering):
    tapering.ok("symptom", "respiratory depression", "--severity", "5", now="2026-11-12T21:00+01:00")
    assert hold_warnings(tapering, "2026-11-13T20:00+01:00") == []  # the prescription is in force


def test_no_hold_suggestion_without_a_plan(patient):
    patient.ok("symptom", "respiratory depression", "--severity", "5", now="2026-11-24T21:00+01:00")
    patient.ok("symptom", "withdrawal symptoms", "--severity", "5", now="2026-11-25T08:00+01:00")
    assert hold_warnings(patient) == []


# -- export ---------------------------------------------------------------------------------------------


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def dosed(patient):
    patient.ok("log", "--note", "café 😴", now="2026-11-20T22:30+01:00")
    patient.ok("skip", "--note", "=1+1", now="2026-11-21T21:00+01:00")
    patient.ok("symptom", "headache", "--severity", "2", now="2026-11-22T09:00+01:00")
    return patient


@pytest.mark.parametrize("fmt", ["pdf", "csv", "xlsx", "fhir", "ics"])
@pytest.mark.slow
def test_export_each_format_to_a_private_file(dosed, outdir: Path, fmt: str):
    target = outdir / f"report.{SUFFIX[fmt]}"
    old = os.umask(0)
    try:
        result = dosed.ok("export", "--format", fmt, "-o", str(target))
    finally:
        os.umask(old)
    assert str(target) in result.out
    assert target.read_bytes().startswith(MAGIC[fmt])
    assert mode(target) == 0o600
    assert os.listdir(outdir) == [target.name]  # no temporary file left behind


def test_an_existing_file_needs_force(dosed, outdir: Path):
    target = outdir / "report.csv"
    target.write_bytes(b"keep me")
    target.chmod(0o644)
    result = dosed("export", "--format", "csv", "-o", str(target))
    assert result.code == 2 and "--force" in result.err, result
    assert target.read_bytes() == b"keep me"
    dosed.ok("export", "--format", "csv", "-o", str(target), "--force")
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"), newline="")))
    assert len(rows) == 3
    assert mode(target) == 0o600
    assert os.listdir(outdir) == ["report.csv"]


@pytest.mark.parametrize("force", [(), ("--force",)])
def test_a_symlinked_target_is_refused(dosed, outdir: Path, tmp_path: Path, force):
    real = tmp_path / "real.csv"
    real.write_bytes(b"keep me")
    link = outdir / "report.csv"
    link.symlink_to(real)
    dangling = outdir / "dangling.csv"
    dangling.symlink_to(tmp_path / "nowhere.csv")
    for target in (link, dangling):
        result = dosed("export", "--format", "csv", "-o", str(target), *force)
        assert result.code == 2 and "link" in result.err, result
    assert real.read_bytes() == b"keep me"
    assert not (tmp_path / "nowhere.csv").exists()
    assert link.is_symlink() and dangling.is_symlink()
    assert sorted(os.listdir(outdir)) == ["dangling.csv", "report.csv"]


@pytest.mark.parametrize("argv", [
    ("--format", "csv", "-o", "{out}/missing/report.csv"),
    ("--format", "csv", "-o", "{out}"),  # a folder
    ("--format", "csv", "-o", "{out}/report.csv", "--from", "2026-11-20", "--to", "2026-11-10"),
    ("--format", "csv", "-o", "{out}/report.csv", "--from", "2026-11-31"),
    ("--format", "docx", "-o", "{out}/report.docx"),
    ("--format", "PDF ", "-o", "{out}/report.pdf"),
    ("--format", "csv", "-o", ""),
    ("--format", "csv"),
    ("-o", "{out}/report.csv"),
])
def test_export_bad_input_exits_2_and_writes_nothing(dosed, outdir: Path, argv):
    result = dosed("export", *[a.replace("{out}", str(outdir)) for a in argv])
    assert result.code == 2, result
    assert os.listdir(outdir) == []


def test_export_range_is_by_night(dosed, outdir: Path):
    target = outdir / "r.csv"
    dosed.ok("export", "--format", "csv", "-o", str(target), "--from", "2026-11-21", "--to", "2026-11-21")
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8"), newline="")))
    assert [r[1:3] for r in rows[1:]] == [["skip", "2026-11-21"]]


def test_a_crash_while_writing_leaves_nothing_behind(dosed, outdir: Path, monkeypatch):
    import medtrack.export.csv_export as csv_export

    def broken(data: object, stream: IO[bytes]) -> None:
        stream.write(b"half a file")
        raise RuntimeError("crashed half way")

    monkeypatch.setattr(csv_export, "write_csv", broken)
    target = outdir / "report.csv"
    result = dosed("export", "--format", "csv", "-o", str(target))
    assert result.code == 1 and "nothing was written" in result.err, result
    assert os.listdir(outdir) == []
    target.write_bytes(b"the old report")
    result = dosed("export", "--format", "csv", "-o", str(target), "--force")
    assert result.code == 1, result
    assert target.read_bytes() == b"the old report" and os.listdir(outdir) == ["report.csv"]


def _limited(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def _export_with_full_disk(db: Path, fmt: str, target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
    env.update(MEDTRACK_DB=str(db), MEDTRACK_NOW=NOW, TZ="UTC")
    # 40 kB: enough for SQLite's 32 kB shared-memory file, not for the export of a year of nights
    return subprocess.run([sys.executable, "-m", "medtrack", "export", "--format", fmt, "-o",
                           str(target), *extra], env=env, capture_output=True, text=True,
                          preexec_fn=_limited(40_000), timeout=60)


_DEMO: dict[str, bytes] = {}


@pytest.fixture
def demo(run):
    """`run` on a one-year demo database (made once through the CLI, then copied)."""
    if "db" in _DEMO and isinstance(run.db, Path):
        run.db.write_bytes(_DEMO["db"])
        run.db.chmod(0o600)
        return run
    run.ok("demo")
    run.close()
    if isinstance(run.db, Path) and not Path(f"{run.db}-wal").exists():
        _DEMO["db"] = run.db.read_bytes()
    return run


@pytest.mark.parametrize("fmt", ["fhir", "pdf"])
@pytest.mark.slow
def test_a_full_disk_is_exit_4_with_nothing_at_the_target(demo, outdir: Path, fmt: str):
    demo.close()
    target = outdir / f"report.{SUFFIX[fmt]}"
    done = _export_with_full_disk(demo.db, fmt, target)
    assert done.returncode == 4, done
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("medtrack: ") and "full" in lines[0], done
    assert "Traceback" not in done.stderr
    assert os.listdir(outdir) == []  # neither the target nor a temporary file
    # with --force over an old file: the old file stays whole
    target.write_bytes(b"the old report")
    done = _export_with_full_disk(demo.db, fmt, target, "--force")
    assert done.returncode == 4, done
    assert target.read_bytes() == b"the old report"
    assert os.listdir(outdir) == [target.name]


# -- demo ----------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_fills_an_empty_database(run, db_path: Path):
    result = run.ok("demo")
    assert str(db_path) in result.out
    assert run.ok("profile", "--json").json()["name"]
    records = run.ok("history", "--json").json()
    nights = sorted({dt.date.fromisoformat(r["night"]) for r in records})
    assert 300 <= len(nights) <= 365
    tonight = dt.date(2026, 11, 25)
    assert tonight - dt.timedelta(days=5) <= nights[-1] < tonight  # up to recently, never tonight
    assert (dt.date(2026, 11, 25) - nights[0]).days <= 366
    assert run.ok("status", "--json").json()["state"] == "not_yet"


def test_demo_refuses_a_database_with_data(patient, db_path: Path):
    before = patient.ok("history", "--json").json()
    result = patient("demo")
    assert result.code == 2, result
    assert patient.ok("profile", "--json").json()["name"] == "Ada Muster"
    assert patient.ok("history", "--json").json() == before


def test_a_second_demo_is_refused(demo):
    before = demo.ok("history", "--json").json()
    result = demo("demo")
    assert result.code == 2, result
    assert demo.ok("history", "--json").json() == before


@pytest.mark.parametrize("years", ["0", "-1", "abc", "51", "1.5"])
def test_demo_years_must_be_a_small_positive_number(run, years: str):
    result = run("demo", f"--years={years}")
    assert result.code == 2, result


@pytest.mark.slow
def test_demo_two_years_is_a_realistic_history(run):
    run.ok("demo", "--years", "2")
    records = run.ok("history", "--json").json()
    by_night: dict[dt.date, list[dict[str, Any]]] = {}
    for record in records:
        by_night.setdefault(dt.date.fromisoformat(record["night"]), []).append(record)
    first, last = min(by_night), max(by_night)
    assert 700 <= (last - first).days + 1 <= 731  # about two years of nights
    missed = [n for n in (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
              if n not in by_night]
    assert 5 <= len(missed) <= 150
    assert sum(r["kind"] == "skip" for r in records) >= 5
    voided = [r for r in records if r["voided"]]
    assert len(voided) == 1 and voided[0]["void_reason"]
    # the voided night still has its corrected dose
    assert any(r["kind"] == "dose" and not r["voided"] for r in by_night[dt.date.fromisoformat(voided[0]["night"])])
    journal = symptoms(run)
    assert len(journal) >= 10
    assert any(s["side_effect"] == "withdrawal-symptoms" and s["severity"] >= 4 for s in journal)
    versions = run.ok("taper", "history", "--json").json()
    assert len(versions) >= 2
    assert any(v["change"].startswith("hold") and v["reason"] for v in versions)
    assert run.ok("taper", "show", "--json").json()["steps"][-1]["dose_mg"] == 0


@pytest.mark.slow
def test_a_demo_database_exports_to_all_four_formats(demo, outdir: Path):
    from fhir.resources.R4B.bundle import Bundle
    from icalendar import Calendar

    records = demo.ok("history", "--json").json()
    for fmt in ("pdf", "csv", "fhir", "ics"):
        demo.ok("export", "--format", fmt, "-o", str(outdir / f"demo.{SUFFIX[fmt]}"))
    assert (outdir / "demo.pdf").read_bytes().startswith(b"%PDF-")
    rows = list(csv.reader(io.StringIO((outdir / "demo.csv").read_text("utf-8"), newline="")))
    voids = sum(r["voided"] for r in records)
    assert len(rows) == 1 + len(records) + voids
    bundle = Bundle.model_validate_json((outdir / "demo.json").read_bytes())
    assert bundle.type == "collection"
    administrations = [e for e in json.loads((outdir / "demo.json").read_bytes())["entry"]
                       if e["resource"]["resourceType"] == "MedicationAdministration"]
    assert len(administrations) == len(records)
    cal = Calendar.from_ical((outdir / "demo.ics").read_bytes())
    assert cal.walk("VTIMEZONE") and cal.walk("VEVENT")
    assert sorted(os.listdir(outdir)) == ["demo.csv", "demo.ics", "demo.json", "demo.pdf"]
