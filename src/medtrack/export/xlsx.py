"""XLSX export (openpyxl): Records, Symptoms, Plan and Summary sheets for a doctor's office, a
Stock sheet once tablets or liquid were added or counted, and the withdrawal check-ins (each
check-in, each step's baseline and after, the items) when the period has any.

Doses are numbers, nights are dates, times are local date-times with their zone beside them,
who entered a record or symptom is named beside it (empty: entered before medtrack kept it),
and every piece of free text is a text cell: a note like "=1+1", "0042" or "1/2" stays exactly
as typed (never a formula, never a number or a date). Headers are frozen, columns sized.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from medtrack.core.model import step_end
from medtrack.core.stock import unit_words
from medtrack.core.taper import change_words
from medtrack.export.checkins import (
    dose_words,
    is_start,
    item_ids,
    item_name,
    scale,
    severe_items,
    severe_words,
    verdict,
)
from medtrack.export.forms import as_taken, kind_words, product, status_words, stock_number
from medtrack.i18n import N_, _

if TYPE_CHECKING:
    from medtrack.core.model import Record
    from medtrack.export.data import ExportData

MG = "0.###"  # number format: 1, 0.75, 0.125
AMOUNT = "0.##"  # tablets (12.5, 12.75) or ml
DATE = "yyyy-mm-dd"
TIME = "yyyy-mm-dd hh:mm"
MEAN = "0.0"  # a mean total of check-ins
HIGHLIGHT = PatternFill("solid", fgColor="FDE2E1")
MAX_WIDTH = 60
# The Summary's adherence lines, by their key in ExportData.adherence()
COUNTS = {"taken": N_("taken"), "missed": N_("missed"), "skipped": N_("skipped"), "excess": N_("excess"),
          "already_taken": N_("already taken"), "voided": N_("voided")}


class Text(str):
    """A value that must stay a text cell, whatever it looks like."""


def _yes(flag: bool) -> str:
    return _("yes") if flag else _("no")


def _head(*names: str) -> tuple[str, ...]:
    return tuple(_(name) for name in names)


def _mg(ug: int | None) -> float | None:
    return None if ug is None else ug / 1000


def _local(instant: dt.datetime) -> dt.datetime:
    """Spreadsheets have no zones: the wall-clock time, with the zone in its own column."""
    return instant.replace(tzinfo=None)


def _sheet(book: Workbook, title: str, head: Sequence[str], rows: Iterable[Sequence[Any]],
           formats: dict[int, str] | None = None, highlight: Iterable[bool] = ()) -> None:
    """A sheet of `rows` under a bold, frozen `head`, each column as wide as its longest value.

    Each row's cells are made and styled here, then appended, and the widths are taken from
    them: nothing asks the sheet for its size (openpyxl's `max_row` reads every cell, and asked
    once a row it made the time grow with the square of the rows). A column without a format in
    `formats` shows a date as a date and a date-time as one."""
    sheet: Worksheet = book.create_sheet(title)  # openpyxl types it as Any (a write-only book's differs)
    header = [Cell(sheet, 1, column, value=name) for column, name in enumerate(head, start=1)]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    longest = [len(name) for name in head]
    marks = iter(highlight)
    for row, values in enumerate(rows, start=2):
        marked = next(marks, False)
        cells = []
        for column, value in enumerate(values):
            cell = Cell(sheet, row, column + 1, value=str(value) if isinstance(value, Text) else value)
            if isinstance(value, Text):
                cell.data_type = "s"  # openpyxl would otherwise store "=1+1" as a formula
                cell.quotePrefix = True  # and a spreadsheet must not re-read "1/2" as a date
            elif formats and column in formats:
                cell.number_format = formats[column]
            elif isinstance(value, dt.datetime):
                cell.number_format = TIME
            elif isinstance(value, dt.date):
                cell.number_format = DATE
            if marked:
                cell.fill = HIGHLIGHT
            if value is not None:
                longest[column] = max(longest[column], len(str(cell.value)))
            cells.append(cell)
        sheet.append(cells)
    sheet.freeze_panes = "A2"
    for number, width in enumerate(longest, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = min(MAX_WIDTH, max(8, width + 2))


def _records(book: Workbook, data: ExportData) -> None:
    records = sorted(data.records, key=lambda r: (r.night, r.at, r.id))
    excess = {n.night for n in data.nights if n.state == "excess"}
    rows = [(r.id, kind_words(r), r.night, _local(r.at), Text(r.zone), _mg(r.dose_ug), _mg(r.scheduled_ug),
             Text(status_words(r)), _yes(r.already_taken), Text(r.rule or ""),
             r.voids, Text(r.note or ""), Text(_taken_as(data, r) or ""), Text(r.recorded_by or ""))
            for r in records]
    _sheet(book, _("Records"), _head(N_("id"), N_("kind"), N_("night"), N_("time"), N_("zone"), N_("dose_mg"),
                                     N_("scheduled_mg"), N_("status"), N_("already_taken"), N_("rule"),
                                     N_("voids"), N_("note"), N_("as taken"), N_("recorded by")), rows,
           {2: DATE, 3: TIME, 5: MG, 6: MG},
           [r.already_taken or (r.kind == "dose" and not r.voided and r.night in excess)
            for r in records])


def _taken_as(data: ExportData, record: Record) -> str | None:
    """A dose as the patient took it, when the regimen in force that night records tablets or a liquid."""
    if record.kind != "dose":
        return None
    return as_taken(data.timeline.regimen_on(record.night), record.dose_ug)


def _symptoms(book: Workbook, data: ExportData) -> None:
    rows = [(s.id, s.night, _local(s.at), Text(s.zone), Text(s.name), s.severity,
             _yes(s.urgent), Text(s.note or ""), Text(s.recorded_by or ""))
            for s in data.symptoms]
    _sheet(book, _("Symptoms"), _head(N_("id"), N_("night"), N_("time"), N_("zone"), N_("symptom"),
                                      N_("severity"), N_("urgent"), N_("note"), N_("recorded by")), rows,
           {1: DATE, 2: TIME}, [s.urgent for s in data.symptoms])


def _plan(book: Workbook, data: ExportData) -> None:
    rows = []
    for regimen in data.regimens:
        what = (_("prescription") if regimen.kind == "prescription"
                else _("plan v{version}").format(version=regimen.version))
        made_with = product(regimen)
        for i, step in enumerate(regimen.steps):
            end = step_end(regimen.steps, i)
            rows.append((Text(what), Text(regimen.prescriber), _local(regimen.created_at),
                         regimen.start, Text(change_words(regimen.change)), Text(regimen.reason or ""),
                         i + 1, step.start, end, _mg(step.dose_ug),
                         Text(regimen.acknowledged or ""), Text(as_taken(regimen, step.dose_ug) or ""),
                         Text(made_with.describe() if made_with else ""),
                         Text("; ".join(w.text for w in regimen.warnings))))
    _sheet(book, _("Plan"), _head(N_("version"), N_("by"), N_("written (UTC)"), N_("in force from"), N_("change"),
                                  N_("why"), N_("step"), N_("from night"), N_("to night"), N_("dose_mg"),
                                  N_("contraindication acknowledged"), N_("as taken"), N_("formulation"),
                                  N_("warnings")), rows,
           {2: TIME, 3: DATE, 7: DATE, 8: DATE, 9: MG})


def _stock(book: Workbook, data: ExportData) -> None:
    """Every addition and count, amounts as numbers of tablets (or ml); counts off by more than
    half a tablet (0.5 ml) flagged and highlighted. No sheet when no stock was ever recorded."""
    if data.stock is None:
        return
    entries = data.stock_entries
    rows = [(_local(e.at), Text(e.zone), Text(e.kind), Text(unit_words(e.key)), stock_number(e.key, e.amount),
             stock_number(e.key, e.expected) if e.kind == "count" and e.expected is not None else None,
             _yes(e.flagged), Text(e.note or ""))
            for e in entries]
    _sheet(book, _("Stock"), _head(N_("date"), N_("zone"), N_("kind"), N_("what"), N_("amount"), N_("expected"),
                                   N_("flagged"), N_("note")), rows,
           {0: TIME, 4: AMOUNT, 5: AMOUNT}, [e.flagged for e in entries])


def _checkins(book: Workbook, data: ExportData) -> None:
    """Each check-in of the period, one column per item (0 none .. 3 severe), the step in force
    then; voided ones kept and marked, those with an item rated severe highlighted."""
    items = item_ids(data)
    rows = [(c.id, c.night, _local(c.at), Text(c.zone), *(c.rating(i) for i in items), c.total, c.step_night,
             _mg(c.step_ug), Text(c.note or ""), _yes(c.voided), Text(c.void_reason or ""),
             Text(c.recorded_by or ""))
            for c in data.checkins]
    after = 4 + len(items)
    _sheet(book, _("Check-ins"), (*_head(N_("id"), N_("night"), N_("time"), N_("zone")), *items,
                                  *_head(N_("total"), N_("step night"), N_("step dose_mg"), N_("note"), N_("voided"),
                                         N_("void reason"), N_("recorded by"))), rows,
           {1: DATE, 2: TIME, after + 1: DATE, after + 2: MG},
           [not c.voided and bool(severe_items(data, c)) for c in data.checkins])


def _checkin_steps(book: Workbook, data: ExportData) -> None:
    """Each step's baseline and after, as core.checkin judged them; higher or severe highlighted."""
    rows = [(Text(_("start") if is_start(data, t) else _("step")), t.step_night, _mg(t.dose_ug or 0),
             len(t.baseline), t.baseline_mean, len(t.after), t.after_mean,
             _yes(t.rises), Text(verdict(data, t)), Text(severe_words(data, t)))
            for t in data.trends]
    _sheet(book, _("Check-in steps"), _head(N_("what"), N_("step night"), N_("dose_mg"), N_("baseline check-ins"),
                                            N_("baseline mean total"), N_("after check-ins"), N_("after mean total"),
                                            N_("higher"), N_("verdict"), N_("rated severe")),
           rows, {1: DATE, 2: MG, 4: MEAN, 6: MEAN}, [t.rises or t.severe for t in data.trends])


