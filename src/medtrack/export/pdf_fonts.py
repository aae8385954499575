"""PDF fonts: which shipped font draws which script, and the visible stand-in for a character none has."""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, cast

from fpdf import FPDF

from medtrack.i18n import _

if TYPE_CHECKING:
    from fpdf.fonts import CoreFont, TTFFont

FONT = "DejaVu"  # Latin, Greek, Cyrillic and symbols, regular and bold (Hebrew and Arabic removed)
MAIN_FILES = (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"))
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
HEBREW_BLOCKS = ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))
CJK_BLOCKS = ((0x1100, 0x11FF), (0x2E80, 0x2FFF), (0x3000, 0x4DBF), (0x4E00, 0x9FFF), (0xA960, 0xA97F),
              (0xAC00, 0xD7FF), (0xF900, 0xFAFF), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))
# For a character the main font lacks, in this order; regular only (bold text borrows them). Each is
# loaded (and embedded) only once a report has a character in its blocks (None: any character):
# the CJK font alone is 3.3 MB and takes a fifth of a second to parse.
FALLBACKS = (("NotoSansArabic", "NotoSansArabic-Regular.ttf", ARABIC_BLOCKS),
             ("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", HEBREW_BLOCKS),
             ("DroidSansFallback", "DroidSansFallback-CJK.ttf", CJK_BLOCKS),
             ("NotoEmoji", "NotoEmoji.ttf", None))
REPLACEMENT = "□"  # U+25A1 WHITE SQUARE, in DejaVu: what a character no font has is drawn as
# Default-ignorable code points (joiners, direction marks, variation selectors, tags): invisible by
# design, so a font without them loses nothing; the shaping engine drops or applies them.
IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
             (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
             (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
             (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
# The total page count's placeholder: noncharacters, which no font has, so user text (where they
# become □) can never contain it, as it could "{nb}".
PAGES_ALIAS = "\ufdd0\ufdd1\ufdd2"
# Bidirectional classes that need the shaping engine's reordering.
_RTL = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "LRE", "LRO", "LRI", "FSI", "PDF", "PDI"})


def _in(code: int, blocks: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in blocks)


def truetype(font: CoreFont | TTFFont | None) -> TTFFont:
    """A report font as what it is: fpdf types a font as `CoreFont | TTFFont | None`, but a report
    only ever uses the TrueType fonts Glyphs loads (never a core font), each with a cmap."""
    return cast("TTFFont", font)


@functools.lru_cache(maxsize=8)
def _plain(path: Path) -> frozenset[str]:
    """The characters of a font that pdf.text() draws right without shaping: no marks to place,
    nothing right to left, nothing invisible (computed once per font file and process)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        codes = font.getBestCmap()
    return frozenset(chr(c) for c in codes
                     if not unicodedata.category(chr(c)).startswith(("M", "C"))
                     and unicodedata.bidirectional(chr(c)) not in _RTL)


class Glyphs:
    """The fonts of one report: loads them into the PDF, says which character each can draw, and
    swaps a character no font has for the visible REPLACEMENT, remembering which were swapped."""

    def __init__(self, pdf: FPDF, stack: contextlib.ExitStack) -> None:
        self.pdf, self.stack = pdf, stack
        self.replaced: set[str] = set()
        self.plain: dict[str, frozenset[str]] = {}
        for style, name in MAIN_FILES:
            path = self._path(name)
            pdf.add_font(FONT, style, str(path))
            self.plain[style] = _plain(path)
        self.loaded: set[str] = set()
        self._use()
        self._seen: dict[str, str] = {}

    def _path(self, name: str) -> Path:
        try:
            folder = resources.files("medtrack.data") / "fonts"
            return self.stack.enter_context(resources.as_file(folder / name))
        except ModuleNotFoundError:  # a source checkout run with PYTHONPATH=src: data/ sits beside src/
            return Path(__file__).resolve().parents[3] / "data" / "fonts" / name

    def _use(self) -> None:
        """The loaded fonts as fallbacks, always in FALLBACKS order; the main family comes first,
        so bold text borrows a character only the regular font has."""
        loaded = [family for family, _file, _blocks in FALLBACKS if family in self.loaded]
        self.pdf.set_fallback_fonts([FONT, *loaded], exact_match=False)

    def _load_for(self, code: int) -> bool:
        """Load the fallbacks not yet loaded whose blocks hold `code` (else those for any block);
        whether any was."""
        wanted = [(family, name) for family, name, blocks in FALLBACKS
                  if family not in self.loaded and blocks is not None and _in(code, blocks)]
        wanted = wanted or [(family, name) for family, name, blocks in FALLBACKS
                            if family not in self.loaded and blocks is None]
        for family, name in wanted:
            self.pdf.add_font(family, "", str(self._path(name)))
            self.loaded.add(family)
        if wanted:
            self._use()
        return bool(wanted)

    def _has(self, char: str) -> bool:
        return self.pdf.get_fallback_font(char) is not None

    def _check(self, char: str) -> str:
        code = ord(char)
        if _in(code, IGNORABLE) or self._has(char) or (self._load_for(code) and self._has(char)):
            return char
        if char.isspace():  # a space no font has: still a space, nothing to see is lost
            return " "
        self.replaced.add(char)
        return REPLACEMENT

    def fix(self, text: str) -> str:
        """The text with each character no font has replaced by REPLACEMENT (others unchanged)."""
        if text.isascii():
            return text
        seen = self._seen
        for char in text:  # in text order: fonts load in the same order every time
            if char not in seen:
                seen[char] = self._check(char)
        if all(seen[c] == c for c in text):
            return text
        return "".join(seen[c] for c in text)

    def is_plain(self, text: str, style: str) -> bool:
        """Whether the current main font draws all of `text` without shaping or fallback."""
        return text.isascii() or set(text) <= self.plain.get(style, frozenset())

    def font_of(self, char: str, style: str) -> TTFFont:
        """The fpdf font that draws `char` (after fix()) in the main font's style: that font, else
        the fallback fpdf2 picks, as it does when drawing."""
        main = truetype(self.pdf.fonts[FONT.lower() + style])
        if ord(char) in main.cmap:
            return main
        return truetype(self.pdf.fonts[self.pdf.get_fallback_font(char, style) or FONT.lower() + style])

    def note(self) -> str | None:
        """The line page one carries when a character had to be replaced, naming them."""
        if not self.replaced:
            return None
        codes = sorted(self.replaced)
        shown = ", ".join(f"U+{ord(c):04X}" for c in codes[:8]) + (", …" if len(codes) > 8 else "")
        return _("Some characters could not be drawn and are shown as {replacement} ({codes}): no font in this "
                 "report has them. The text is otherwise as the patient entered it.").format(
            replacement=REPLACEMENT, codes=shown)


def isolate(text: str) -> str:
    """User text set inside a sentence: a right-to-left name or note goes between FIRST STRONG ISOLATE
    and POP DIRECTIONAL ISOLATE, so its direction cannot reorder the words and dates around it."""
    if any(unicodedata.bidirectional(c) in ("R", "AL", "AN") for c in text):
        return f"\u2068{text}\u2069"
    return text
