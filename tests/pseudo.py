"""The tests' pseudo-language: every message of the catalog's template comes out bracketed,
accented and 40 % longer ('Take {dose} now' -> '⟦Táké {dose} ñów······⟧'), so an English word
left outside the brackets is a message nobody marked for translation, and a label cut short
shows where a longer language will not fit. Used on the screen (tests/tui/test_pseudo_locale.py)
and on the commands (tests/cli/test_cli_pseudo_locale.py)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from medtrack import i18n

TEMPLATE = Path(i18n.__file__).with_name("locale") / "medtrack.pot"
ACCENTS = str.maketrans("aeiouAEIOUcnyCNY", "áéíóúÁÉÍÓÚçñýÇÑÝ")
PLACEHOLDER = re.compile(r"(\{[a-z_]*(?:![rsa])?(?::[^}]*)?\}|%\([a-z_]+\)[sd]|%[sd%])")


def pseudo(text: str) -> str:
    """'Take {dose} now' -> '⟦Táké {dose} ñów······⟧': placeholders kept as they are."""
    parts = PLACEHOLDER.split(text)
    shown = "".join(part if PLACEHOLDER.fullmatch(part) else part.translate(ACCENTS) for part in parts)
    return f"⟦{shown}{'·' * (len(text) * 2 // 5)}⟧"


def pseudo_catalog(target: Path) -> Path:
    """The template's every message in the pseudo-language, compiled to `target` (a .mo file)."""
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
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as file:
        write_mo(file, catalog)
    return target


def words_outside(text: str) -> list[str]:
    """Words of 3+ ASCII letters outside ⟦…⟧ (followed across lines: a message may wrap)."""
    outside, depth = [], 0
    for char in text:
        depth += (char == "⟦") - (char == "⟧") if depth or char == "⟦" else 0
        outside.append(char if depth == 0 and char not in "⟦⟧" else " ")
    return re.findall(r"[A-Za-z]{3,}", "".join(outside))
