"""CSV export: one row per record (doses, skips and voids) in recording order, formula-safe.

UTF-8 with a byte order mark, so spreadsheets decode it without a locale guess; every cell
quoted (RFC 4180); free text that a spreadsheet would run as a formula starts with '.
"""

from __future__ import annotations

import csv
import io
from typing import IO, TYPE_CHECKING

from medtrack.core.model import Record
from medtrack.core.units import plain_mg

if TYPE_CHECKING:
    from medtrack.export.data import ExportData

COLUMNS = ("id", "kind", "night", "time", "zone", "dose_mg", "scheduled_mg", "status",
           "already_taken", "rule", "voids", "note", "recorded_by")
# recorded_by came last, so a reader of the layout before it that goes by position keeps working.
BEFORE_RECORDER = COLUMNS[:-1]  # medtrack's CSV before recorded_by (schema 5)
EARLIER_COLUMNS = ("id", "kind", "night", "time", "dose_mg", "scheduled_mg", "status",
                   "already_taken", "voids", "note")  # medtrack's CSV before zone and rule
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading ' (so does one starting with ')."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """The inverse of neutralise: strip exactly one leading ' from a neutralised cell."""
    if cell.startswith("'") and len(cell) > 1 and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def amount(ug: int | None) -> str:
    return plain_mg(ug) if ug is not None else ""


NOT_TAKEN_VOID = "void, not taken"


def status_of(record: Record) -> str:
    if record.kind == "void":
        return NOT_TAKEN_VOID if record.not_taken else "void"
    if record.voided:
        return "voided"
    status = "taken" if record.kind == "dose" else "skipped"
    return status + (", imported" if record.imported else "")


def row_of(record: Record) -> list[str]:
    return [
        str(record.id), record.kind, record.night.isoformat(),
        record.at.isoformat(timespec="seconds"), record.zone, amount(record.dose_ug),
        amount(record.scheduled_ug), status_of(record),
        "yes" if record.already_taken else "no", record.rule or "",
        str(record.voids) if record.voids is not None else "", record.note or "",
        record.recorded_by or "",  # empty: entered before medtrack kept who entered a record
    ]


def write_csv(data: ExportData, stream: IO[bytes]) -> None:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in sorted(data.records, key=lambda r: r.id):
        writer.writerow([neutralise(cell) for cell in row_of(record)])
    text.flush()
    text.detach()
