"""The Ward screen: one row per patient with tonight's state, who is due soonest first.

It opens instead of Tonight when the database holds several patients and none was chosen.
It reads again when the database changes (a dose given from another terminal shows within a
second or so: tui/live.py), every 30 s as the clock moves the nights on, and whenever it comes
back into view; the cursor stays on the same patient.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import get_current_worker

from medtrack.core.rules import TonightState
from medtrack.errors import MedtrackError
from medtrack.i18n import N_, _, ngettext
from medtrack.services.ward import Unjudged, WardRow, WardState, ward
from medtrack.tui.access import app_of
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.patient import Opening
from medtrack.tui.safe import cell, clean, plain

# (label, width): 26 + 24 + 8 + 11 and a cell's padding fit an 80-column terminal; below 80
# columns the patient and the state are cut with "…", never the dose or the window.
# The labels are marked here and translated with _() when the columns are made.
COLUMNS = ((N_("Patient"), 26), (N_("Tonight"), 24), (N_("Dose"), 8), (N_("Window"), 11))
NARROW = ((N_("Patient"), 14), (N_("Tonight"), 17), (N_("Dose"), 8), (N_("Window"), 11))


def columns_for(width: int) -> tuple[tuple[str, int], ...]:
    return COLUMNS if width >= 80 else NARROW


STYLES: dict[WardState, str] = {TonightState.DUE: "bold", TonightState.CONTRAINDICATED: "bold red",
                                 Unjudged.UNKNOWN: "bold red", TonightState.SKIP: "yellow"}
URGENT_STYLE = "bold reverse red"  # the name of a patient with an urgent symptom (see the banner)


def title(rows: Sequence[WardRow]) -> str:
    due = sum(1 for r in rows if r.state is TonightState.DUE)
    patients = ngettext("{count} patient", "{count} patients", len(rows)).format(count=len(rows))
    if not due:
        return _("Ward: {patients} · none due now").format(patients=patients)
    return _("Ward: {patients} · {count} due now").format(patients=patients, count=due)


def urgent_lines(rows: Sequence[WardRow]) -> list[str]:
    """The banner: each urgent symptom of tonight or last night, as `status` words it, by patient."""
    return [f"{row.number} {row.name}: {line}" for row in sorted(rows, key=lambda r: r.number) for line in row.urgent]


Rows = tuple[WardRow, ...]


class WardTitle(Static):
    """How many patients, and how many are due now."""

    patients: reactive[Rows | None] = reactive(None)

    def watch_patients(self, rows: Rows | None) -> None:
        if rows is not None:
            self.update(plain(title(rows), "bold"))


class UrgentBanner(Static):
    """Each urgent symptom of tonight or last night, by patient; hidden while there is none."""

    patients: reactive[Rows | None] = reactive(None)

    def watch_patients(self, rows: Rows | None) -> None:
        lines = urgent_lines(rows or ())
        self.update(plain("\n".join(lines)))
        self.display = bool(lines)


class WardTable(DataTable[Text]):
    """One row per patient; the columns follow the terminal's width and the cursor stays on the
    same patient when the rows are read again. Enter (or a click) on a row says `Chosen`."""

    patients: reactive[Rows | None] = reactive(None)

    @dataclass
    class Chosen(Message):
        """The patient whose Tonight should open."""

        row: WardRow

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.by_key: dict[str, WardRow] = {}  # by row key: the patient's number
        self.columns_shown: tuple[tuple[str, int], ...] = ()

    def on_resize(self) -> None:
        columns = columns_for(self.screen.size.width)
        if columns != self.columns_shown:
            self.columns_shown = columns
            self.clear(columns=True)
            for label, width in columns:
                self.add_column(_(label), width=width)
            self._fill(self.patients)

    def watch_patients(self, rows: Rows | None) -> None:
        if self.columns_shown:  # else the first resize fills it
            self._fill(rows)

    def _fill(self, rows: Rows | None) -> None:
        if rows is None:
            return
        kept = self.highlighted()
        self.clear()
        self.by_key = {}
        for row in rows:
            key = str(row.number)
            style = STYLES.get(row.state, "")
            who = URGENT_STYLE if row.urgent else style
            self.add_row(cell(f"{row.number}  {row.name}", who), cell(row.words, style),
                         cell(row.dose or "-"), cell(row.window), key=key)
            self.by_key[key] = row
        if kept is not None and str(kept.number) in self.by_key:
            self.move_cursor(row=self.get_row_index(str(kept.number)))

    def highlighted(self) -> WardRow | None:
        """The patient under the cursor (None: no rows yet)."""
        if not self.row_count or self.cursor_row < 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return self.by_key.get(key or "")

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self.by_key.get(event.row_key.value or "")
        if row is not None:
            self.post_message(self.Chosen(row))


class WardScreen(Screen[None]):
    """Every patient's tonight; Enter (or a click on the highlighted row) opens their Tonight."""

    REFRESH_SECONDS = 30.0  # how soon the clock's moving on shows (a record shows at once: the watch)
    BINDINGS = [
        Binding("r", "reload", _("Refresh")),
        Binding("q", "app.quit", _("Quit")),
    ]

    patients: reactive[Rows | None] = reactive(None)  # every patient as last read (None: not yet)

    def __init__(self, opening: Opening) -> None:
        super().__init__()
        self.opening = opening  # the database as opened: every patient in it
        self._read_once = False  # a read has ended (shown, or a problem): coming back reads again
        self._reading = False  # a read is under way: the timer never cancels it (a slow server)
        self.live = DatabaseWatch(opening.database)

    def compose(self) -> ComposeResult:
        yield Header()
        yield WardTitle(_("Ward: loading…"), id="ward-title").data_bind(WardScreen.patients)
        yield UrgentBanner(id="ward-urgent").data_bind(WardScreen.patients)
        yield WardTable(id="ward-table").data_bind(WardScreen.patients)
        yield Static(plain(_("Enter: open the highlighted patient's Tonight.   ↑ ↓: choose.")),
                     id="ward-hint")
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("Ward")
        self.call_after_refresh(self.load)
        self.set_interval(self.REFRESH_SECONDS, self._tick)

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
            rows = ward(self.opening.database(), app.now())
        except MedtrackError as error:
            app.call_from_thread(app.show_problem, error)
            return
        finally:
            self._reading = False
            self._read_once = True
        if get_current_worker().is_cancelled:
            return  # a newer read started: this one may be stale
        app.call_from_thread(self._show, tuple(rows))

    def _show(self, rows: Rows) -> None:
        self.patients = rows  # unchanged rows: nothing is redrawn, the cursor does not jump

    def highlighted(self) -> WardRow | None:
        """The patient under the cursor (None: no rows yet)."""
        return self.query_one(WardTable).highlighted()

    @on(WardTable.Chosen)
    def _chosen(self, event: WardTable.Chosen) -> None:
        row = event.row
        if row.state is Unjudged.NO_PROFILE:
            self.app.notify(clean(_("{name} has no profile yet: there is nothing to show.").format(name=row.name)),
                            timeout=6, markup=False)
        elif row.state is Unjudged.UNKNOWN:
            self.app.notify(clean(_("{name} cannot be opened here: {problem}.").format(
                name=row.name, problem=row.problem)), severity="warning",
                            timeout=8, markup=False)
        else:
            app_of(self).open_patient(row.number, row.name)
