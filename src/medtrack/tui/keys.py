"""Keys: handed on in the order they were typed (KeysInOrder), the `?` panel listing the
screen's keys, and the names of keys in the patient's language."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, TypeVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult, ScreenStackError
from textual.binding import ActiveBinding, Binding
from textual.widgets import KeyPanel, Static

from medtrack.i18n import _
from medtrack.tui.words import KEY_NAMES

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


def key_name(token: str) -> str:
    """'pgup' -> _('pgup'); '^pgup' keeps its caret (ctrl); a letter or arrow stays as it is."""
    caret, name = ("^", token[1:]) if token.startswith("^") and len(token) > 1 else ("", token)
    return caret + (_(name) if name in KEY_NAMES else name)
