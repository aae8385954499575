"""The argument parser: every command and option, with help text and an example each.

Handlers are named "module:function" and imported only for the command being run, so opening
the screen (no command) never loads the command modules and, with them, the database library.
Given the arguments it is about to parse, `build_parser` builds only the parser of the command
they name, and none for the screen (milliseconds of every start-up): everything argparse prints
comes out the same.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Sequence
from typing import NoReturn, TypeAlias

from medtrack import __version__
from medtrack.errors import BadInput


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit 2 through BadInput."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def _profile_options(p: argparse.ArgumentParser, *, new: bool) -> None:
    """The profile's fields; `new` (init) makes name and birth date required and names the defaults."""
    from medtrack.monograph import load_monograph  # init and profile set only

    mono = load_monograph()
    p.add_argument("--name", required=new, help="the patient's name")
    p.add_argument("--born", required=new, metavar="YYYY-MM-DD", help="date of birth")
    p.add_argument("--tz", metavar="ZONE", help="IANA time zone, e.g. Europe/Berlin"
                   + (" (default: the system's)" if new else ""))
    p.add_argument("--bedtime", metavar="HH:MM", help="usual bedtime" + (" (default 22:30)" if new else ""))
    p.add_argument("--wake", metavar="HH:MM", help="usual wake time" + (" (default 06:30)" if new else ""))
    p.add_argument("--liver", metavar="LEVEL", help=f"liver impairment: {', '.join(mono.liver_levels)}"
                   + (f" (default {mono.liver_levels[0]})" if new else ""))
    p.add_argument("--renal", action=argparse.BooleanOptionalAction, default=None, help="renal impairment")
    p.add_argument("--pregnant", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--breastfeeding", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--condition", action="append", metavar="NAME",
                   help=f"a condition (repeatable): {', '.join(mono.conditions)}")
    if not new:
        p.add_argument("--no-conditions", action="store_true", help="clear all conditions")
        p.add_argument("--pin", help="the prescriber's PIN, when a lock is set")


def _change_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--at", metavar="DATE", help="the night the change starts (default tonight)")
    p.add_argument("--prescriber", metavar="NAME", help="default: the plan's prescriber")
    p.add_argument("--pin")
    p.add_argument("--json", action="store_true")


def _formulation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tablet", action="append", metavar="STRENGTH[:SPLIT]",
                   help="a tablet strength and how it may be split: whole, half or quarter "
                        "(repeatable), e.g. --tablet 1mg:half --tablet 0.5mg:quarter")
    p.add_argument("--liquid", metavar="D/ml", help="an oral liquid's strength, e.g. 0.1mg/ml")
    p.add_argument("--measure", metavar="ML", help="the liquid's measuring step (default 0.1ml)")


Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"


def _who_options(p: argparse.ArgumentParser, default: object) -> None:
    """Which patient, and who is entering: before the command or after it."""
    p.add_argument("--patient", metavar="NUMBER|NAME", default=default, help=(
        "the patient, when the database holds several (else MEDTRACK_PATIENT, or the only one)"))
    p.add_argument("--by", metavar="NAME", default=default, help=(
        "who is entering this (else MEDTRACK_USER, or the database user)"))


def _sub(subs: Subparsers, name: str, help_text: str, example: str, handler: str | None) -> Parser:
    p = subs.add_parser(name, help=help_text, description=f"{help_text}\n\nExample: {example}",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=handler)
    _who_options(p, argparse.SUPPRESS)  # SUPPRESS: a value given before the command stays
    return p


def build_parser(argv: Sequence[str] | None = None) -> Parser:
    """The parser of every command; given `argv`, the arguments it is about to parse, only the
    top level and the command they name, if any, when that is certain (`commands_named`).
    Parsing `argv` reads no other command's parser: its result, help and errors are the same."""
    parser = Parser(prog="medtrack", description=(
        "medtrack: a bedtime dose tracker for flunitrazepam. It checks each night's dose against "
        "the monograph and the doctor's plan and keeps an honest history. It does not replace "
        "your doctor. Run with no command to open the screen."))
    parser.add_argument("--db", metavar="PATH", help=(
        "database file, or a postgresql+psycopg://USER@/DBNAME?host=/SOCKET/DIR URL "
        "(default: MEDTRACK_DB or the user data folder)"))
    _who_options(parser, None)
    parser.add_argument("--demo", action="store_true",
                        help="open the screen on a fresh demo database in a temporary folder (no real data touched)")
    parser.add_argument("--version", action="version", version=f"medtrack {__version__}")
    subs = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)
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


