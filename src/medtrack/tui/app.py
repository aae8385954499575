"""The Textual app used at bedtime: Tonight first (the ward, for several patients), then the rest."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rich.align import Align
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, ScreenStackError, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import ActiveBinding, Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Provider
from textual.dom import DOMNode, NoScreen
from textual.message import Message
from textual.screen import Screen
from textual.widgets import KeyPanel, OptionList, Static
from textual.widgets.option_list import Option

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import MedtrackError
from medtrack.i18n import N_, _
from medtrack.location import Location
from medtrack.tui.access import Host
from medtrack.tui.look import THEMES, save_look, saved_look
from medtrack.tui.patient import Opening, Patient
from medtrack.tui.screens import Place
from medtrack.tui.tonight import TonightScreen
from medtrack.tui.words import KEY_NAMES


@dataclass(frozen=True)
class PaletteCommand:
    """One of medtrack's own commands in the palette: it runs on the patient's Tonight. The title
    and help are marked with N_() and translated where the palette lists them."""

    title: str
    help: str
    run: Callable[[TonightScreen], None]


def _opens(place: Place) -> Callable[[TonightScreen], None]:
    return lambda tonight: tonight.open(place)


PALETTE = (
    PaletteCommand(N_("Log tonight's dose"), N_("Record tonight's dose after the checks (l)"),
                   TonightScreen.action_log),
    PaletteCommand(N_("Skip tonight"), N_("Record that you skip tonight's dose (k)"), TonightScreen.action_skip),
    PaletteCommand(N_("Already taken"), N_("Record a dose you already took, with a note (a)"),
                   TonightScreen.action_already_taken),
    PaletteCommand(N_("Calendar"), N_("The taper plan month by month (c)"), _opens(Place.CALENDAR)),
    PaletteCommand(N_("History"), N_("Every record, newest first; void one (h)"), _opens(Place.HISTORY)),
    PaletteCommand(N_("Symptoms"), N_("The symptom journal (s)"), _opens(Place.SYMPTOMS)),
    PaletteCommand(N_("Check-in"), N_("How you are today during a taper, symptom by symptom (n)"),
                   _opens(Place.CHECKIN)),
    PaletteCommand(N_("Export"), N_("A report for the doctor (e)"), _opens(Place.EXPORT)),
    PaletteCommand(N_("About the medicine"), N_("The monograph's own words (i)"), _opens(Place.ABOUT)),
    PaletteCommand(N_("Profile and plan"), N_("The profile, prescription and plan (p)"), _opens(Place.PROFILE)),
)

# The palette's search for what was typed (Textual's worker group).
PALETTE_SEARCH = getattr(CommandPalette, "_GATHER_COMMANDS_GROUP", "--textual-command-palette-gather-commands")

# Worker groups that write (or read just before a dialog that writes): never cut short.
SAVING = ("write", "recheck")

ReturnT = TypeVar("ReturnT")


class KeysInOrder(App[ReturnT]):
    """An app that hands on the terminal's keys (and pastes) one at a time, each once everything
    the one before set off has been handled.

    Textual forwards a key to the widget that has focus when the app reads it from its queue; Tab,
    Escape and Enter act only after the key has gone up to the screen's bindings. When a terminal
    read brings several keys at once (fast typing, key repeat, a busy machine), the keys behind a
    Tab landed in the field Tab was leaving, and a key behind an Escape in the dialog it closed
    (Textualize/textual#1009). Here a key waits until no message is left in the app or on the
    screen, or at most SETTLE seconds (a slow handler never blocks the keys for long)."""

    SETTLE = 0.5

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_waiting: deque[events.Key | events.Paste] = deque()
        self._key_released: events.Key | events.Paste | None = None
        self._key_handled = False
        self._feeding_keys = False

    async def on_event(self, event: events.Event) -> None:
        if (isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded
                and event is not self._key_released):
            self._keys_waiting.append(event)
            if not self._feeding_keys:
                self._feeding_keys = True
                self.run_worker(self._feed_keys(), group="keys-in-order", description="keys in order")
            return
        if event is self._key_released and not self.screen_stack:
            return  # the app quit (a key before this one chose Quit): the rest are dropped
        await super().on_event(event)
        if event is self._key_released:
            self._key_handled = True

    async def _feed_keys(self) -> None:
        try:
            while self._keys_waiting:
                event = self._keys_waiting.popleft()
                if self.ignored_key(event):
                    continue
                self._key_released, self._key_handled = event, False
                if not self.post_message(event):  # the app is closing
                    return
                await self._settled()
        finally:  # set with no await after the queue was seen empty: no key is left behind
            self._feeding_keys = False
            self._key_released = None

    def ignored_key(self, event: events.Key | events.Paste) -> bool:
        """A key dropped before anything sees it (none here; an app says which)."""
        return False

    def busy(self) -> bool:
        """Something the next key depends on is still under way (none here; an app says what)."""
        return False

    async def _settled(self) -> None:
        """Until the released key was handled and nothing it set off is still queued."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.SETTLE
        quiet = polls = 0
        while quiet < 2 and loop.time() < deadline:
            await asyncio.sleep(0 if polls < 50 else 0.005)
            polls += 1
            quiet = quiet + 1 if self._key_handled and self._nothing_queued() and not self.busy() else 0

    def _nothing_queued(self) -> bool:
        try:
            nodes = [self, *self.screen.walk_children(with_self=True)]
        except ScreenStackError:  # closing
            return True
        return not any(node.message_queue_size for node in nodes)


class Palette(CommandPalette):
    """Textual's command palette, closed once however fast the keys come: a second Enter used to
    dismiss it again, which popped the screen below (ScreenStackError: Can't pop screen). PageUp
    and PageDown go to the first and last command: Textual's page move reads the list's line map,
    which is empty until the list is laid out (KeyError: 0 right after ctrl+p). No id: a palette
    opened while the last one is still being removed had the same id (DuplicateIds). Its
    placeholder and "No matches found" are medtrack's words, in the patient's language."""

    BINDINGS = [
        Binding("pageup", "command_list('first')", show=False),
        Binding("pagedown", "command_list('last')", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(placeholder=_("Search for commands…"))
        self._answered = False

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """As Textual's (8.2), with "No matches found" in the patient's language."""
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:  # an empty search lists every command: nothing to say
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matches found"), style="not bold")),
                    disabled=True, id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)

    async def _search_for(self, search_value: str) -> AsyncGenerator[DiscoveryHit | Hit, bool]:
        """As Textual's (8.2), but the search ends as soon as the last command source has
        answered. Textual waits for the next hit a tenth of a second at a time and looks only then
        whether the sources are done, so a search that matched nothing lasted 0.1 s; the keys typed
        after it are held until it ends (KeysInOrder.busy), so each key of a query that matched
        nothing held the next one that long. Each source here says when it is done instead."""
        hits: asyncio.Queue[DiscoveryHit | Hit | None] = asyncio.Queue()

        async def search(provider: Provider) -> None:
            try:
                async for hit in provider._search(search_value):
                    await hits.put(hit)
            finally:
                hits.put_nowait(None)  # this source is done

        searches = [asyncio.create_task(search(provider)) for provider in self._providers]
        self._start_busy_countdown()
        aborted = False
        answered = 0
        while not aborted and answered < len(searches):
            try:
                hit = await hits.get()
            except asyncio.CancelledError:  # a newer search is on its way (as Textual's)
                aborted = True
                break
            if hit is None:
                answered += 1
            else:
                aborted = yield hit
        if not aborted:
            try:  # each source has answered, so each task is at its end
                outcomes = await asyncio.gather(*searches, return_exceptions=True)
            except asyncio.CancelledError:
                aborted = True
            else:
                for error in (o for o in outcomes if isinstance(o, Exception)):  # logged, as Textual does
                    self.log.error(f"command source failed: {error!r}")
                self._stop_busy_countdown()
        if aborted:
            for running in searches:
                running.cancel()

    def dismiss(self, result: None = None) -> AwaitComplete:
        if self._answered or not self.is_active:
            return AwaitComplete()  # nothing to wait for
        self._answered = True
        return super().dismiss(result)


class KeysTable(Static):
    """Every key of the focused screen: its own first (medtrack's), then the app's, then the ones
    Textual gives every screen and widget (moving focus, scrolling, editing a field)."""

    COMPONENT_CLASSES = {"keys-table--key", "keys-table--description", "keys-table--header"}
    DEFAULT_CSS = """
    KeysTable { width: auto; height: auto; }
    KeysTable > .keys-table--key { color: $text-accent; text-style: bold; }
    KeysTable > .keys-table--description { color: $foreground; }
    KeysTable > .keys-table--header { color: $text-primary; text-style: underline; }
    """

    def _rank(self, active: ActiveBinding) -> int:
        node = active.node
        own = {b.action if isinstance(b, Binding) else b[1] for b in getattr(type(node), "BINDINGS", ())}
        if active.binding.action in own and node is self.screen:
            return 0
        if active.binding.action in own and node is self.app:
            return 1
        return 2

    @staticmethod
    def _description(rank: int, binding: Binding) -> str:
        """medtrack's own descriptions are in the patient's language already (_() in BINDINGS);
        Textual's are in English, marked with N_() in tui/words.py and translated here."""
        return _(binding.description) if rank == 2 and binding.description else binding.description

    def render(self) -> Table:
        key_style = self.get_component_rich_style("keys-table--key")
        text_style = self.get_component_rich_style("keys-table--description")
        table = Table(padding=(0, 1, 0, 0), show_header=False, show_edge=False, box=None)
        table.add_column(justify="right")
        table.add_column()
        keys: dict[tuple[int, int, str], list[ActiveBinding]] = {}  # one row per action
        for active in self.screen.active_bindings.values():
            if not active.binding.system:
                keys.setdefault((self._rank(active), id(active.node), active.binding.action), []).append(active)
        last_rank = 0
        for (rank, _node, _action), same in sorted(keys.items(), key=lambda item: item[0][0]):
            if rank == 2 and last_rank < 2:
                table.add_row("", "")
                table.add_row("", Text(_("Other keys"), self.get_component_rich_style(
                    "keys-table--header")))
            last_rank = rank
            shown = " ".join(dict.fromkeys(self.app.get_key_display(a.binding) for a in same))
            style = text_style if same[0].enabled else text_style + Style(dim=True)
            table.add_row(Text(shown, key_style), Text(self._description(rank, same[0].binding), style))
        return table


class HelpPanel(KeyPanel):
    """The `?` panel, in place of Textual's: the keys of the screen, medtrack's first (Textual's
    lists the focused widget's scrolling keys first, and help for the focused widget). It keeps
    Textual's name, by which Textual's own `Keys` command and `action_hide_help_panel` find it."""

    def compose(self) -> ComposeResult:
        yield KeysTable()


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
        return "+".join(_key_name(token) for token in shown.split("+"))

    def action_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_show_help_panel(self) -> None:
        if not self.screen.query(HelpPanel):
            self.screen.mount(HelpPanel())


def _key_name(token: str) -> str:
    """'pgup' -> _('pgup'); '^pgup' keeps its caret (ctrl); a letter or arrow stays as it is."""
    caret, name = ("^", token[1:]) if token.startswith("^") and len(token) > 1 else ("", token)
    return caret + (_(name) if name in KEY_NAMES else name)


def run(db_path: Location, clock: Clock = REAL_CLOCK, *, patient: str | None = None,
        by: str | None = None) -> int:
    app = MedtrackApp(db_path, clock, patient=patient, by=by)
    app.run()
    return app.return_code or 0
