"""Use case: read medtrack's check-ins CSV (export --table checkins) back.

Like the records' import: every row is parsed and checked first, so a bad file writes nothing;
then the check-ins are written in batches of BATCH_ROWS, each its own short transaction. A
check-in the database already holds (the same night, time and ratings) is recognised and not
doubled, so the same import can be run again to finish one that stopped. A voided check-in is
written with its void (the file's time and reason). An import never changes a stored check-in:
one the file says is voided but the database holds as standing is left out, with why.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

from medtrack.core.checkin import SCALE_WORDS, CheckIn
from medtrack.core.nights import night_of
from medtrack.core.units import parse_dose
from medtrack.errors import BadInput, MedtrackError
from medtrack.export.csv_checkins import FIXED
from medtrack.export.csv_export import restore
from medtrack.i18n import _
from medtrack.services.common import require_profile
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

BATCH_ROWS = 1000
MAX_BYTES = 200 * 1024 * 1024
STATUSES = ("checked in", "voided")
_ITEM_ID = re.compile(r"[a-z][a-z0-9_]*")
Key = tuple[dt.date, dt.datetime, tuple[tuple[str, int], ...]]


def is_checkins_header(header: tuple[str, ...]) -> bool:
    """Whether a CSV's first row is the check-ins layout (its fixed columns, then item ids)."""
    return header[:len(FIXED)] == FIXED


