"""The Tonight screen: what to do now in large text, the state in words, one obvious action.

It is the first frame: the services (and with them the database library, ~0.5 s) and the
dialogs (~10 ms) are imported inside the methods that use them, after the first frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Digits, Footer, Header, Static
from textual.worker import get_current_worker

from medtrack.core.calendar import MARKS, STRIP, legend
from medtrack.core.night_words import shows_limit
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError, NoProfile
from medtrack.tui import screens
from medtrack.tui.access import app_of
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.safe import clean, plain

if TYPE_CHECKING:  # the services load after the first frame (see above)
    from medtrack.core.calendar import CalendarNight
    from medtrack.services.health import DatabaseHealth
    from medtrack.services.status import Status
    from medtrack.tui.dialogs import DoseRequest

STATE_WORDS = {
    "contraindicated": "Do not take it: contraindicated",
    "taken": "Taken",
    "skipped": "Skipped tonight",
    "no_prescription": "No prescription recorded",
    "no_dose": "Nothing scheduled tonight",
    "not_yet": "Not yet",
    "due": "Due now",
    "skip": "Too late: skip tonight",
}
LAST_NIGHT = {"taken": "taken", "skipped": "skipped", "missed": "missed", "excess": "more than scheduled",
              "contraindicated": "not allowed", "none": "nothing scheduled"}
HINTS = {"due": "Press  l  to log tonight's dose.",
         "skip": "Press  k  to record that you skip tonight.",
         "no_prescription": "Press  p  to enter the prescription."}


def why_not(report: Status) -> str:
    """Why `l` does not open the log dialog in this state, in words."""
    if report.state == "taken" and report.taken_at is not None:
        return (f"Tonight's dose is already recorded ({format_mg(report.taken_ug or 0)} at "
                f"{report.taken_at:%H:%M}). Never take a second dose.")
    return {
        "skipped": "Tonight is recorded as skipped. Take the next dose at the usual time.",
        "no_dose": "Nothing is scheduled tonight.",
        "not_yet": f"Not yet: the window opens at {report.window_opens:%H:%M}.",
        "skip": "Too late tonight: skip it and take the next dose at the usual time.",
    }.get(report.state, report.guidance)


def same_night_state(a: Status, b: Status) -> bool:
    """Whether two reports say the same about tonight (what a dialog would be based on)."""
    return ((a.night, a.state, a.taken_ug, a.scheduled_ug, a.may_take_ug)
            == (b.night, b.state, b.taken_ug, b.scheduled_ug, b.may_take_ug))


class TonightScreen(Screen[None]):
    """The first screen: what to do tonight."""

    BINDINGS = [
        Binding("l", "log", "Log"),
        Binding("k", "skip", "Skip"),
        Binding("a", "already_taken", "Already taken", show=False),
        Binding("c", "open('calendar')", "Calendar"),
        Binding("h", "open('history')", "History", show=False),  # in ? Keys; the footer fits 60 columns
        Binding("s", "open('symptoms')", "Symptoms"),
        Binding("n", "open('checkin')", "Check-in"),
        Binding("e", "open('export')", "Export", show=False),
        Binding("i", "open('about')", "Medicine", show=False),  # palette and ? Keys; footer: nightly keys
        Binding("p", "open('profile')", "Profile", show=False),
        Binding("r", "reload", "Refresh", show=False),
        Binding("w", "ward", "Ward"),  # only with a ward (check_action)
        Binding("q", "app.quit", "Quit", show=False),  # in ? Keys: the footer keeps tonight's keys
    ]

    def __init__(self, patient: str | None = None) -> None:
        super().__init__()
        self.patient = patient  # the name, when opened from the ward: whose Tonight this is
        self.status: Status | None = None
        self.health: DatabaseHealth | None = None  # can a record be written (None: not checked yet)
        self._check_health = True  # on opening, on r, after a refused write
        self._checking = False  # a key's fresh read is under way: further keys wait
        self.live = DatabaseWatch()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="tonight"):
            with Vertical(id="dose-card"):
                yield Static("Tonight", id="night-title")
                yield Static("", id="dose-change")
                with Horizontal(id="dose-line"):
                    yield Digits("", id="dose-digits")
                    yield Static("", id="dose-unit")
                yield Static("", id="as-taken")
                yield Static("Loading…", id="state")
                yield Static("", id="drug-free")
                yield Static("", id="guidance")
                yield Static("", id="window")
            yield Static("", id="warnings")
            yield Static("", id="strip")
            yield Static("", id="strip-legend")  # the marks' key (hidden when rows are few)
            yield Static("", id="action-hint")
            yield Static("", id="stock")  # last: it never pushes the hint off the screen
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        # The first frame never waits for the database: draw, then load in a worker. A record
        # made elsewhere shows within a second or so (the watch); the clock moves the night on
        # (the window opens, closes) without any record, so Tonight also reads every 30 s.
        self.call_after_refresh(self.load)
        self.set_interval(30, self.load)

    @on(DatabaseWatch.Changed)
    def _changed_elsewhere(self) -> None:
        if self._checking:  # a key's fresh read is under way (it may have begun before the change)
            self.live.missed()
        else:
            self.load()

    def on_screen_resume(self) -> None:
        if self.status is not None:
            self.load()

    def action_reload(self) -> None:
        self._check_health = True  # r also checks again whether records can be written
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return app_of(self).has_ward if action == "ward" else True

    def action_ward(self) -> None:
        app_of(self).back_to_ward()

    def read(self) -> tuple[Status, list[CalendarNight]]:
        """Tonight's status and the last seven nights, read now (in a worker thread)."""
        from medtrack.services.calendar import recent_nights
        from medtrack.services.status import status

        app = app_of(self)
        now = app.now()
        return status(app.db, now), recent_nights(app.db, now, 7)

    @work(thread=True, exclusive=True, group="tonight")
    def load(self) -> None:
        from medtrack.services.health import check_database

        app = app_of(self)
        try:
            if self.patient is None and app.needs_ward():
                app.call_from_thread(app.open_ward)
                return
            # Before the first dose is invited: can a record be written at all?
            health = check_database(app.db) if self._check_health else self.health
            self.live.reading()
            report, nights = self.read()
        except NoProfile:
            app.call_from_thread(self._first_run)
            return
        except MedtrackError as error:
            app.call_from_thread(app.show_problem, error)
            return
        if get_current_worker().is_cancelled:
            return  # a newer load (e.g. after a write) started: this read may be stale
        app.call_from_thread(self._loaded, health, report, nights)

    def _loaded(self, health: DatabaseHealth | None, report: Status,
                nights: Sequence[CalendarNight]) -> None:
        if health is not None:
            self.health = health
            self._check_health = False
        self._show(report, nights)

    def writable(self) -> bool:
        """Whether a record can be written, as last checked (not checked yet: assumed, as a
        write checks again)."""
        return self.health is None or self.health.writable

    def _first_run(self) -> None:
        from medtrack.tui.setup import SetupScreen

        if not isinstance(self.app.screen, SetupScreen):
            self.app.push_screen(SetupScreen(), self._set_up)

    def _set_up(self, _: None) -> None:
        self.load()

    def _show(self, report: Status, nights: Sequence[CalendarNight]) -> None:
        from medtrack.tui.stock import stock_text

        self.status = report
        who = f"{clean(self.patient)} · " if self.patient else ""  # whose Tonight, from the ward
        self.sub_title = f"{who}night of {report.night:%a %d %b %Y}"
        self.query_one("#night-title", Static).update(plain(
            f"{who}{report.drug} · night of {report.night:%A %d %B}"))
        change = self.query_one("#dose-change", Static)
        change.update(plain(report.dose_change or ""))
        change.display = bool(report.dose_change)
        dose = format_mg(report.may_take_ug) if report.may_take_ug else ""
        # a number only while a dose is invited (core.decide), and it can be recorded
        to_take = bool(dose) and self.writable()
        self.query_one("#dose-line").display = to_take
        self.query_one("#dose-digits", Digits).update(dose.removesuffix(" mg"))
        when = "now" if report.state == "due" else "at bedtime"
        self.query_one("#dose-unit", Static).update(plain(
            f"mg at most, {when}" if report.decision.over_ceiling else f"mg {when}"))
        as_taken = self.query_one("#as-taken", Static)
        as_taken.update(plain(f"Take it as: {report.as_taken}" if report.as_taken else ""))
        as_taken.display = to_take and bool(report.as_taken)
        words = STATE_WORDS.get(report.state, report.state)
        if report.decision.morning and report.state in ("skip", "skipped"):
            words = words.replace("tonight", "last night")  # the morning after: about that night
        if report.state == "taken" and report.taken_at is not None:
            words = f"Taken at {report.taken_at:%H:%M}"
        complete = report.completion is not None and report.state == "no_dose"
        if complete:
            words = "Taper complete"
        state = self.query_one("#state", Static)
        state.update(plain(words))
        state.set_classes("state-complete" if complete else f"state-{report.state}")
        drug_free = self.query_one("#drug-free", Static)
        if report.completion is not None:
            free = report.completion.drug_free_nights
            drug_free.update(plain(f"{free} drug-free night{'s' if free != 1 else ''}"))
        drug_free.display = report.completion is not None
        guidance = self.query_one("#guidance", Static)
        if self.health is not None and not self.health.writable:  # say so before any dose is invited
            guidance.update(plain(f"{self.health.message}\n{self.health.what_to_do(report)}"))
            guidance.set_class(True, "danger")
        else:
            guidance.update(plain(report.guidance))
            guidance.set_class(report.excess, "danger")
        limit = f" · limit {format_mg(report.max_ug)}" if shows_limit(report.decision) else ""
        window = (f"Window: opens {report.window_opens:%H:%M}, latest {report.latest_dose_at:%H:%M} "
                  f"({report.zone}){limit} · ") if report.window_line else ""
        before = "The night before" if report.decision.morning else "Last night"
        outcome = LAST_NIGHT.get(report.previous_night, report.previous_night)
        self.query_one("#window", Static).update(plain(
            f"{window}{before.lower() if window else before}: {outcome}"))
        warnings = "\n".join(f"! {w}" for w in report.warnings)
        shown = self.query_one("#warnings", Static)
        shown.update(plain(warnings))
        shown.set_class(bool(report.urgent), "urgent")  # an urgent symptom: the warnings turn red
        strip = " ".join(f"{n.night:%a} {MARKS[n.state].symbol}" for n in nights)  # fits 60 columns
        self.query_one("#strip", Static).update(plain(f"Last 7 nights: {strip}"))
        self.query_one("#strip-legend", Static).update(plain(f"({legend(STRIP)})"))
        stock = self.query_one("#stock", Static)
        stock.update(stock_text(report.stock))
        stock.display = report.stock is not None
        hint = HINTS.get(report.state, "") if self.writable() else "Press  r  to check again."
        self.query_one("#action-hint", Static).update(plain(hint))

    # -- l, k, a: read tonight afresh, refuse at once if it changed, then open the dialog ------

    def _start(self, action: str) -> None:
        if self.status is None or self._checking:
            return
        if self.health is not None and not self.health.writable:
            self.app.notify(clean(f"{self.health.message} Write down on paper what you take, and "
                                  "ask for help to fix medtrack. Press r to check again."),
                            title="Not recorded", severity="error", timeout=12, markup=False)
            return
        self._checking = True
        self._recheck(action)

    @work(thread=True, group="recheck")
    def _recheck(self, action: str) -> None:
        app = app_of(self)
        try:
            report, nights = self.read()
        except MedtrackError as error:
            app.call_from_thread(self._recheck_failed, error)
            return
        app.call_from_thread(self._rechecked, action, report, nights)

    def _recheck_failed(self, error: MedtrackError) -> None:
        self._checking = False
        app_of(self).show_problem(error)

    def _rechecked(self, action: str, report: Status, nights: Sequence[CalendarNight]) -> None:
        self._checking = False
        shown = self.status
        self._show(report, nights)
        if shown is not None and not same_night_state(shown, report):
            from medtrack.tui.dialogs import MessageDialog

            self.app.push_screen(MessageDialog(
                "Tonight has changed", "Tonight changed since the screen was drawn (a record "
                f"from another terminal?). Now: {STATE_WORDS.get(report.state, report.state)}.\n\n"
                f"{why_not(report)}\n\nNothing was recorded."))
            return
        getattr(self, f"_open_{action}")(report)

    def action_log(self) -> None:
        self._start("log")

    def action_skip(self) -> None:
        self._start("skip")

    def action_already_taken(self) -> None:
        self._start("already_taken")

    def _open_log(self, report: Status) -> None:
        if report.state != "due":
            self.app.notify(clean(why_not(report)), severity="warning", timeout=8, markup=False)
            return
        most = format_mg(report.may_take_ug) if report.may_take_ug else ""  # never above what log accepts
        from medtrack.tui.dialogs import LogDialog

        capped = (f"Your prescription says {format_mg(report.scheduled_ug or 0)}, above the monograph's "
                  f"{format_mg(report.max_ug)} nightly limit: take at most {most} and ask your prescriber "
                  "to review the prescription.") if report.decision.over_ceiling else None
        self.app.push_screen(LogDialog(most, report.latest_dose_at, report.as_taken, capped),
                             self._logged)

    def _open_skip(self, report: Status) -> None:
        if report.state in ("taken", "skipped", "no_dose", "no_prescription"):
            self.app.notify(clean(why_not(report)), timeout=6, markup=False)
            return
        from medtrack.tui.dialogs import ConfirmDialog

        self.app.push_screen(ConfirmDialog(
            "Skip tonight?", "Record that you do not take tonight's dose. Take the next dose at "
            "the usual time; never take two to make up.", "Skip tonight"), self._skipped)

    def _open_already_taken(self, report: Status) -> None:
        from medtrack.tui.dialogs import AlreadyTakenDialog

        self.app.push_screen(AlreadyTakenDialog(report.zone, app_of(self).now()),
                             self._already)

    # -- the writes ----------------------------------------------------------------------------

    def _logged(self, request: DoseRequest | None) -> None:
        if request is not None:
            self._do_log(request.dose, request.note, False)

    def _already(self, request: DoseRequest | None) -> None:
        if request is not None:
            self._do_log(request.dose, request.note, True, request.at)

    @work(thread=True, group="write")
    def _do_log(self, dose: str, note: str | None, already_taken: bool, at: str | None = None) -> None:
        from medtrack.services.dosing import record_dose

        app = app_of(self)
        try:
            logged = record_dose(app.db, app.now(), dose, at, note, already_taken)
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        record = logged.record
        app.call_from_thread(app.notify, clean(f"Recorded: {format_mg(record.dose_ug or 0)} at "
                                               f"{record.at:%H:%M}. {logged.advice}"),
                             timeout=8, markup=False)
        app.call_from_thread(self.load)  # workers start on the app's thread

    def _refused(self, message: str) -> None:
        from medtrack.tui.dialogs import MessageDialog

        self.app.push_screen(MessageDialog("Not recorded", message + "\n\nNothing was recorded."))
        self._check_health = True  # a write that failed: can anything be written now?
        self.load()

    def _skipped(self, confirmed: bool | None) -> None:
        if confirmed:
            self._do_skip()
        else:  # never closed without a word: say that nothing changed
            self.app.notify("Not skipped: nothing was recorded.", timeout=5, markup=False)

    @work(thread=True, group="write")
    def _do_skip(self) -> None:
        from medtrack.services.dosing import skip_night

        app = app_of(self)
        try:
            skip_night(app.db, app.now(), None, "skipped from the screen")
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        app.call_from_thread(app.notify, "Skip recorded. Take the next dose at the usual time.")
        app.call_from_thread(self.load)  # workers start on the app's thread

    def action_open(self, name: str) -> None:
        self.app.push_screen(screens.make(name))
