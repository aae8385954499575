"""Commands for the doctor visit: symptom journal, export, import, demo database."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO, cast

from medtrack.cli.context import Context
from medtrack.core.model import NOT_KNOWN
from medtrack.i18n import _, date_time, medium_date, ngettext
from medtrack.services.archive import import_archive, is_archive_file
from medtrack.services.demo import fill_demo
from medtrack.services.export import ExportRequest, export
from medtrack.services.import_checkins import checkins_header, import_checkins
from medtrack.services.importing import import_csv
from medtrack.services.symptoms import (
    list_symptoms,
    log_symptom,
    symptom_json,
    urgent_message,
)
from medtrack.services.text import one_line

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


def cmd_symptom(args: argparse.Namespace, ctx: Context) -> int:
    entry = log_symptom(ctx.open_db(), ctx.now, args.name, args.severity, at=args.at, note=args.note)
    if args.json:
        ctx.json(symptom_json(entry))
        return 0
    level = _(", severity {severity}").format(severity=entry.severity) if entry.severity else ""
    ctx.out(_("Journal: {name}{severity} at {when} (entry #{number})").format(
        name=entry.name, severity=level, when=date_time(entry.at), number=entry.id))
    if entry.urgent:
        ctx.out(_("URGENT: {message}").format(message=urgent_message(entry)))
    return 0


def cmd_symptoms(args: argparse.Namespace, ctx: Context) -> int:
    entries = list_symptoms(ctx.open_db(), args.first, args.last)
    if args.json:
        ctx.json([symptom_json(e) for e in entries])
        return 0
    if not entries:
        ctx.out(_("No journal entries in that period."))
    for e in entries:
        level = " " + _("(severity {severity})").format(severity=e.severity) if e.severity else ""
        flag = "  " + _("URGENT") if e.urgent else ""
        by = _(", by {name}").format(name=one_line(e.recorded_by) if e.recorded_by else f"({_(NOT_KNOWN)})")
        note = f" - {one_line(e.note)}" if e.note else ""
        ctx.out(f"#{e.id} {date_time(e.at)} {e.name}{level}{flag}{by}{note}")
    return 0


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    # A text stream without .buffer (stdout redirected in-process) still gets the UTF-8 text.
    buffer: IO[bytes] | None = getattr(sys.stdout, "buffer", None)
    # _TextSink is a binary stream (io.RawIOBase), which typeshed does not count as an IO[bytes]
    stdout = buffer or cast("IO[bytes]", _TextSink(sys.stdout))
    written = export(ctx.open_db(), ctx.now, ExportRequest(
        fmt=args.format, output=args.output, first=args.first, last=args.last, force=args.force,
        table=args.table, language=args.language), stdout=stdout)
    if written is None:
        sys.stdout.flush()
        return 0
    ctx.out(_("Written: {path}").format(path=written.path.absolute()))
    period = written.period
    if args.format == "pdf" and period is not None:  # the report for the doctor: nights chosen for the visit
        ctx.out(ngettext("Period: nights {first} to {last} ({count} night), {why}",
                         "Period: nights {first} to {last} ({count} nights), {why}", period.nights).format(
            first=medium_date(period.first), last=medium_date(period.last), count=period.nights,
            why=period.words()))
    if written.not_noted:
        sys.stderr.write(f"medtrack: {written.not_noted}\n")
    return 0


class _TextSink(io.RawIOBase):
    """Bytes in, UTF-8 text out to a text stream (one without a binary .buffer)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.pending = b""

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        chunk = bytes(data)
        self.pending += chunk
        text = self.pending.decode("utf-8", errors="ignore")
        done = len(text.encode("utf-8"))
        self.stream.write(text)
        self.pending = self.pending[done:]
        return len(chunk)


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    path = Path(args.file).expanduser()
    if path.is_file() and is_archive_file(path):  # export --format archive: a whole patient
        copied = import_archive(ctx.db_path, path, clock=ctx.clock)
        ctx.out(_("Read {name}'s whole record ({rows} rows) into {path} as patient {number}.").format(
            name=copied.name, rows=copied.rows, path=ctx.db_path, number=copied.number))
        return 0
    header = checkins_header(path) if path.is_file() else None
    if header is not None:  # the check-ins' CSV (export --table checkins)
        checkins = import_checkins(ctx.open_db(), ctx.now, path, header)
        ctx.out(_("Imported {added} check-in(s); {present} already present").format(
            added=checkins.added, present=checkins.already_present)
            + (_("; {count} left out:").format(count=len(checkins.skipped)) if checkins.skipped else "."))
        for line in checkins.skipped:
            ctx.out(f"  {line}")
        return 0
    try:
        result = import_csv(ctx.open_db(), ctx.now, args.file)
    except KeyboardInterrupt:
        sys.stderr.write("medtrack: " + _("the import stopped part way: run the same import again to finish "
                                          "it (the rows already imported are recognised, not doubled)") + "\n")
        raise
    ctx.out(_("Imported {added} record(s); {present} already present").format(
        added=result.added, present=result.already_present)
        + (_("; {count} left out:").format(count=result.left_out) if result.left_out else "."))
    for line in result.skipped:
        ctx.out(f"  {line}")
    if result.left_out > len(result.skipped):
        ctx.out("  " + _("... and {more} more row(s) left out (the first {listed} are listed)").format(
            more=result.left_out - len(result.skipped), listed=len(result.skipped)))
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    profile = fill_demo(ctx.db_path, ctx.now, args.years, clock=ctx.clock)
    ctx.out(_("Demo data for {name} written to {path}. Try: medtrack --db {path} status").format(
        name=profile.name, path=ctx.db_path))
    return 0
