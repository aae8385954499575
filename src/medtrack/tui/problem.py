"""The screen shown when the database cannot be used: what is wrong and what a patient can do
about it, in words (no command to type); never the setup form."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from medtrack.i18n import N_, _
from medtrack.tui.safe import plain

RESTORE_HINT = N_("Your records were left untouched. If another medtrack is writing, wait a moment "
                "and press r to try again. If the database is damaged, press q to quit and ask "
                "whoever set up medtrack for you to restore your latest backup; the damaged file "
                "is kept beside it.")  # marked here, translated where shown


class ProblemScreen(Screen[None]):
    """A damaged, newer or locked database: say so (the error's message, as the CLI's exit 4
    says it, without the hint the CLI adds), never a setup form."""

    BINDINGS = [Binding("r", "retry", _("Try again")), Binding("q", "app.quit", _("Quit"))]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="problem"):
            yield Static(plain(_("medtrack cannot use your records right now"), "bold"),
                         id="problem-title")
            yield Static(plain(self.message[:1].upper() + self.message[1:]), id="problem-message")
            yield Static(plain(_(RESTORE_HINT)), id="problem-hint")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.sub_title = _("Problem")

    def action_retry(self) -> None:
        self.dismiss(None)
