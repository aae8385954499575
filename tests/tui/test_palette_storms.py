"""The command palette and key storms: extra keys are ignored, never a traceback.

Keys come as a terminal delivers them (`burst`: several in the app's queue before it handles the
first). Each crash below was seen in tmux: ctrl+p, `log`, Enter Enter gave `ScreenStackError:
Can't pop screen`; ctrl+p then PageDown gave `KeyError: 0`; storms with ctrl+p gave
`DuplicateIds`, `InvalidStateError` and `NoMatches`. Leaving `run_test` re-raises whatever the
app hit, so every test here fails on a traceback.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from test_key_order import burst, calm
from textual.app import ComposeResult
from textual.command import CommandPalette, Hit, Hits, Provider
from textual.screen import Screen
from textual.widgets import OptionList
from tui_helpers import SIZE, berlin, make_patient, opened, press, screen_text, settle, wait_for_text

from medtrack.clock import fixed_clock
from medtrack.core.model import Record
from medtrack.services.dosing import history
from medtrack.tui.app import MedtrackApp
from medtrack.tui.calendar import CalendarScreen
from medtrack.tui.dialogs import LogDialog
from medtrack.tui.tonight import TonightScreen

IN_WINDOW = berlin(2026, 11, 25, 22, 40)


def doses(path: Path) -> list[Record]:
    with opened(path) as db:
        return [r for r in history(db) if r.kind == "dose"]


def palettes(app: MedtrackApp) -> int:
    return sum(isinstance(screen, CommandPalette) for screen in app.screen_stack)


async def storm_over(pilot, keys: list[str], rng: random.Random) -> None:
    """The keys in bursts of 1 to 30, with or without a pause between (the app never waits)."""
    app = pilot.app
    while keys:
        size = rng.randint(1, 30)
        burst(app, *keys[:size])
        del keys[:size]
        if rng.random() < 0.3:
            await pilot.pause(rng.choice([0.0, 0.01, 0.05]))
    await calm(pilot)


@pytest.fixture
def patient(tmp_path: Path) -> Path:
    return make_patient(tmp_path / "medtrack.db")


# -- the crashes as they were seen -----------------------------------------------------------------

@pytest.mark.slow
async def test_palette_log_enter_enter_in_one_burst_records_nothing_and_does_not_crash(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ctrl+p", "l", "o", "g", "enter", "enter")
        await calm(pilot)
        assert app.is_running
        assert palettes(app) == 0
        assert isinstance(app.screen_stack[0], TonightScreen)
        assert isinstance(app.screen, LogDialog), "the palette's Log opens the log dialog"
    assert doses(patient) == [], "the second Enter, typed before the dialog appeared, answers nothing"


@pytest.mark.parametrize("keys", [["pagedown"], ["pageup"], ["pagedown", "pagedown", "enter"],
                                  ["down", "pagedown", "pageup", "enter"], ["l", "pagedown", "enter"]],
                         ids=["pagedown", "pageup", "pagedown-twice-enter", "down-pages-enter", "l-pagedown-enter"])
@pytest.mark.slow
async def test_page_keys_right_after_ctrl_p(patient, make_app, keys):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ctrl+p", *keys)
        await calm(pilot)
        assert app.is_running


@pytest.mark.slow
async def test_the_palette_opened_again_while_the_last_one_closes(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "ctrl+p", "escape", "ctrl+p", "escape", "ctrl+p", "ctrl+p")
        await calm(pilot)
        assert app.is_running
        assert palettes(app) == 1


@pytest.mark.slow
async def test_a_command_chosen_with_two_enters_runs_once(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        burst(app, *"calendar", "enter", "enter", "enter")
        await calm(pilot)
        assert sum(isinstance(screen, CalendarScreen) for screen in app.screen_stack) <= 1
        assert palettes(app) == 0


class ListNotLaidOut(Screen[None]):
    """A list with options but no room yet: a Select's list in the moment it opens."""

    def compose(self) -> ComposeResult:
        yield OptionList("one", "two", "three", id="list")

    def on_mount(self) -> None:
        self.query_one(OptionList).styles.height = 0
        self.query_one(OptionList).focus()


@pytest.mark.parametrize("key", ["pagedown", "pageup"])
@pytest.mark.slow
async def test_page_keys_in_a_list_not_laid_out_yet_are_ignored(patient, make_app, key):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ListNotLaidOut())
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        options.highlighted = 1
        await press(pilot, key)  # Textual's own page move: KeyError: 1
        assert app.is_running and options.highlighted == 1


# -- what the palette and `?` offer -----------------------------------------------------------------

