"""Use case: read medtrack's own CSV export back, each row judged like a log, in short batches.

A row on a night this database's plan covers goes through `add_dose`, `add_skip` or `add_void`,
as `log`, `skip` and `void` would record it. A row on a night the database schedules nothing for
(a profile without that prescription) is kept as imported history: flagged, not judged against a
schedule, but still one dose a night and 12 hours apart. A row the database already holds is
recognised and not doubled; a row left out is reported with why while the rest is imported; a
file never voids or replaces a record the database holds.

A row keeps who entered it (the `recorded_by` column); a file without that column, or a row
with it empty (entered before medtrack kept it), is recorded as entered by whoever imports it.

The file is read as a stream, never held whole. A first reading checks every row, so a bad file
writes nothing. A second imports it in batches of about BATCH_ROWS rows, each its own short
transaction with the batch's nights read once, and on SQLite gives way to other writers every
second, so tonight's `log` never waits long. A batch ends only where no void later in the file
points back into it (up to MAX_BATCH_ROWS rows), so a void is written with the record it cancels.
If an import stops part way (a refused row, Ctrl-C, a crash), the batches before stay written:
running the same import again finishes it, recognising every row already imported. (Only a void
that comes more than MAX_BATCH_ROWS rows after its record can be cut off from it by a stop; the
next run then leaves that void out, with why, as it leaves out any void of a stored record.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from medtrack.core.model import DoseEntry, Profile, Record
from medtrack.core.nights import MIN_DOSE_GAP, hours_apart, night_of
from medtrack.core.rule_words import refusal
from medtrack.core.rules import NightFacts, regimen_on, scheduled_ug
from medtrack.core.units import format_mg
from medtrack.errors import BadInput, MedtrackError, Refused
from medtrack.i18n import _, date_time, medium_date
from medtrack.services.common import require_profile
from medtrack.services.dosing import add_dose, add_skip, add_void
from medtrack.services.import_batch import BatchRepository
from medtrack.services.import_file import CsvFile, Row, Targets
from medtrack.services.nights import night_facts
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

BATCH_ROWS = 1000  # rows a batch (one transaction) holds, unless a void later points back into it
MAX_BATCH_ROWS = 2000  # ... and never more: a void further on than this is written in a later batch
SHOWN = 50  # rows left out that are listed with why; the others are counted
# SQLite's busy handler lets a waiting writer try again at least every 100 ms: a pause longer
# than that after each second of importing lets a waiting `log` in within about a second.
WORK_S = 1.0
PAUSE_S = 0.12


class _LeftOut(Exception):  # noqa: N818 - not an error: a row the import leaves out, with why
    """A row that is left out and reported, the rest of the file still imported."""


class _Stopped(Exception):  # noqa: N818 - carries a row's error out of its batch's transaction
    def __init__(self, row: Row, error: MedtrackError) -> None:
        super().__init__(error.message)
        self.row = row
        self.error = error


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_present: int
    skipped: tuple[str, ...] = ()  # the first SHOWN rows left out, each with why
    left_out: int = 0  # every row left out (import never changes a stored record)


# -- the first reading: every row checked, nothing written ---------------------------------------


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


def check_file(source: CsvFile, profile: Profile, now: dt.datetime) -> Targets:
    """Every row parsed and checked on its own (a bad row is bad input naming it); the voids'
    records found earlier in the file."""
    targets = Targets(*source.void_targets())
    for row in source.rows():
        try:
            _check_row(row, profile, now, targets)
        except BadInput as error:
            raise BadInput(_("row {row} (record {id}): {error}; nothing was imported").format(
                row=row.number, id=row.id, error=error.message)) from None
        found = targets.find(row.id)
        if found >= 0:
            targets.seen[found] = 2 if row.kind == "void" else 1
    return targets


def _check_row(row: Row, profile: Profile, now: dt.datetime, targets: Targets) -> None:
    if row.at.astimezone(dt.UTC) > now.astimezone(dt.UTC):
        raise BadInput(_("the time {time} is in the future").format(time=row.at.isoformat()))
    if row.kind == "void":
        found = targets.find(row.voids or 0)
        if found < 0 or not targets.seen[found]:
            raise BadInput(_("it voids record {id}, which is not earlier in the file").format(id=row.voids))
        if targets.seen[found] == 2:
            raise BadInput(_("it voids record {id}, which is a void itself").format(id=row.voids))
    elif row.kind == "dose" and night_of(row.at, _zone_for(profile, row.at, row.zone)) != row.night:
        raise BadInput(_("night {night} does not match the time {time}").format(
            night=row.night, time=row.at.isoformat()))


# -- the second reading: batches, each in its own transaction ------------------------------------


def batches(source: CsvFile, targets: Targets) -> Iterator[list[Row]]:
    """The rows in batches of BATCH_ROWS or more, each ending where no void later in the file
    points back into it. A batch that reaches MAX_BATCH_ROWS without such a place ends at the
    last one it passed, or, if none, where it is (a void further on is then written later)."""
    batch: list[Row] = []
    open_until = 0  # the row of the last void to come that cancels a record read so far
    safe = 0  # how many of the batch's rows end at such a place
    for row in source.rows():
        batch.append(row)
        found = targets.find(row.id)
        if found >= 0:
            open_until = max(open_until, targets.void_row[found])
        if row.number >= open_until:
            safe = len(batch)
            if len(batch) >= BATCH_ROWS:
                yield batch
                batch, safe = [], 0
        elif len(batch) >= MAX_BATCH_ROWS:
            cut = safe or len(batch)
            yield batch[:cut]
            batch, safe = batch[cut:], 0
    if batch:
        yield batch


class _LeftOutRows:
    """Every row left out counted; the first SHOWN kept with why."""

    def __init__(self) -> None:
        self.count = 0
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        self.count += 1
        if len(self.lines) < SHOWN:
            self.lines.append(line)


def import_csv(db: Database, now: dt.datetime, file: str) -> ImportResult:
    """Check the whole file, then import it batch by batch (see the module's docstring)."""
    source = CsvFile(Path(file).expanduser())
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
    targets = check_file(source, profile, now)
    added = present = 0
    left_out = _LeftOutRows()
    done_before = 2  # the first row not yet written (the header is row 1)
    working_since, paused_at = time.monotonic(), None
    for batch in batches(source, targets):
        if paused_at is not None:  # the batch was read meanwhile: wait out the rest of the pause
            time.sleep(max(0.0, PAUSE_S - (time.monotonic() - paused_at)))
            working_since, paused_at = time.monotonic(), None
        try:
            with db.unit_of_work(Work.WRITE_PATIENT) as repo:
                counts = _import_batch(BatchRepository(repo, batch), now, batch, targets, left_out)
        except _Stopped as stop:
            raise _stopped(stop.error, _("row {row} (record {id})").format(row=stop.row.number, id=stop.row.id),
                           done_before) from None
        except MedtrackError as error:
            raise _stopped(error, _("rows {first} to {last}").format(first=batch[0].number, last=batch[-1].number),
                           done_before) from None
        added, present = added + counts[0], present + counts[1]
        done_before = batch[-1].number + 1
        if db.file is not None and time.monotonic() - working_since >= WORK_S:
            paused_at = time.monotonic()  # a `log` waiting for the file gets its turn
    return ImportResult(added, present, tuple(left_out.lines), left_out.count)


def _stopped(error: MedtrackError, where: str, done_before: int) -> MedtrackError:
    if done_before <= 2:
        message = _("{where}: {error}; nothing was imported").format(where=where, error=error.message)
    else:
        message = _("{where}: {error}; the import stopped there: rows 2 to {last} are imported, none from "
                    "row {first} on. Run the same import again once that is put right: the rows already "
                    "imported are recognised, not doubled").format(
                        where=where, error=error.message, last=done_before - 1, first=done_before)
    if isinstance(error, Refused):
        return Refused(error.rule, message, hint=error.hint)
    return type(error)(message, hint=error.hint)


def _import_batch(batch: BatchRepository, now: dt.datetime, rows: list[Row], targets: Targets,
                  left_out: _LeftOutRows) -> tuple[int, int]:
    profile = require_profile(batch)
    added = present = 0
    for row in rows:
        try:
            with batch.entered_by(row.recorded_by):  # the file's name; none: whoever imports
                outcome = _import_row(batch, profile, now, row, targets)
        except _LeftOut as why:
            left_out.add(_("row {row} (record {id}): {why}").format(row=row.number, id=row.id, why=why))
            continue
        except MedtrackError as error:
            raise _Stopped(row, error) from None
        added += outcome
        present += 1 - outcome
    batch.write_held()
    for row in rows:  # a void in a later batch names its record by the id it was written with
        found = targets.find(row.id)
        if found >= 0:
            targets.db_id[found] = batch.real_id(targets.db_id[found])
    return added, present


def _import_row(batch: BatchRepository, profile: Profile, now: dt.datetime, row: Row,
                targets: Targets) -> int:
    if row.kind == "void":
        return _import_void(batch, profile, now, row, targets)
    held = batch.holding(row)
    if held is not None:
        targets.remember(row.id, held.id, created=False)
        return 0
    zone = _zone_for(profile, row.at, row.zone)
    at_profile = row.at.astimezone(zone)
    regimen = regimen_on(batch.regimens(), row.night)  # as night_facts has it, without the window
    scheduled = scheduled_ug(regimen, row.night)
    if regimen is None:  # no prescription or plan of this database covers the night: history
        saved = _add_history(batch, night_facts(batch, profile, row.night, around=row.at), now, row,
                             zone.key)
    elif scheduled is None and row.kind == "skip":
        raise _LeftOut(_("nothing is scheduled that night under this database's plan, so there is "
                         "nothing to skip"))
    elif row.kind == "dose" and scheduled is None:
        # the plan in force schedules nothing (a 0 mg step): judged like `log`, never by the
        # file's scheduled_mg, so the dose stands as taken against the rule, an excess
        saved = add_dose(batch, _with_zone(profile, zone), now, at_profile, dose_ug=row.dose_ug,
                         note=row.note or "imported", entry=DoseEntry.ALREADY_TAKEN, night=row.night)
    elif row.kind == "dose":
        entry = DoseEntry.ALREADY_TAKEN if row.already_taken else DoseEntry.TO_TAKE
        saved = add_dose(batch, _with_zone(profile, zone), now, at_profile, dose_ug=row.dose_ug,
                         note=row.note, entry=entry, night=row.night)
    else:
        saved = add_skip(batch, _with_zone(profile, zone), now, row.night, at_profile, row.note)
    targets.remember(row.id, saved.id, created=True)
    return 1


def _import_void(batch: BatchRepository, profile: Profile, now: dt.datetime, row: Row,
                 targets: Targets) -> int:
    found = targets.find(row.voids or 0)  # the first reading made sure it is earlier in the file
    target_id = targets.db_id[found] if found >= 0 else 0
    if not target_id:
        raise _LeftOut(_("it voids record {id}, which was left out").format(id=row.voids))
    target = batch.record(target_id)
    if target is not None and target.voided:  # voided already: the same void, present
        return 0
    if not targets.created[found]:
        raise _LeftOut(_("it voids record {id}, which this database already holds; import never changes a "
                         "stored record (void it in this database, giving the reason)").format(id=row.voids))
    add_void(batch, profile, now, target_id, row.note or "voided (imported)", row.at,
             not_taken=row.not_taken)
    return 1


def _add_history(repo: Repository, facts: NightFacts, now: dt.datetime, row: Row, zone: str) -> Record:
    """A record from another database's schedule: kept as it was, flagged as imported; a second
    dose (or a dose and a skip) on one night, or doses under 12 hours apart, are still refused."""
    if (facts.doses or facts.skips) and (row.kind == "skip" or not row.already_taken):
        said = (_("the night of {night} already has a skip recorded.") if facts.skips
                else _("the night of {night} already has a dose recorded."))
        raise refusal("one-dose-per-night", said.format(night=medium_date(row.night)))
    if row.kind == "dose" and not row.already_taken:
        for other in facts.nearby_doses:
            if hours_apart(other.at, row.at) < MIN_DOSE_GAP:
                raise refusal("12-hour-gap", _("a {dose} dose is recorded at {when}, under 12 hours away.").format(
                    dose=format_mg(other.dose_ug or 0),
                    when=date_time(other.at)))
    record = Record(id=0, kind=row.kind, night=row.night, at=row.at, zone=zone,
                    dose_ug=row.dose_ug, scheduled_ug=row.scheduled_ug,
                    already_taken=row.already_taken, note=row.note, rule=row.rule, imported=True)
    return repo.add_record(record, recorded_at=now)


def _with_zone(profile: Profile, zone: ZoneInfo) -> Profile:
    if zone.key == profile.zone:
        return profile

    return dataclasses.replace(profile, zone=zone.key)
