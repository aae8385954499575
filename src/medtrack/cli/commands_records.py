"""The parsers of the journals and the records for the doctor: symptoms, check-ins, export,
import and the demo."""

from __future__ import annotations

from medtrack.cli.options import Subparsers, sub
from medtrack.i18n import _


def add_symptom(subs: Subparsers) -> None:
    p = sub(subs, "symptom", _("add to the symptom journal (a side effect or your own words)"),
            "medtrack symptom headache --severity 2 --note 'mild, morning'", "visit_cmds:cmd_symptom")
    p.add_argument("name", metavar="NAME",
                   help=_("a side effect (e.g. dizziness, respiratory-depression) or free text"))
    p.add_argument("--severity", metavar="1-5", help=_("1 mild .. 5 severe"))
    p.add_argument("--at", metavar="WHEN", help=_("'YYYY-MM-DD HH:MM' or ISO 8601 with offset; default now"))
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")


def add_checkin(subs: Subparsers) -> None:
    p = sub(subs, "checkin", _("record how you are today during a taper: each withdrawal symptom "
             "0 none, 1 mild, 2 moderate, 3 severe (items not named: none)"),
             "medtrack checkin anxiety=2 tremor=1 sleep=3", "checkin_cmds:cmd_checkin")
    p.add_argument("ratings", nargs="*", metavar="ITEM=N",
                   help=_("e.g. anxiety=2 (see `medtrack checkins --items` for the list)"))
    p.add_argument("--none", dest="all_none", action="store_true", help=_("every item is none today"))
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--void", metavar="ID", type=int, help=_("cancel a check-in entered in error (with --reason)"))
    p.add_argument("--reason", metavar="TEXT", help=_("why the check-in is voided"))
    p.add_argument("--json", action="store_true")


def add_checkins(subs: Subparsers) -> None:
    p = sub(subs, "checkins", _("the withdrawal check-ins, with the step in force at each"),
             "medtrack checkins --from 2026-11-01 --json", "checkin_cmds:cmd_checkins")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    p.add_argument("--items", action="store_true", help=_("list the check-in items and what they mean"))
    p.add_argument("--json", action="store_true")


def add_symptoms(subs: Subparsers) -> None:
    p = sub(subs, "symptoms", _("the symptom journal"), "medtrack symptoms --from 2026-11-01 --json",
             "visit_cmds:cmd_symptoms")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")


def add_export(subs: Subparsers) -> None:
    p = sub(subs, "export", _("write the record for the doctor: pdf, csv, xlsx, fhir or ics"),
            "medtrack export --format pdf -o report.pdf --from 2026-10-01\n"
            "         medtrack export --format csv -o -      (CSV, FHIR and ICS can go to stdout)\n"
            "         medtrack export --format csv --table checkins -o checkins.csv",
            "visit_cmds:cmd_export")
    p.add_argument("--format", required=True, metavar="pdf|csv|xlsx|fhir|ics|archive")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help=_("a file whose name ends in the format's suffix, or - for stdout"))
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD",
                   help=_("first night (default: all; the PDF: since the last PDF, else the last 90 nights)"))
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help=_("last night (default: tonight)"))
    p.add_argument("--force", action="store_true", help=_("replace an existing file"))
    p.add_argument("--table", default="records", metavar="records|checkins",
                   help=_("CSV only: the doses, skips and voids (default), or the withdrawal check-ins"))
    p.add_argument("--language", metavar="en|de|ja|auto",
                   help=_("the language the PDF, XLSX or ICS is written in (default: the one medtrack "
                          "speaks; CSV and FHIR are always in English, for programs)"))


def add_import(subs: Subparsers) -> None:
    p = sub(subs, "import", _("read a medtrack export back: the records' or check-ins' CSV (every row "
             "checked first; safe to run again), or a whole patient's archive"),
             "medtrack import records.csv", "visit_cmds:cmd_import")
    p.epilog = _("Every row is checked before anything is written: a bad file writes nothing. The rows\n"
                 "are then judged like `log` and written in short steps, so a `log` meanwhile never\n"
                 "waits long. If an import stops part way (a refused row, Ctrl-C, a crash), the steps\n"
                 "before stay written: run the same import again to finish it; rows already imported\n"
                 "are recognised, never doubled.\n\n"
                 "An archive (export --format archive, a .zip) is read whole into a database that\n"
                 "does not hold that patient yet (a new file is made for it), in one transaction.")
    p.add_argument("file", metavar="FILE.csv|FILE.zip")


def add_demo(subs: Subparsers) -> None:
    p = sub(subs, "demo", _("fill an empty database with a made-up patient to try medtrack"),
            "medtrack --db /tmp/demo.db demo --years 2", "visit_cmds:cmd_demo")
    p.add_argument("--years", metavar="N", help=_("years of history (default 1)"))
