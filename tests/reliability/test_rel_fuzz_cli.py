"""Hypothesis drives the real CLI (`medtrack.cli.main(argv)`, in-process) with generated arguments.

The argument lists are built from the parser's own commands and options (read from argparse, so a
new option is fuzzed as soon as it exists), with values that are right, nearly right, or junk,
and junk tokens mixed in. Each example starts from the standard patient with a dose and a taper
plan and runs a few commands at various moments. After every command: no traceback, an exit code
in {0, 2, 3, 4} (or 5 from `remind`: the desktop lacks a session bus or systemd), one
'medtrack: ...' line for any but 0. After the example: the file is sound and
the rules hold (no night with two counted planned doses, none above the ceiling or its scheduled
dose, none within 12 hours of another).

File paths are only ever drawn from a sandbox (the working folder is a fresh temporary one) and
never name the database itself (see test_rel_backup.py for what `restore` does with it). The
home, config and state folders are the test's too, with no session bus and a `systemctl` that
refuses: `remind --install` once could have installed a timer in the machine's own systemd.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from reliability_helpers import integrity, rule_violations

from medtrack.cli import main
from medtrack.cli.parser import build_parser
from medtrack.storage.database import Database


def command_table() -> dict[tuple[str, ...], list[argparse.Action]]:
    """Every command path (e.g. ('taper', 'set')) with its actions, from the real parser."""
    table: dict[tuple[str, ...], list[argparse.Action]] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        table[path] = [a for a in parser._actions if not isinstance(a, argparse._SubParsersAction)
                       and "--help" not in a.option_strings and "--db" not in a.option_strings]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return table


COMMANDS = command_table()
ALL_OPTIONS = sorted({o for actions in COMMANDS.values() for a in actions for o in a.option_strings})

safe_chars = st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"])
junk_text = st.text(safe_chars, max_size=12)
free_text = st.one_of(
    st.text(safe_chars, max_size=40),
    st.sampled_from(["[bold]x[/bold]", "\x1b[2J\x1b[31mred", "'); DROP TABLE record; --", "💊" * 3,
                     "a\nb\r\nc", "   ", "", "=cmd|' /C calc'!A0", "x" * 3000]),
)

pytestmark = pytest.mark.slow  # generated command lines, each in a process


def pool(*values: str) -> st.SearchStrategy[str]:
    """Mostly the listed values (right and nearly right), sometimes junk."""
    return st.one_of(*[st.sampled_from(values)] * 4, junk_text)


DATES = pool("2026-11-25", "2026-11-24", "2026-11-20", "2026-12-01", "2027-01-15", "1970-05-01",
             "1958-04-02", "2026-02-30", "2026-13-01", "", "3000-01-01")
WHENS = pool("2026-11-25 22:40", "2026-11-24T22:40+01:00", "2026-11-25 23:59", "2026-11-26 10:00",
             "2026-11-25T21:40Z", "2026-03-29 02:30", "2026-10-25 02:30", "2026-11-25 25:00", "")
DOSES = pool("1mg", "0.5mg", "0.25 mg", "2mg", "2.5mg", "500ug", "1", "0", "-1mg", "1e3", "100mg")
ZONES = pool("Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "UTC",
             "Pacific/Kiritimati", "Mars/Base", "Europe/../etc/passwd")
CLOCKS = pool("22:30", "06:30", "23:59", "00:00", "21:00", "07:00", "25:00", "3:00")
PATHS = st.sampled_from(["out.csv", "out.pdf", "b.db", "sub/out.ics", "existing.txt", "nodir/x.db",
                         ".", "", "out.json", "b.db", "import.csv"])
VALUES: dict[str, st.SearchStrategy[str]] = {
    "--born": DATES, "--start": DATES, "--night": DATES, "--from": st.one_of(DATES, DOSES),
    "--to": st.one_of(DATES, DOSES), "--at": st.one_of(WHENS, DATES), "--tz": ZONES,
    "--bedtime": CLOCKS, "--wake": CLOCKS, "--dose": DOSES, "--step": pool("0.25mg", "10%", "50%", "150%", "0"),
    "--every": pool("2w", "14d", "1d", "0d", "3x"), "--round": pool("0.25mg", "0.5mg", "0"),
    "--steps": pool("2027-01-01=1mg,2027-01-15=0.5mg,2027-02-01=0", "2027-01-01=3mg", "x="),
    "--min-sleep": pool("7", "7.5", "4", "12", "3", "13"), "--month": pool("2026-11", "2026-03", "2026-13", "1899-01"),
    "--days": pool("1", "7", "0", "-1", "365"), "--severity": pool("1", "3", "5", "0", "6"),
    "--years": pool("1", "0", "x"), "--format": pool("csv", "pdf", "fhir", "ics", "xls"),
    "-o": PATHS, "--output": PATHS, "--pin": pool("4821", "1234", "12", "123456789012"),
    "--old-pin": pool("4821", "1234"), "--liver": pool("none", "mild", "moderate", "severe"),
    "--condition": pool("glaucoma", "myasthenia-gravis", "flu"),
}
POSITIONALS: dict[str, st.SearchStrategy[str]] = {
    "dose": DOSES, "id": pool("1", "2", "3", "4", "99", "0"), "name": free_text, "file": PATHS,
}
NOWS = ["2026-11-25T22:40+01:00", "2026-11-25T20:00+01:00", "2026-11-26T00:10+01:00",
        "2026-11-26T22:45+01:00", "2026-11-27T09:00+09:00", "2026-11-24T23:20+01:00",
        "2026-12-02T21:00+01:00", "2026-11-25T16:40-05:00"]


# the commands that write (the ones that could break a rule) come up more often
WRITERS = [("log",), ("skip",), ("void",), ("prescribe",), ("profile", "set"), ("taper", "set"),
           ("taper", "hold"), ("taper", "step-back"), ("symptom",), ("import",), ("restore",)]


def command_of(argv: list[str]) -> str:
    for size in (2, 1):
        if tuple(argv[:size]) in COMMANDS:
            return " ".join(argv[:size])
    return "(none)"


@st.composite
def argv_lists(draw: st.DrawFn) -> list[str]:
    path = draw(st.sampled_from(sorted(COMMANDS) + WRITERS * 3))
    actions = COMMANDS[path]
    argv: list[str] = list(path)

    def add(action: argparse.Action) -> None:
        if not action.option_strings:  # a positional
            argv.append(draw(POSITIONALS.get(action.dest, junk_text)))
            return
        option = draw(st.sampled_from(action.option_strings))
        argv.append(option)
        if action.nargs != 0:
            argv.append(draw(VALUES.get(option, free_text)))

    if draw(st.integers(0, 3)):  # mostly: what the command requires first, so it gets further
        for action in actions:
            if action.required or (not action.option_strings and action.nargs is None):
                add(action)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 19))
        if kind <= 16 and actions:
            add(draw(st.sampled_from(actions)))
        elif kind == 17:
            argv.append(draw(st.sampled_from(ALL_OPTIONS)))  # an option of some other command
        elif kind == 18:
            argv.append("--")
        else:
            argv.append(draw(junk_text.filter(lambda t: not t.startswith(("/", "~")) and ".." not in t)))
    return argv


examples = st.lists(st.tuples(argv_lists(), st.sampled_from(NOWS)), min_size=1, max_size=5)

_TEMPLATE: dict[str, bytes] = {}


@pytest.fixture
def template(patient, db_path: Path) -> bytes:
    if "db" not in _TEMPLATE:
        patient.ok("taper", "set", "--start", "2026-12-01", "--from", "1mg", "--step", "0.25mg",
                   "--every", "2w", "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
        patient.ok("log", now="2026-11-24T22:40+01:00")
        patient.close()
        _TEMPLATE["db"] = db_path.read_bytes()
    return _TEMPLATE["db"]


class Sandbox:
    def __init__(self, root: Path, template: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.template, self.count = root, template, 0
        self.opened: list[Database] = []
        original = Database.__init__
        opened = self.opened

        def tracking_init(db: Database, *args: Any, **kwargs: Any) -> None:
            opened.append(db)
            original(db, *args, **kwargs)

        monkeypatch.setattr(Database, "__init__", tracking_init)
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # never a terminal: no screen opens

    def fresh(self) -> Path:
        self.count += 1
        folder = self.root / f"ex{self.count}"
        (folder / "db").mkdir(parents=True)
        (folder / "work" / "sub").mkdir(parents=True)
        (folder / "work" / "existing.txt").write_text("keep\n")
        (folder / "work" / "import.csv").write_text(
            "id,kind,night,time,dose_mg,scheduled_mg,status,already_taken,voids,note\n"
            "9,dose,2026-11-23,2026-11-23T22:40:00+01:00,1,1,taken,no,,imported\n")
        db = folder / "db" / "medtrack.db"
        fd = os.open(db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(self.template)
        return db

    def call(self, db: Path, argv: list[str], now: str) -> tuple[int, str, str]:
        os.environ["MEDTRACK_DB"] = str(db)
        os.environ["MEDTRACK_NOW"] = now
        out, err = io.StringIO(), io.StringIO()
        cwd = os.getcwd()
        os.chdir(db.parent.parent / "work")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(list(argv))
                except SystemExit as stop:  # --help and --version leave through argparse
                    code = stop.code if isinstance(stop.code, int) else 0
        finally:
            os.chdir(cwd)
            for database in self.opened:
                if hasattr(database, "engine"):
                    database.dispose()
            self.opened.clear()
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sandbox(tmp_path: Path, template: bytes, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("MEDTRACK_DB", "unset")
    monkeypatch.setenv("MEDTRACK_NOW", "unset")
    monkeypatch.delenv("MEDTRACK_DEBUG", raising=False)
    # `remind` is fuzzed too: never the machine's desktop. Its units, state and exports' default
    # folder are the test's; no session bus, so no notification is shown; and a systemctl that
    # refuses, so `remind --install` on a machine running systemd reaches no real user manager.
    home = tmp_path / "home"
    for name, folder in (("HOME", home), ("XDG_CONFIG_HOME", home / ".config"),
                         ("XDG_STATE_HOME", home / ".local/state"), ("XDG_DATA_HOME", home / ".local/share"),
                         ("XDG_CACHE_HOME", home / ".cache")):
        folder.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(folder))
    for name in ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    tools = tmp_path / "bin"
    tools.mkdir()
    systemctl = tools / "systemctl"
    systemctl.write_text("#!/bin/sh\necho 'systemctl: not in a test' >&2\nexit 1\n")
    systemctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ.get('PATH', '')}")
    return Sandbox(tmp_path, template, monkeypatch)


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(script=examples)
def test_generated_command_lines_never_crash_and_never_break_the_rules(sandbox, script):
    db = sandbox.fresh()
    for argv, now in script:
        code, out, err = sandbox.call(db, argv, now)
        event(f"{command_of(argv)}: exit {code}")
        shown = f"medtrack {argv!r} at {now}: exit {code}\nstdout: {out[:500]!r}\nstderr: {err[:500]!r}"
        assert "Traceback" not in err and "Traceback" not in out, shown
        # 5: the desktop lacks what a reminder needs (here: no session bus, no systemd)
        assert code in (0, 2, 3, 4) or (code == 5 and argv[0] == "remind"), shown
        if code:
            lines = err.splitlines()
            assert len(lines) == 1 and lines[0].startswith("medtrack: "), shown
            assert "internal error" not in err, shown
        else:
            assert "\x1b" not in out or "--json" in argv, shown
    assert integrity(db) == "ok"
    assert rule_violations(db) == [], script
