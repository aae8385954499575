"""A pseudo-language through the screen's Pilot: every message of the catalog's template comes out
bracketed, accented and 40 % longer, so an English word left on the screen is a message nobody
marked for translation, and a label cut short shows where a longer language will not fit.

The screen's modules fix their key names when imported, so the run is a fresh interpreter that
speaks the pseudo-language before it imports them. Screens covered so far: Tonight, the log, skip
and already-taken dialogs, the keys panel, the command palette and History.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from tui_helpers import make_patient

from medtrack import i18n

TEMPLATE = Path(i18n.__file__).with_name("locale") / "medtrack.pot"
ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "áéíóúÁÉÍÓÚçñýÇÑÝ")
PLACEHOLDER = re.compile(r"(\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd])")
# Words that are not messages: the drug's and the patient's names, units, the zone, the app's name.
ALLOWED = {"mg", "Flunitrazepam", "flunitrazepam", "Ada", "Muster", "Europe", "Berlin", "medtrack", "Weiss",
           "Dr", "CET", "CEST", "Esc", "Enter", "Tab", "ctrl"}


def pseudo(text: str) -> str:
    """'Take {dose} now' -> '⟦Táké {dose} ñów······⟧': placeholders kept as they are."""
    parts = PLACEHOLDER.split(text)
    shown = "".join(part if PLACEHOLDER.fullmatch(part) else part.translate(ACCENTS) for part in parts)
    return f"⟦{shown}{'·' * (len(text) * 2 // 5)}⟧"


def pseudo_catalog(folder: Path) -> Path:
    with open(TEMPLATE, "rb") as file:
        template = read_po(file)
    catalog = Catalog(locale="en", domain="medtrack")
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            catalog.add(message.id, tuple(pseudo(str(form)) for form in message.id))
        else:
            catalog.add(message.id, pseudo(str(message.id)))
    target = folder / "xx.mo"
    with open(target, "wb") as file:
        write_mo(file, catalog)
    return target


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

    async def main():
        now = dt.datetime(2026, 11, 25, 22, 40, tzinfo=ZoneInfo("Europe/Berlin"))
        app = MedtrackApp(Path(sys.argv[2]), clock=fixed_clock(now))
        seen = {}
        steps = [("tonight", []), ("log dialog", ["l"]), ("skip dialog", ["escape", "k"]),
                 ("already taken dialog", ["escape", "a"]), ("keys", ["escape", "question_mark"]),
                 ("palette", ["question_mark", "ctrl+p"]), ("history", ["escape", "h"])]
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.5)
            for name, keys in steps:
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause(0.3)
                seen[name] = text(app)
        print(json.dumps(seen))

    asyncio.run(main())
""")


def english_words(lines: list[str]) -> list[str]:
    """Words of 3+ ASCII letters outside ⟦…⟧, apart from the allowed names. A message wraps onto
    the next rows: the brackets are followed across the screen, row after row."""
    outside, depth = [], 0
    for char in "\n".join(lines):
        depth += (char == "⟦") - (char == "⟧") if depth or char == "⟦" else 0
        outside.append(char if depth == 0 and char not in "⟦⟧" else " ")
    return [w for w in re.findall(r"[A-Za-z]{3,}", "".join(outside)) if w not in ALLOWED]


@pytest.mark.slow
def test_no_english_word_is_left_on_the_translated_screens(tmp_path: Path) -> None:
    catalog = pseudo_catalog(tmp_path)
    patient = make_patient(tmp_path / "medtrack.db")
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(catalog), str(patient)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    screens: dict[str, list[str]] = json.loads(run.stdout.strip().splitlines()[-1])
    assert any("⟦Hístórý" in line for line in screens["history"]), screens["history"]  # History did open
    left = {name: sorted(set(english_words(lines))) for name, lines in screens.items()}
    assert not any(left.values()), f"English words not translated: {left}"
