"""Text from a user is data: stored and given back verbatim, never interpreted, never a crash.

tests/cli/test_cli_core.py checks one hostile string in the name, prescriber and dose notes.
Here every free-text field of every command gets a set of hostile strings and 100 kB, the JSON
must give each back exactly, plain output must carry no control character (no ESC, BEL, C1 CSI,
bidirectional override), markup must appear literally, and the CSV export must round-trip it.
"""

from __future__ import annotations

import csv
import subprocess

import pytest
from reliability_helpers import PYTHON, cli_env, integrity, rows

from medtrack.export.csv_export import restore as csv_restore

pytestmark = pytest.mark.slow  # hostile text through processes and the screen

HOSTILE = {
    "rich": "[bold red]LOUD[/] [link=file:///etc/passwd]click[/link] [/] [[escaped]] :pill: $HOME",
    "ansi": "\x1b[2J\x1b[H\x1b[31mred\x1b[0m \x1b]0;owned\x07 \x9b2J \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "sql": "Robert'); DROP TABLE record; -- \" ; DELETE FROM symptom WHERE 1=1; /*",
    "emoji": "💊🛌🏽👩\u200d⚕️ 🇩🇪 ﷽ Zalgo: Z̷̢͉a̶̛͎l̴g̵o̸ \u202eevil\u202c ٢٠٢٦",
    "format": "%s %d %(name)s {0} {name!r} \\N{BELL} \\x1b \\u202e <script>alert(1)</script> &amp;",
    "lines": "first\nsecond\r\nthird\rfourth\tTab\u2028para\u2029end\x0c\x0b",
    "formula": "=HYPERLINK(\"http://x\",\"y\") +1 -1 @SUM(A1) \t=1",
    "big": ("0123456789 abcdefghijklmnopqrstuvwxyz [b]x[/b] \x1b[1m " * 2000)[:100_000],
}
CONTROLS = ("\x1b", "\x07", "\x9b", "\x00", "\r", "\x0b", "\x0c", "\u202e", "\u202c")
IDS = list(HOSTILE)


def assert_plain(text: str) -> None:
    for control in CONTROLS:
        assert control not in text, f"{control!r} reached the terminal"


@pytest.mark.parametrize("kind", IDS)
def test_notes_reasons_and_symptoms_come_back_verbatim(patient, db_path, tmp_path, kind):
    text = HOSTILE[kind]
    log = patient.ok("log", "--note", text, "--json", now="2026-11-24T22:40+01:00").json()
    assert log["note"] == text
    patient.ok("void", str(log["id"]), "--reason", text, "--not-taken", now="2026-11-24T23:00+01:00")
    patient.ok("log", "0.5mg", "--note", text, now="2026-11-24T23:10+01:00")
    patient.ok("log", "1mg", "--already-taken", "--note", text, now="2026-11-24T23:20+01:00")
    patient.ok("skip", "--night", "2026-11-23", "--note", text, now="2026-11-24T23:30+01:00")
    symptom = patient.ok("symptom", text, "--note", text, "--json", now="2026-11-25T08:00+01:00").json()
    assert symptom["name"] == text.strip() and symptom["note"] == text

    history = patient.ok("history", "--json").json()
    assert [r["note"] for r in history] == [text, text, text, text]
    assert [r["void_reason"] for r in history if r["voided"]] == [text]
    (entry,) = patient.ok("symptoms", "--json").json()
    assert entry["name"] == text.strip() and entry["note"] == text
    raw_json = patient.ok("history", "--json").out
    assert "\x1b" not in raw_json and "\x07" not in raw_json  # JSON escapes C0 control characters

    for argv in (["history"], ["symptoms"], ["status"], ["log", "--note", text, "--at", "2026-11-22 22:40"]):
        out = patient.ok(*argv, now="2026-11-25T12:00+01:00").out
        assert_plain(out)
    if kind == "rich":  # markup is shown as typed, not rendered or dropped
        assert "[bold red]LOUD[/]" in patient.ok("history").out

    target = tmp_path / "record.csv"
    patient.ok("export", "--format", "csv", "-o", str(target), now="2026-11-25T12:00+01:00")
    with open(target, newline="", encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    notes = [csv_restore(r["note"]) for r in table if r["kind"] in ("dose", "skip")]
    assert notes and all(n == text for n in notes), notes[:1]
    patient.close()
    # the database holds the text itself, and all its tables are still there
    assert {r["note"] for r in rows(db_path) if r["kind"] != "void"} == {text}
    assert integrity(db_path) == "ok"


@pytest.mark.parametrize("kind", IDS)
def test_names_prescribers_and_reasons_come_back_verbatim(run, db_path, kind):
    text = HOSTILE[kind]
    stripped = text.strip()  # a name or prescriber is kept without outer spaces
    run.ok("init", "--name", text, "--born", "1970-05-01", "--tz", "Europe/Berlin",
           now="2026-11-01T12:00+01:00")
    assert run.ok("profile", "--json").json()["name"] == stripped
    run.ok("profile", "set", "--name", text + "!", now="2026-11-01T12:05+01:00")
    assert run.ok("profile", "--json").json()["name"] == (text + "!").strip()
    run.ok("profile", "set", "--condition", "glaucoma", now="2026-11-01T12:10+01:00")
    run.ok("prescribe", "--dose", "1mg", "--prescriber", text, "--start", "2026-11-01",
           "--acknowledge-contraindication", text, now="2026-11-01T12:15+01:00")
    plan = run.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg", "--every",
                  "2w", "--prescriber", text, "--json", now="2026-11-20T12:00+01:00").json()
    held = run.ok("taper", "hold", "--days", "3", "--reason", text, "--json",
                  now="2026-12-02T12:00+01:00").json()
    versions = run.ok("taper", "history", "--json").json()
    assert plan["prescriber"] == stripped
    assert held["prescriber"] == stripped
    assert [v.get("reason") for v in versions][:1] == [text], versions
    record = run.ok("log", "--json", now="2026-11-25T22:40+01:00").json()
    assert record["acknowledged_contraindication"] == text
    for argv in (["profile"], ["status"], ["history"], ["taper", "show"], ["taper", "history"],
                 ["calendar", "--month", "2026-12"]):
        assert_plain(run.ok(*argv, now="2026-12-02T21:00+01:00").out)


