"""First run on an empty database: the profile, then the prescription, instead of an error."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Header, Input, Label, Static

from medtrack.errors import MedtrackError
from medtrack.i18n import _
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.profile import ProfileChanges, ProfileWarning, init_profile, system_zone
from medtrack.tui.access import app_of
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import plain


class SetupScreen(PatientScreen):
    """Two short steps; each is checked by the same services as the CLI."""

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self._busy = False  # a save is running: a second Enter waits for it
        self._finished = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="setup"):
            yield Static(plain(_("Welcome to medtrack. First, a few facts about you."), "bold"),
                         id="setup-title")
            with VerticalScroll(id="profile-form"):
                yield Label(plain(_("Your name")))
                yield Input(id="name", compact=True)
                yield Label(plain(_("Date of birth (YYYY-MM-DD)")))
                yield Input(id="born", compact=True)
                yield Label(plain(_("Time zone (e.g. Europe/Berlin)")))
                yield Input(id="zone", compact=True)
                yield Label(plain(_("Usual bedtime (HH:MM)")))
                yield Input("22:30", id="bedtime", compact=True)
                yield Label(plain(_("Usual wake time (HH:MM)")))
                yield Input("06:30", id="wake", compact=True)
                with Horizontal(classes="dialog-buttons"):
                    yield Button(_("Save and continue"), variant="primary", id="save-profile")
            with VerticalScroll(id="prescription-form"):
                yield Static(plain(_("Now the prescription, as your doctor wrote it."), "bold"))
                yield Label(plain(_("Nightly dose (e.g. 1 mg)")))
                yield Input(id="dose", compact=True)
                yield Label(plain(_("Prescriber")))
                yield Input(id="prescriber", compact=True)
                with Horizontal(classes="dialog-buttons"):
                    yield Button(_("Save"), variant="primary", id="save-prescription")
                    yield Button(_("Later"), id="later")
            yield Static("", classes="dialog-error")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("Setup")
        self.query_one("#zone", Input).value = system_zone()
        self.query_one("#prescription-form").display = False
        self.query_one("#name", Input).focus()

    def _error(self, message: str) -> None:
        self._busy = False
        self.query_one(".dialog-error", Static).update(plain(message))

    @on(Input.Submitted)
    def _enter(self) -> None:
        """Enter in a field saves the form it belongs to (the service checks every field)."""
        if self.query_one("#profile-form").display:
            self.save_profile()
        else:
            self.save_prescription()

    @on(Button.Pressed, "#save-profile")
    def save_profile(self) -> None:
        if self._busy:
            return
        self._busy = True

        def value(wid: str) -> str:
            return self.query_one(f"#{wid}", Input).value

        self._create(ProfileChanges(name=value("name"), born=value("born"), zone=value("zone"),
                                    bedtime=value("bedtime"), wake=value("wake")))

    @work(thread=True, exclusive=True, group="write")
    def _create(self, changes: ProfileChanges) -> None:
        app = app_of(self)
        try:
            _made, warnings, _zone = init_profile(app.db_path, app.now(), changes, changes.zone or "UTC",
                                          clock=app.clock)
        except MedtrackError as error:
            app.call_from_thread(self._error, error.message)
            return
        app.call_from_thread(self._profile_done, warnings)

    def _profile_done(self, warnings: list[ProfileWarning]) -> None:
        self._busy = False
        self.query_one("#profile-form").display = False
        self.query_one("#prescription-form").display = True
        self.query_one("#setup-title", Static).update(plain(_("Profile saved."), "bold"))
        self._error("\n".join(w.words() for w in warnings))
        self.query_one("#dose", Input).focus()

    @on(Button.Pressed, "#save-prescription")
    def save_prescription(self) -> None:
        if self._busy:
            return
        self._busy = True
        self._prescribe(self.query_one("#dose", Input).value, self.query_one("#prescriber", Input).value)

    @work(thread=True, exclusive=True, group="write")
    def _prescribe(self, dose: str, prescriber: str) -> None:
        app = app_of(self)
        try:
            prescribe(self.db, app.now(), PrescriptionRequest(dose=dose, prescriber=prescriber))
        except MedtrackError as error:
            app.call_from_thread(self._error, error.message)
            return
        app.call_from_thread(self._done)

    @on(Button.Pressed, "#later")
    def _done(self) -> None:
        if not self._finished:  # once, however fast the keys come
            self._finished = True
            self.dismiss(None)