def checkins_header(path: Path) -> tuple[str, ...] | None:
    """The file's header when it is a check-ins CSV; None for anything else (the records'
    import then says what the file is not)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as text:
            header = tuple(next(csv.reader(text, strict=True), []))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return header if is_checkins_header(header) else None


@dataclass(frozen=True)
class CheckinRow:
    number: int
    checkin: CheckIn

    @property
    def key(self) -> Key:
        return _key(self.checkin)


def _key(checkin: CheckIn) -> Key:
    return checkin.night, checkin.at.astimezone(dt.UTC), tuple(sorted(checkin.ratings))


@dataclass(frozen=True)
class CheckinImport:
    added: int
    already_present: int
    skipped: tuple[str, ...] = ()


def _bad(number: int, message: str) -> BadInput:
    return BadInput(_("row {row}: {message}; nothing was imported").format(row=number, message=message))


def _time(number: int, name: str, text: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _bad(number, _("{name} '{value}' is not a date and time (YYYY-MM-DDTHH:MM:SS+HH:MM)").format(
            name=name, value=text)) from None
    if at.tzinfo is None:
        raise _bad(number, _("{name} '{value}' has no UTC offset").format(name=name, value=text))
    return at


def _rating(number: int, item: str, text: str) -> int | None:
    if text == "":
        return None
    if text.isascii() and text.isdigit() and int(text) < len(SCALE_WORDS):
        return int(text)
    raise _bad(number, _("the rating of {item} is '{value}': accepted are 0 none, 1 mild, 2 moderate, "
                         "3 severe, or empty (not rated)").format(item=item, value=text))


def parse_row(number: int, cells: list[str], items: tuple[str, ...], now: dt.datetime) -> CheckinRow:
    """One row, parsed and checked on its own (a bad row is bad input naming it)."""
    columns = (*FIXED, *items)
    if len(cells) != len(columns):
        raise _bad(number, _("has {count} cells, expected {expected}").format(count=len(cells), expected=len(columns)))
    values = dict(zip(columns, [restore(c) for c in cells], strict=True))
    text = values["checkin_id"]
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 18 and int(text) > 0):
        raise _bad(number, _("checkin_id '{value}' is not a positive number").format(value=text))
    try:
        night = dt.date.fromisoformat(values["night"])
        step_night = dt.date.fromisoformat(values["step_night"]) if values["step_night"] else None
    except ValueError:
        raise _bad(number, _("a night is not a date (YYYY-MM-DD)")) from None
    try:
        zone = ZoneInfo(values["zone"])
    except (ValueError, OSError, KeyError):
        raise _bad(number, _("zone '{zone}' is not a known time zone").format(zone=values["zone"])) from None
    at = _time(number, "time", values["time"])
    if at > now:
        raise _bad(number, _("the time {time} is in the future").format(time=at.isoformat()))
    if night_of(at, zone) != night:
        raise _bad(number, _("night {night} does not match the time {time} in {zone}").format(
            night=night, time=at.isoformat(), zone=zone.key))
    step = values["step_mg"]
    try:
        step_ug = None if step == "" else 0 if step in ("0", "0 mg") else parse_dose(step)
    except BadInput as error:
        raise _bad(number, _("step_mg: {error}").format(error=error.message)) from None
    ratings = tuple((item, r) for item in items
                    if (r := _rating(number, item, values[item])) is not None)
    if not values["total"].isdigit() or int(values["total"]) != sum(r for _item, r in ratings):
        raise _bad(number, _("total '{total}' is not the sum of the ratings ({sum})").format(
            total=values["total"], sum=sum(r for _item, r in ratings)))
    if values["status"] not in STATUSES:
        raise _bad(number, _("status '{status}' is not one of: {accepted}").format(
            status=values["status"], accepted=", ".join(STATUSES)))
    voided = values["status"] == "voided"
    voided_at = None
    if voided:
        voided_at = _time(number, "voided_at", values["voided_at"])
        if not values["void_reason"].strip():
            raise _bad(number, _("a voided check-in needs its void_reason"))
        if voided_at > now or voided_at < at:
            raise _bad(number, _("voided_at {time} is not between the check-in and now").format(
                time=voided_at.isoformat()))
    return CheckinRow(number, CheckIn(
        id=int(text), night=night, at=at.astimezone(zone), zone=zone.key, ratings=ratings,
        step_night=step_night, step_ug=step_ug, note=values["note"] or None, voided=voided,
        void_reason=values["void_reason"].strip() or None if voided else None,
        recorded_by=" ".join(values["recorded_by"].split()) or None,
        voided_at=voided_at.astimezone(zone) if voided_at else None))


class CheckinsFile:
    """A check-ins CSV on disk, read row by row each time it is walked."""

    def __init__(self, path: Path, header: tuple[str, ...]) -> None:
        if path.stat().st_size > MAX_BYTES:
            raise BadInput(_("{path} is larger than 200 MB: not a medtrack CSV export").format(path=path))
        self.path = path
        self.items = header[len(FIXED):]
        for item in self.items:
            if not _ITEM_ID.fullmatch(item):
                raise BadInput(_("row 1: '{item}' is not a check-in item's id (lower-case letters, "
                                 "digits and _)").format(item=item))
        if len(set(self.items)) != len(self.items):
            raise BadInput(_("row 1: an item's column is named twice"))

    def rows(self, now: dt.datetime) -> Iterator[CheckinRow]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as text:
                reader = csv.reader(text, strict=True)
                next(reader, None)
                for number, cells in enumerate(reader, start=2):
                    yield parse_row(number, cells, self.items, now)
        except UnicodeDecodeError:
            raise BadInput(_("{path} is not UTF-8 text: not a medtrack CSV export").format(path=self.path)) from None
        except csv.Error as error:
            raise BadInput(_("{path} is not valid CSV ({error})").format(path=self.path, error=error)) from None
        except OSError as error:
            raise BadInput(_("cannot read {path}: {error}").format(path=self.path, error=error.strerror)) from None


def import_checkins(db: Database, now: dt.datetime, path: Path, header: tuple[str, ...]) -> CheckinImport:
    """Check the whole file, then write its check-ins batch by batch (see the module docstring)."""
    source = CheckinsFile(path, header)
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
    for _row in source.rows(now):  # the first reading: every row checked, nothing written
        pass
    added = present = 0
    skipped: list[str] = []
    rows = source.rows(now)
    done_before = 2
    while batch := list(islice(rows, BATCH_ROWS)):
        try:
            with db.unit_of_work(Work.WRITE_PATIENT) as repo:
                counts = _write_batch(repo, batch, now, skipped)
        except MedtrackError as error:
            if done_before > 2:
                error.message = _("{error}; the import stopped there: rows 2 to {last} are imported. Run the "
                                  "same import again to finish it: the check-ins already imported are "
                                  "recognised, not doubled").format(error=error.message, last=done_before - 1)
            raise
        added, present = added + counts[0], present + counts[1]
        done_before = batch[-1].number + 1
    return CheckinImport(added, present, tuple(skipped))


def _write_batch(repo: Repository, batch: list[CheckinRow], now: dt.datetime,
                 skipped: list[str]) -> tuple[int, int]:
    nights = [row.checkin.night for row in batch]
    held = {_key(c): c for c in repo.checkins(min(nights), max(nights))}
    added = present = 0
    for row in batch:
        checkin = row.checkin
        stored = held.get(row.key)
        if stored is not None:
            if checkin.voided and not stored.voided:
                skipped.append(_("row {row} (check-in {id}): it is voided in the file, but this database holds "
                                 "it as check-in {stored}, not voided; an import never changes a stored "
                                 "check-in (void it with `{command}`)").format(
                                     row=row.number, id=checkin.id, stored=stored.id,
                                     command=f"medtrack checkin --void {stored.id} --reason ..."))
            else:
                present += 1
            continue
        with repo.entered_by(checkin.recorded_by):
            made = repo.add_checkin(checkin, recorded_at=now)
            if checkin.voided and checkin.voided_at is not None:
                at = checkin.voided_at
                repo.void_checkin(made.id, reason=checkin.void_reason or "voided (imported)", at=at,
                                  night=night_of(at, ZoneInfo(checkin.zone)), zone=checkin.zone,
                                  recorded_at=now)
        held[row.key] = made
        added += 1
    return added, present