def _add_init(subs: Subparsers) -> None:
    p = _sub(subs, "init", "create the database and the patient's profile",
             "medtrack init --name 'Ada Muster' --born 1958-04-02 --tz Europe/Berlin", "core_cmds:cmd_init")
    _profile_options(p, new=True)
    p.add_argument("--add-patient", action="store_true",
                   help="add another patient to a database that already has one")


def _add_patients(subs: Subparsers) -> None:
    p = _sub(subs, "patients", "the patients in this database, with each one's number",
             "medtrack patients --json", "ward_cmds:cmd_patients")
    p.add_argument("--json", action="store_true", help="print JSON")


def _add_profile(subs: Subparsers) -> None:
    p = _sub(subs, "profile", "show the profile, or change it with `profile set`",
             "medtrack profile --json", "core_cmds:cmd_profile")
    p.add_argument("--json", action="store_true", help="print JSON")
    psubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser)
    ps = _sub(psubs, "set", "change profile fields (each change is recorded)",
              "medtrack profile set --tz America/New_York", "core_cmds:cmd_profile_set")
    _profile_options(ps, new=False)


def _add_prescribe(subs: Subparsers) -> None:
    p = _sub(subs, "prescribe", "the prescriber sets the nightly dose",
             "medtrack prescribe --dose 1mg --prescriber 'Dr. Weiss' --start 2026-11-25", "core_cmds:cmd_prescribe")
    p.add_argument("--dose", required=True, metavar="D", help="nightly dose, e.g. 1mg, 0.5 mg, 500ug")
    p.add_argument("--prescriber", required=True, metavar="NAME")
    p.add_argument("--start", metavar="YYYY-MM-DD", help="first night (default tonight)")
    p.add_argument("--min-sleep", metavar="HOURS", help="minimum hours of sleep after a dose (default 7)")
    p.add_argument("--acknowledge-contraindication", metavar="TEXT",
                   help="the prescriber acknowledges a contraindication for the record")
    p.add_argument("--pin", help="the prescriber's PIN, when a lock is set")
    _formulation_options(p)


def _add_log(subs: Subparsers) -> None:
    p = _sub(subs, "log", "record tonight's dose (checked first against every rule)",
             "medtrack log            (tonight's scheduled dose, now)\n"
             "         medtrack log 0.5mg --at '2026-11-25 22:40' --note 'slept late'", "core_cmds:cmd_log")
    p.add_argument("dose", nargs="?", metavar="DOSE", help="default: tonight's scheduled dose")
    p.add_argument("--at", metavar="WHEN",
                   help="'YYYY-MM-DD HH:MM' (profile's zone) or ISO 8601 with offset; default now")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--already-taken", action="store_true",
                   help="record a dose that WAS taken although a rule refuses it (needs --note)")
    p.add_argument("--json", action="store_true", help="print the new record as JSON")


def _add_skip(subs: Subparsers) -> None:
    p = _sub(subs, "skip", "record that a night's dose is deliberately not taken",
             "medtrack skip --note 'too late tonight'", "core_cmds:cmd_skip")
    p.add_argument("--night", metavar="YYYY-MM-DD", help="default tonight")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")


def _add_status(subs: Subparsers) -> None:
    p = _sub(subs, "status", "what to do tonight", "medtrack status --json", "core_cmds:cmd_status")
    p.add_argument("--at", metavar="WHEN", help="ask about another moment (default now)")
    p.add_argument("--json", action="store_true")


def _add_history(subs: Subparsers) -> None:
    p = _sub(subs, "history", "the dose and skip records, oldest first",
             "medtrack history --from 2026-11-01 --json", "core_cmds:cmd_history")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first night")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last night")
    p.add_argument("--json", action="store_true")


def _add_void(subs: Subparsers) -> None:
    p = _sub(subs, "void", "cancel a record entered in error (it stays, marked void)",
             "medtrack void 12 --reason 'logged twice by mistake'\n"
             "         medtrack void 14 --reason 'dropped the tablet, did not take it' --not-taken",
             "core_cmds:cmd_void")
    p.add_argument("id", metavar="ID", help="the record's id (see history)")
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--not-taken", action="store_true",
                   help="the dose was never taken (needed to void a dose less than 12 hours old)")


