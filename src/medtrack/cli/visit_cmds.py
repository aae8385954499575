"""Commands for the doctor visit: symptom journal, export, import, demo database."""

from __future__ import annotations

import argparse
import io

from medtrack.cli import Context
from medtrack.services.text import one_line


def register(subs, sub) -> None:  # type: ignore[no-untyped-def]
    p = sub(subs, "symptom", "add to the symptom journal (a side effect or your own words)",
            "medtrack symptom headache --severity 2 --note 'mild, morning'", cmd_symptom)
    p.add_argument("name", metavar="NAME", help="a side effect (e.g. dizziness, respiratory-depression) or free text")
    p.add_argument("--severity", metavar="1-5", help="1 mild .. 5 severe")
    p.add_argument("--at", metavar="WHEN", help="'YYYY-MM-DD HH:MM' or ISO 8601 with offset; default now")
    p.add_argument("--note", metavar="TEXT")
    p.add_argument("--json", action="store_true")

    p = sub(subs, "symptoms", "the symptom journal", "medtrack symptoms --from 2026-11-01 --json", cmd_symptoms)
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true")

    p = sub(subs, "export", "write the record for the doctor: pdf, csv, xlsx, fhir or ics",
            "medtrack export --format pdf -o report.pdf --from 2026-10-01\n"
            "         medtrack export --format csv -o -      (CSV, FHIR and ICS can go to stdout)",
            cmd_export)
    p.add_argument("--format", required=True, metavar="pdf|csv|xlsx|fhir|ics")
    p.add_argument("-o", "--output", required=True, metavar="PATH",
                   help="a file whose name ends in the format's suffix, or - for stdout")
    p.add_argument("--from", dest="first", metavar="YYYY-MM-DD", help="first night (default: all)")
    p.add_argument("--to", dest="last", metavar="YYYY-MM-DD", help="last night (default: all)")
    p.add_argument("--force", action="store_true", help="replace an existing file")

    p = sub(subs, "import", "read a medtrack CSV export back (all rows or none)",
            "medtrack import backup.csv", cmd_import)
    p.add_argument("file", metavar="FILE.csv")

    p = sub(subs, "demo", "fill an empty database with a made-up patient to try medtrack",
            "medtrack --db /tmp/demo.db demo --years 2", cmd_demo)
    p.add_argument("--years", metavar="N", help="years of history (default 1)")


def cmd_symptom(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.symptoms import log_symptom, symptom_json, urgent_message

    entry = log_symptom(ctx.open_db(), ctx.now, args.name, args.severity, args.at, args.note)
    if args.json:
        ctx.json(symptom_json(entry))
        return 0
    level = f", severity {entry.severity}" if entry.severity else ""
    ctx.out(f"Journal: {entry.name}{level} at {entry.at:%Y-%m-%d %H:%M} (entry #{entry.id})")
    if entry.urgent:
        ctx.out(f"URGENT: {urgent_message()}")
    return 0


def cmd_symptoms(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.symptoms import list_symptoms, symptom_json

    entries = list_symptoms(ctx.open_db(), args.first, args.last)
    if args.json:
        ctx.json([symptom_json(e) for e in entries])
        return 0
    if not entries:
        ctx.out("No journal entries in that period.")
    for e in entries:
        level = f" (severity {e.severity})" if e.severity else ""
        flag = "  URGENT" if e.urgent else ""
        note = f" - {one_line(e.note)}" if e.note else ""
        ctx.out(f"#{e.id} {e.at:%Y-%m-%d %H:%M} {e.name}{level}{flag}{note}")
    return 0


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    import sys

    from medtrack.services.export import export

    # A text stream without .buffer (stdout redirected in-process) still gets the UTF-8 text.
    stdout = getattr(sys.stdout, "buffer", None) or _TextSink(sys.stdout)
    target = export(ctx.open_db(), ctx.now, args.format, args.output, args.first, args.last,
                    args.force, stdout=stdout)  # type: ignore[arg-type]
    if target is None:
        sys.stdout.flush()
    else:
        ctx.out(f"Written: {target.absolute()}")
    return 0


class _TextSink(io.RawIOBase):
    """Bytes in, UTF-8 text out to a text stream (one without a binary .buffer)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.stream = stream
        self.pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[no-untyped-def]
        self.pending += bytes(data)
        text = self.pending.decode("utf-8", errors="ignore")
        done = len(text.encode("utf-8"))
        self.stream.write(text)
        self.pending = self.pending[done:]
        return len(data)


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.importing import import_csv

    result = import_csv(ctx.open_db(), ctx.now, args.file)
    ctx.out(f"Imported {result.added} record(s); {result.already_present} already present.")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.services.demo import fill_demo

    profile = fill_demo(ctx.db_path, ctx.now, args.years)
    ctx.out(f"Demo data for {profile.name} written to {ctx.db_path}. Try: medtrack --db "
            f"{ctx.db_path} status")
    return 0
