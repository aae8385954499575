"""CSV export: one row per record (doses, skips and voids) in recording order, formula-safe."""

from __future__ import annotations

import csv
import io
from typing import IO

from medtrack.core.model import Record
from medtrack.core.units import format_mg

COLUMNS = ("id", "kind", "night", "time", "dose_mg", "scheduled_mg", "status", "already_taken",
           "voids", "note")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(cell: str) -> str:
    """A cell a spreadsheet would run as a formula gets a leading ' (so does one starting with ')."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """The inverse of neutralise: strip exactly one leading ' from a neutralised cell."""
    if cell.startswith("'") and len(cell) > 1 and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def _amount(ug: int | None) -> str:
    return format_mg(ug).removesuffix(" mg") if ug is not None else ""


def status_of(record: Record) -> str:
    if record.kind == "void":
        return "void"
    if record.voided:
        return "voided"
    return "taken" if record.kind == "dose" else "skipped"


def row_of(record: Record) -> list[str]:
    return [
        str(record.id), record.kind, record.night.isoformat(),
        record.at.isoformat(timespec="seconds"), _amount(record.dose_ug),
        _amount(record.scheduled_ug), status_of(record),
        "yes" if record.already_taken else "no",
        str(record.voids) if record.voids is not None else "", record.note or "",
    ]


def write_csv(data, stream: IO[bytes]) -> None:  # type: ignore[no-untyped-def]
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in sorted(data.records, key=lambda r: r.id):
        writer.writerow([neutralise(cell) for cell in row_of(record)])
    text.flush()
    text.detach()
