"""Bad input on every command and option: exit 2, one line on stderr, nothing written anywhere.

"Nothing written" is checked on the whole database (a sha256 of a `.dump`-like listing of the
schema and every row of every table, before and after) and on the folder (no new file).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import dump_digest

NOW = "2026-11-25T22:50+01:00"  # tonight's window is open: only the bad value can be the problem
DOSES = ["abc", "0", "0mg", "1e3", "1,5,5mg", "5 kg", "0.0001mg", "1..5", "½", "１mg", "nan", "1 000ug",
         "x" * 500]
DATES = ["2026-02-30", "2026-13-01", "26-11-25", "2026/11/25", "25.11.2026", "tomorrow", "", " ",
         "2026-11-25x", "0000-01-01", "1899-12-31", "3000-01-01", "2026-11-25\n2026-11-26", "٢٠٢٦-١١-٢٥"]
WHENS = ["2026-11-25 25:00", "2026-11-25 22:60", "2026-02-30 22:00", "yesterday", "22:61", "24:00", "",
         "2026-11-25T22:40+25:00", "2026-11-25T22:40+01:99", "2999-01-01 22:00", "2026-11-26 22:00",
         "2026-03-29 02:30", "2026-11-25 22:40 CET", "\x1b[2J2026-11-25 22:40"]
ZONES = ["Mars/Olympus_Mons", "Europe/../../etc/passwd", "/etc/localtime", "", " ", "UTC+1",
         "Europe/Berlin\x00", "europe berlin", "X" * 100]
CLOCKS = ["25:00", "22:60", "10pm", "2230", "", "-1:00", "22:30:00", "٢٢:٣٠"]
IDS = ["abc", "0", "1.5", "99999999999999999999", "99", "1e2", "+1", " ", "0x1"]
MONTHS = ["2026-13", "2026-1", "26-11", "2026-00", "November", "", "3000-01", "2026-11-01"]
PERCENTS = ["150%", "0%", "100%", "-5%", "abc%", "10 %%", "1e1%", "%"]
INTERVALS = ["0d", "3x", "2 weeks", "-1w", "d", "", "1.5w", "99999d"]
HOURS = ["3", "13", "7:30", "7,5", "abc", "7.123h", "", "-7"]
PINS = ["12", "abcd", "1234567890123", "", "12 34", "١٢٣٤"]


def cases() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def add(label: str, *argv: str) -> None:
        found.append((label, list(argv)))

    for dose in DOSES:
        add("log dose", "log", "--", dose)
        add("prescribe --dose", "prescribe", "--dose", dose, "--prescriber", "Dr. X")
        add("taper set --from", "taper", "set", "--start", "2027-01-01", "--from", dose, "--step",
            "0.25mg", "--every", "2w", "--prescriber", "Dr. X", "--reason", "r")
    for when in WHENS:
        add("log --at", "log", "--at", when)
        add("status --at", "status", "--at", when)
        add("symptom --at", "symptom", "headache", "--at", when)
    for date in DATES:
        add("skip --night", "skip", "--night", date)
        add("history --from", "history", "--from", date)
        add("history --to", "history", "--to", date)
        add("symptoms --from", "symptoms", "--from", date)
        add("export --to", "export", "--format", "csv", "-o", "{tmp}/r.csv", "--to", date)
        add("prescribe --start", "prescribe", "--dose", "1mg", "--prescriber", "Dr. X", "--start", date)
        add("profile set --born", "profile", "set", "--born", date)
        add("taper set --start", "taper", "set", "--start", date, "--from", "1mg", "--step", "0.25mg",
            "--every", "2w", "--prescriber", "Dr. X", "--reason", "r")
        add("taper hold --at", "taper", "hold", "--days", "3", "--reason", "r", "--at", date)
    for zone in ZONES:
        add("profile set --tz", "profile", "set", "--tz", zone)
    for clock in CLOCKS:
        add("profile set --bedtime", "profile", "set", "--bedtime", clock)
        add("profile set --wake", "profile", "set", "--wake", clock)
    for record_id in IDS:
        add("void ID", "void", "--reason", "typo", "--", record_id)
    for month in MONTHS:
        add("calendar --month", "calendar", "--month", month)
    for percent in PERCENTS:
        add("taper set --step", "taper", "set", "--start", "2027-01-01", "--from", "1mg", "--step",
            percent, "--every", "2w", "--prescriber", "Dr. X", "--reason", "r")
    for interval in INTERVALS:
        add("taper set --every", "taper", "set", "--start", "2027-01-01", "--from", "1mg", "--step",
            "0.25mg", "--every", interval, "--prescriber", "Dr. X", "--reason", "r")
    for hours in HOURS:
        add("prescribe --min-sleep", "prescribe", "--dose", "1mg", "--prescriber", "Dr. X",
            "--min-sleep", hours)
    for pin in PINS:
        add("lock --pin", "lock", "--pin", pin)
    for days in ["0", "-1", "abc", "1.5", "", "99999999999999999999"]:
        add("taper hold --days", "taper", "hold", "--days", days, "--reason", "r")
    for severity in ["0", "6", "two", "2.5", "-1", ""]:
        add("symptom --severity", "symptom", "headache", "--severity", severity)
    for years in ["0", "abc", "-1", "51"]:
        add("demo --years", "demo", "--years", years)
    for steps in ["", "2027-01-01", "2027-01-01=", "=1mg", "2027-01-01=1mg,2027-01-01=0.5mg",
                  "2027-02-30=1mg", "2027-01-01=abc", "2027-01-01=1mg;2027-02-01=0.5mg"]:
        add("taper set --steps", "taper", "set", "--steps", steps, "--prescriber", "Dr. X", "--reason", "r")
    for rounding in ["0", "abc", "-0.25mg", ""]:
        add("taper set --round", "taper", "set", "--start", "2027-01-01", "--from", "1mg", "--step",
            "0.25mg", "--every", "2w", "--round", rounding, "--prescriber", "Dr. X", "--reason", "r")
    for fmt in ["docx", "", "PDF ", "csv;rm"]:
        add("export --format", "export", "--format", fmt, "-o", "{tmp}/r.out")
    # empty free text where words are required
    add("void --reason", "void", "1", "--reason", "   ")
    add("prescribe --prescriber", "prescribe", "--dose", "1mg", "--prescriber", "  ")
    add("profile set --name", "profile", "set", "--name", " ")
    add("symptom NAME", "symptom", "   ")
    add("log --already-taken without note", "log", "--already-taken")
    add("taper step-back --reason", "taper", "step-back", "--reason", "")
    add("profile set --liver", "profile", "set", "--liver", "extreme")
    add("profile set --condition", "profile", "set", "--condition", "flu")
    add("profile set too little sleep", "profile", "set", "--bedtime", "03:00", "--wake", "06:30")
    # file paths
    add("export -o folder", "export", "--format", "csv", "-o", "{tmp}")
    add("export -o missing folder", "export", "--format", "csv", "-o", "{tmp}/no/such/r.csv")
    add("export -o existing", "export", "--format", "pdf", "-o", "{tmp}/existing.txt")
    add("export -o empty", "export", "--format", "csv", "-o", "")
    add("export -o symlink", "export", "--format", "csv", "--force", "-o", "{tmp}/link")
    add("import missing", "import", "{tmp}/nothing.csv")
    add("import folder", "import", "{tmp}")
    add("import text", "import", "{tmp}/existing.txt")
    add("import empty", "import", "{tmp}/empty.csv")
    add("import half good", "import", "{tmp}/half.csv")
    add("backup existing", "backup", "{tmp}/existing.txt")
    add("backup folder", "backup", "{tmp}")
    add("backup missing folder", "backup", "{tmp}/no/such/b.db")
    add("backup empty", "backup", "")
    add("backup itself", "backup", "--force", "{db}")
    add("restore missing", "restore", "{tmp}/nothing.db")
    add("restore folder", "restore", "{tmp}")
    add("restore text", "restore", "{tmp}/existing.txt")
    add("restore empty", "restore", "{tmp}/empty.csv")
    # usage
    add("unknown command", "frobnicate")
    add("unknown option", "log", "--dose", "1mg")
    add("missing value", "history", "--from")
    add("extra argument", "status", "now")
    add("no screen without a terminal", "tui")
    return found


# An empty value is taken as "not given" by these options (`if value:` in the services), so
# `medtrack log --at "$WHEN"` with WHEN unset records a dose *now*; `--db ''`, `-o ''`, a blank
# --reason and the parsers' own "is empty" messages show an empty value is meant to be refused.
def params() -> list[object]:  # pytest.param's type (ParameterSet) is not public
    found: list[object] = []
    for label, argv in cases():
        found.append(pytest.param(label, argv, id=case_id(label, argv)))
    return found


def case_id(label: str, argv: list[str]) -> str:
    option = label.split()[-1]
    value = argv[argv.index(option) + 1] if option in argv[:-1] else argv[-1]
    return f"{label}={value!r}"[:70]


CASES = params()


_PREPARED: dict[str, bytes] = {}


@pytest.fixture
def prepared(patient, db_path: Path, tmp_path: Path) -> Path:
    """The standard patient with a taper plan, a dose, a symptom; files to point commands at."""
    if "db" in _PREPARED:
        db_path.write_bytes(_PREPARED["db"])
    else:
        patient.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg",
                   "--every", "2w", "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
        patient.ok("log", now="2026-11-24T22:40+01:00")
        patient.ok("symptom", "headache", "--severity", "2", now="2026-11-25T09:00+01:00")
        patient.close()
        if not Path(f"{db_path}-wal").exists():
            _PREPARED["db"] = db_path.read_bytes()
    (tmp_path / "existing.txt").write_text("keep me\n")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "half.csv").write_text(
        "id,kind,night,time,dose_mg,scheduled_mg,status,already_taken,voids,note\n"
        "7,dose,2026-11-20,2026-11-20T22:40:00+01:00,1,1,taken,no,,\n"
        "8,dose,2026-11-21,2026-11-21T22:40:00+01:00,one,1,taken,no,,\n")
    (tmp_path / "link").symlink_to(tmp_path / "existing.txt")
    return db_path


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: (p.read_bytes() if p.is_file() else b"") for p in folder.iterdir()
            if not p.name.startswith("medtrack.db")}


@pytest.mark.parametrize("label, argv", CASES)
@pytest.mark.slow
def test_bad_input_is_exit_2_one_line_and_writes_nothing(prepared, patient, tmp_path, label, argv):
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{db}", str(prepared)) for a in argv]
    before, files = dump_digest(prepared), folder_state(tmp_path)
    result = patient(*argv, now=NOW)
    assert result.code == 2, result  # the runner also checks: one line, 'medtrack: ...', no traceback
    assert result.out == "", result
    patient.close()
    assert dump_digest(prepared) == before, "the database changed"
    assert folder_state(tmp_path) == files, "a file was written"


@pytest.mark.parametrize("argv", [
    ["--name", ""], ["--born", "1970-02-30"], ["--tz", "Mars/Base"], ["--bedtime", "25:00"],
    ["--wake", "6.30"], ["--liver", "yes"], ["--condition", "cold"], ["--born", "2999-01-01"],
])
def test_bad_input_to_init_creates_no_file(run, tmp_path, argv):
    values = {"--name": "Ada", "--born": "1970-05-01", "--tz": "Europe/Berlin"}
    values[argv[0]] = argv[1]
    flat = [x for pair in values.items() for x in pair]
    target = tmp_path / "new" / "medtrack.db"
    result = run("init", *flat, db=target)
    assert result.code == 2, result
    assert not target.exists() and not target.parent.exists()
