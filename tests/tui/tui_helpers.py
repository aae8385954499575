"""Helpers for the TUI tests: real SQLite files made through the services, a fixed clock.

Nothing here depends on the wall clock or the machine's zone: every app gets
`clock=fixed_clock(<aware datetime>)`, every database is made under a fixed clock (so it takes
one, as the demo does), and TZ is UTC while the tests run (the profile's zone, Europe/Berlin,
is what the screens must use).

Screens load in thread workers, so after every key press call `await settle(pilot)` before
asserting.  `screen_text(app)` is what a person would see: the rendered 80x24 cells of the
current screen (a modal dialog includes the dimmed screen behind it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import WorkerCancelled

from medtrack.clock import fixed_clock
from medtrack.storage.database import Database

BERLIN = ZoneInfo("Europe/Berlin")
SIZE = (80, 24)

# The standard patient: set up on 2026-11-01, 1 mg at bedtime from that night; bedtime 22:30,
# wake 06:30 and the default 7 h minimum sleep give the window 20:30 .. 23:30 (Berlin).
SET_UP_AT = dt.datetime(2026, 11, 1, 12, 0, tzinfo=BERLIN)

# The demo database: one year of history up to the night of Wed 2026-12-30 (a plan step
# change to 0.25 mg that night), opened at 21:15 while tonight's dose is due.
DEMO_NOW = dt.datetime(2026, 12, 30, 21, 15, tzinfo=BERLIN)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@contextlib.contextmanager
def opened(path: Path) -> Iterator[Database]:
    """A second connection to the file, as another terminal running the CLI would have."""
    db = Database(path)
    try:
        yield db
    finally:
        db.dispose()


# The bytes of each standard patient made so far in this process, by what can change them:
# copying a file costs a millisecond, making one (the schema's migrations) some 60.
_MADE: dict[tuple[str | None, ...], bytes] = {}


def make_patient(path: Path, *, dose: str | None = "1mg", start: str = "2026-11-01") -> Path:
    """The standard patient, made through the same services as `medtrack init` / `prescribe`
    (the first time in a process; later, a private copy of that file)."""
    from medtrack import i18n
    from medtrack.services.prescribing import PrescriptionRequest, prescribe
    from medtrack.services.profile import ProfileChanges, init_profile

    key = (dose, start, i18n.language(), i18n.locale(),
           *(os.environ.get(name) for name in ("MEDTRACK_USER", "LOGNAME", "USER")))
    if key in _MADE:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_MADE[key])
        return path

    init_profile(path, SET_UP_AT, ProfileChanges(
        name="Ada Muster", born="1970-05-01", zone="Europe/Berlin", bedtime="22:30",
        wake="06:30"), "Europe/Berlin", clock=fixed_clock(SET_UP_AT))
    if dose is not None:
        with opened(path) as db:
            prescribe(db, SET_UP_AT, PrescriptionRequest(dose=dose, prescriber="Dr. Weiss", start=start))
    if not Path(f"{path}-wal").exists():  # checkpointed: the main file is the whole database
        _MADE[key] = path.read_bytes()
    return path


async def settle(pilot: Pilot[Any]) -> None:
    """Let pending key handling, thread workers, the refreshes and scrolls they cause all finish:
    returns after two pauses in a row with no worker running (a dialog's dismiss callback or a
    screen's call_after_refresh may start one a pause late) and no scroll moving."""
    app = pilot.app
    quiet = 0
    for _ in range(200):
        await pilot.pause()
        if any(worker.is_running for worker in app.workers):
            quiet = 0
            # A read replaced by a newer one (an exclusive worker: a change seen elsewhere
            # starts another load) ends cancelled: that is no failure; wait on for the rest.
            with contextlib.suppress(WorkerCancelled):
                await app.workers.wait_for_complete()
            continue
        quiet += 1
        if quiet >= 2 and (not animating(app) or quiet >= 50):
            return


def animating(app: App[Any]) -> bool:
    """Whether a scroll (or another animation) is under way (one lasts a few frames; `settle`
    waits for it a bounded while, as for anything else)."""
    return bool(app.animator._animations)


def holds(check: Callable[[], object]) -> bool:
    try:
        return bool(check())
    except NoMatches:
        return False


async def until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 3.0) -> None:
    """Wait (pausing) until `check()` is true; on a busy machine a write, its worker and the
    reload it starts can take a few refreshes. A widget the check asks for that is not there yet
    (its screen is still being composed) is the state not reached yet. Fails if it never becomes
    true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not holds(check):
        assert loop.time() < deadline, "the screen never reached the expected state"
        await pilot.pause(0.05)
        await settle(pilot)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys one at a time, settling after each (as a slow, careful user would)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_into(pilot: Pilot[Any], selector: str, text: str) -> None:
    """Focus an input, clear it and enter `text`: typed key by key when short, else pasted
    (a bracketed paste, as a terminal sends it; typing 30 keys costs a second a test)."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    if len(text) <= 8:
        await pilot.press(*text)
    else:
        pilot.app.post_message(events.Paste(text))
    await settle(pilot)
    assert field.value == text


async def push_button(pilot: Pilot[Any], selector: str) -> None:
    """Focus a button (scrolling it into view) and press Enter on it, like a keyboard user."""
    button = pilot.app.screen.query_one(selector)
    # a button ignores presses for 0.2 s after one (bounded: a button whose screen closed
    # meanwhile never loses the mark, and the test must fail, not spin)
    await until(pilot, lambda: not button.has_class("-active"))
    button.focus()
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def screen_text(app: App[Any]) -> str:
    """The characters of the current screen as rendered (what the user sees), one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def showing(app: App[Any], kind: type[Screen[Any]]) -> bool:
    """Whether the current screen (or dialog) is a `kind`. Assert this rather than
    `isinstance(app.screen, kind)` when keys are pressed afterwards: mypy would keep `app.screen`
    narrowed to `kind` past the key press that replaces the screen."""
    return isinstance(app.screen, kind)


def flat(text: str) -> str:
    """Whitespace collapsed, for phrases that wrap across lines."""
    return " ".join(text.split())


def text_of(app: App[Any], selector: str) -> str:
    """The plain text a Static on the current screen was given."""
    return str(app.screen.query_one(selector, Static).content)


async def wait_for_text(pilot: Pilot[Any], text: str, timeout: float = 3.0) -> str:
    """The rendered screen once it shows `text` (a table repopulated by a worker is drawn a
    refresh or two later, later still on a busy machine); fails with the screen otherwise."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        shown = screen_text(pilot.app)
        if text in shown or loop.time() > deadline:
            assert text in shown, f"{text!r} not on screen:\n{shown}"
            return shown
        await pilot.pause(0.05)
