"""Use case: read medtrack's own CSV export back, each row checked like a log, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from medtrack.core.model import Profile
from medtrack.core.nights import night_of
from medtrack.core.units import parse_dose
from medtrack.errors import BadInput, MedtrackError, Refused
from medtrack.export.csv_export import COLUMNS, restore
from medtrack.services.common import require_profile
from medtrack.services.dosing import add_dose, add_skip, add_void
from medtrack.storage.repository import Database, Repository, to_epoch

MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    number: int
    id: int
    kind: str
    night: dt.date
    at: dt.datetime
    dose_ug: int | None
    already_taken: bool
    voids: int | None
    note: str | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_present: int


def _bad(number: int, message: str) -> BadInput:
    return BadInput(f"row {number}: {message}")


def parse_row(number: int, cells: list[str]) -> Row:
    if len(cells) != len(COLUMNS):
        raise _bad(number, f"has {len(cells)} cells, expected {len(COLUMNS)} ({','.join(COLUMNS)})")
    values = dict(zip(COLUMNS, (restore(c) for c in cells)))
    try:
        record_id = int(values["id"]) if values["id"].isascii() and values["id"].isdigit() else -1
        night = dt.date.fromisoformat(values["night"])
        at = dt.datetime.fromisoformat(values["time"])
    except ValueError as error:
        raise _bad(number, f"not a medtrack record ({error})") from None
    if record_id <= 0:
        raise _bad(number, f"id '{values['id']}' is not a positive number")
    if at.tzinfo is None:
        raise _bad(number, f"time '{values['time']}' has no UTC offset")
    kind = values["kind"]
    if kind not in ("dose", "skip", "void"):
        raise _bad(number, f"kind '{kind}' is not dose, skip or void")
    if values["already_taken"] not in ("yes", "no"):
        raise _bad(number, f"already_taken '{values['already_taken']}' is not yes or no")
    dose = None
    if kind == "dose":
        try:
            dose = parse_dose(values["dose_mg"])
        except BadInput as error:
            raise _bad(number, error.message) from None
    voids = None
    if kind == "void":
        if not (values["voids"].isascii() and values["voids"].isdigit()):
            raise _bad(number, "a void row needs the id it cancels in 'voids'")
        voids = int(values["voids"])
    return Row(number, record_id, kind, night, at, dose, values["already_taken"] == "yes", voids,
               values["note"] or None)


def read_rows(path: Path) -> list[Row]:
    if not path.is_file():
        raise BadInput(f"{path} is not a file: give the path of a medtrack CSV export")
    if path.stat().st_size > MAX_BYTES:
        raise BadInput(f"{path} is larger than 200 MB: not a medtrack CSV export")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        raise BadInput(f"row {row}: not UTF-8 text; {path} is not a medtrack CSV export") from None
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header = next(reader, None)
        if header is None or tuple(header) != COLUMNS:
            raise BadInput(f"row 1: the header is not medtrack's ({','.join(COLUMNS)})")
        return [parse_row(number, cells) for number, cells in enumerate(reader, start=2)]
    except csv.Error as error:
        raise BadInput(f"{path} is not valid CSV ({error})") from None


def _zone_for(profile: Profile, at: dt.datetime) -> ZoneInfo:
    """The profile's zone when the row's offset fits it; else a fixed-offset Etc zone."""
    if at.astimezone(profile.tz).utcoffset() == at.utcoffset():
        return profile.tz
    offset = at.utcoffset() or dt.timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest == 0 and -14 <= hours <= 12:
        return ZoneInfo(f"Etc/GMT{-hours:+d}" if hours else "Etc/UTC")
    return ZoneInfo("Etc/UTC")


def import_csv(db: Database, now: dt.datetime, file: str) -> ImportResult:
    rows = read_rows(Path(file).expanduser())
    added = present = 0
    with db.unit_of_work() as repo:
        profile = require_profile(repo)
        existing = {(r.kind, r.night, to_epoch(r.at), r.dose_ug): r.id for r in repo.all_records()}
        ids: dict[int, int] = {}
        for row in rows:
            try:
                outcome = _import_row(repo, profile, now, row, existing, ids)
            except MedtrackError as error:
                message = f"row {row.number} (record {row.id}): {error.message}; nothing was imported"
                if isinstance(error, Refused):
                    raise Refused(error.rule, message) from None
                raise type(error)(message) from None
            added += outcome
            present += 1 - outcome
    return ImportResult(added, present)


def _import_row(repo: Repository, profile: Profile, now: dt.datetime, row: Row,
                existing: dict, ids: dict[int, int]) -> int:
    if row.at.astimezone(dt.timezone.utc) > now.astimezone(dt.timezone.utc):
        raise BadInput(f"the time {row.at.isoformat()} is in the future")
    if row.kind == "void":
        if row.voids not in ids:
            raise BadInput(f"it voids record {row.voids}, which is not earlier in the file")
        target = repo.record(ids[row.voids])
        if target is not None and target.voided:
            return 0
        add_void(repo, profile, now, ids[row.voids], row.note or "voided (imported)", row.at)
        return 1
    zone = _zone_for(profile, row.at)
    if night_of(row.at, zone) != row.night and row.kind == "dose":
        raise BadInput(f"night {row.night} does not match the time {row.at.isoformat()}")
    key = (row.kind, row.night, to_epoch(row.at), row.dose_ug)
    if key in existing:
        ids[row.id] = existing[key]
        return 0
    at_profile = row.at.astimezone(zone)
    if row.kind == "dose":
        saved = add_dose(repo, _with_zone(profile, zone), now, at_profile, row.dose_ug, row.note,
                         row.already_taken, night=row.night)
    else:
        saved = add_skip(repo, _with_zone(profile, zone), now, row.night, at_profile, row.note)
    ids[row.id] = saved.id
    existing[key] = saved.id
    return 1


def _with_zone(profile: Profile, zone: ZoneInfo) -> Profile:
    if zone.key == profile.zone:
        return profile
    import dataclasses

    return dataclasses.replace(profile, zone=zone.key)
