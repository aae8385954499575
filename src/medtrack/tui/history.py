"""The History screen: every record, newest first; void one with a reason (it stays, dimmed).

A record made elsewhere (another terminal, the ward) shows within a second or so: the rows
shown are read again when the database's version changes (tui/live.py)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from medtrack.core.model import NOT_KNOWN, Record
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.i18n import N_, _, date_time, medium_date, short_time
from medtrack.services.dosing import history_page, void_record
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import VoidDialog, VoidRequest
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import cell, clean, plain

PAGE = 200
HELP = N_("Records, newest first. Voided records stay, dimmed and struck through.")
BY_WIDTH = 9  # "Nurse Kim", "not known"; a longer name ends in … (the line below the table has it whole)
Columns = tuple[tuple[str, int], ...]  # label and width
# Note takes what is left of the width (never sized by the rows read so far, which made the
# table's layout depend on when a page arrived); the line below the table has it whole.
WIDE: Columns = (("#", 4), (N_("Night"), 10), (N_("Time"), 9), (N_("Dose"), 7), (N_("Flags"), 16), (N_("By"), BY_WIDTH))
# Below WIDE_FROM columns (60x20, say) every column is still on screen: no record number and
# no zone (the line below the table has both), and Flags, By and Note share what is left.
WIDE_FROM = 80
NARROW = ((N_("Night"), 10), (N_("Time"), 5), (N_("Dose"), 7), (N_("Flags"), 10), (N_("By"), 6))


def columns_for(width: int) -> Columns:
    """The table's columns for a terminal `width` columns wide."""
    shown = WIDE if width >= WIDE_FROM else NARROW
    used = sum(w for _label, w in shown) + 2 * (len(shown) + 1) + 2  # cell padding, the scroll bar
    return (*shown, (N_("Note"), max(6, width - used)))


def flags_of(record: Record) -> str:
    return "; ".join(([_("skipped")] if record.kind == "skip" else []) + record.flags())


def by_cell(record: Record, style: str) -> Text:
    """Who entered the record; "not known" in italics, so it never reads as someone's name."""
    if record.recorded_by is None:
        return cell(_(NOT_KNOWN), f"{style} italic".strip())
    return cell(record.recorded_by, style)