def _add_lock(subs: Subparsers) -> None:
    p = _sub(subs, "lock", "the prescriber sets or changes the PIN that guards the plan",
             "medtrack lock --pin 4821", "core_cmds:cmd_lock")
    p.add_argument("--pin", required=True)
    p.add_argument("--old-pin")


def _add_taper(subs: Subparsers) -> None:
    p = _sub(subs, "taper", "the doctor's taper plan: set, show, hold, step back, history",
            "medtrack taper show", "taper_cmds:cmd_taper_show")
    p.add_argument("--days", metavar="N", help="what to dispense for the next N nights (default 28)")
    p.add_argument("--json", action="store_true")
    tsubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser)

    s = _sub(tsubs, "set", "set the plan (a new version when one exists: needs --reason)",
            "medtrack taper set --start 2026-12-01 --from 1mg --step 0.25mg --every 2w --prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --start 2026-12-01 --from 1mg --step 10% --every 14d "
            "--prescriber 'Dr. Weiss'\n"
            "         medtrack taper set --steps '2026-12-01=1mg,2026-12-15=0.75mg,2027-01-05=0' "
            "--prescriber 'Dr. Weiss'",
            "taper_cmds:cmd_taper_set")
    s.add_argument("--start", metavar="DATE", help="first night of the plan")
    s.add_argument("--from", dest="from_dose", metavar="D", help="the first step's dose")
    s.add_argument("--step", metavar="D|P%", help="the cut per step: an amount (0.25mg) or a percentage (10%%)")
    s.add_argument("--every", metavar="Nd|Nw", help="the length of each step, e.g. 14d or 2w")
    s.add_argument("--to", metavar="D", help="the target (default 0: stopped)")
    s.add_argument("--steps", metavar="DATE=D,...", help="explicit steps instead of a generator")
    s.add_argument("--round", metavar="D", help="the dispensable unit (default 0.25 mg, or the "
                   "unit of the tablets or liquid)")
    _formulation_options(s)
    s.add_argument("--max-cut", metavar="P%", help="the largest cut per step, e.g. 10%%")
    s.add_argument("--final-from", metavar="D", help="the largest dose the last stop to 0 is made from")
    s.add_argument("--until", metavar="DATE", help="reach the target by this night: medtrack finds "
                   "the smallest even %% cut (instead of --step)")
    s.add_argument("--trend-rise", metavar="N", help="tell the patient when the mean check-in total "
                   "since a step is N points above the step's baseline (default: the withdrawal data's)")
    s.add_argument("--preview", action="store_true", help="show every step and the warnings; save nothing")
    s.add_argument("--prescriber", required=True, metavar="NAME")
    s.add_argument("--pin")
    s.add_argument("--reason", metavar="TEXT", help="why (required for every change after the first plan)")
    s.add_argument("--json", action="store_true")

    h = _sub(tsubs, "hold", "the current step lasts N more days; later steps move later",
            "medtrack taper hold --days 7 --reason 'withdrawal symptoms'", "taper_cmds:cmd_taper_hold")
    h.add_argument("--days", required=True, metavar="N")
    _change_options(h)

    b = _sub(tsubs, "step-back", "go back to the previous step's dose, then resume",
            "medtrack taper step-back --reason 'could not sleep for a week'", "taper_cmds:cmd_taper_step_back")
    _change_options(b)

    w = _sub(tsubs, "show", "the current plan: each step, how it is taken, the cuts, what to dispense",
            "medtrack taper show --days 28 --json", "taper_cmds:cmd_taper_show")
    w.add_argument("--days", metavar="N", help="what to dispense for the next N nights (default 28)")
    w.add_argument("--json", action="store_true")

    y = _sub(tsubs, "history", "every version of the plan, newest first", "medtrack taper history --json",
            "taper_cmds:cmd_taper_history")
    y.add_argument("--json", action="store_true")


def _add_calendar(subs: Subparsers) -> None:
    c = _sub(subs, "calendar", "a month of nights: scheduled dose and what happened",
            "medtrack calendar --month 2026-12", "taper_cmds:cmd_calendar")
    c.add_argument("--month", metavar="YYYY-MM", help="default: this month")
    c.add_argument("--json", action="store_true")


