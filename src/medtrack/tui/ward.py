"""The Ward screen: one row per patient with tonight's state, who is due soonest first.

It opens instead of Tonight when the database holds several patients and none was chosen.
It reads again when the database changes (a dose given from another terminal shows within a
second or so: tui/live.py), every 30 s as the clock moves the nights on, and whenever it comes
back into view; the cursor stays on the same patient.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from medtrack.errors import MedtrackError
from medtrack.services.ward import NO_PROFILE, UNKNOWN, WardRow, ward
from medtrack.tui.access import app_of
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.safe import cell, clean, plain

# (label, width): 26 + 24 + 8 + 11 and a cell's padding fit an 80-column terminal; below 80
# columns the patient and the state are cut with "…", never the dose or the window.
COLUMNS = (("Patient", 26), ("Tonight", 24), ("Dose", 8), ("Window", 11))
NARROW = (("Patient", 14), ("Tonight", 17), ("Dose", 8), ("Window", 11))


def columns_for(width: int) -> tuple[tuple[str, int], ...]:
    return COLUMNS if width >= 80 else NARROW
STYLES = {"due": "bold", "contraindicated": "bold red", UNKNOWN: "bold red", "skip": "yellow"}
URGENT_STYLE = "bold reverse red"  # the name of a patient with an urgent symptom (see the banner)


def title(rows: Sequence[WardRow]) -> str:
    due = sum(1 for r in rows if r.state == "due")
    patients = f"{len(rows)} patient{'s' if len(rows) != 1 else ''}"
    return f"Ward: {patients} · {due if due else 'none'} due now"


def urgent_lines(rows: Sequence[WardRow]) -> list[str]:
    """The banner: each urgent symptom of tonight or last night, as `status` words it, by patient."""
    return [f"{row.number} {row.name}: {line}" for row in sorted(rows, key=lambda r: r.number) for line in row.urgent]


class WardScreen(Screen[None]):
    """Every patient's tonight; Enter (or a click on the highlighted row) opens their Tonight."""

    REFRESH_SECONDS = 30.0  # how soon the clock's moving on shows (a record shows at once: the watch)
    BINDINGS = [
        Binding("r", "reload", "Refresh"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, WardRow] = {}  # by row key: the patient's number
        self._shown: list[WardRow] | None = None
        self._read_once = False  # a read has ended (shown, or a problem): coming back reads again
        self._reading = False  # a read is under way: the timer never cancels it (a slow server)
        self.live = DatabaseWatch(whole_ward=True)
        self.columns: tuple[tuple[str, int], ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Ward: loading…", id="ward-title")
        banner = Static("", id="ward-urgent")
        banner.display = False  # shown only while a patient has an urgent symptom
        yield banner
        yield DataTable(id="ward-table", cursor_type="row", zebra_stripes=True)
        yield Static(plain("Enter: open the highlighted patient's Tonight.   ↑ ↓: choose."),
                     id="ward-hint")
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "Ward"
        self.call_after_refresh(self.load)
        self.set_interval(self.REFRESH_SECONDS, self._tick)

    def on_resize(self) -> None:
        """The columns follow the terminal's width; the rows shown are laid out again."""
        columns = columns_for(self.size.width)
        if columns == self.columns:
            return
        self.columns = columns
        table: DataTable[Text] = self.query_one(DataTable)
        table.clear(columns=True)
        for label, width in columns:
            table.add_column(label, width=width)
        shown, self._shown = self._shown, None
        if shown is not None:
            self._show(shown)

    def on_screen_resume(self) -> None:
        if self._read_once:  # back from a patient (or a problem): read afresh now
            self.load()

    def _tick(self) -> None:
        if self.is_current and not self._reading:  # under a patient's Tonight, the ward waits
            self.load()

    @on(DatabaseWatch.Changed)
    def _changed_elsewhere(self) -> None:
        if self._reading:  # that read may have begun before the change: look again
            self.live.missed()
        else:
            self._tick()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="ward")
    def load(self) -> None:
        app = app_of(self)
        self._reading = True
        try:
            self.live.reading()
            rows = ward(app.ward_db, app.now())
        except MedtrackError as error:
            app.call_from_thread(app.show_problem, error)
            return
        finally:
            self._reading = False
            self._read_once = True
        if get_current_worker().is_cancelled:
            return  # a newer read started: this one may be stale
        app.call_from_thread(self._show, rows)

    def _show(self, rows: list[WardRow]) -> None:
        self.query_one("#ward-title", Static).update(plain(title(rows), "bold"))
        banner = self.query_one("#ward-urgent", Static)
        banner.update(plain("\n".join(urgent_lines(rows))))
        banner.display = any(r.urgent for r in rows)
        if not self.columns:
            self.on_resize()  # the first read came before the screen knew its width
        if rows == self._shown:
            return  # nothing changed: no redraw, no jump
        self._shown = rows
        table: DataTable[Text] = self.query_one(DataTable)
        kept = self.highlighted()
        table.clear()
        self.rows.clear()
        for row in rows:
            key = str(row.number)
            style = STYLES.get(row.state, "")
            who = URGENT_STYLE if row.urgent else style
            table.add_row(cell(f"{row.number}  {row.name}", who), cell(row.words, style),
                          cell(row.dose or "-"), cell(row.window), key=key)
            self.rows[key] = row
        if kept is not None and str(kept.number) in self.rows:
            table.move_cursor(row=table.get_row_index(str(kept.number)))

    def highlighted(self) -> WardRow | None:
        """The patient under the cursor (None: no rows yet)."""
        table: DataTable[Text] = self.query_one(DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = self.rows.get(event.row_key.value or "")
        if row is None:
            return
        if row.state == NO_PROFILE:
            self.app.notify(clean(f"{row.name} has no profile yet: there is nothing to show."), timeout=6,
                            markup=False)
        elif row.state == UNKNOWN:
            self.app.notify(clean(f"{row.name} cannot be opened here: {row.problem}."), severity="warning",
                            timeout=8, markup=False)
        else:
            app_of(self).open_patient(row.number, row.name)