@pytest.mark.slow
async def test_quit_from_the_palette_closes_medtrack(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        burst(app, *"quit")
        await calm(pilot)  # the palette's search has listed Quit
        burst(app, "enter")
        await calm(pilot)
        assert not app.is_running
    assert app.return_code == 0


@pytest.mark.slow
async def test_a_search_that_matches_nothing_ends_once_its_sources_have_answered(patient, make_app):
    """Keys typed in the palette wait until the last search has ended (KeysInOrder.busy). Textual
    looks whether its sources are done a tenth of a second at a time, so each letter of a query
    that matched nothing held the next one that long; medtrack's palette ends the search as the
    last source answers, before the app is next idle."""
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        for letter in "zqx":
            await pilot.press(letter)
            await pilot.pause()
            assert not app.busy(), f"the search for the query ending in {letter!r} is still running"
        await wait_for_text(pilot, "No matches found")
        await pilot.press("backspace", "backspace", "backspace", *"log")
        await pilot.pause()
        assert not app.busy()
        options = app.screen.query_one(OptionList)
        assert str(options.get_option_at_index(0).prompt).startswith("Log tonight's dose")


class FailingSource(Provider):
    """A command source that fails mid-search, as a broken one would."""

    async def search(self, query: str) -> Hits:
        yield Hit(1.0, "Broken", lambda: None)
        raise RuntimeError("this source is broken")


@pytest.mark.slow
async def test_a_failing_command_source_ends_its_search_and_the_others_still_answer(patient):
    class WithAFailingSource(MedtrackApp):
        COMMANDS = MedtrackApp.COMMANDS | {FailingSource}

    app = WithAFailingSource(patient, clock=fixed_clock(IN_WINDOW))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+p")
            await pilot.press(*"log")
            await pilot.pause()
            assert not app.busy()
            options = app.screen.query_one(OptionList)
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert any(prompt.startswith("Log tonight's dose") for prompt in prompts)
            assert app.is_running
    finally:
        app.opening.close()


@pytest.mark.slow
async def test_the_palette_offers_medtracks_actions_the_look_keys_and_quit_only(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles[0] == "Log tonight's dose"
        assert titles[-3:] == ["Light screen", "Keys", "Quit"]
        for textual_only in ("Theme", "Screenshot", "Maximize", "Minimize"):
            assert textual_only not in titles


@pytest.mark.slow
async def test_the_keys_panel_lists_medtracks_keys_first(patient, make_app):
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert app.screen.query("HelpPanel")
        panel = [line.split("▏", 1)[1] for line in screen_text(app).splitlines() if "▏" in line]
        words = [line.split() for line in panel if line.strip()]
        assert words[0][:2] == ["l", "Log"], panel
        shown = " ".join(" ".join(w) for w in words)
        assert shown.index("Skip") < shown.index("Scroll")  # Textual's keys, if shown, come after
        await press(pilot, "question_mark")
        assert not app.screen.query("HelpPanel")


# -- key storms over every main screen -----------------------------------------------------------

KEYS = (["ctrl+p"] * 4 + ["tab"] * 4 + ["escape"] * 4 + ["enter"] * 4
        + ["shift+tab", "pagedown", "pageup", "down", "up", "left", "right", "space", "backspace",
           "question_mark", "l", "o", "g", "k", "a", "c", "h", "s", "n", "e", "i", "p", "v", "m", "t",
           "r", "w", "1", "5", "x"])
# Where each storm starts: Tonight, or the screen its key opens.
STARTS = ["tonight", "c", "h", "s", "n", "e", "i", "p"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("start", STARTS)
async def test_no_key_storm_ends_in_a_traceback(patient, make_app, start, seed):
    rng = random.Random(f"{start}-{seed}")
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if start != "tonight":
            await press(pilot, start)
        keys = [rng.choice(KEYS) for _ in range(200)]
        await storm_over(pilot, keys, rng)
        assert app._exception is None
        assert app.is_running or app.return_code == 0  # the storm may have chosen Quit in the palette
    assert len(doses(patient)) <= 1  # never two doses, however the keys fell


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(2))
async def test_no_key_storm_over_the_first_run_setup_ends_in_a_traceback(tmp_path, make_app, seed):
    rng = random.Random(f"setup-{seed}")
    app = make_app(tmp_path / "new.db", IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [rng.choice(KEYS + ["1", "-", ":", "0"]) for _ in range(200)]
        await storm_over(pilot, keys, rng)
        assert app._exception is None
        assert app.is_running or app.return_code == 0


@pytest.mark.slow
async def test_the_screen_turns_light_from_the_palette_and_starts_light_next_time(patient, make_app, tmp_path):
    from medtrack.tui.look import settings_file

    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await press(pilot, "ctrl+p")
        burst(app, *"light", "enter")
        await calm(pilot)
        assert app.theme == "textual-light"
    assert settings_file().is_relative_to(tmp_path), "kept in the test's own folder"
    again = make_app(patient, IN_WINDOW)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"
        await press(pilot, "ctrl+p")
        burst(again, *"dark", "enter")
        await calm(pilot)
        assert again.theme == "textual-dark"


@pytest.mark.slow
async def test_an_unreadable_look_file_starts_dark(patient, make_app):
    from medtrack.tui.look import settings_file

    settings_file().parent.mkdir(parents=True)
    settings_file().write_text("{not json", encoding="utf-8")
    app = make_app(patient, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
