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
    Select,
    Static,
)

from medtrack import i18n
from medtrack.errors import MedtrackError
from medtrack.i18n import N_, _, medium_date
from medtrack.services.export import SUFFIXES, ExportRequest, export
from medtrack.tui.access import app_of
from medtrack.tui.dialogs import ConfirmDialog
from medtrack.tui.patient import PatientScreen
from medtrack.tui.safe import plain

FORMATS = (("pdf", N_("PDF report for the doctor")), ("xlsx", N_("Spreadsheet (XLSX)")),
           ("csv", N_("Doses, skips and voids (CSV)")), ("checkins", N_("Withdrawal check-ins (CSV)")),
           ("fhir", N_("FHIR R4 (JSON)")), ("ics", N_("Calendar (iCalendar)")),
           ("archive", N_("Whole record, to keep or move (archive)")))
TABLES = {"checkins": ("csv", "checkins")}  # a choice that is one table of a format: format, table


def default_path(choice: str, today: dt.date) -> str:
    fmt, table = TABLES.get(choice, (choice, "records"))
    name = {"checkins": "medtrack-checkins", "archive": "medtrack-whole", "csv": "medtrack-records"}.get(
        table if table == "checkins" else fmt, "medtrack")
    return str(Path.home() / f"{name}-{today:%Y-%m-%d}{SUFFIXES[fmt]}")


def language_choices() -> list[tuple[str, str]]:
    """The languages a report may be written in, each in its own name (i18n.NAMES)."""
    return [(i18n.NAMES[code], code) for code in i18n.SUPPORTED]


class ExportScreen(PatientScreen):
    # _() at class level: the language is chosen (medtrack.i18n.use) before medtrack.tui is imported.
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back"))]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="export"):
            yield Label(plain(_("Format")))
            with RadioSet(id="format"):
                for i, (key, label) in enumerate(FORMATS):
                    yield RadioButton(_(label), value=i == 0, id=f"fmt-{key}")
            with Horizontal(id="export-range"):
                yield Input(placeholder=_("from YYYY-MM-DD (optional)"), id="from", compact=True)
                yield Input(placeholder=_("to YYYY-MM-DD (optional)"), id="to", compact=True)
                # the report's language, beside the period (the screen keeps its own language)
                current = i18n.language() if i18n.language() in i18n.SUPPORTED else "en"
                language = Select(language_choices(), value=current, allow_blank=False, id="report-language",
                                  compact=True)
                language.tooltip = _("Language of the report (PDF, XLSX, ICS)")
                yield language
            yield Label(plain(_("Save to")))
            yield Input(id="path", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Write the file"), variant="primary", id="write")
            yield Static("", id="export-result")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("Export")
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
                _("Replace the file?"), _("{path} already exists. Replace it with this export?").format(path=target),
                _("Replace it")), lambda yes: self._start(force=True) if yes else None)
            return
        self._start(force=False)

    def _start(self, force: bool) -> None:
        self.query_one("#export-result", Static).update(plain(_("Writing…")))
        chosen = self.query_one("#report-language", Select).value
        language = chosen if isinstance(chosen, str) else None
        asked = (self._format(), self.query_one("#path", Input).value,
                 self.query_one("#from", Input).value.strip() or None,
                 self.query_one("#to", Input).value.strip() or None, force, language)
        # In the worker: a report in another language is spoken in that thread only (i18n.speaking).
        self._write(*asked)

    def _show(self, said: str) -> None:
        self.query_one("#export-result", Static).update(plain(said))

    @work(thread=True, exclusive=True, group="export")
    def _write(self, choice: str, path: str, first: str | None, last: str | None, force: bool,
               language: str | None = None) -> None:
        said = self._export(choice, path, first, last, force, language)
        app_of(self).call_from_thread(self._show, said)

    def _export(self, choice: str, path: str, first: str | None, last: str | None, force: bool,
                language: str | None) -> str:
        """Write the file; what the screen says about it."""
        fmt, table = TABLES.get(choice, (choice, "records"))
        try:
            written = export(self.db, app_of(self).now(), ExportRequest(
                fmt=fmt, output=path, first=first, last=last, force=force, table=table, language=language))
        except MedtrackError as error:
            return _("Not written: {problem}").format(problem=error.message)
        assert written is not None  # a file: only the command line writes to stdout
        said = _("Written to {path}").format(path=written.path.absolute())
        period = written.period
        if fmt == "pdf" and period is not None:  # the report for the doctor: nights chosen for the visit
            said += _(": nights {first} to {last}, {why}").format(
                first=medium_date(period.first), last=medium_date(period.last), why=period.words())
        if written.not_noted:
            said += f" ({written.not_noted})"
        return said