def _add_symptom(subs: Subparsers) -> None:
    p = _sub(subs, "symptom", "add to the symptom journal (a side effect or your own words)",
            "medtrack symptom headache --severity 2 --note 'mild, morning'", "visit_cmds:cmd_symptom")
    p.add_argument("name", metavar="NAME", help="a side effect (e.g. dizziness, respiratory-depression) or free text")
    p.add_argument("--severity", metavar="1-5", help="1 mild .. 5 severe")
    p.add_argument("--at", metavar="WHEN", help="'YYYY-MM-DD HH:MM' or ISO 8601 with offset; default now")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")


def _add_checkin(subs: Subparsers) -> None:
    p = _sub(subs, "checkin", "record how you are today during a taper: each withdrawal symptom "
             "0 none, 1 mild, 2 moderate, 3 severe (items not named: none)",
             "medtrack checkin anxiety=2 tremor=1 sleep=3", "checkin_cmds:cmd_checkin")
    p.add_argument("ratings", nargs="*", metavar="ITEM=N",
                   help="e.g. anxiety=2 (see `medtrack checkins --items` for the list)")
    p.add_argument("--none", dest="all_none", action="store_true", help="every item is none today")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--void", metavar="ID", type=int, help="cancel a check-in entered in error (with --reason)")
    p.add_argument("--reason", metavar="TEXT", help="why the check-in is voided")
    p.add_argument("--json", action="store_true")


def _add_checkins(subs: Subparsers) -> None:
    p = _sub(subs, "checkins", "the withdrawal check-ins, with the step in force at each",
             "medtrack checkins --from 2026-11-01 --json", "checkin_cmds:cmd_checkins")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    p.add_argument("--items", action="store_true", help="list the check-in items and what they mean")
    p.add_argument("--json", action="store_true")


def _add_symptoms(subs: Subparsers) -> None:
    p = _sub(subs, "symptoms", "the symptom journal", "medtrack symptoms --from 2026-11-01 --json",
             "visit_cmds:cmd_symptoms")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")


def _add_export(subs: Subparsers) -> None:
    p = _sub(subs, "export", "write the record for the doctor: pdf, csv, xlsx, fhir or ics",
            "medtrack export --format pdf -o report.pdf --from 2026-10-01\n"
            "         medtrack export --format csv -o -      (CSV, FHIR and ICS can go to stdout)\n"
            "         medtrack export --format csv --table checkins -o checkins.csv",
            "visit_cmds:cmd_export")
    p.add_argument("--format", required=True, metavar="pdf|csv|xlsx|fhir|ics|archive")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="a file whose name ends in the format's suffix, or - for stdout")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                   help="first night (default: all; the PDF: since the last PDF, else the last 90 nights)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last night (default: tonight)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--table", default="records", metavar="records|checkins",
                   help="CSV only: the doses, skips and voids (default), or the withdrawal check-ins")


def _add_import(subs: Subparsers) -> None:
    p = _sub(subs, "import", "read a medtrack export back: the records' or check-ins' CSV (every row "
             "checked first; safe to run again), or a whole patient's archive",
             "medtrack import records.csv", "visit_cmds:cmd_import")
    p.epilog = ("Every row is checked before anything is written: a bad file writes nothing. The rows\n"
                "are then judged like `log` and written in short steps, so a `log` meanwhile never\n"
                "waits long. If an import stops part way (a refused row, Ctrl-C, a crash), the steps\n"
                "before stay written: run the same import again to finish it; rows already imported\n"
                "are recognised, never doubled.\n\n"
                "An archive (export --format archive, a .zip) is read whole into a database that\n"
                "does not hold that patient yet (a new file is made for it), in one transaction.")
    p.add_argument("file", metavar="FILE.csv|FILE.zip")


def _add_demo(subs: Subparsers) -> None:
    p = _sub(subs, "demo", "fill an empty database with a made-up patient to try medtrack",
            "medtrack --db /tmp/demo.db demo --years 2", "visit_cmds:cmd_demo")
    p.add_argument("--years", metavar="N", help="years of history (default 1)")


