"""Dialogs that answer once with dismiss(): log, already taken, void, confirm, message, and
the frame of a form whose Save runs a service.

Every dialog has the same shape: a scrolling body and its buttons docked at the bottom, so the
buttons stay reachable on a small terminal; focus starts in the first field; Enter in a field
submits when what was typed is valid; an error shows inline and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar
from zoneinfo import ZoneInfo

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from medtrack.core.model import Record
from medtrack.core.night_words import lower_in_english
from medtrack.core.nights import MIN_DOSE_GAP, hours_apart
from medtrack.core.parse import parse_when
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput, MedtrackError
from medtrack.i18n import _, medium_date, short_time
from medtrack.tui.patient import Patient
from medtrack.tui.safe import clean, plain

if TYPE_CHECKING:
    from medtrack.services.database import Database

AnswerT = TypeVar("AnswerT")  # what a dialog answers (None when cancelled)
RequestT = TypeVar("RequestT")  # what a form's fields say, for its service


@dataclass(frozen=True)
class DoseAnswer:
    """What the log and already-taken dialogs answer: the fields as typed, for the service's
    DoseRequest."""

    dose: str
    note: str | None
    at: str | None = None


@dataclass(frozen=True)
class VoidRequest:
    reason: str
    not_taken: bool


def interaction_question() -> str:
    """'No alcohol, opioids, ... tonight?' from the monograph's interaction list."""
    from medtrack.services.common import monograph  # in the chosen language; the dialog opens later

    names = [lower_in_english(i.name) for i in monograph().interactions]
    if len(names) > 1:
        return _("No {names} or {last} tonight?").format(names=", ".join(names[:-1]), last=names[-1])
    return _("No {names} tonight?").format(names="".join(names))


