"""The argument parser: every command and option, with help text and an example each.

Handlers are named "module:function" and imported only for the command being run, so opening
the screen (no command) never loads the command modules and, with them, the database library.
Given the arguments it is about to parse, `build_parser` builds only the parser of the command
they name, and none for the screen (milliseconds of every start-up): everything argparse prints
comes out the same.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from medtrack import __version__
from medtrack.cli import commands_admin as admin
from medtrack.cli import commands_dose as dose
from medtrack.cli import commands_plan as plan
from medtrack.cli import commands_records as records
from medtrack.cli.options import Parser, Subparsers, who_options
from medtrack.i18n import _


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser of every command; given `argv`, the arguments it is about to parse, only the
    top level and the command they name, if any, when that is certain (`commands_named`).
    Parsing `argv` reads no other command's parser: its result, help and errors are the same."""
    parser = Parser(prog="medtrack", description=(
        _("medtrack: a bedtime dose tracker for flunitrazepam. It checks each night's dose against "
        "the monograph and the doctor's plan and keeps an honest history. It does not replace "
        "your doctor. Run with no command to open the screen.")))
    parser.add_argument("--db", metavar="PATH", help=(
        _("database file, or a postgresql+psycopg://USER@/DBNAME?host=/SOCKET/DIR URL "
        "(default: MEDTRACK_DB or the user data folder)")))
    who_options(parser, None)
    parser.add_argument("--demo", action="store_true",
                        help=_("open the screen on a fresh demo database in a temporary folder (no real data touched)"))
    # argparse words this help once, in English, when it is imported: given here, it is translated.
    parser.add_argument("--version", action="version", version=f"medtrack {__version__}",
                        help=_("show program's version number and exit"))
    subs = parser.add_subparsers(title=_("commands"), metavar="COMMAND", parser_class=Parser)
    wanted = COMMANDS.keys() if argv is None else commands_named(argv)
    for name, add in COMMANDS.items():
        if name in wanted:
            add(subs)
    return parser


_VALUE_OPTIONS = ("--db", "--patient", "--by")  # the top level's options that take a value


def commands_named(argv: Sequence[str]) -> Collection[str]:
    """The commands whose parsers parsing `argv` reads: none when it names no command (the
    screen), the one it names, or all of them when in doubt. Certain are only `--demo` and
    `--db`/`--patient`/`--by` spelt out, with their value, before the command; anything else
    (`--help`, an abbreviated or unknown option, a value that starts with "-", an unknown
    command) gets every parser, and argparse answers as it always did."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _VALUE_OPTIONS:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                return COMMANDS.keys()
            i += 2
        elif arg == "--demo" or ("=" in arg and arg.split("=", 1)[0] in _VALUE_OPTIONS):
            i += 1
        elif arg.startswith("-") or arg not in COMMANDS:
            return COMMANDS.keys()
        else:
            return (arg,)
    return ()


# The commands in the order `medtrack --help` lists them, each with what adds its parser.
COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "init": dose.add_init, "patients": dose.add_patients, "profile": dose.add_profile,
    "prescribe": dose.add_prescribe, "log": dose.add_log, "skip": dose.add_skip, "status": dose.add_status,
    "history": dose.add_history, "void": dose.add_void, "lock": dose.add_lock,
    "taper": plan.add_taper, "calendar": plan.add_calendar,
    "symptom": records.add_symptom, "checkin": records.add_checkin, "checkins": records.add_checkins,
    "symptoms": records.add_symptoms, "export": records.add_export, "import": records.add_import,
    "demo": records.add_demo,
    "backup": admin.add_backup, "restore": admin.add_restore, "db": admin.add_db, "stock": admin.add_stock,
    "remind": admin.add_remind,
    "tui": admin.add_tui,
}
