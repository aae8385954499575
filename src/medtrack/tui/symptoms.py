"""The Symptoms screen: log a side effect (or your own words) with a severity and a note."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Select, Static

from medtrack.errors import MedtrackError
from medtrack.i18n import _, date_time
from medtrack.monograph import load_monograph
from medtrack.services.symptoms import list_symptoms, log_symptom, urgent_message
from medtrack.tui.access import app_of
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import clean, plain
from medtrack.withdrawal import load_withdrawal

OWN_WORDS = "__own__"


class SymptomsScreen(PatientScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back"))]

    def compose(self) -> ComposeResult:
        mono = load_monograph()
        effects = sorted(mono.side_effects, key=lambda e: (not e.serious, e.name))
        # the names stay the monograph's (a symptom is recognised and stored by its English name)
        options = [(_("{name} (urgent)").format(name=flag.name), flag.id) for flag in load_withdrawal().red_flags]
        options += [(e.name + (_(" (serious)") if e.serious else ""), e.id) for e in effects]
        options.append((_("Something else (type it below)"), OWN_WORDS))
        yield Header()
        with VerticalScroll(id="symptoms"):
            yield Static("", id="urgent-banner")
            yield Label(plain(_("What did you notice?")))
            yield Select(options, prompt=_("Choose a side effect"), id="effect")
            yield Input(placeholder=_("or in your own words"), id="own", compact=True)
            yield Label(plain(_("How strong? 1 mild … 5 severe")))
            yield Select([(str(n), n) for n in range(1, 6)], prompt=_("Severity"), id="severity")
            yield Input(placeholder=_("note (optional)"), id="note", compact=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save"), variant="primary", id="save")
            yield Static("", id="symptom-error", classes="dialog-error")
            yield Static(plain(_("Recent entries"), "bold"))
            yield Static("", id="recent")
        yield Footer(show_command_palette=False)

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self._saving = False

    def on_mount(self) -> None:
        self.sub_title = _("Symptoms")
        self.query_one("#effect", Select).focus()
        self.load()

    @work(thread=True, exclusive=True, group="symptoms")
    def load(self) -> None:
        app = app_of(self)
        try:
            entries = list_symptoms(self.db)
        except MedtrackError as error:
            app.call_from_thread(app.notify, clean(error.message), severity="error", markup=False)
            return
        lines = [f"{date_time(e.at)}  {e.name}"
                 + (_(" (severity {severity})").format(severity=e.severity) if e.severity else "")
                 + ("  " + _("URGENT") if e.urgent else "") + (f" - {e.note}" if e.note else "")
                 for e in reversed(entries[-10:])]
        app.call_from_thread(self._show_recent, lines)  # widgets are looked up on the app's thread

    def _show_recent(self, lines: list[str]) -> None:
        self.query_one("#recent", Static).update(plain("\n".join(lines) or _("No entries yet.")))

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def save(self) -> None:
        if self._saving:
            return
        self._saving = True
        effect = self.query_one("#effect", Select).value
        own = self.query_one("#own", Input).value
        chosen = effect not in (OWN_WORDS, Select.NULL)
        name = own if own.strip() or not chosen else str(effect)
        severity = self.query_one("#severity", Select).value
        note = self.query_one("#note", Input).value or None
        level = None if severity is Select.NULL else str(severity)
        self._save(name, level, note)

    @work(thread=True, exclusive=True, group="write")
    def _save(self, name: str, severity: str | None, note: str | None) -> None:
        app = app_of(self)
        try:
            entry = log_symptom(self.db, app.now(), name, severity, note=note)
        except MedtrackError as error:
            app.call_from_thread(self._failed, error.message)
            return
        urgent = (_("URGENT: {name}. {advice}").format(name=entry.name, advice=urgent_message(entry))
                  if entry.urgent else "")
        # The app says it was saved (and what is urgent) even if this screen closed meanwhile;
        # the screen's own widgets are updated on the app's thread, only while it is open.
        said = _("Saved: {name}.").format(name=entry.name) + (f" {urgent}" if urgent else "")
        app.call_from_thread(app.notify, clean(said), markup=False,
                             severity="error" if urgent else "information", timeout=15 if urgent else 5)
        app.call_from_thread(self._show_saved, urgent)

    def _show_saved(self, urgent: str) -> None:
        banner = self.query_one("#urgent-banner", Static)
        banner.update(plain(urgent) if urgent else "")
        banner.set_class(bool(urgent), "urgent")
        self._saved()
        self.load()

    def _failed(self, message: str) -> None:
        self._saving = False
        self.query_one("#symptom-error", Static).update(plain(message))

    def _saved(self) -> None:
        """A fresh form for the next entry (the banner stays until the next save)."""
        self._saving = False
        self.query_one("#symptom-error", Static).update("")
        self.query_one("#effect", Select).clear()
        self.query_one("#severity", Select).clear()
        self.query_one("#own", Input).value = ""
        self.query_one("#note", Input).value = ""
        self.query_one("#effect", Select).focus()