def test_the_screen_shows_hostile_text_literally_and_does_not_crash(patient, db_path):
    import asyncio
    import datetime as dt
    from zoneinfo import ZoneInfo

    from medtrack.clock import fixed_clock
    from medtrack.tui.app import MedtrackApp

    for i, kind in enumerate(["big", "ansi", "rich"]):  # newest first on screen: rich on top
        patient.ok("log", "--note", HOSTILE[kind], now=f"2026-11-{20 + i}T22:40+01:00")
        patient.ok("symptom", HOSTILE[kind], "--note", HOSTILE[kind], now=f"2026-11-{21 + i}T08:00+01:00")
    patient.close()
    now = dt.datetime(2026, 11, 25, 21, 0, tzinfo=ZoneInfo("Europe/Berlin"))

    async def look() -> list[str]:
        app = MedtrackApp(db_path, clock=fixed_clock(now))
        seen = []
        try:
            async with app.run_test(size=(160, 40)) as pilot:
                for key in ("h", "escape", "s"):
                    await pilot.press(key)
                    for _ in range(5):
                        await pilot.pause()
                        await app.workers.wait_for_complete()
                    await pilot.pause()
                    seen.append("\n".join(s.text for s in app.screen._compositor.render_strips()))
        finally:
            app.opening.close()
        return seen

    history, _, symptoms = asyncio.run(look())
    assert "[bold red]LOUD[/]" in history, history
    assert "[bold red]LOUD[/]" in symptoms, symptoms
    for screen in (history, symptoms):
        assert_plain(screen)


@pytest.mark.parametrize("argv", [[b"log", b"--note", b"caf\xe9"], [b"symptom", b"\xff\xfe"],
                                  [b"profile", b"set", b"--name", b"Ad\xe9"]],
                         ids=["log-note", "symptom-name", "profile-name"])
def test_text_that_is_not_utf8_is_bad_input_not_an_internal_error(patient_db, argv):
    proc = subprocess.run([PYTHON.encode(), b"-m", b"medtrack", *argv],
                          env=cli_env(patient_db, "2026-11-25T22:40+01:00"), capture_output=True, check=False,
                          timeout=60, stdin=subprocess.DEVNULL)
    err = proc.stderr.decode("utf-8", "replace")
    assert "internal error" not in err and "Traceback" not in err, err
    assert proc.returncode in (0, 2), (proc.returncode, err)


def test_plain_output_to_a_reader_that_goes_away_is_not_a_traceback(patient_db):
    """`medtrack history | head -c 10` on a long history: the reader leaves early."""
    for night in (1, 2, 3):
        proc = subprocess.run([PYTHON, "-m", "medtrack", "log", "--note", HOSTILE["big"]],
                              env=cli_env(patient_db, f"2026-11-{night:02d}T22:40+01:00"),
                              capture_output=True, check=False, timeout=60)
        assert proc.returncode == 0, proc.stderr
    reader = subprocess.Popen([PYTHON, "-m", "medtrack", "history"], env=cli_env(patient_db, "2026-11-25T22:40+01:00"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout is not None and reader.stderr is not None
    reader.stdout.read(10)
    reader.stdout.close()
    err = reader.stderr.read().decode()
    reader.wait(60)
    assert "Traceback" not in err and "Exception ignored" not in err, err
