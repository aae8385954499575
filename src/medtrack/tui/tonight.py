"""The Tonight screen: what to do now in large text, the state in words, one obvious action.

It is the first frame: the services (and with them the database library, ~0.5 s) and the
dialogs (~10 ms) are imported inside the methods that use them, after the first frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Footer, Header
from textual.worker import get_current_worker

from medtrack.core.tonight_state import TonightState
from medtrack.core.units import format_mg
from medtrack.errors import MedtrackError, NoProfile
from medtrack.i18n import _, short_time
from medtrack.tui.access import app_of
from medtrack.tui.live import DatabaseWatch
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import clean
from medtrack.tui.screens import Place, make
from medtrack.tui.tonight_parts import (
    STATE_WORDS,
    ActionHint,
    AsTaken,
    DoseChange,
    DoseLine,
    DrugFree,
    Guidance,
    LastNights,
    NightTitle,
    NightView,
    StateLine,
    StockLine,
    StripLegend,
    Warnings,
    WindowLine,
    same_night_state,
    why_not,
)
from medtrack.tui.words import day_date

if TYPE_CHECKING:  # the services load after the first frame (see above)
    from medtrack.core.calendar import CalendarNight
    from medtrack.core.model import DoseEntry
    from medtrack.services.health import DatabaseHealth
    from medtrack.services.status import Status
    from medtrack.tui.dialogs import DoseAnswer

# The states in which nothing can be skipped: it is recorded already, or nothing is scheduled.
NOTHING_TO_SKIP = (TonightState.TAKEN, TonightState.SKIPPED, TonightState.NO_DOSE, TonightState.NO_PRESCRIPTION)


class TonightScreen(PatientScreen):
    """The first screen: what to do tonight."""

    # The footer shows a description as given: _() at class level is right because the language
    # is chosen (medtrack.i18n.use) before medtrack.tui is imported.
    BINDINGS = [
        Binding("l", "log", _("Log")),
        Binding("k", "skip", _("Skip")),
        Binding("a", "already_taken", _("Already taken"), show=False),
        Binding("c", "open('calendar')", _("Calendar")),
        Binding("h", "open('history')", _("History"), show=False),  # in ? Keys; the footer fits 60 columns
        Binding("s", "open('symptoms')", _("Symptoms")),
        Binding("n", "open('checkin')", _("Check-in")),
        Binding("e", "open('export')", _("Export"), show=False),
        Binding("i", "open('about')", _("Medicine"), show=False),  # palette and ? Keys; footer: nightly keys
        Binding("p", "open('profile')", _("Profile"), show=False),
        Binding("r", "reload", _("Refresh"), show=False),
        Binding("w", "ward", _("Ward")),  # only with a ward (check_action)
        Binding("q", "app.quit", _("Quit"), show=False),  # in ? Keys: the footer keeps tonight's keys
    ]

    night: reactive[NightView | None] = reactive(None)  # what the parts draw (tonight_parts.py)

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self.health: DatabaseHealth | None = None  # can a record be written (None: not checked yet)
        self._check_health = True  # on opening, on r, after a refused write
        self._checking = False  # a key's fresh read is under way: further keys wait
        self.live = DatabaseWatch(patient.database)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="tonight"):
            with Vertical(id="dose-card"):
                yield NightTitle(_("Tonight"), id="night-title").data_bind(TonightScreen.night)
                yield DoseChange(id="dose-change").data_bind(TonightScreen.night)
                yield DoseLine(id="dose-line").data_bind(TonightScreen.night)
                yield AsTaken(id="as-taken").data_bind(TonightScreen.night)
                yield StateLine(_("Loading…"), id="state").data_bind(TonightScreen.night)
                yield DrugFree(id="drug-free").data_bind(TonightScreen.night)
                yield Guidance(id="guidance").data_bind(TonightScreen.night)
                yield WindowLine(id="window").data_bind(TonightScreen.night)
            yield Warnings(id="warnings").data_bind(TonightScreen.night)
            yield LastNights(id="strip").data_bind(TonightScreen.night)
            yield StripLegend(id="strip-legend").data_bind(TonightScreen.night)  # hidden when rows are few
            yield ActionHint(id="action-hint").data_bind(TonightScreen.night)
            yield StockLine(id="stock").data_bind(TonightScreen.night)  # last: never pushes the hint off
        yield self.live
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        # The first frame never waits for the database: draw, then load in a worker. A record
        # made elsewhere shows within a second or so (the watch); the clock moves the night on
        # (the window opens, closes) without any record, so Tonight also reads every 30 s.
        self.call_after_refresh(self.load)
        self.set_interval(30, self.load)

    @property
    def status(self) -> Status | None:
        """Tonight as last shown (None: not read yet)."""
        return self.night.status if self.night is not None else None

    def watch_night(self, night: NightView | None) -> None:
        if night is not None:
            self.sub_title = night.who + _("night of {date}").format(date=day_date(night.status.night))

    @property
    def stands_for_ward(self) -> bool:
        """The first Tonight of a database with several patients and none chosen: the ward
        opens over it, and it stays blank below."""
        return self.patient.number is None and app_of(self).opening.ward_known

    @on(DatabaseWatch.Changed)
    def _changed_elsewhere(self) -> None:
        if self._checking:  # a key's fresh read is under way (it may have begun before the change)
            self.live.missed()
        else:
            self.load()

    def on_screen_resume(self) -> None:
        if self.night is not None:
            self.load()

    def action_reload(self) -> None:
        self._check_health = True  # r also checks again whether records can be written
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return app_of(self).opening.ward_known if action == "ward" else True

    def action_ward(self) -> None:
        app_of(self).back_to_ward()

    def read(self) -> tuple[Status, list[CalendarNight]]:
        """Tonight's status and the last seven nights, read now (in a worker thread)."""
        from medtrack.services.calendar import recent_nights
        from medtrack.services.status import status

        now = app_of(self).now()
        return status(self.db, now), recent_nights(self.db, now, 7)

    @work(thread=True, exclusive=True, group="tonight")
    def load(self) -> None:
        from medtrack.services.health import check_database

        app = app_of(self)
        try:
            if self.patient.number is None and app.opening.is_ward():
                app.call_from_thread(app.open_ward)
                return
            # Before the first dose is invited: can a record be written at all?
            health = check_database(self.db) if self._check_health else self.health
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

    def _show(self, report: Status, nights: Sequence[CalendarNight]) -> None:
        self.night = NightView(report, tuple(nights), self.health, self.patient.name)

    def writable(self) -> bool:
        """Whether a record can be written, as last checked (not checked yet: assumed, as a
        write checks again)."""
        return self.health is None or self.health.writable

    def _first_run(self) -> None:
        from medtrack.tui.setup import SetupScreen

        if not isinstance(self.app.screen, SetupScreen):
            self.app.push_screen(SetupScreen(self.patient), self._set_up)

    def _set_up(self, _result: None) -> None:
        self.load()

    # -- l, k, a: read tonight afresh, refuse at once if it changed, then open the dialog ------

    def _start(self, open_dialog: Callable[[Status], None]) -> None:
        if self.night is None or self._checking:
            return
        if self.health is not None and not self.health.writable:
            self.app.notify(clean(_("{problem} Write down on paper what you take, and ask for help to fix "
                                    "medtrack. Press r to check again.").format(problem=self.health.message)),
                            title=_("Not recorded"), severity="error", timeout=12, markup=False)
            return
        self._checking = True
        self._recheck(open_dialog)

    @work(thread=True, group="recheck")
    def _recheck(self, open_dialog: Callable[[Status], None]) -> None:
        app = app_of(self)
        try:
            report, nights = self.read()
        except MedtrackError as error:
            app.call_from_thread(self._recheck_failed, error)
            return
        app.call_from_thread(self._rechecked, open_dialog, report, nights)

    def _recheck_failed(self, error: MedtrackError) -> None:
        self._checking = False
        app_of(self).show_problem(error)

    def _rechecked(self, open_dialog: Callable[[Status], None], report: Status,
                   nights: Sequence[CalendarNight]) -> None:
        self._checking = False
        shown = self.status
        self._show(report, nights)
        if shown is not None and not same_night_state(shown, report):
            from medtrack.tui.dialogs import MessageDialog

            self.app.push_screen(MessageDialog(
                _("Tonight has changed"),
                _("Tonight changed since the screen was drawn (a record from another terminal?). Now: "
                  "{state}.\n\n{why_not}\n\nNothing was recorded.").format(
                    state=_(STATE_WORDS[report.state]), why_not=why_not(report))))
            return
        open_dialog(report)

    def action_log(self) -> None:
        self._start(self._open_log)

    def action_skip(self) -> None:
        self._start(self._open_skip)

    def action_already_taken(self) -> None:
        self._start(self._open_already_taken)

    def _open_log(self, report: Status) -> None:
        if report.state is not TonightState.DUE:
            self.app.notify(clean(why_not(report)), severity="warning", timeout=8, markup=False)
            return
        most = format_mg(report.may_take_ug) if report.may_take_ug else ""  # never above what log accepts
        from medtrack.tui.dialogs import LogDialog

        capped = _("Your prescription says {dose}, above the monograph's {limit} nightly limit: take at most "
                   "{most} and ask your prescriber to review the prescription.").format(
            dose=format_mg(report.scheduled_ug or 0), limit=format_mg(report.max_ug),
            most=most) if report.decision.over_ceiling else None
        self.app.push_screen(LogDialog(most, report.latest_dose_at, report.as_taken, capped),
                             self._logged)

    def _open_skip(self, report: Status) -> None:
        if report.state in NOTHING_TO_SKIP:
            self.app.notify(clean(why_not(report)), timeout=6, markup=False)
            return
        from medtrack.tui.dialogs import ConfirmDialog

        self.app.push_screen(ConfirmDialog(
            _("Skip tonight?"), _("Record that you do not take tonight's dose. Take the next dose at "
                                  "the usual time; never take two to make up."), _("Skip tonight")),
            self._skipped)

    def _open_already_taken(self, report: Status) -> None:
        from medtrack.tui.dialogs import AlreadyTakenDialog

        self.app.push_screen(AlreadyTakenDialog(report.zone, app_of(self).now()),
                             self._already)

    # -- the writes ----------------------------------------------------------------------------

    def _logged(self, answer: DoseAnswer | None) -> None:
        from medtrack.core.model import DoseEntry  # the core model: after the first frame

        if answer is not None:
            self._do_log(answer, DoseEntry.TO_TAKE)

    def _already(self, answer: DoseAnswer | None) -> None:
        from medtrack.core.model import DoseEntry

        if answer is not None:
            self._do_log(answer, DoseEntry.ALREADY_TAKEN)

    @work(thread=True, group="write")
    def _do_log(self, answer: DoseAnswer, entry: DoseEntry) -> None:
        from medtrack.services import dosing

        app = app_of(self)
        try:
            logged = dosing.record_dose(self.db, app.now(), dosing.DoseRequest(
                dose=answer.dose, at=answer.at, note=answer.note, entry=entry))
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        record = logged.record
        app.call_from_thread(app.notify, clean(_("Recorded: {dose} at {time}. {advice}").format(
            dose=format_mg(record.dose_ug or 0), time=short_time(record.at), advice=logged.advice)),
                             timeout=8, markup=False)
        app.call_from_thread(self.load)  # workers start on the app's thread

    def _refused(self, message: str) -> None:
        from medtrack.tui.dialogs import MessageDialog

        self.app.push_screen(MessageDialog(_("Not recorded"), _("{problem}\n\nNothing was recorded.").format(
            problem=message)))
        self._check_health = True  # a write that failed: can anything be written now?
        self.load()

    def _skipped(self, confirmed: bool | None) -> None:
        if confirmed:
            self._do_skip()
        else:  # never closed without a word: say that nothing changed
            self.app.notify(_("Not skipped: nothing was recorded."), timeout=5, markup=False)

    @work(thread=True, group="write")
    def _do_skip(self) -> None:
        from medtrack.services.dosing import skip_night

        app = app_of(self)
        try:
            skip_night(self.db, app.now(), None, "skipped from the screen")
        except MedtrackError as error:
            app.call_from_thread(self._refused, error.message)
            return
        app.call_from_thread(app.notify, _("Skip recorded. Take the next dose at the usual time."))
        app.call_from_thread(self.load)  # workers start on the app's thread

    def action_open(self, name: str) -> None:
        self.open(Place(name))

    def open(self, place: Place) -> None:
        """Open a screen about this Tonight's patient."""
        self.app.push_screen(make(place, self.patient))
