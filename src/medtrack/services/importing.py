"""Use case: read medtrack's own CSV export back, each row checked like a log, all or nothing.

A row on a night the database schedules nothing for (a profile without that prescription)
is kept as imported history: flagged, not judged against a schedule, but still one dose a
night and 12 hours apart.

A row keeps who entered it (the `recorded_by` column); a file without that column, or a row
with it empty (entered before medtrack kept it), is recorded as entered by whoever imports it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from medtrack.core.model import Profile, Record, RecordKind
from medtrack.core.nights import MIN_DOSE_GAP, hours_apart, night_of
from medtrack.core.rules import NightFacts
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput, MedtrackError, Refused
from medtrack.export.csv_export import BEFORE_RECORDER, COLUMNS, EARLIER_COLUMNS, NOT_TAKEN_VOID, restore
from medtrack.services.common import require_profile
from medtrack.services.dosing import add_dose, add_skip, add_void
from medtrack.services.nights import night_facts
from medtrack.storage.repository import Database, Repository, to_epoch

MAX_BYTES = 200 * 1024 * 1024
RecordKey = tuple[RecordKind, dt.date, int, int | None]  # what makes a row already present: kind, night, epoch, dose


@dataclass(frozen=True)
class Row:
    number: int
    id: int
    kind: RecordKind
    night: dt.date
    at: dt.datetime
    dose_ug: int | None
    already_taken: bool
    voids: int | None
    note: str | None
    zone: str | None = None
    scheduled_ug: int | None = None
    rule: str | None = None
    not_taken: bool = False
    recorded_by: str | None = None  # None: the file does not say (the importer enters it)


class _LeftOut(Exception):  # noqa: N818 - not an error: a row the import leaves out, with why
    """A row that is left out and reported, the rest of the file still imported."""


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_present: int
    skipped: tuple[str, ...] = ()  # each row left out, with why (import never changes a stored record)


def _bad(number: int, message: str) -> BadInput:
    return BadInput(f"row {number}: {message}")


def parse_row(number: int, cells: list[str], columns: tuple[str, ...] = COLUMNS) -> Row:
    if len(cells) != len(columns):
        raise _bad(number, f"has {len(cells)} cells, expected {len(columns)} ({','.join(columns)})")
    values = dict(zip(columns, (restore(c) for c in cells), strict=True))
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
    if values["kind"] not in tuple(RecordKind):
        raise _bad(number, f"kind '{values['kind']}' is not dose, skip or void")
    kind = RecordKind(values["kind"])
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
    scheduled = None
    if values.get("scheduled_mg"):
        try:
            scheduled = parse_dose(values["scheduled_mg"])
        except BadInput as error:
            raise _bad(number, error.message) from None
    zone = values.get("zone") or None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ValueError, OSError, KeyError):
            raise _bad(number, f"zone '{zone}' is not a known time zone") from None
    return Row(number, record_id, kind, night, at, dose, values["already_taken"] == "yes", voids,
               values["note"] or None, zone=zone, scheduled_ug=scheduled,
               rule=values.get("rule") or None, not_taken=values["status"] == NOT_TAKEN_VOID,
               recorded_by=" ".join(values.get("recorded_by", "").split()) or None)


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
        header = tuple(next(reader, []))
        if header not in (COLUMNS, BEFORE_RECORDER, EARLIER_COLUMNS):
            raise BadInput(f"row 1: the header is not medtrack's ({','.join(COLUMNS)})")
        return [parse_row(number, cells, header) for number, cells in enumerate(reader, start=2)]
    except csv.Error as error:
        raise BadInput(f"{path} is not valid CSV ({error})") from None


def _zone_for(profile: Profile, at: dt.datetime, named: str | None = None) -> ZoneInfo:
    """The row's own zone when its offset fits it, else the profile's, else a fixed-offset zone."""
    for candidate in ([ZoneInfo(named)] if named else []) + [profile.tz]:
        if at.astimezone(candidate).utcoffset() == at.utcoffset():
            return candidate
    offset = at.utcoffset() or dt.timedelta(0)
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest == 0 and -14 <= hours <= 12:
        return ZoneInfo(f"Etc/GMT{-hours:+d}" if hours else "Etc/UTC")
    return ZoneInfo("Etc/UTC")


def import_csv(db: Database, now: dt.datetime, file: str) -> ImportResult:
    rows = read_rows(Path(file).expanduser())
    added = present = 0
    skipped: list[str] = []
    with db.unit_of_work() as repo:
        profile = require_profile(repo)
        nights = [row.night for row in rows]  # only the file's nights are read back
        stored = repo.records_for_nights(min(nights), max(nights)) if nights else []
        existing = {(r.kind, r.night, to_epoch(r.at), r.dose_ug): r.id for r in stored}
        before = set(existing.values())  # what the database held: never voided by a file
        ids: dict[int, int] = {}
        for row in rows:
            try:
                held = ids.get(row.voids or 0) if row.kind == "void" else None
                target = repo.record(held) if held in before and held is not None else None
                if target is not None and not target.voided:  # voided already: the same void, present
                    skipped.append(f"row {row.number} (record {row.id}): it voids record {row.voids}, "
                                   "which this database already holds; import never changes a stored "
                                   "record (void it with medtrack void, giving the reason)")
                    continue
                with repo.entered_by(row.recorded_by):  # the file's name; none: whoever imports
                    outcome = _import_row(repo, profile, now, row, existing, ids)
            except _LeftOut as why:
                skipped.append(f"row {row.number} (record {row.id}): {why}")
                continue
            except MedtrackError as error:
                message = f"row {row.number} (record {row.id}): {error.message}; nothing was imported"
                if isinstance(error, Refused):
                    raise Refused(error.rule, message) from None
                raise type(error)(message) from None
            added += outcome
            present += 1 - outcome
    return ImportResult(added, present, tuple(skipped))


def _import_row(repo: Repository, profile: Profile, now: dt.datetime, row: Row,
                existing: dict[RecordKey, int], ids: dict[int, int]) -> int:
    if row.at.astimezone(dt.UTC) > now.astimezone(dt.UTC):
        raise BadInput(f"the time {row.at.isoformat()} is in the future")
    if row.kind == "void":
        if row.voids not in ids:
            raise BadInput(f"it voids record {row.voids}, which is not earlier in the file")
        target = repo.record(ids[row.voids])
        if target is not None and target.voided:
            return 0
        add_void(repo, profile, now, ids[row.voids], row.note or "voided (imported)", row.at,
                 not_taken=row.not_taken)
        return 1
    zone = _zone_for(profile, row.at, row.zone)
    if night_of(row.at, zone) != row.night and row.kind == "dose":
        raise BadInput(f"night {row.night} does not match the time {row.at.isoformat()}")
    key = (row.kind, row.night, to_epoch(row.at), row.dose_ug)
    if key in existing:
        ids[row.id] = existing[key]
        return 0
    at_profile = row.at.astimezone(zone)
    facts = night_facts(repo, profile, row.night, around=row.at)
    if facts.regimen is None:  # no prescription or plan of this database covers the night: history
        saved = _add_history(repo, facts, now, row, zone.key)
    elif facts.scheduled is None and row.kind == "skip":
        raise _LeftOut("nothing is scheduled that night under this database's plan, so there is "
                       "nothing to skip")
    elif row.kind == "dose" and facts.scheduled is None:
        # the plan in force schedules nothing (a 0 mg step): judged like `log`, never by the
        # file's scheduled_mg, so the dose stands as taken against the rule, an excess
        saved = add_dose(repo, _with_zone(profile, zone), now, at_profile, row.dose_ug,
                         row.note or "imported", True, night=row.night)
    elif row.kind == "dose":
        saved = add_dose(repo, _with_zone(profile, zone), now, at_profile, row.dose_ug, row.note,
                         row.already_taken, night=row.night)
    else:
        saved = add_skip(repo, _with_zone(profile, zone), now, row.night, at_profile, row.note)
    ids[row.id] = saved.id
    existing[key] = saved.id
    return 1


def _add_history(repo: Repository, facts: NightFacts, now: dt.datetime, row: Row, zone: str) -> Record:
    """A record from another database's schedule: kept as it was, flagged as imported; a second
    dose (or a dose and a skip) on one night, or doses under 12 hours apart, are still refused."""
    if (facts.doses or facts.skips) and (row.kind == "skip" or not row.already_taken):
        raise Refused("one-dose-per-night", f"refused (one dose per night): the night of "
                      f"{row.night} already has a {'skip' if facts.skips else 'dose'} recorded.")
    if row.kind == "dose" and not row.already_taken:
        for other in facts.nearby_doses:
            if hours_apart(other.at, row.at) < MIN_DOSE_GAP:
                raise Refused("12-hour-gap", f"refused (12-hour gap): a {format_mg(other.dose_ug or 0)}"
                              f" dose is recorded at {other.at:%Y-%m-%d %H:%M}, under 12 hours away.")
    record = Record(id=0, kind=row.kind, night=row.night, at=row.at, zone=zone,
                    dose_ug=row.dose_ug, scheduled_ug=row.scheduled_ug,
                    already_taken=row.already_taken, note=row.note, rule=row.rule, imported=True)
    return repo.add_record(record, recorded_at=now)


def _with_zone(profile: Profile, zone: ZoneInfo) -> Profile:
    if zone.key == profile.zone:
        return profile

    return dataclasses.replace(profile, zone=zone.key)