def _checkin_items(book: Workbook, data: ExportData) -> None:
    """The check-in list: what each item column of Check-ins means, its ratings and its source."""
    withdrawal = data.withdrawal
    sources = {s.id: s for s in withdrawal.sources} if withdrawal is not None else {}
    ratings = ", ".join(f"{i} {w}" for i, w in enumerate(scale(data)))
    rows = []
    for item_id in item_ids(data):
        item = withdrawal.item(item_id) if withdrawal is not None else None
        source = sources.get(item.source) if item is not None else None
        cited, link = "", ""
        if source is not None:
            cited = f"{source.title} ({source.publisher}, {source.year})"
            link = source.url or (f"https://doi.org/{source.doi}" if source.doi else "")
        rows.append((Text(item_id), Text(item_name(data, item_id)),
                     Text(item.description if item is not None else _("no longer on the check-in list")),
                     Text(ratings), Text(cited), Text(item.basis if item is not None else ""), Text(link)))
    _sheet(book, _("Check-in items"), _head(N_("item"), N_("name"), N_("description"), N_("ratings"),
                                            N_("source"), N_("where in the source"), N_("link")), rows)


def _checkin_summary(data: ExportData) -> list[tuple[Any, ...]]:
    def steps(which: list[Any]) -> Text:
        return Text("; ".join(_("{night} to {dose}").format(night=t.step_night.isoformat(), dose=dose_words(t.dose_ug))
                              for t in which) or _("none"))

    return [(Text(_("check-ins")), sum(1 for c in data.checkins if not c.voided)),
            (Text(_("check-ins voided")), sum(1 for c in data.checkins if c.voided)),
            (Text(_("steps with check-ins higher after")), steps([t for t in data.trends if t.rises])),
            (Text(_("steps with an item rated severe after")), steps([t for t in data.trends if t.severe]))]


