"""Use case: export the record for the doctor, written atomically to a private file."""

from __future__ import annotations

import datetime as dt
import errno
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from medtrack.core.model import Profile, Record, Regimen, Symptom
from medtrack.core.parse import parse_date
from medtrack.core.schedule import Segment, segments
from medtrack.errors import BadInput, StorageProblem
from medtrack.monograph import Monograph
from medtrack.services.calendar import CalendarNight, night_states
from medtrack.services.common import monograph, require_profile, tonight
from medtrack.storage.repository import Database

FORMATS = ("pdf", "csv", "fhir", "ics")
SUFFIXES = {"pdf": ".pdf", "csv": ".csv", "fhir": ".json", "ics": ".ics"}


@dataclass(frozen=True)
class ExportData:
    """Everything an exporter may show: plain values, no database."""

    generated_at: dt.datetime
    first: dt.date
    last: dt.date
    clipped: bool  # True when --from/--to limited the period
    profile: Profile
    drug: Monograph
    regimens: tuple[Regimen, ...]
    records: tuple[Record, ...]  # doses, skips and voids of the period, in recording order
    nights: tuple[CalendarNight, ...]
    symptoms: tuple[Symptom, ...]
    schedule: tuple[Segment, ...]

    @property
    def plan_versions(self) -> tuple[Regimen, ...]:
        return tuple(r for r in self.regimens if r.kind == "plan")

    @property
    def plan(self) -> Regimen | None:
        versions = self.plan_versions
        return versions[-1] if versions else None

    @property
    def prescriber(self) -> str | None:
        return self.regimens[-1].prescriber if self.regimens else None

    def adherence(self) -> dict[str, int]:
        counts = {s: sum(1 for n in self.nights if n.state == s)
                  for s in ("taken", "missed", "skipped", "excess")}
        counts["already_taken"] = sum(1 for r in self.records
                                      if r.kind == "dose" and r.already_taken and not r.voided)
        counts["voided"] = sum(1 for r in self.records if r.kind == "void")
        return counts


def parse_range(first: str | None, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    start = parse_date(first, what="--from date") if first else None
    end = parse_date(last, what="--to date") if last else None
    if start and end and start > end:
        raise BadInput(f"--from {start} is after --to {end}: give the earlier date first")
    return start, end


def gather(db: Database, now: dt.datetime, first: str | None = None, last: str | None = None) -> ExportData:
    start, end = parse_range(first, last)
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        regimens = repo.regimens()
        everything = repo.all_records(kinds=("dose", "skip", "void"))
        symptoms = repo.symptoms(start, end)
    current = tonight(profile, now)
    known = [r.night for r in everything] + [r.start for r in regimens]
    period_first = start or (min(known) if known else current)
    period_last = end or max([current, *[r.night for r in everything]])
    if period_last < period_first:
        period_last = period_first
    records = tuple(r for r in everything if period_first <= r.night <= period_last)
    nights = night_states(monograph(), profile, regimens, [r for r in records if r.kind != "void"],
                          period_first, period_last, now)
    return ExportData(
        generated_at=now.astimezone(profile.tz), first=period_first, last=period_last,
        clipped=bool(start or end), profile=profile, drug=monograph(), regimens=tuple(regimens),
        records=records, nights=tuple(nights), symptoms=tuple(symptoms),
        schedule=tuple(segments(regimens, period_first, end)),
    )


def writer_for(fmt: str) -> Callable[[ExportData, IO[bytes]], None]:
    """The exporter of a format, imported only when used (they pull in heavy libraries)."""
    if fmt == "csv":
        from medtrack.export.csv_export import write_csv as write
    elif fmt == "ics":
        from medtrack.export.ics import write_ics as write
    elif fmt == "fhir":
        from medtrack.export.fhir import write_fhir as write
    elif fmt == "pdf":
        from medtrack.export.pdf import write_pdf as write
    else:
        raise BadInput(f"format '{fmt}' is not known (accepted: {', '.join(FORMATS)})")
    return write


def check_target(target: Path, force: bool) -> None:
    if target.is_symlink():
        raise BadInput(f"{target} is a symbolic link; medtrack does not write through links: "
                       "give a plain file path")
    if target.is_dir():
        raise BadInput(f"{target} is a folder: give a file path, e.g. {target / 'report'}")
    if target.exists() and not force:
        raise BadInput(f"{target} already exists: give another path, or --force to replace it")
    if not target.parent.is_dir():
        raise BadInput(f"the folder {target.parent} does not exist: create it first or choose another")


def write_atomically(target: Path, produce: Callable[[IO[bytes]], None]) -> None:
    """Write to a private temporary file beside the target, fsync, then move it into place."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise StorageProblem(f"cannot write in {target.parent}: {error.strerror}") from error
    try:
        with os.fdopen(fd, "wb") as stream:
            produce(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as error:
        _remove(temp)
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageProblem(f"the disk is full: the export to {target} was not written") from error
        raise StorageProblem(f"the export to {target} failed ({error.strerror}); nothing was written") from error
    except BaseException:
        _remove(temp)
        raise


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def export(db: Database, now: dt.datetime, fmt: str, output: str, first: str | None = None,
           last: str | None = None, force: bool = False) -> Path:
    """Gather the period, render it with the format's library, and write it safely."""
    if fmt not in FORMATS:
        raise BadInput(f"format '{fmt}' is not known (accepted: {', '.join(FORMATS)})")
    if not output or not output.strip():
        raise BadInput("-o needs a file path, e.g. -o report.pdf")
    target = Path(output).expanduser()
    check_target(target, force)
    data = gather(db, now, first, last)
    write = writer_for(fmt)
    write_atomically(target.absolute(), lambda stream: write(data, stream))
    return target