def _add_backup(subs: Subparsers) -> None:
    p = _sub(subs, "backup", "write a consistent copy of the database (safe while medtrack runs)",
            "medtrack backup ~/medtrack-2026-11-25.db", "admin_cmds:cmd_backup")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace an existing file")


def _add_restore(subs: Subparsers) -> None:
    p = _sub(subs, "restore", "replace the database with a checked backup (the old one is kept)",
            "medtrack restore ~/medtrack-2026-11-25.db", "admin_cmds:cmd_restore")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--pin", help="the prescriber's PIN, when the database has a prescriber lock")


def _add_db(subs: Subparsers) -> None:
    p = _sub(subs, "db", "look after the database's schema", "medtrack db upgrade", None)
    dsubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser, required=True)
    _sub(dsubs, "upgrade", "apply the schema migrations (a SQLite file, or an empty or older "
         "PostgreSQL database); opening a database does this too",
         "medtrack --db postgresql+psycopg://ward@/medtrack?host=/run/postgresql db upgrade",
         "admin_cmds:cmd_db_upgrade")
    r = _sub(dsubs, "roles", "print (or apply) the PostgreSQL roles and GRANTs for a ward: "
             "nurses record doses, skips, voids and symptoms; prescribers also change prescriptions "
             "and plans; nobody may change or delete a record",
             "medtrack --db postgresql+psycopg://owner@/medtrack?host=/run/postgresql db roles --apply",
             "ward_cmds:cmd_db_roles")
    r.add_argument("--apply", action="store_true", help="run the statements on the database (as its owner)")
    c = _sub(dsubs, "copy", "copy whole patients (every version, record, void, symptom, check-in, "
             "stock entry and lock, with who entered each) from one database to another; refused "
             "when the target already holds one of them",
             "medtrack db copy ~/medtrack.db postgresql+psycopg://medtrack_owner@/ward?host=/run/postgresql "
             "--patient 'Ada Muster'", "admin_cmds:cmd_db_copy")
    c.epilog = ("SOURCE and TARGET are SQLite files or PostgreSQL URLs; a new file is made for a TARGET\n"
                "that does not exist. Without --patient every patient is copied, each in one\n"
                "transaction. Into a ward's PostgreSQL, run it as the owner of the ward's schema: it\n"
                "keeps who entered each row and when, which the server stamps for everyone else.")
    c.add_argument("source", metavar="SOURCE")
    c.add_argument("target", metavar="TARGET")


def _add_stock(subs: Subparsers) -> None:
    p = _sub(subs, "stock", "the stock of tablets or liquid: how much is left and how long it lasts",
            "medtrack stock --json", "stock_cmds:cmd_stock")
    p.add_argument("--json", action="store_true")
    ssubs = p.add_subparsers(title="actions", metavar="ACTION", parser_class=Parser)
    a = _sub(ssubs, "add", "tablets or liquid received",
            "medtrack stock add 30x1mg --note 'pharmacy'", "stock_cmds:cmd_stock_add")
    a.add_argument("quantity", metavar="COUNTxSTRENGTH|ML", help="e.g. 30x1mg, 12.5x0.5mg or 100ml")
    a.add_argument("--note", metavar="TEXT")
    c = _sub(ssubs, "count", "what a count by the patient or a carer found (kept; flagged when off)",
            "medtrack stock count 12x1mg", "stock_cmds:cmd_stock_count")
    c.add_argument("quantity", metavar="COUNTxSTRENGTH|ML", help="e.g. 12x1mg or 40ml")
    c.add_argument("--note", metavar="TEXT")


def _add_tui(subs: Subparsers) -> None:
    _sub(subs, "tui", "open the screen (the same as no command)", "medtrack tui", None)


# The commands in the order `medtrack --help` lists them.
COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "init": _add_init, "patients": _add_patients, "profile": _add_profile,
    "prescribe": _add_prescribe, "log": _add_log, "skip": _add_skip, "status": _add_status,
    "history": _add_history, "void": _add_void, "lock": _add_lock, "taper": _add_taper,
    "calendar": _add_calendar, "symptom": _add_symptom, "checkin": _add_checkin,
    "checkins": _add_checkins, "symptoms": _add_symptoms, "export": _add_export,
    "import": _add_import, "demo": _add_demo, "backup": _add_backup, "restore": _add_restore,
    "db": _add_db, "stock": _add_stock, "tui": _add_tui,
}
