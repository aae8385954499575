"""Dialogs that return their answer with dismiss(): log, already taken, confirm, message, reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from medtrack.core.units import parse_dose
from medtrack.errors import BadInput
from medtrack.tui.safe import plain

INTERACTIONS = "No alcohol, opioids, antihistamines or other sedatives tonight"


@dataclass(frozen=True)
class DoseRequest:
    dose: str
    note: str | None
    at: str | None = None


class _Dialog(ModalScreen):  # type: ignore[type-arg]
    BINDINGS = [Binding("escape", "cancel", "Back")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(plain(message))


class LogDialog(_Dialog):
    """Confirm tonight's dose: the scheduled dose filled in, the interaction check, Enter confirms."""

    def __init__(self, scheduled: str, latest: dt.datetime) -> None:
        super().__init__()
        self.scheduled = scheduled
        self.latest = latest

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain("Log tonight's dose"), classes="dialog-title")
            yield Label(plain("Dose (as prescribed):"))
            yield Input(self.scheduled, id="dose")
            yield Static(plain(f"{INTERACTIONS}?"), classes="dialog-question")
            yield Static(plain("They add to the effect. If you have taken any, do not take your "
                               "dose: cancel and ask your doctor."), classes="dialog-text")
            yield Static(plain(f"Take it just before you go to bed (latest {self.latest:%H:%M}). "
                               "Do not drive or use machines afterwards."), classes="dialog-text")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes, none: record it (Enter)", variant="primary", id="confirm")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#dose", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        text = self.query_one("#dose", Input).value.strip()
        try:
            parse_dose(text)
        except BadInput as error:
            self._error(error.message)
            return
        self.dismiss(DoseRequest(text, None))


class AlreadyTakenDialog(_Dialog):
    """The separate path for a dose that WAS taken although a rule refuses it: a note is required."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(plain("Record a dose you already took"), classes="dialog-title")
            yield Static(plain("Use this only for a dose that was really taken, even if medtrack "
                               "would have refused it. It is kept and shown to your doctor."),
                         classes="dialog-text")
            yield Label(plain("Dose taken:"))
            yield Input(placeholder="e.g. 1 mg", id="dose")
            yield Label(plain("When (empty = now; or YYYY-MM-DD HH:MM):"))
            yield Input(id="at")
            yield Label(plain("What happened (required):"))
            yield Input(id="note")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record", variant="warning", id="confirm")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        dose = self.query_one("#dose", Input).value.strip()
        note = self.query_one("#note", Input).value
        at = self.query_one("#at", Input).value.strip() or None
        try:
            parse_dose(dose)
        except BadInput as error:
            self._error(error.message)
            return
        if not note.strip():
            self._error("Please say what happened (a note is required).")
            return
        self.dismiss(DoseRequest(dose, note, at))


class _TextDialog(_Dialog):
    """A dialog with a title and a short text above its own widgets."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text, self.text = title, text

    def heading(self) -> ComposeResult:
        yield Label(plain(self.title_text), classes="dialog-title")
        yield Static(plain(self.text), classes="dialog-text")


class ConfirmDialog(_TextDialog):
    def __init__(self, title: str, text: str, yes: str) -> None:
        super().__init__(title, text)
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self.heading()
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button("Cancel (Esc)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class MessageDialog(_TextDialog):
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self.heading()
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    @on(Button.Pressed)
    def _ok(self) -> None:
        self.dismiss(None)


class ReasonDialog(_TextDialog):
    """Ask for a reason (e.g. to void a record); returns the text or None."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield from self.heading()
            yield Input(placeholder="reason (required)", id="reason")
            yield Static("", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Confirm", variant="warning", id="confirm")
                yield Button("Cancel (Esc)", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#confirm")
    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value
        if not reason.strip():
            self._error("Please give a reason.")
            return
        self.dismiss(reason)