class Dialog(ModalScreen[AnswerT | None]):
    """The shared frame: body, inline error, buttons; answers exactly once."""

    # _() at class level: the language is chosen before medtrack.tui is imported.
    BINDINGS = [Binding("escape", "cancel", _("Back"))]
    WIDE = False

    def __init__(self) -> None:
        super().__init__()
        self._answered = False
        self._opened_at = float("inf")  # when it was mounted (Textual's event clock)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.WIDE else "dialog"):
            with VerticalScroll(classes="dialog-body"):
                yield from self.body()
                yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield from self.buttons()

    def body(self) -> ComposeResult:
        yield from ()

    def buttons(self) -> ComposeResult:
        yield Button(_("Cancel (Esc)"), id="cancel")

    def heading(self, title: str, text: str = "") -> ComposeResult:
        yield Label(plain(title), classes="dialog-title")
        if text:
            yield Static(plain(text), classes="dialog-text")

    def on_mount(self, event: events.Mount) -> None:
        self._opened_at = event.time
        if not self._answered:  # Escape may close it before it is mounted: nothing to focus then
            self.first_focus().focus()

    def on_key(self, event: events.Key) -> None:
        """An Enter pressed before this dialog was on the screen is no answer to it. Keys keep
        their order (MedtrackApp hands them on one at a time), so a second Enter pressed while
        Tonight read afresh would otherwise press the main button of a dialog nobody had read
        yet: record the dose, or close "Not recorded" unseen. It bubbles up from the focused
        field or button before any binding acts on it."""
        if event.key == "enter" and event.time < self._opened_at:
            event.prevent_default()
            event.stop()

    def first_focus(self) -> Widget:
        """Where focus starts: the first field, else the first button."""
        fields = self.query(Input)
        return fields.first() if fields else self.query(Button).first()

    def answer(self, result: AnswerT | None) -> None:
        """Dismiss with `result`, once: a second Enter or click that arrives before the
        dialog is gone does nothing (it used to pop the screen below and crash)."""
        if self._answered:
            return
        self._answered = True
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.answer(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.answer(None)

    def error(self, message: str) -> None:
        shown = self.query_one(".dialog-error", Static)
        shown.update(plain(message))
        if message:  # below a long body it could be out of sight
            self.call_after_refresh(self._reveal, shown)

    @staticmethod
    def _reveal(widget: Widget, top: bool = False) -> None:
        """Scroll `widget` into view, unless it is gone (the dialog closed) by now."""
        if widget.is_attached:
            widget.scroll_visible(top=top)


class LogDialog(Dialog[DoseAnswer]):
    """Confirm tonight's dose: the scheduled dose filled in (with how it is taken, when the
    formulation is recorded), the interaction check, Enter confirms."""

    def __init__(self, scheduled: str, latest: dt.datetime, as_taken: str | None = None,
                 capped: str | None = None) -> None:
        super().__init__()
        self.scheduled = scheduled  # what may be taken (never above what `log` accepts)
        self.latest = latest
        self.as_taken = as_taken
        self.capped = capped  # why it is less than prescribed (the ceiling), in words

    def body(self) -> ComposeResult:
        yield from self.heading(_("Log tonight's dose"))
        if self.capped:
            yield Static(plain(self.capped), classes="dialog-question")
        yield Label(plain(_("Dose (at most {dose}):").format(dose=self.scheduled) if self.capped
                          else _("Dose (as prescribed):")))
        yield Input(self.scheduled, id="dose")
        if self.as_taken:
            yield Static(plain(self._taken_as(self.scheduled)), id="as-taken", classes="dialog-question")
        yield Static(plain(interaction_question()), classes="dialog-question")
        yield Static(plain(_("They add to the effect. If you have taken any, do not take your "
                             "dose: cancel and ask your doctor.")), classes="dialog-text")
        yield Static(plain(_("Take it just before you go to bed (latest {latest}). Do not drive or use "
                             "machines afterwards.").format(latest=short_time(self.latest))),
                     classes="dialog-text")

    def buttons(self) -> ComposeResult:
        yield Button(_("Yes, none: record it (Enter)"), variant="primary", id="confirm")
        yield from super().buttons()

    def first_focus(self) -> Widget:
        # Mostly a confirmation: Enter records the prescribed dose, and a second press of the
        # key that opened the dialog cannot type over the dose (Tab reaches the field).
        return self.query_one("#confirm", Button)

    def _taken_as(self, typed: str) -> str:
        """'0.5 mg = ½ tablet of 1 mg' while the scheduled dose is typed; else a plain caution
        (the dialog knows how the scheduled dose is made, not any other)."""
        try:
            same = parse_dose(typed) == parse_dose(self.scheduled)
        except BadInput:
            same = False
        if same:
            return f"{self.scheduled} = {self.as_taken}"
        return _("Not the scheduled {dose} ({as_taken}).").format(dose=self.scheduled, as_taken=self.as_taken)

    @on(Input.Changed, "#dose")
    def _dose_changed(self, event: Input.Changed) -> None:
        if self.as_taken:
            self.query_one("#as-taken", Static).update(plain(self._taken_as(event.value.strip())))

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        text = self.query_one("#dose", Input).value.strip()
        try:
            parse_dose(text)
        except BadInput as error:
            self.error(error.message)
            return
        self.answer(DoseAnswer(text, None))


class AlreadyTakenDialog(Dialog[DoseAnswer]):
    """The separate path for a dose that WAS taken although a rule refuses it: a note is required."""

    def __init__(self, zone: str, now: dt.datetime) -> None:
        super().__init__()
        self.zone, self.now = zone, now

    def body(self) -> ComposeResult:
        yield from self.heading(_("Record a dose you already took"),
                                _("Use this only for a dose that was really taken, even if medtrack "
                                  "would have refused it. It is kept and shown to your doctor."))
        yield Label(plain(_("Dose taken:")))
        yield Input(placeholder=_("e.g. 1 mg"), id="dose")
        yield Label(plain(_("When (empty = now; HH:MM = tonight; or YYYY-MM-DD HH:MM):")))
        yield Input(id="at")
        yield Label(plain(_("What happened (required):")))
        yield Input(id="note")

    def buttons(self) -> ComposeResult:
        yield Button(_("Record"), variant="warning", id="confirm")
        yield from super().buttons()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        dose = self.query_one("#dose", Input).value.strip()
        note = self.query_one("#note", Input).value
        at = self.query_one("#at", Input).value.strip() or None
        try:
            parse_dose(dose)
            if at is not None:
                parse_when(at, ZoneInfo(self.zone), self.now, what=_("the time"))
        except BadInput as error:
            self.error(error.message)
            return
        if not note.strip():
            self.error(_("Please say what happened (a note is required)."))
            self.query_one("#note", Input).focus()
            return
        self.answer(DoseAnswer(dose, note, at))


class VoidDialog(Dialog[VoidRequest]):
    """Void a record with a reason. For a dose, the choice is explicit: "I did not take this
    dose", or (only when it is 12 hours old or more) "entered by mistake"."""

    def __init__(self, record: Record, now: dt.datetime) -> None:
        super().__init__()
        self.record = record
        self.recent = record.kind == "dose" and hours_apart(now, record.at) < MIN_DOSE_GAP

    def body(self) -> ComposeResult:
        record = self.record
        if record.kind == "dose":
            text = _("This voids the {dose} dose at {time}. The record stays in the history, marked void "
                     "with your reason. Nothing is deleted.").format(
                dose=format_mg(record.dose_ug or 0), time=short_time(record.at))
        else:
            text = _("This voids the skip. The record stays in the history, marked void with your reason. "
                     "Nothing is deleted.")
        yield from self.heading(_("Void record #{number} (night {night})?").format(
            number=record.id, night=medium_date(record.night)), text)
        if self.recent:
            yield Static(plain(_("This dose is less than 12 hours old: voiding it makes room for "
                                 "another dose tonight. If you swallowed it, the record is true: do "
                                 "not void it. Void it only if you never took it.")),
                         classes="dialog-question")
        yield Input(placeholder=_("reason (required)"), id="reason")

    def buttons(self) -> ComposeResult:
        if self.record.kind == "dose":
            yield Button(_("I did not take this dose"), variant="warning", id="not-taken")
        if not self.recent:
            yield Button(_("Entered by mistake") if self.record.kind == "dose" else _("Void it"),
                         variant="warning", id="confirm")
        yield from super().buttons()

    @on(Input.Submitted)
    def _enter(self) -> None:
        if self._reason() is None:
            return
        if self.record.kind == "dose":  # the choice is the user's to make, never a stray Enter's
            self.error(_("Now choose with Tab and Enter: did you take this dose or not?"))
            return
        self.answer(VoidRequest(self.query_one("#reason", Input).value, False))

    @on(Button.Pressed, "#confirm, #not-taken")
    def _void(self, event: Button.Pressed) -> None:
        reason = self._reason()
        if reason is not None:
            self.answer(VoidRequest(reason, event.button.id == "not-taken"))

    def _reason(self) -> str | None:
        reason = self.query_one("#reason", Input).value
        if not reason.strip():
            self.error(_("Please give a reason."))
            self.query_one("#reason", Input).focus()
            return None
        return reason


class ConfirmDialog(Dialog[bool]):
    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__()
        self.title_text, self.text, self.yes = title, text, yes

    def body(self) -> ComposeResult:
        yield from self.heading(self.title_text, self.text)

    def buttons(self) -> ComposeResult:
        yield Button(self.yes, variant="primary", id="yes")
        yield Button(_("Cancel (Esc)"), id="no")

    def first_focus(self) -> Widget:
        # Every dialog starts on its main action: Enter does what the dialog is for (the skip
        # was closed unrecorded, without a word, by an Enter on Cancel); Esc cancels.
        return self.query_one("#yes", Button)

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.answer(event.button.id == "yes")


class MessageDialog(Dialog[None]):
    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def body(self) -> ComposeResult:
        yield from self.heading(self.title_text, self.text)

    def buttons(self) -> ComposeResult:
        yield Button(_("OK"), variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.answer(None)


class WriteDialog(Dialog[bool | str], Generic[RequestT]):
    """A form whose Save runs a service in a worker; errors stay inline with what was typed.
    It answers True once saved (or a message the patient must read), None when cancelled.

    Save (the button) and Enter in a field both call `save()`; a form where Enter should do
    something else overrides `submit()`."""

    WIDE = True

    def __init__(self, patient: Patient) -> None:
        super().__init__()
        self.patient = patient  # whose records the form writes
        self._saving = False

    @property
    def db(self) -> Database:
        """The patient's database (in the write's worker)."""
        return self.patient.database()

    def buttons(self) -> ComposeResult:
        yield Button(_("Save"), variant="primary", id="save")
        yield from super().buttons()

    def value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.submit()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.save()

    def submit(self) -> None:
        self.save()

    def save(self) -> None:
        if self._saving or self._answered:  # a second Enter while the first save runs
            return
        self._saving = True
        self.error(_("Saving…"))
        self._write(self.request())

    def request(self) -> RequestT:
        raise NotImplementedError

    def write(self, request: RequestT) -> str:
        """Run the service (in a worker thread); return the line to notify."""
        raise NotImplementedError

    def done(self, line: str) -> None:
        """Saved: say so and close (on the app's thread)."""
        self.app.notify(clean(line), timeout=8, markup=False)
        self.answer(True)

    @work(thread=True, group="write")
    def _write(self, request: RequestT) -> None:
        app = self.app
        try:
            line = self.write(request)
        except MedtrackError as error:
            app.call_from_thread(self._failed, error.message)
            return
        app.call_from_thread(self.done, line)

    def _failed(self, message: str) -> None:
        self._saving = False
        if not self._answered:  # Esc while it ran: nothing left to show it in
            self.error(message)


def formulation_fields(keep: str | None = None) -> ComposeResult:
    """Tablets (with their split) or an oral liquid (with its measuring step), as the
    prescriber wrote them; `keep` says what an empty field keeps."""
    # The examples are what the fields accept, whatever the language (a comma separates tablets).
    empty = _("empty = keep {kept}").format(kept=keep) if keep else _("empty = not recorded")
    yield Static(plain(_("Tablets and how they may be split, separated by commas (e.g. "
                         "1mg:half, 0.5mg:quarter; {empty})").format(empty=empty)))
    yield Input(id="tablets", compact=True)
    yield Static(plain(_("Or an oral liquid: its strength (e.g. 0.1mg/ml) and measuring step "
                         "(e.g. 0.1ml; empty = 0.1ml)")))
    with Horizontal(classes="form-row"):
        yield Input(id="liquid", compact=True)
        yield Input(id="measure", compact=True)


def formulation_values(form: WriteDialog[RequestT]) -> tuple[tuple[str, ...], str | None, str | None]:
    """What the formulation fields hold: the tablets split at commas, the liquid, the step."""
    tablets = tuple(t.strip() for t in form.value("tablets").split(",") if t.strip())
    return tablets, form.value("liquid").strip() or None, form.value("measure").strip() or None
