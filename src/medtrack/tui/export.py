"""The Export screen: choose a format and a period, write the file, show where it went."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Static,
)

from medtrack.errors import MedtrackError
from medtrack.services.export import SUFFIXES, ExportRequest, export
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import ConfirmDialog
from medtrack.tui.patient import PatientScreen
from medtrack.tui.safe import plain

FORMATS = (("pdf", "PDF report for the doctor"), ("xlsx", "Spreadsheet (XLSX)"),
           ("csv", "Doses, skips and voids (CSV)"), ("checkins", "Withdrawal check-ins (CSV)"),
           ("fhir", "FHIR R4 (JSON)"), ("ics", "Calendar (iCalendar)"),
           ("archive", "Whole record, to keep or move (archive)"))
TABLES = {"checkins": ("csv", "checkins")}  # a choice that is one table of a format: format, table


def default_path(choice: str, today: dt.date) -> str:
    fmt, table = TABLES.get(choice, (choice, "records"))
    name = {"checkins": "medtrack-checkins", "archive": "medtrack-whole", "csv": "medtrack-records"}.get(
        table if table == "checkins" else fmt, "medtrack")
    return str(Path.home() / f"{name}-{today:%Y-%m-%d}{SUFFIXES[fmt]}")


class ExportScreen(PatientScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export"):
            yield Label(plain("Format"))
            with RadioSet(id="format"):
                for i, (key, label) in enumerate(FORMATS):
                    yield RadioButton(label, value=i == 0, id=f"fmt-{key}")
            with Horizontal(id="export-range"):
                yield Input(placeholder="from YYYY-MM-DD (optional)", id="from", compact=True)
                yield Input(placeholder="to YYYY-MM-DD (optional)", id="to", compact=True)
            yield Label(plain("Save to"))
            yield Input(id="path", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write the file", variant="primary", id="write")
            yield Static("", id="export-result")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = "Export"
        self.query_one("#path", Input).value = default_path("pdf", app_of(self).now().date())
        self.query_one(RadioSet).focus()  # the first choice (not the scroll area around it)

    def _format(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "fmt-pdf").removeprefix("fmt-") if pressed else "pdf"

    @on(RadioSet.Changed)
    def _format_changed(self) -> None:
        self.query_one("#path", Input).value = default_path(self._format(), app_of(self).now().date())

    @on(Input.Submitted)
    @on(Button.Pressed, "#write")
    def write(self) -> None:
        path = self.query_one("#path", Input).value
        target = Path(path.strip() or ".").expanduser()
        if path.strip() and target.is_file() and not target.is_symlink():
            self.app.push_screen(ConfirmDialog(
                "Replace the file?", f"{target} already exists. Replace it with this export?",
                "Replace it"), lambda yes: self._start(force=True) if yes else None)
            return
        self._start(force=False)

    def _start(self, force: bool) -> None:
        self.query_one("#export-result", Static).update(plain("Writing…"))
        self._write(self._format(), self.query_one("#path", Input).value,
                    self.query_one("#from", Input).value.strip() or None,
                    self.query_one("#to", Input).value.strip() or None, force)

    @work(thread=True, exclusive=True, group="export")
    def _write(self, choice: str, path: str, first: str | None, last: str | None, force: bool) -> None:
        app = app_of(self)
        result = self.query_one("#export-result", Static)
        fmt, table = TABLES.get(choice, (choice, "records"))
        try:
            written = export(self.db, app.now(), ExportRequest(
                fmt=fmt, output=path, first=first, last=last, force=force, table=table))
        except MedtrackError as error:
            app.call_from_thread(result.update, plain(f"Not written: {error.message}"))
            return
        assert written is not None  # a file: only the command line writes to stdout
        said = f"Written to {written.path.absolute()}"
        period = written.period
        if fmt == "pdf" and period is not None:  # the report for the doctor: nights chosen for the visit
            said += f": nights {period.first} to {period.last}, {period.words()}"
        if written.not_noted:
            said += f" ({written.not_noted})"
        app.call_from_thread(result.update, plain(said))
