"""The withdrawal check-ins as a CSV file: one row per check-in, one column per item.

The same conventions as the records' CSV (csv_export): UTF-8 with a byte order mark, every cell
quoted, free text that a spreadsheet would run as a formula neutralised. The fixed columns come
first; then one column per item of the check-in list, named by the item's id, holding its rating
(0 none .. 3 severe; empty: the check-in did not rate it). A voided check-in stays, with the
void's time and reason. `medtrack import` reads this file back.
"""

from __future__ import annotations

import csv
import io
from typing import IO, TYPE_CHECKING

from medtrack.export.checkins import item_ids
from medtrack.export.csv_export import amount, neutralise

if TYPE_CHECKING:
    from medtrack.core.checkin import CheckIn
    from medtrack.export.data import ExportData

FIXED = ("checkin_id", "night", "time", "zone", "step_night", "step_mg", "total", "status",
         "voided_at", "void_reason", "note", "recorded_by")


def row_of(checkin: CheckIn, items: list[str]) -> list[str]:
    ratings = dict(checkin.ratings)
    return [
        str(checkin.id), checkin.night.isoformat(), checkin.at.isoformat(timespec="seconds"),
        checkin.zone, checkin.step_night.isoformat() if checkin.step_night else "",
        amount(checkin.step_ug), str(checkin.total), "voided" if checkin.voided else "checked in",
        checkin.voided_at.isoformat(timespec="seconds") if checkin.voided_at else "",
        checkin.void_reason or "", checkin.note or "", checkin.recorded_by or "",
        *(str(ratings[item]) if item in ratings else "" for item in items),
    ]


def write_checkins_csv(data: ExportData, stream: IO[bytes]) -> None:
    items = item_ids(data)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([*FIXED, *items])
    for checkin in sorted(data.checkins, key=lambda c: c.id):
        writer.writerow([neutralise(cell) for cell in row_of(checkin, items)])
    text.flush()
    text.detach()