class HistoryScreen(PatientScreen):
    BINDINGS = [
        # _() at class level: the language is chosen (medtrack.i18n.use) before medtrack.tui is imported.
        Binding("escape", "app.pop_screen", _("Back")),
        Binding("v", "void", _("Void record")),
        Binding("m", "more", _("Older records")),
    ]

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self.records: dict[str, Record] = {}
        self.columns: Columns = WIDE
        self.oldest_id: int | None = None
        self.exhausted = False
        self.live = DatabaseWatch(patient.database)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(plain(HELP), id="history-help")
        table: DataTable[Text] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        self.columns = columns_for(self.app.size.width)
        for label, width in self.columns:
            table.add_column(_(label) if label != "#" else label, width=width)
        yield table
        yield Static("", id="history-detail")
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("History")
        self.load_page(None)

    def on_resize(self) -> None:
        """The columns follow the terminal's width; the rows shown are laid out again."""
        columns = columns_for(self.size.width)
        if columns == self.columns:
            return
        self.columns = columns
        table = self.query_one(DataTable)
        keep = self.highlighted_key()
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(_(label) if label != "#" else label, width=width)
        for key, record in self.records.items():
            table.add_row(*self.cells(record), key=key)
        if keep in self.records:
            table.move_cursor(row=table.get_row_index(keep))

    def action_more(self) -> None:
        if not self.exhausted:
            self.load_page(self.oldest_id)

    @on(DatabaseWatch.Changed)
    def _changed_elsewhere(self) -> None:
        """Read the rows shown again (as many as are shown: the cursor's row stays in view)."""
        self.load_page(None, self.highlighted_key(), max(PAGE, len(self.records)))

    def highlighted_key(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @work(thread=True, exclusive=True, group="history")
    def load_page(self, before_id: int | None, keep: str | None = None, limit: int = PAGE) -> None:
        app = app_of(self)
        try:
            if before_id is None:  # the newest rows, read afresh: later changes are news
                self.live.reading()
            page = history_page(self.db, before_id, limit)
        except MedtrackError as error:
            app.call_from_thread(app.notify, clean(error.message), severity="error", markup=False)
            return
        if get_current_worker().is_cancelled:
            if before_id is None:
                self.live.missed()  # e.g. an older page replaced it: read the newest again soon
            return  # a newer page load replaced this one
        app.call_from_thread(self._add, page, before_id is None, keep, limit)

    def _add(self, page: Sequence[Record], fresh: bool, keep: str | None = None,
             limit: int = PAGE) -> None:
        table = self.query_one(DataTable)
        if fresh:
            table.clear()
            self.records.clear()
        for record in page:
            key = str(record.id)
            table.add_row(*self.cells(record), key=key)
            self.records[key] = record
        if page:
            self.oldest_id = page[-1].id
        if keep in self.records:  # the row the user was on stays under the cursor
            table.move_cursor(row=table.get_row_index(keep))
        if table.row_count:
            self.show_detail(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        self.exhausted = len(page) < limit
        # a record made elsewhere may be the first: the help follows what is shown
        self.query_one("#history-help", Static).update(plain(_(HELP) if self.records else _("No records yet.")))

    def cells(self, record: Record) -> list[Text]:
        """A record's row, for the columns shown."""
        style = "dim strike" if record.voided else ""
        wide = self.columns[0][0] == "#"  # the wide columns: with the record number and the zone
        dose = format_mg(record.dose_ug) if record.dose_ug else "-"
        shown = [cell(medium_date(record.night), style),
                 cell(f"{short_time(record.at)} {record.at:%Z}" if wide else short_time(record.at), style),
                 cell(dose, style), cell(flags_of(record), style), by_cell(record, style),
                 cell(record.note, style)]
        return [cell(str(record.id), style), *shown] if wide else shown

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None:  # None while the table is being refilled
            self.show_detail(event.row_key.value)

    def show_detail(self, key: str | None) -> None:
        """The whole record, however long its note or flags, for the highlighted row."""
        record = self.records.get(key or "")
        if record is None:
            return
        who = record.recorded_by if record.recorded_by is not None else f"({_(NOT_KNOWN)})"
        lines = [" · ".join((f"#{record.id}", _("night {night}").format(night=medium_date(record.night)),
                             f"{date_time(record.at)} {record.at:%Z}",
                             format_mg(record.dose_ug) if record.dose_ug else _("skip"),
                             _("by {who}").format(who=who)))]
        if flags_of(record):
            lines.append(flags_of(record))
        if record.note:
            lines.append(_("note: {note}").format(note=record.note))
        self.query_one("#history-detail", Static).update(plain("\n".join(lines)))

    def action_void(self) -> None:
        table = self.query_one(DataTable)
        if not self.records or table.cursor_row < 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        record = self.records.get(key or "")
        if record is None or record.voided:
            self.app.notify(_("That record is already void."), timeout=5)
            return
        self.app.push_screen(VoidDialog(record, app_of(self).now()),
                             lambda request: self._void(record.id, request))

    def _void(self, record_id: int, request: VoidRequest | None) -> None:
        if request is not None:
            self._do_void(record_id, request.reason, request.not_taken)

    @work(thread=True, group="write")
    def _do_void(self, record_id: int, reason: str, not_taken: bool) -> None:
        app = app_of(self)
        try:
            void_record(self.db, app.now(), record_id, reason, not_taken=not_taken)
        except MedtrackError as error:
            app.call_from_thread(app.notify, clean(error.message), severity="error", timeout=10, markup=False)
            return
        app.call_from_thread(app.notify, _("Record #{number} is void.").format(number=record_id))
        app.call_from_thread(app.refresh_tonight)
        app.call_from_thread(self.load_page, None, str(record_id))  # workers start on the app's thread
