"""Commands for the doctor visit: symptom journal, export, import, demo database."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO, cast

from medtrack.cli.context import Context
from medtrack.core.model import NOT_KNOWN
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
    level = f", severity {entry.severity}" if entry.severity else ""
    ctx.out(f"Journal: {entry.name}{level} at {entry.at:%Y-%m-%d %H:%M} (entry #{entry.id})")
    if entry.urgent:
        ctx.out(f"URGENT: {urgent_message(entry)}")
    return 0


def cmd_symptoms(args: argparse.Namespace, ctx: Context) -> int:
    entries = list_symptoms(ctx.open_db(), args.first, args.last)
    if args.json:
        ctx.json([symptom_json(e) for e in entries])
        return 0
    if not entries:
        ctx.out("No journal entries in that period.")
    for e in entries:
        level = f" (severity {e.severity})" if e.severity else ""
        flag = "  URGENT" if e.urgent else ""
        by = f", by {one_line(e.recorded_by)}" if e.recorded_by else f", by ({NOT_KNOWN})"
        note = f" - {one_line(e.note)}" if e.note else ""
        ctx.out(f"#{e.id} {e.at:%Y-%m-%d %H:%M} {e.name}{level}{flag}{by}{note}")
    return 0


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    # A text stream without .buffer (stdout redirected in-process) still gets the UTF-8 text.
    buffer: IO[bytes] | None = getattr(sys.stdout, "buffer", None)
    # _TextSink is a binary stream (io.RawIOBase), which typeshed does not count as an IO[bytes]
    stdout = buffer or cast("IO[bytes]", _TextSink(sys.stdout))
    written = export(ctx.open_db(), ctx.now, ExportRequest(
        fmt=args.format, output=args.output, first=args.first, last=args.last, force=args.force,
        table=args.table), stdout=stdout)
    if written is None:
        sys.stdout.flush()
        return 0
    ctx.out(f"Written: {written.path.absolute()}")
    period = written.period
    if args.format == "pdf" and period is not None:  # the report for the doctor: nights chosen for the visit
        count = f"{period.nights} night{'' if period.nights == 1 else 's'}"
        ctx.out(f"Period: nights {period.first} to {period.last} ({count}), {period.words()}")
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
        ctx.out(f"Read {copied.name}'s whole record ({copied.rows} rows) into {ctx.db_path} as patient "
                f"{copied.number}.")
        return 0
    header = checkins_header(path) if path.is_file() else None
    if header is not None:  # the check-ins' CSV (export --table checkins)
        checkins = import_checkins(ctx.open_db(), ctx.now, path, header)
        ctx.out(f"Imported {checkins.added} check-in(s); {checkins.already_present} already present"
                + (f"; {len(checkins.skipped)} left out:" if checkins.skipped else "."))
        for line in checkins.skipped:
            ctx.out(f"  {line}")
        return 0
    try:
        result = import_csv(ctx.open_db(), ctx.now, args.file)
    except KeyboardInterrupt:
        sys.stderr.write("medtrack: the import stopped part way: run the same import again to finish "
                         "it (the rows already imported are recognised, not doubled)\n")
        raise
    ctx.out(f"Imported {result.added} record(s); {result.already_present} already present"
            + (f"; {result.left_out} left out:" if result.left_out else "."))
    for line in result.skipped:
        ctx.out(f"  {line}")
    if result.left_out > len(result.skipped):
        ctx.out(f"  ... and {result.left_out - len(result.skipped)} more row(s) left out (the first "
                f"{len(result.skipped)} are listed)")
    return 0


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    profile = fill_demo(ctx.db_path, ctx.now, args.years, clock=ctx.clock)
    ctx.out(f"Demo data for {profile.name} written to {ctx.db_path}. Try: medtrack --db "
            f"{ctx.db_path} status")
    return 0
