"""Every character of every translation has a glyph in the PDF's fonts (issue 25): a label of the
doctor's report, in German or Japanese, is never drawn as the replacement □, whichever report
it appears in. The fonts are the ones the PDF embeds (export/pdf_fonts.py: DejaVu first, then the
fallbacks for their blocks); their character maps are read with fontTools."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont

from medtrack import i18n
from medtrack.export.pdf_fonts import FALLBACKS, MAIN_FILES

LOCALE = Path(i18n.__file__).with_name("locale")


def characters_of(language: str) -> set[str]:
    with open(LOCALE / language / "LC_MESSAGES" / "medtrack.po", "rb") as file:
        catalog = read_po(file, locale=language)
    found: set[str] = set()
    for message in catalog:
        forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        found.update("".join(str(form or "") for form in forms))
    return {c for c in found if c.isprintable() and not c.isspace()}


def font_files() -> list[Path]:
    """The PDF's font files: in the installed package (a wheel), else in data/ beside src/."""
    names = [name for _style, name in MAIN_FILES] + [name for _family, name, _blocks in FALLBACKS]
    try:
        folder = resources.files("medtrack.data") / "fonts"
        return [Path(str(folder / name)) for name in names]
    except ModuleNotFoundError:  # an editable install: as export/pdf_fonts.py finds them
        return [Path(__file__).resolve().parents[2] / "data" / "fonts" / name for name in names]


def drawable() -> set[str]:
    """Characters some font of the PDF has."""
    found: set[str] = set()
    for path in font_files():
        with TTFont(path, lazy=True) as font:
            found.update(chr(code) for code in font.getBestCmap())
    return found


@pytest.mark.slow
@pytest.mark.parametrize("language", [lang for lang in i18n.SUPPORTED if lang != "en"])
def test_every_character_of_the_translations_has_a_glyph_in_the_pdfs_fonts(language: str) -> None:
    missing = sorted(characters_of(language) - drawable())
    assert not missing, f"{language}: no font of the PDF draws {missing[:20]}"