def _summary(book: Workbook, data: ExportData) -> None:
    counts = data.adherence()
    profile = data.profile
    scheduled = sum(1 for n in data.nights if n.scheduled_ug and n.state != "future")
    rows: list[tuple[Any, ...]] = [
        (Text(_("patient")), Text(profile.name)),
        (Text(_("born")), profile.born),
        (Text(_("zone")), Text(profile.zone)),
        (Text(_("drug")), Text(f"{data.drug.name} (ATC {data.drug.atc})")),
        (Text(_("first night")), data.first),
        (Text(_("last night")), data.last),
        (Text(_("generated")), _local(data.generated_at)),
        (Text(_("nights with a dose scheduled")), scheduled),
    ]
    for key, label in COUNTS.items():
        rows.append((Text(_(label)), counts[key]))
    rows.append((Text(_("symptoms")), len(data.symptoms)))
    rows.append((Text(_("urgent symptoms")), sum(1 for s in data.symptoms if s.urgent)))
    if data.checkins:
        rows += _checkin_summary(data)
    if data.completion is not None:
        rows.append((Text(_("taper complete since")), data.completion.since))
        if data.completion.last_dose is not None:
            rows.append((Text(_("last dose after the taper's end")), data.completion.last_dose))
        rows.append((Text(_("drug-free nights")), data.completion.drug_free_nights))
    if data.stock is not None:
        rows += [(Text(_("stock left: {what}").format(what=unit_words(level.key))),
                  stock_number(level.key, level.amount)) for level in data.stock.levels]
        rows.append((Text(_("stock lasts (nights)")), data.stock.nights))
        rows.append((Text(_("stock lasts to the end of the plan")), _yes(data.stock.to_end)))
        rows.append((Text(_("flagged stock counts")), sum(1 for e in data.stock_entries if e.flagged)))
    _sheet(book, _("Summary"), _head(N_("what"), N_("value")), rows)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """A workbook is tens of thousands of small objects that all live until it is saved: the
    cyclic collector would only walk them, and all the process holds, again and again (a fifth
    of the time of a ten-year workbook). Reference counting still frees what is dropped, and
    the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_xlsx(data: ExportData, stream: IO[bytes]) -> None:
    with _no_cycle_collection():
        _write_xlsx(data, stream)


def _write_xlsx(data: ExportData, stream: IO[bytes]) -> None:
    book = Workbook()
    book.remove(book.worksheets[0])  # the empty sheet a new workbook starts with (its active one)
    _summary(book, data)
    _records(book, data)
    _symptoms(book, data)
    _plan(book, data)
    _stock(book, data)
    if data.checkins:
        _checkins(book, data)
        _checkin_steps(book, data)
        _checkin_items(book, data)
    stamp = data.generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    book.properties.creator = "medtrack"
    book.properties.created = book.properties.modified = stamp
    book.save(stream)
