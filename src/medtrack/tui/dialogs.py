"""Dialogs that answer once with dismiss(): log, already taken, void, confirm, message.

Every dialog has the same shape: a scrolling body and its buttons docked at the bottom, so the
buttons stay reachable on a small terminal; focus starts in the first field; Enter in a field
submits when what was typed is valid; an error shows inline and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from medtrack.core.model import Record
from medtrack.core.nights import MIN_DOSE_GAP, hours_apart
from medtrack.core.parse import parse_when
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput
from medtrack.monograph import load_monograph
from medtrack.tui.safe import plain


@dataclass(frozen=True)
class DoseRequest:
    dose: str
    note: str | None
    at: str | None = None


@dataclass(frozen=True)
class VoidRequest:
    reason: str
    not_taken: bool


def interaction_question() -> str:
    """'No alcohol, opioids, ... tonight?' from the monograph's interaction list."""
    names = [i.name.lower() for i in load_monograph().interactions]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
    return f"No {listed} tonight?"


class Dialog(ModalScreen):  # type: ignore[type-arg]
    """The shared frame: body, inline error, buttons; answers exactly once."""

    BINDINGS = [Binding("escape", "cancel", "Back")]
    WIDE = False

    def __init__(self) -> None:
        super().__init__()
        self._answered = False

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
        yield Button("Cancel (Esc)", id="cancel")

    def heading(self, title: str, text: str = "") -> ComposeResult:
        yield Label(plain(title), classes="dialog-title")
        if text:
            yield Static(plain(text), classes="dialog-text")

    def on_mount(self) -> None:
        self.first_focus().focus()

    def first_focus(self) -> Widget:
        """Where focus starts: the first field, else the first button."""
        fields = self.query(Input)
        return fields.first() if fields else self.query(Button).first()

    def answer(self, result: object) -> None:
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
        self.query_one(".dialog-error", Static).update(plain(message))


class LogDialog(Dialog):
    """Confirm tonight's dose: the scheduled dose filled in, the interaction check, Enter confirms."""

    def __init__(self, scheduled: str, latest: dt.datetime) -> None:
        super().__init__()
        self.scheduled = scheduled
        self.latest = latest

    def body(self) -> ComposeResult:
        yield from self.heading("Log tonight's dose")
        yield Label(plain("Dose (as prescribed):"))
        yield Input(self.scheduled, id="dose")
        yield Static(plain(interaction_question()), classes="dialog-question")
        yield Static(plain("They add to the effect. If you have taken any, do not take your "
                           "dose: cancel and ask your doctor."), classes="dialog-text")
        yield Static(plain(f"Take it just before you go to bed (latest {self.latest:%H:%M}). "
                           "Do not drive or use machines afterwards."), classes="dialog-text")

    def buttons(self) -> ComposeResult:
        yield Button("Yes, none: record it (Enter)", variant="primary", id="confirm")
        yield from super().buttons()

    def first_focus(self) -> Widget:
        # Mostly a confirmation: Enter records the prescribed dose, and a second press of the
        # key that opened the dialog cannot type over the dose (Tab reaches the field).
        return self.query_one("#confirm", Button)

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        text = self.query_one("#dose", Input).value.strip()
        try:
            parse_dose(text)
        except BadInput as error:
            self.error(error.message)
            return
        self.answer(DoseRequest(text, None))


class AlreadyTakenDialog(Dialog):
    """The separate path for a dose that WAS taken although a rule refuses it: a note is required."""

    def __init__(self, zone: str, now: dt.datetime) -> None:
        super().__init__()
        self.zone, self.now = zone, now

    def body(self) -> ComposeResult:
        yield from self.heading("Record a dose you already took",
                                "Use this only for a dose that was really taken, even if medtrack "
                                "would have refused it. It is kept and shown to your doctor.")
        yield Label(plain("Dose taken:"))
        yield Input(placeholder="e.g. 1 mg", id="dose")
        yield Label(plain("When (empty = now; HH:MM = tonight; or YYYY-MM-DD HH:MM):"))
        yield Input(id="at")
        yield Label(plain("What happened (required):"))
        yield Input(id="note")

    def buttons(self) -> ComposeResult:
        yield Button("Record", variant="warning", id="confirm")
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
                parse_when(at, ZoneInfo(self.zone), self.now, what="the time")
        except BadInput as error:
            self.error(error.message)
            return
        if not note.strip():
            self.error("Please say what happened (a note is required).")
            self.query_one("#note", Input).focus()
            return
        self.answer(DoseRequest(dose, note, at))


class VoidDialog(Dialog):
    """Void a record with a reason. For a dose, the choice is explicit: "I did not take this
    dose", or (only when it is 12 hours old or more) "entered by mistake"."""

    def __init__(self, record: Record, now: dt.datetime) -> None:
        super().__init__()
        self.record = record
        self.recent = record.kind == "dose" and hours_apart(now, record.at) < MIN_DOSE_GAP

    def body(self) -> ComposeResult:
        record = self.record
        what = (f"the {format_mg(record.dose_ug or 0)} dose at {record.at:%H:%M}" if record.kind == "dose"
                else "the skip")
        yield from self.heading(f"Void record #{record.id} (night {record.night})?",
                                f"This voids {what}. The record stays in the history, marked void "
                                "with your reason. Nothing is deleted.")
        if self.recent:
            yield Static(plain("This dose is less than 12 hours old: voiding it makes room for "
                               "another dose tonight. If you swallowed it, the record is true: do "
                               "not void it. Void it only if you never took it."),
                         classes="dialog-question")
        yield Input(placeholder="reason (required)", id="reason")

    def buttons(self) -> ComposeResult:
        if self.record.kind == "dose":
            yield Button("I did not take this dose", variant="warning", id="not-taken")
        if not self.recent:
            yield Button("Entered by mistake" if self.record.kind == "dose" else "Void it",
                         variant="warning", id="confirm")
        yield from super().buttons()

    @on(Input.Submitted)
    def _enter(self) -> None:
        if self._reason() is None:
            return
        if self.record.kind == "dose":  # the choice is the user's to make, never a stray Enter's
            self.error("Now choose with Tab and Enter: did you take this dose or not?")
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
            self.error("Please give a reason.")
            self.query_one("#reason", Input).focus()
            return None
        return reason


class ConfirmDialog(Dialog):
    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__()
        self.title_text, self.text, self.yes = title, text, yes

    def body(self) -> ComposeResult:
        yield from self.heading(self.title_text, self.text)

    def buttons(self) -> ComposeResult:
        yield Button(self.yes, variant="primary", id="yes")
        yield Button("Cancel (Esc)", id="no")

    def first_focus(self) -> Widget:
        return self.query_one("#no", Button)

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.answer(event.button.id == "yes")


class MessageDialog(Dialog):
    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def body(self) -> ComposeResult:
        yield from self.heading(self.title_text, self.text)

    def buttons(self) -> ComposeResult:
        yield Button("OK", variant="primary", id="ok")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        self.answer(None)
