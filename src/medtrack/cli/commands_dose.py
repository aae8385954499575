"""The parsers of the patient's set-up and the night's dose: init, patients, profile, prescribe,
log, skip, status, history, void and the prescriber's lock."""

from __future__ import annotations

from medtrack.cli.options import Parser, Subparsers, formulation_options, profile_options, sub
from medtrack.i18n import _


def add_init(subs: Subparsers) -> None:
    p = sub(subs, "init", _("create the database and the patient's profile"),
             "medtrack init --name 'Ada Muster' --born 1958-04-02 --tz Europe/Berlin", "core_cmds:cmd_init")
    profile_options(p, new=True)
    p.add_argument("--add-patient", action="store_true",
                   help=_("add another patient to a database that already has one"))


def add_patients(subs: Subparsers) -> None:
    p = sub(subs, "patients", _("the patients in this database, with each one's number"),
             "medtrack patients --json", "ward_cmds:cmd_patients")
    p.add_argument("--json", action="store_true", help=_("print JSON"))


def add_profile(subs: Subparsers) -> None:
    p = sub(subs, "profile", _("show the profile, or change it with `profile set`"),
             "medtrack profile --json", "core_cmds:cmd_profile")
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    psubs = p.add_subparsers(title=_("actions"), metavar="ACTION", parser_class=Parser)
    ps = sub(psubs, "set", _("change profile fields (each change is recorded)"),
              "medtrack profile set --tz America/New_York", "core_cmds:cmd_profile_set")
    profile_options(ps, new=False)


def add_prescribe(subs: Subparsers) -> None:
    p = sub(subs, "prescribe", _("the prescriber sets the nightly dose"),
             "medtrack prescribe --dose 1mg --prescriber 'Dr. Weiss' --start 2026-11-25", "core_cmds:cmd_prescribe")
    p.add_argument("--dose", required=True, metavar="D", help=_("nightly dose, e.g. 1mg, 0.5 mg, 500ug"))
    p.add_argument("--prescriber", required=True, metavar="NAME")
    p.add_argument("--start", metavar="YYYY-MM-DD", help=_("first night (default tonight)"))
    p.add_argument("--min-sleep", metavar="HOURS", help=_("minimum hours of sleep after a dose (default 7)"))
    p.add_argument("--acknowledge-contraindication", metavar="TEXT",
                   help=_("the prescriber acknowledges a contraindication for the record"))
    p.add_argument("--pin", help=_("the prescriber's PIN, when a lock is set"))
    formulation_options(p)


def add_log(subs: Subparsers) -> None:
    p = sub(subs, "log", _("record tonight's dose (checked first against every rule)"),
             "medtrack log            (tonight's scheduled dose, now)\n"
             "         medtrack log 0.5mg --at '2026-11-25 22:40' --note 'slept late'", "core_cmds:cmd_log")
    p.add_argument("dose", nargs="?", metavar="DOSE", help=_("default: tonight's scheduled dose"))
    p.add_argument("--at", metavar="WHEN",
                   help=_("'YYYY-MM-DD HH:MM' (profile's zone) or ISO 8601 with offset; default now"))
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--already-taken", action="store_true",
                   help=_("record a dose that WAS taken although a rule refuses it (needs --note)"))
    p.add_argument("--json", action="store_true", help=_("print the new record as JSON"))


def add_skip(subs: Subparsers) -> None:
    p = sub(subs, "skip", _("record that a night's dose is deliberately not taken"),
             "medtrack skip --note 'too late tonight'", "core_cmds:cmd_skip")
    p.add_argument("--night", metavar="YYYY-MM-DD", help=_("default tonight"))
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")


def add_status(subs: Subparsers) -> None:
    p = sub(subs, "status", _("what to do tonight"), "medtrack status --json", "core_cmds:cmd_status")
    p.add_argument("--at", metavar="WHEN", help=_("ask about another moment (default now)"))
    p.add_argument("--json", action="store_true")


def add_history(subs: Subparsers) -> None:
    p = sub(subs, "history", _("the dose and skip records, oldest first"),
             "medtrack history --from 2026-11-01 --json", "core_cmds:cmd_history")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help=_("first night"))
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help=_("last night"))
    p.add_argument("--json", action="store_true")


def add_void(subs: Subparsers) -> None:
    p = sub(subs, "void", _("cancel a record entered in error (it stays, marked void)"),
             "medtrack void 12 --reason 'logged twice by mistake'\n"
             "         medtrack void 14 --reason 'dropped the tablet, did not take it' --not-taken",
             "core_cmds:cmd_void")
    p.add_argument("id", metavar="ID", help=_("the record's id (see history)"))
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--not-taken", action="store_true",
                   help=_("the dose was never taken (needed to void a dose less than 12 hours old)"))


def add_lock(subs: Subparsers) -> None:
    p = sub(subs, "lock", _("the prescriber sets or changes the PIN that guards the plan"),
             "medtrack lock --pin 4821", "core_cmds:cmd_lock")
    p.add_argument("--pin", required=True)
    p.add_argument("--old-pin")
