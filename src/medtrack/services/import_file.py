"""medtrack's CSV export as `import` reads it: from the file, one row at a time, never the whole
file (a stream each time it is walked); each row parsed and checked on its own; the records the
file's voids cancel."""

from __future__ import annotations

import csv
import datetime as dt
import functools
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from medtrack.core.model import RecordKind
from medtrack.core.units import parse_dose
from medtrack.errors import BadInput
from medtrack.export.csv_export import BEFORE_RECORDER, COLUMNS, EARLIER_COLUMNS, NOT_TAKEN_VOID, restore
from medtrack.i18n import _

MAX_BYTES = 200 * 1024 * 1024
LAYOUTS = (COLUMNS, BEFORE_RECORDER, EARLIER_COLUMNS)
MAX_ID_DIGITS = 18  # an id longer than this is not one medtrack wrote (nor fits the key)
KINDS = tuple(RecordKind)


@dataclass(frozen=True)
class Row:
    """One row of the file, parsed: a record as the database it came from held it."""

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



def _bad(number: int, message: str) -> BadInput:
    return BadInput(_("row {row}: {message}").format(row=number, message=message))


@functools.lru_cache(maxsize=256)
def _dose(text: str) -> int:
    """parse_dose, once for each amount a file holds (a long history holds a handful)."""
    return parse_dose(text)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


def parse_row(number: int, cells: list[str], columns: tuple[str, ...] = COLUMNS) -> Row:
    if len(cells) != len(columns):
        raise _bad(number, _("has {count} cells, expected {expected} ({columns})").format(
            count=len(cells), expected=len(columns), columns=",".join(columns)))
    # only a cell starting with ' was neutralised (restore leaves any other as it is)
    values = dict(zip(columns, [restore(c) if c[:1] == "'" else c for c in cells], strict=True))
    try:
        record_id = int(values["id"]) if _is_id(values["id"]) else -1
        night = dt.date.fromisoformat(values["night"])
        at = dt.datetime.fromisoformat(values["time"])
    except ValueError as error:
        raise _bad(number, _("not a medtrack record ({error})").format(error=error)) from None
    if record_id <= 0:
        too_long = values["id"].isascii() and values["id"].isdigit() and len(values["id"]) > MAX_ID_DIGITS
        said = _("id '{id}' is too long for a record id") if too_long else _("id '{id}' is not a positive number")
        raise _bad(number, said.format(id=values["id"]))
    if at.tzinfo is None:
        raise _bad(number, _("time '{time}' has no UTC offset").format(time=values["time"]))
    if values["kind"] not in KINDS:
        raise _bad(number, _("kind '{kind}' is not dose, skip or void").format(kind=values["kind"]))
    kind = RecordKind(values["kind"])
    if values["already_taken"] not in ("yes", "no"):
        raise _bad(number, _("already_taken '{value}' is not yes or no").format(value=values["already_taken"]))
    dose = None
    if kind == "dose":
        try:
            dose = _dose(values["dose_mg"])
        except BadInput as error:
            raise _bad(number, error.message) from None
    voids = None
    if kind == "void":
        if not _is_id(values["voids"]):
            raise _bad(number, _("a void row needs the id it cancels in 'voids'"))
        voids = int(values["voids"])
    scheduled = None
    if values.get("scheduled_mg"):
        try:
            scheduled = _dose(values["scheduled_mg"])
        except BadInput as error:
            raise _bad(number, error.message) from None
    zone = values.get("zone") or None
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ValueError, OSError, KeyError):
            raise _bad(number, _("zone '{zone}' is not a known time zone").format(zone=zone)) from None
    return Row(number, record_id, kind, night, at, dose, values["already_taken"] == "yes", voids,
               values["note"] or None, zone=zone, scheduled_ug=scheduled,
               rule=values.get("rule") or None, not_taken=values["status"] == NOT_TAKEN_VOID,
               recorded_by=" ".join(values.get("recorded_by", "").split()) or None)


