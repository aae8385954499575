"""How the screens are built: the night's state stays the TonightState enum until it is drawn,
every state has its words, and the screens and palette commands are typed, not looked up by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding, BindingType

from medtrack.core.rules import TonightState
from medtrack.tui.palette import PALETTE
from medtrack.tui.screens import SCREENS, Place
from medtrack.tui.tonight import TonightScreen
from medtrack.tui.tonight_parts import STATE_WORDS

TUI = Path(__file__).parents[2] / "src" / "medtrack" / "tui"
# `.state == "due"`, `.state in ("taken", ...)`, `STYLES = {"due": ...}`: a state spelled as a string
STRING_STATE = re.compile(r"""\.state\s*(==|!=|\bin\b|\bnot in\b)\s*\(?\s*["']|\{\s*["'](due|taken|skip)["']\s*:""")


def test_every_state_of_the_night_has_words_on_tonight() -> None:
    assert set(STATE_WORDS) == set(TonightState)
    assert all(words.strip() for words in STATE_WORDS.values())


@pytest.mark.parametrize("path", sorted(TUI.glob("*.py")), ids=lambda p: p.name)
def test_no_screen_compares_a_state_with_a_string(path: Path) -> None:
    found = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if STRING_STATE.search(line)]
    assert not found, found


def action_of(binding: BindingType) -> str:
    assert isinstance(binding, Binding), binding  # Tonight's bindings are Binding objects
    return binding.action


def test_every_open_key_on_tonight_names_a_registered_screen() -> None:
    opened = {re.fullmatch(r"open\('(\w+)'\)", action_of(b)) for b in TonightScreen.BINDINGS}
    names = {m.group(1) for m in opened if m}
    assert {Place(name) for name in names} == set(Place) == set(SCREENS)


def test_the_palette_runs_tonight_commands_not_names() -> None:
    assert all(callable(command.run) for command in PALETTE)
    assert "getattr" not in (TUI / "tonight.py").read_text(encoding="utf-8")
    assert "_open_{" not in (TUI / "tonight.py").read_text(encoding="utf-8")
