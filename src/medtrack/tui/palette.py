"""The command palette (ctrl+p): medtrack's own commands, and Textual's palette made safe for
fast and repeated keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass

from rich.align import Align
from rich.text import Text
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Provider
from textual.widgets.option_list import Option

from medtrack.i18n import N_, _
from medtrack.tui.screens import Place
from medtrack.tui.tonight import TonightScreen


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
