"""The argument parser: every command and option, with help text and an example each."""

from __future__ import annotations

import argparse
from typing import NoReturn

from medtrack.errors import BadInput


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit 2 through BadInput."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def _profile_options(p: argparse.ArgumentParser, *, required: bool) -> None:
    p.add_argument("--name", required=required, help="the patient's name")
    p.add_argument("--born", required=required, metavar="YYYY-MM-DD", help="date of birth")
    p.add_argument("--tz", metavar="ZONE", help="IANA time zone, e.g. Europe/Berlin (default: the system's)")
    p.add_argument("--bedtime", metavar="HH:MM", help="usual bedtime (default 22:30)")
    p.add_argument("--wake", metavar="HH:MM", help="usual wake time (default 06:30)")
    p.add_argument("--liver", choices=["none", "mild", "moderate", "severe"], help="liver impairment")
    p.add_argument("--renal", action=argparse.BooleanOptionalAction, default=None, help="renal impairment")
    p.add_argument("--pregnant", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--breastfeeding", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--condition", action="append", metavar="NAME", help=(
        "a condition (repeatable): benzodiazepine-hypersensitivity, severe-respiratory-insufficiency, "
        "acute-pulmonary-insufficiency, myasthenia-gravis, glaucoma"))
    if not required:
        p.add_argument("--no-conditions", action="store_true", help="clear all conditions")
        p.add_argument("--pin", help="the prescriber's PIN, when a lock is set")


class _Skipped:
    """Stands in for the parser of a command that is not being run: its options are not built.

    Building every command's options costs more at start-up than `status` itself takes; the
    command line names one command, so only that one is built (all of them for --help).
    """

    def __getattr__(self, _name: str):  # type: ignore[no-untyped-def]
        return lambda *args, **kwargs: self


_SELECTED: list[str | None] = [None]


def selected_command(argv: list[str]) -> str | None:
    """The command an argument list names (None: none, or only top-level options)."""
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
        elif arg == "--db":
            skip_next = True
        elif arg == "--" or not arg.startswith("-"):
            return None if arg == "--" else arg
    return None


def _sub(subs, name: str, help_text: str, example: str, handler) -> argparse.ArgumentParser:  # type: ignore[no-untyped-def]
    if getattr(subs, "_medtrack_top", False) and _SELECTED[0] not in (None, name):
        return _Skipped()  # type: ignore[return-value]
    p = subs.add_parser(name, help=help_text, description=f"{help_text}\n\nExample: {example}",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=handler)
    return p


def build_parser(argv: list[str] | None = None) -> Parser:
    from medtrack.cli import core_cmds as c

    command = selected_command(argv or [])
    _SELECTED[0] = command if command in KNOWN_COMMANDS else None

    parser = Parser(prog="medtrack", description=(
        "medtrack: a bedtime dose tracker for flunitrazepam. It checks each night's dose against "
        "the monograph and the doctor's plan and keeps an honest history. It does not replace "
        "your doctor. Run with no command to open the screen."))
    parser.add_argument("--db", metavar="PATH", help="database file (default: MEDTRACK_DB or the user data folder)")
    parser.add_argument("--demo", action="store_true",
                        help="open the screen on a fresh demo database in a temporary folder (no real data touched)")
    parser.add_argument("--version", action="version", version="medtrack 0.1.0")
    subs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
    subs._medtrack_top = True  # type: ignore[attr-defined]

    p = _sub(subs, "init", "create the database and the patient's profile",
             "medtrack init --name 'Ada Muster' --born 1958-04-02 --tz Europe/Berlin", c.cmd_init)
    _profile_options(p, required=True)

    p = _sub(subs, "profile", "show the profile, or change it with `profile set`",
             "medtrack profile --json", c.cmd_profile)
    p.add_argument("--json", action="store_true", help="print JSON")
    psubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser)
    ps = _sub(psubs, "set", "change profile fields (each change is recorded)",
              "medtrack profile set --tz America/New_York", c.cmd_profile_set)
    _profile_options(ps, required=False)

    p = _sub(subs, "prescribe", "the prescriber sets the nightly dose",
             "medtrack prescribe --dose 1mg --prescriber 'Dr. Weiss' --start 2026-11-25", c.cmd_prescribe)
    p.add_argument("--dose", required=True, metavar="D", help="nightly dose, e.g. 1mg, 0.5 mg, 500ug")
    p.add_argument("--prescriber", required=True, metavar="NAME")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first night (default tonight)")
    p.add_argument("--min-sleep", metavar="HOURS", help="minimum hours of sleep after a dose (default 7)")
    p.add_argument("--acknowledge-contraindication", metavar="TEXT",
                   help="the prescriber acknowledges a contraindication for the record")
    p.add_argument("--pin", help="the prescriber's PIN, when a lock is set")
    from medtrack.cli.taper_cmds import formulation_options

    formulation_options(p)

    p = _sub(subs, "log", "record tonight's dose (checked first against every rule)",
             "medtrack log            (tonight's scheduled dose, now)\n"
             "         medtrack log 0.5mg --at '2026-11-25 22:40' --note 'slept late'", c.cmd_log)
    p.add_argument("dose", nargs="?", metavar="DOSE", help="default: tonight's scheduled dose")
    p.add_argument("--at", metavar="WHEN", help="'YYYY-MM-DD HH:MM' (profile's zone) or ISO 8601 with offset; default now")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--already-taken", action="store_true",
                   help="record a dose that WAS taken although a rule refuses it (needs --note)")
    p.add_argument("--json", action="store_true", help="print the new record as JSON")

    p = _sub(subs, "skip", "record that a night's dose is deliberately not taken",
             "medtrack skip --note 'too late tonight'", c.cmd_skip)
    p.add_argument("--night", metavar="YYYY-MM-DD", help="default tonight")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")

    p = _sub(subs, "status", "what to do tonight", "medtrack status --json", c.cmd_status)
    p.add_argument("--at", metavar="WHEN", help="ask about another moment (default now)")
    p.add_argument("--json", action="store_true")

    p = _sub(subs, "history", "the dose and skip records, oldest first",
             "medtrack history --from 2026-11-01 --json", c.cmd_history)
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first night")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last night")
    p.add_argument("--json", action="store_true")

    p = _sub(subs, "void", "cancel a record entered in error (it stays, marked void)",
             "medtrack void 12 --reason 'logged twice by mistake'\n"
             "         medtrack void 14 --reason 'dropped the tablet, did not take it' --not-taken", c.cmd_void)
    p.add_argument("id", metavar="ID", help="the record's id (see history)")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--not-taken", action="store_true",
                   help="the dose was never taken (needed to void a dose less than 12 hours old)")

    p = _sub(subs, "lock", "the prescriber sets or changes the PIN that guards the plan",
             "medtrack lock --pin 4821", c.cmd_lock)
    p.add_argument("--pin", required=True)
    p.add_argument("--old-pin")

    from medtrack.cli.register import registrars

    for extend in registrars(_SELECTED[0]):
        extend(subs, _sub)

    p = _sub(subs, "tui", "open the screen (the same as no command)", "medtrack tui", None)
    p.set_defaults(handler=None)
    return parser


KNOWN_COMMANDS = frozenset({
    "init", "profile", "prescribe", "log", "skip", "status", "history", "void", "lock", "tui",
    "taper", "calendar", "symptom", "symptoms", "export", "import", "demo", "backup", "restore",
    "stock"})