class CsvFile:
    """A medtrack CSV export on disk, read row by row each time it is walked (never whole)."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise BadInput(_("{path} is not a file: give the path of a medtrack CSV export").format(path=path))
        if path.stat().st_size > MAX_BYTES:
            raise BadInput(_("{path} is larger than 200 MB: not a medtrack CSV export").format(path=path))
        self.path = path
        self.columns: tuple[str, ...] = COLUMNS
        for _row in self.cells():  # reads the header (and checks it) without reading on
            break

    def cells(self) -> Iterator[tuple[int, list[str]]]:
        """Each row's number (the header is row 1) and cells, as the file holds them."""
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as text:
                reader = csv.reader(text, strict=True)
                header = tuple(next(reader, []))
                if header not in LAYOUTS:
                    raise BadInput(_("row 1: the header is not medtrack's ({columns})").format(
                        columns=",".join(COLUMNS)))
                self.columns = header
                yield from enumerate(reader, start=2)
        except UnicodeDecodeError:
            raise BadInput(_("row {row}: not UTF-8 text; {path} is not a medtrack CSV export").format(
                row=self._undecodable_line(), path=self.path)) from None
        except csv.Error as error:
            raise BadInput(_("{path} is not valid CSV ({error})").format(path=self.path, error=error)) from None
        except OSError as error:
            raise BadInput(_("cannot read {path}: {error}").format(path=self.path, error=error.strerror)) from None

    def rows(self) -> Iterator[Row]:
        for number, cells in self.cells():
            yield parse_row(number, cells, self.columns)

    def void_targets(self) -> tuple[array[int], array[int]]:
        """The ids the void rows cancel, ascending, and the first row that cancels each (from
        the cells: the rows themselves are checked by the next reading). Two arrays of numbers,
        not a dict: a file with a void every third row keeps hundreds of thousands."""
        ids, rows = array("q"), array("q")
        kind, voids = self.columns.index("kind"), self.columns.index("voids")
        in_order = True  # as medtrack writes them: each void cancels a later record than the last
        for number, cells in self.cells():
            if len(cells) == len(self.columns) and cells[kind] == "void" and _is_id(cells[voids]):
                cancelled = int(cells[voids])
                in_order = in_order and (not ids or cancelled > ids[-1])
                ids.append(cancelled)
                rows.append(number)
        if in_order:
            return ids, rows
        pairs = sorted(zip(ids, rows, strict=True))  # the first row of each id comes first
        kept = [pair for at, pair in enumerate(pairs) if at == 0 or pair[0] != pairs[at - 1][0]]
        return array("q", (i for i, _row in kept)), array("q", (r for _id, r in kept))

    def _undecodable_line(self) -> int:
        """The line of the first bytes that are not UTF-8 (a line break never splits a character)."""
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    return number
        return 1


class Targets:
    """The records the file's voids cancel, by their id in the file: all an import keeps from one
    batch to the next (about 26 bytes a cancelled record), never every row."""

    def __init__(self, ids: array[int], void_rows: array[int]) -> None:
        self.ids = ids  # ascending
        self.void_row = void_rows  # the row of its first void
        self.db_id = array("q", bytes(8 * len(self.ids)))  # what it became here (0: not yet)
        self.seen = bytearray(len(self.ids))  # 1: met earlier in the file, 2: met as a void
        self.created = bytearray(len(self.ids))  # 1: written by this import, not held before

    def find(self, file_id: int) -> int:
        at = bisect_left(self.ids, file_id)
        return at if at < len(self.ids) and self.ids[at] == file_id else -1

    def remember(self, file_id: int, db_id: int, *, created: bool) -> None:
        """What a record the file cancels later became here (kept only for those)."""
        found = self.find(file_id)
        if found >= 0:
            self.db_id[found] = db_id
            self.created[found] = created
