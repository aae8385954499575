"""The Check-in screen: how you are today during a taper, one row per withdrawal symptom.

Up and down move between rows; left and right (or 0-3) set the row's rating, none to severe;
Enter saves the whole check-in. Quick on purpose: under a minute, for someone who feels unwell.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.events import Key
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Label, Static

from medtrack.core.checkin import SCALE_WORDS
from medtrack.errors import MedtrackError
from medtrack.i18n import _, medium_date
from medtrack.services.checkin import Item, items, record_checkin
from medtrack.tui.access import app_of
from medtrack.tui.patient import Patient, PatientScreen
from medtrack.tui.safe import clean, plain


class Ratings(Widget, can_focus=True):
    """The items with their ratings; the row under the cursor is shown in reverse."""

    DEFAULT_CSS = "Ratings { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }"  # a row per item

    class Submitted(Message):
        """Enter on the list: save, after every rating key pressed before it (in key order)."""

    def __init__(self, listed: list[Item]) -> None:
        super().__init__(id="ratings")
        self.items = listed
        self.values = [0] * len(listed)
        self.cursor = 0

    def render(self) -> str:
        """One line per item, however narrow the terminal: the gaps in the scale close up first,
        then a long name is cut (with …) rather than the scale wrapping under it."""
        width = max((cell_len(i.name) for i in self.items), default=0)
        room = self.size.width or 80  # not laid out yet: as at 80 columns
        gap = next((g for g in (2, 1, 0) if width + 2 + scale_width(g) <= room), 0)
        width = max(min(width, room - 2 - scale_width(gap)), 8)
        shown = scale_words()
        lines = []
        for row, (item, value) in enumerate(zip(self.items, self.values, strict=True)):
            scale = (" " * gap).join(f"[{w}]" if n == value else f" {w} " for n, w in enumerate(shown))
            name = item.name if cell_len(item.name) <= width else set_cell_size(item.name, width - 1) + "…"
            line = f"{name}{' ' * (width - cell_len(name))}  {scale}"
            lines.append(f"[reverse]{_escape(line)}[/reverse]" if row == self.cursor and self.has_focus
                         else _escape(line))
        return "\n".join(lines)

    def on_resize(self) -> None:
        self.refresh()

    def on_key(self, event: Key) -> None:
        moves = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
        if event.key in moves:
            rows, change = moves[event.key]
            self.cursor = min(max(self.cursor + rows, 0), len(self.items) - 1)
            self.values[self.cursor] = min(max(self.values[self.cursor] + change, 0), len(SCALE_WORDS) - 1)
        elif event.key in ("0", "1", "2", "3"):
            self.values[self.cursor] = int(event.key)
            self.cursor = min(self.cursor + 1, len(self.items) - 1)
        elif event.key == "enter":
            # here, not as a priority binding: a binding runs before keys still queued for the
            # list, so "2" then Enter typed fast would save without the 2
            event.stop()
            self.post_message(self.Submitted())
            return
        else:
            return
        event.stop()
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def words(self) -> list[str]:
        return [f"{item.id}={value}" for item, value in zip(self.items, self.values, strict=True) if value]


def scale_words() -> list[str]:
    """none, mild, moderate, severe: in the chosen language."""
    return [_(word) for word in SCALE_WORDS]


def scale_width(gap: int) -> int:
    """The columns of a row's scale (each word bracketed or spaced) with `gap` between words."""
    return sum(cell_len(w) + 2 for w in scale_words()) + gap * (len(SCALE_WORDS) - 1)


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


class CheckinScreen(PatientScreen):
    BINDINGS = [Binding("escape", "app.pop_screen", _("Back")), Binding("enter", "save", _("Save"))]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="checkin"):
            yield Label(plain(_("How are you today?  Up/Down: symptom  Left/Right or 0-3: rating  "
                                "Enter: save")))
            yield Ratings(items())
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Save check-in"), variant="primary", id="save")
            yield Static("", id="checkin-result")
        yield Footer(show_command_palette=False)

    def __init__(self, patient: Patient) -> None:
        super().__init__(patient)
        self._saving = False
        self._saved: list[int] | None = None  # the ratings last saved

    def on_mount(self) -> None:
        self.sub_title = _("Check-in")
        self.query_one(Ratings).focus()

    @on(Button.Pressed, "#save")
    @on(Ratings.Submitted)
    def action_save(self) -> None:
        ratings = self.query_one(Ratings)
        if self._saving or ratings.values == self._saved:
            return  # a second Enter (or a double press) never records the same check-in twice
        self._saving = True
        self._save(ratings.words(), list(ratings.values))

    @work(thread=True, exclusive=True, group="write")
    def _save(self, words: list[str], values: list[int]) -> None:
        app = app_of(self)
        try:
            made, trend = record_checkin(self.db, app.now(), words, all_none=not words)
        except MedtrackError as error:
            app.call_from_thread(self._done, error.message)
            return
        text = _("Saved: check-in for the night of {night} (total {total}).").format(
            night=medium_date(made.night), total=made.total)
        if trend is not None:
            text += "\n" + trend.words()
        app.call_from_thread(self._done, text, values)
        saved = _("Check-in saved (total {total})").format(total=made.total)
        app.call_from_thread(app.notify, clean(saved), markup=False)

    def _done(self, message: str, saved: list[int] | None = None) -> None:
        """After a save, the same ratings are not saved again until one is changed."""
        self._saving = False
        if saved is not None:
            self._saved = saved
        self.query_one("#checkin-result", Static).update(plain(message))
