"""The Textual app used at bedtime: Tonight first (the ward, for several patients), then the rest.
Its keys (in order, the `?` panel) are in tui/keys.py, its command palette in tui/palette.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode, NoScreen
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import MedtrackError
from medtrack.i18n import _
from medtrack.location import Location
from medtrack.tui.access import Host
from medtrack.tui.keys import HelpPanel, KeysInOrder, key_name
from medtrack.tui.look import THEMES, save_look, saved_look
from medtrack.tui.palette import PALETTE, PALETTE_SEARCH, Palette
from medtrack.tui.patient import Opening, Patient
from medtrack.tui.tonight import TonightScreen

# Worker groups that write (or read just before a dialog that writes): never cut short.
SAVING = ("write", "recheck")


class MedtrackApp(KeysInOrder[None], Host):
    """Opens on Tonight (or the first-run setup); every action goes through the services. The
    screens reach it as the `Host` they run in (tui/access.py)."""

    CSS_PATH = Path(__file__).with_name("medtrack.tcss")
    TITLE = "medtrack"
    # Every screen is "-narrow" below 80 columns and "-short" below 24 rows (medtrack.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (24, "-tall")]
    # _() at class level: the language is chosen (medtrack.i18n.use) before medtrack.tui is imported.
    BINDINGS = [
        Binding("question_mark", "help", _("Keys"), key_display="?"),
    ]

    def __init__(self, db_path: Location, clock: Clock = REAL_CLOCK, *,
                 patient: str | None = None, by: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock  # fixed (MEDTRACK_NOW) only for a database made under a fixed clock
        # Opened once, on first use in a worker; each screen holds the patient it shows.
        self.opening = Opening(db_path, clock, patient=patient, by=by)
        self._look = saved_look()  # dark or light, as the patient last chose
        self.theme = THEMES[self._look]
        self._screen_since = 0.0  # when the screen in view appeared (on the keys' clock)
        self._palette_opened = 0  # palettes opened so far, and the last one whose command ran
        self._palette_used = -1

    def now(self) -> dt.datetime:
        return self.clock.now()

    def open_ward(self) -> None:
        """The ward over the first Tonight (Textual cannot replace the first screen: that Tonight,
        for no one in particular, stays below it, blank and idle)."""
        from medtrack.tui.ward import WardScreen

        if not any(isinstance(screen, WardScreen) for screen in self.screen_stack):
            self.push_screen(WardScreen(self.opening))

    def open_patient(self, number: int, name: str) -> None:
        """From the ward: this patient's Tonight, every screen above it seeing their records."""
        from medtrack.tui.ward import WardScreen

        if not isinstance(self.screen, WardScreen):  # a second Enter before the first one opened
            return
        if self.saving():
            self.notify(_("Still saving the last entry: try again in a moment."), timeout=4)
            return
        self.push_screen(TonightScreen(Patient(self.opening, number, name)))

    def back_to_ward(self) -> None:
        """From a patient's Tonight back to the ward (it reads afresh as it comes into view)."""
        if self.saving():
            self.notify(_("Still saving: the ward opens once it is recorded."), timeout=4)
            return
        from medtrack.tui.ward import WardScreen

        self._pop_to(WardScreen)

    def _pop_to(self, kind: type[Screen[Any]]) -> None:
        """Close the screens above the nearest one of `kind` (never the first screen)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, kind):
            self.pop_screen()

    def saving(self) -> bool:
        """A write (or the fresh read before a dialog) is under way: it must finish with the
        patient it was started for, before another patient is opened."""
        return any(w.group in SAVING and not w.is_finished for w in self.workers)

    def pop_screen(self) -> AwaitComplete:
        """As Textual's, and the closed screen's reads stop at once. Textual cancels a screen's
        workers only once its widgets are gone; a read that finished in between and looked
        for them stopped the app (NoMatches, after Escape right behind `p` or `s`). Its writes
        run to their end, as `saving` expects."""
        closing = self.screen
        popped = super().pop_screen()
        self._screen_since = Message().time
        for worker in self.workers:
            if worker.node is closing and worker.group not in SAVING:
                worker.cancel()
        return popped

    def get_default_screen(self) -> TonightScreen:
        """Tonight is the first screen itself (not pushed over a blank one): a quicker first frame."""
        return TonightScreen(Patient(self.opening))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self._palette_opened += 1
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """medtrack's actions, the look, then the keys and quit, all in medtrack's words (none of
        Textual's, which are English only). None of Textual's other commands: not its theme list
        (a dozen themes, not kept), no screenshot (it would write health data to a world-readable
        file in Downloads)."""
        if self.patient_open():
            for command in PALETTE:
                yield SystemCommand(_(command.title), _(command.help), self._once(self._on_tonight(command.run)))
        if self._look == "dark":
            yield SystemCommand(_("Light screen"), _("Make the screen light (kept for the next time)"),
                                self._once(lambda: self.set_look("light")))
        else:
            yield SystemCommand(_("Dark screen"), _("Make the screen dark (kept for the next time)"),
                                self._once(lambda: self.set_look("dark")))
        if screen.query(HelpPanel):
            yield SystemCommand(_("Keys"), _("Hide the list of keys (?)"), self._once(self.action_hide_help_panel))
        else:
            yield SystemCommand(_("Keys"), _("Every key of this screen (?)"),
                                self._once(self.action_show_help_panel))
        yield SystemCommand(_("Quit"), _("Close medtrack"), self._once(self.action_quit))

    def set_look(self, look: str) -> None:
        """Dark or light, now and at the next start."""
        self._look = look
        self.theme = THEMES[look]
        kept = save_look(look)
        words = [_("The screen is light now.") if look == "light" else _("The screen is dark now.")]
        if not kept:
            words.append(_("It could not be kept for the next time."))
        self.notify(" ".join(words), timeout=5, markup=False)

    def _on_tonight(self, run: Callable[[TonightScreen], None]) -> Callable[[], None]:
        return lambda: self.on_tonight(run)

    def _once(self, command: Callable[[], Any]) -> Callable[[], Any]:
        """`command`, run at most once for each opening of the palette (its Enter and its list's
        selection can both run the chosen command when keys come fast). What it returns goes
        back to the palette, which awaits it (Textual's Quit is a coroutine)."""
        opening = self._palette_opened

        def run() -> Any:
            if self._palette_used == opening:
                return None
            self._palette_used = opening
            return command()

        return run

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """As Textual's, except that a call to a screen (or a widget on one) that has left the
        screen stack meanwhile is dropped: Escape while its worker read or wrote, a key storm.
        Its widgets are being removed, so a query for them failed (NoMatches) and stopped the
        app; Textual drops `call_later` to a removed widget the same way."""
        target = getattr(callback, "__self__", None)
        if not isinstance(target, DOMNode) or target is self:
            return super().call_from_thread(callback, *args, **kwargs)

        def unless_closed() -> Any:
            return callback(*args, **kwargs) if self._on_stack(target) else None

        return super().call_from_thread(unless_closed)

    def _on_stack(self, node: DOMNode) -> bool:
        try:
            return node.is_attached and node.screen in self.screen_stack
        except NoScreen:
            return False

    def deliver_screenshot(self, filename: str | None = None, path: str | None = None,
                           time_format: str | None = None) -> str | None:
        self.notify(_("Screenshots are off in medtrack: they would hold health data."), timeout=6)
        return None

    def patient_open(self) -> bool:
        """Whether a patient's Tonight is open (on the ward alone, no patient's action is offered)."""
        return any(isinstance(screen, TonightScreen) and not screen.stands_for_ward
                   for screen in self.screen_stack)

    def on_tonight(self, run: Callable[[TonightScreen], None]) -> None:
        """Run a Tonight command from anywhere: back to the patient's Tonight first (closing
        the screens above it)."""
        self._pop_to(TonightScreen)
        tonight = self.screen
        if isinstance(tonight, TonightScreen):
            self.call_later(run, tonight)

    def show_problem(self, error: MedtrackError) -> None:
        """The database cannot be used: one screen with the CLI's words, never the setup form."""
        from medtrack.tui.problem import ProblemScreen  # only when the database cannot be used

        if isinstance(self.screen, ProblemScreen):
            return
        self.push_screen(ProblemScreen(error.message), lambda _result: self.refresh_tonight())

    def refresh_tonight(self) -> None:
        """Reload Tonight now (after a write elsewhere), wherever it is in the stack."""
        for screen in self.screen_stack:
            if isinstance(screen, TonightScreen):
                screen.load()

    def ignored_key(self, event: events.Key | events.Paste) -> bool:
        """Two kinds of keys are dropped before anything sees them:
        - Enter typed before the screen in view appeared (the palette excepted, where typing
          ahead is what a fast typist does): it was meant for the screen before, and on the
          ward it opened a patient nobody chose (ctrl+p, `log`, Enter Enter on the ward);
        - PageUp/PageDown in a list that is not laid out yet (a Select's list that has just
          opened): Textual's OptionList reads its line map, empty until then, and stopped the
          app with KeyError: 0. Anywhere else the key goes on as usual (and the screens' own
          PageUp/PageDown keys stay in their footers)."""
        if not isinstance(event, events.Key):
            return False
        if (event.key == "enter" and event.time < self._screen_since
                and not isinstance(self.screen, CommandPalette)):
            return True
        focused = self.focused
        return (event.key in ("pageup", "pagedown") and isinstance(focused, OptionList)
                and not focused.scrollable_content_region)

    def busy(self) -> bool:
        """The palette is still searching for what was typed: its list shows the last search's
        commands until then, and an Enter ran the first of those (ctrl+p, `log`, Enter on the
        ward opened the list of keys)."""
        return isinstance(self.screen, CommandPalette) and any(
            w.group == PALETTE_SEARCH and not w.is_finished for w in self.workers)

    def push_screen(self, *args: Any, **kwargs: Any) -> Any:
        shown = super().push_screen(*args, **kwargs)
        self._screen_since = Message().time  # the clock keys are stamped with
        return shown

    def get_key_display(self, binding: Binding) -> str:
        """As Textual's ("esc", "^pgup", "shift+tab"), with the names of keys in the patient's
        language (tui/words.py)."""
        shown = super().get_key_display(binding)
        if binding.key_display:
            return shown
        return "+".join(key_name(token) for token in shown.split("+"))

    def action_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        if not self.screen.query(HelpPanel):
            self.screen.mount(HelpPanel())


def run(db_path: Location, clock: Clock = REAL_CLOCK, *, patient: str | None = None,
        by: str | None = None) -> int:
    app = MedtrackApp(db_path, clock, patient=patient, by=by)
    app.run()
    return app.return_code or 0
