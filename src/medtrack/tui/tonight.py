"""The Tonight screen: tonight's dose in large text, the state in words, one obvious action."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Digits, Footer, Header, Static

from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError
from medtrack.tui.safe import plain

STATE_WORDS = {
    "contraindicated": "Do not take it: contraindicated",
    "taken": "Taken",
    "skipped": "Skipped tonight",
    "no_dose": "Nothing scheduled tonight",
    "not_yet": "Not yet",
    "due": "Due now",
    "skip": "Too late: skip tonight",
}
LAST_NIGHT = {"taken": "taken", "skipped": "skipped", "missed": "missed",
              "none": "nothing scheduled"}
STRIP_MARKS = {"taken": "✓", "missed": "✗", "skipped": "–", "excess": "‼", "future": "·",
               "none": " ", "contraindicated": "⊘"}


class TonightScreen(Screen[None]):
    """The first screen: what to do tonight."""

    BINDINGS = [
        Binding("l", "log", "Log"),
        Binding("k", "skip", "Skip"),
        Binding("a", "already_taken", "Already taken", show=False),
        Binding("c", "open('calendar')", "Calendar"),
        Binding("h", "open('history')", "History"),
        Binding("s", "open('symptoms')", "Symptoms"),
        Binding("e", "open('export')", "Export", show=False),
        Binding("i", "open('about')", "Medicine"),
        Binding("p", "open('profile')", "Profile", show=False),
        Binding("r", "reload", "Refresh", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="tonight"):
            with Vertical(id="dose-card"):
                yield Static("Tonight", id="night-title")
                with Horizontal(id="dose-line"):
                    yield Digits("", id="dose-digits")
                    yield Static("", id="dose-unit")
                yield Static("Loading…", id="state")
                yield Static("", id="guidance")
                yield Static("", id="window")
            yield Static("", id="warnings")
            yield Static("", id="strip")
            yield Static("", id="action-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        # The first frame never waits for the database: draw, then load in a worker.
        self.call_after_refresh(self.load)
        self.set_interval(30, self.load)

    def on_screen_resume(self) -> None:
        if self.status is not None:
            self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="tonight")
    def load(self) -> None:
        app = self.app
        try:
            if not app.has_profile():  # type: ignore[attr-defined]
                app.call_from_thread(self._first_run)
                return
            from medtrack.services.calendar import recent_nights
            from medtrack.services.status import status

            now = app.now()  # type: ignore[attr-defined]
            report = status(app.db, now)  # type: ignore[attr-defined]
            nights = recent_nights(app.db, now, 7)  # type: ignore[attr-defined]
        except MedtrackError as error:
            app.call_from_thread(self._show_problem, error.message)
            return
        app.call_from_thread(self._show, report, nights)

    def _first_run(self) -> None:
        from medtrack.tui.setup import SetupScreen

        if not isinstance(self.app.screen, SetupScreen):
            self.app.push_screen(SetupScreen(), lambda _: self.load())

    def _show_problem(self, message: str) -> None:
        self.query_one("#state", Static).update(plain(message, "bold"))

    def _show(self, report, nights) -> None:  # type: ignore[no-untyped-def]
        self.status = report
        self.sub_title = f"night of {report.night:%a %d %b %Y}"
        dose = format_mg(report.scheduled_ug) if report.scheduled_ug else ""
        self.query_one("#night-title", Static).update(plain(
            f"{report.drug} · night of {report.night:%A %d %B}"))
        self.query_one("#dose-digits", Digits).update(dose.removesuffix(" mg") if dose else "-")
        self.query_one("#dose-unit", Static).update(plain("mg" if dose else "nothing scheduled"))
        words = STATE_WORDS.get(report.state, report.state)
        if report.state == "taken" and report.taken_at is not None:
            words = f"Taken at {report.taken_at:%H:%M}"
        state = self.query_one("#state", Static)
        state.update(plain(words))
        state.set_classes(f"state-{report.state}")
        self.query_one("#guidance", Static).update(plain(report.guidance))
        self.query_one("#window", Static).update(plain(
            f"Window: opens {report.window_opens:%H:%M}, latest {report.latest_dose_at:%H:%M} "
            f"({report.zone}) · limit {format_mg(report.max_ug)} · last night: "
            f"{LAST_NIGHT.get(report.previous_night, report.previous_night)}"))
        warnings = "\n".join(f"! {w}" for w in report.warnings)
        self.query_one("#warnings", Static).update(plain(warnings))
        strip = "  ".join(f"{n.night:%a} {STRIP_MARKS.get(n.state, n.state)}" for n in nights)
        self.query_one("#strip", Static).update(plain(
            f"Last 7 nights: {strip}\n(✓ taken  ✗ missed  – skipped  ‼ excess  · to come)"))
        hint = {"due": "Press  l  to log tonight's dose.",
                "skip": "Press  k  to record that you skip tonight."}.get(report.state, "")
        self.query_one("#action-hint", Static).update(plain(hint))

    def action_log(self) -> None:
        from medtrack.tui.dialogs import LogDialog

        if self.status is None:
            return
        if self.status.state != "due":
            self.app.notify(plain(self._why_not()), severity="warning", timeout=8)
            return
        scheduled = format_mg(self.status.scheduled_ug) if self.status.scheduled_ug else ""
        self.app.push_screen(LogDialog(scheduled, self.status.latest_dose_at), self._logged)

    def _why_not(self) -> str:
        report = self.status
        return {
            "taken": "Tonight's dose is already recorded. Never take a second dose.",
            "skipped": "Tonight is recorded as skipped. Take the next dose at the usual time.",
            "no_dose": "Nothing is scheduled tonight.",
            "not_yet": f"Not yet: the window opens at {report.window_opens:%H:%M}.",
            "skip": "Too late tonight: skip it and take the next dose at the usual time.",
        }.get(report.state, report.guidance)

    def _logged(self, request) -> None:  # type: ignore[no-untyped-def]
        if request is not None:
            self._do_log(request.dose, request.note, False)

    @work(thread=True, exclusive=True, group="write")
    def _do_log(self, dose: str, note: str | None, already_taken: bool, at: str | None = None) -> None:
        from medtrack.services.dosing import log_dose

        app = self.app
        try:
            record = log_dose(app.db, app.now(), dose, at, note, already_taken)  # type: ignore[attr-defined]
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        app.call_from_thread(app.notify, plain(f"Recorded: {format_mg(record.dose_ug or 0)} at "
                                               f"{record.at:%H:%M}. Go to bed now; do not drive."),
                             timeout=8)
        self.load()

    def _refused(self, message: str) -> None:
        from medtrack.tui.dialogs import MessageDialog

        self.app.push_screen(MessageDialog("Not recorded", message + "\n\nNothing was recorded."))
        self.load()

    def action_skip(self) -> None:
        from medtrack.tui.dialogs import ConfirmDialog

        if self.status is None or self.status.state in ("taken", "skipped", "no_dose"):
            self.app.notify(plain(self._why_not() if self.status else "Loading…"), timeout=6)
            return
        self.app.push_screen(ConfirmDialog(
            "Skip tonight?", "Record that you do not take tonight's dose. Take the next dose at "
            "the usual time; never take two to make up.", "Skip tonight"), self._skipped)

    def _skipped(self, confirmed: bool | None) -> None:
        if confirmed:
            self._do_skip()

    @work(thread=True, exclusive=True, group="write")
    def _do_skip(self) -> None:
        from medtrack.services.dosing import skip_night

        app = self.app
        try:
            skip_night(app.db, app.now(), None, "skipped from the screen")  # type: ignore[attr-defined]
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        app.call_from_thread(app.notify, "Skip recorded. Take the next dose at the usual time.")
        self.load()

    def action_already_taken(self) -> None:
        from medtrack.tui.dialogs import AlreadyTakenDialog

        self.app.push_screen(AlreadyTakenDialog(), self._already)

    def _already(self, request) -> None:  # type: ignore[no-untyped-def]
        if request is not None:
            self._do_log(request.dose, request.note, True, request.at)

    def action_open(self, name: str) -> None:
        from medtrack.tui import screens

        self.app.push_screen(screens.make(name))
