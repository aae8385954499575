"""A pseudo-language through the screen's Pilot: every message of the catalog's template comes out
bracketed, accented and 40 % longer, so an English word left on the screen is a message nobody
marked for translation, and a label cut short shows where a longer language will not fit.

The screen's modules fix their key names when imported, so the run is a fresh interpreter that
speaks the pseudo-language before it imports them. Screens covered: Tonight, the log, skip and
already-taken dialogs, the keys panel, the command palette, History, the Calendar, Symptoms, the
Check-in, Profile with its edit, taper plan and stock forms, the ward (a database with several
patients), the problem screen (a file that is not a database) and the first run's setup (no file).

Words that are not medtrack's messages are allowed: names, units, and the names of days and months,
which come from CLDR through Babel (English in the pseudo-language, whose locale is English). The
check-in's items are the withdrawal data's, translated with the monograph (monograph_translations),
and the problem screen's message is the error's own.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tui_helpers import make_patient

from pseudo import ACCENTS, pseudo_catalog, words_outside

# Words that are not messages: the drug's and the patient's names, units, the zone, the app's name.
ALLOWED = {"mg", "Flunitrazepam", "flunitrazepam", "Ada", "Muster", "Europe", "Berlin", "medtrack", "Weiss",
           "Dr", "CET", "CEST", "UTC", "Esc", "Enter", "Tab", "ctrl",
           "Bert", "Brandt", "Carla", "Cruz", "Dora", "Dahl"}  # the ward's patients
# Days and months: CLDR's (Babel), not messages; in the pseudo-language's English locale, English.
DATES = {f"{day:%a}" for day in (dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(7))} | {
    f"{dt.date(2026, month, 1):{form}}" for month in range(1, 13) for form in ("%b", "%B")} | {
    f"{dt.date(2026, 11, 23) + dt.timedelta(days=n):%A}" for n in range(7)}


SCRIPT = textwrap.dedent("""
    import asyncio, datetime as dt, gettext, json, sys
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from medtrack import i18n
    with open(sys.argv[1], "rb") as file:
        i18n.use_catalog(gettext.GNUTranslations(file))
    from medtrack.clock import fixed_clock
    from medtrack.tui.app import MedtrackApp

    def text(app):
        return [strip.text for strip in app.screen._compositor.render_strips()]

    async def until(pilot, ready):
        for _n in range(100):
            await pilot.pause(0.1)
            if ready(pilot.app.screen):
                await pilot.pause(0.3)
                return
        raise AssertionError(f"not shown: {type(pilot.app.screen).__name__}")

    async def main():
        now = dt.datetime(2026, 11, 25, 22, 40, tzinfo=ZoneInfo("Europe/Berlin"))
        seen = {}
        steps = [("tonight", []), ("log dialog", ["l"]), ("skip dialog", ["escape", "k"]),
                 ("already taken dialog", ["escape", "a"]), ("keys", ["escape", "question_mark"]),
                 ("palette", ["question_mark", "ctrl+p"]), ("history", ["escape", "h"]),
                 ("calendar", ["escape", "c"]), ("symptoms", ["escape", "s"]), ("checkin", ["escape", "n"]),
                 ("profile", ["escape", "p"]), ("edit profile", ["e"]), ("plan form", ["escape", "t"]),
                 ("add stock", ["escape", "a"]), ("count stock", ["escape", "o"])]
        app = MedtrackApp(Path(sys.argv[2]), clock=fixed_clock(now))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            for name, keys in steps:
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause(0.3)
                seen[name] = text(app)
        from medtrack.tui.problem import ProblemScreen
        from medtrack.tui.ward import WardScreen, WardTable
        app = MedtrackApp(Path(sys.argv[3]), clock=fixed_clock(now))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda s: isinstance(s, WardScreen) and any(t.row_count for t in s.query(WardTable)))
            seen["ward"] = text(app)
        app = MedtrackApp(Path(sys.argv[4]), clock=fixed_clock(now))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda s: isinstance(s, ProblemScreen))
            message = app.screen.query_one("#problem-message").render()
            seen["problem"] = text(app)
            seen["problem message"] = [str(message)]
        from medtrack.tui.setup import SetupScreen
        app = MedtrackApp(Path(sys.argv[5]), clock=fixed_clock(now))
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda s: isinstance(s, SetupScreen))
            seen["setup"] = text(app)
        print(json.dumps(seen))

    asyncio.run(main())
""")


def checkin_items() -> set[str]:
    """The words of the check-in's items (the withdrawal data's, not medtrack's messages)."""
    from medtrack.withdrawal import load_withdrawal

    return {word for item in load_withdrawal().items for word in re.findall(r"[A-Za-z]{3,}", item.name)}


def english_words(lines: list[str]) -> list[str]:
    """Words of 3+ ASCII letters outside ⟦…⟧, apart from the allowed names. A message wraps onto
    the next rows: the brackets are followed across the screen, row after row."""
    return [w for w in words_outside("\n".join(lines)) if w not in ALLOWED | DATES]


@pytest.mark.slow
def test_no_english_word_is_left_on_the_translated_screens(tmp_path: Path, ward_db: Path) -> None:
    catalog = pseudo_catalog(tmp_path / "xx.mo")
    patient = make_patient(tmp_path / "medtrack.db")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not SQLite at all\n" * 200)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(catalog), str(patient), str(ward_db), str(broken),
                          str(tmp_path / "new.db")],
                         capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stderr[-3000:]
    screens: dict[str, list[str]] = json.loads(run.stdout.strip().splitlines()[-1])
    opened = {"history": "History", "calendar": "Calendar", "symptoms": "Symptoms", "checkin": "Check-in",
              "profile": "Profile and plan", "edit profile": "Edit profile", "plan form": "Taper plan",
              "add stock": "Add stock", "count stock": "Count stock", "ward": "Ward", "problem": "Problem",
              "setup": "Setup"}
    for name, title in opened.items():  # each screen did open: its title is on it
        assert any(f"⟦{title.translate(ACCENTS)}" in line for line in screens[name]), (name, screens[name])
    message = set(re.findall(r"[A-Za-z]{3,}", screens.pop("problem message")[0]))  # the error's own words
    items = checkin_items()

    def allowed(name: str, word: str) -> bool:
        if name == "checkin":  # an item's name, whole or cut short with "…"
            return any(item.startswith(word) for item in items)
        return name == "problem" and word in message

    left = {name: sorted({w for w in english_words(lines) if not allowed(name, w)})
            for name, lines in screens.items()}
    assert not any(left.values()), f"English words not translated: {left}"
