"""PDF drawing helpers: embedded fonts, emoji-aware text, wrapping, headings and table rows."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from importlib import resources
from itertools import groupby
from pathlib import Path

from fpdf import FPDF

from medtrack.core.units import format_mg

FONT, EMOJI = "DejaVu", "NotoEmoji"
FONT_FILES = ((FONT, "", "DejaVuSans.ttf"), (FONT, "B", "DejaVuSans-Bold.ttf"), (EMOJI, "", "NotoEmoji.ttf"))
MARGIN, WIDTH, PAD = 15.0, 180.0, 1.2  # mm: A4 portrait is 210 mm wide; PAD: a table cell's inner margin
INK, MUTED, RULE, BAND = (33, 37, 41), (125, 125, 125), (205, 208, 212), (236, 239, 243)
TAKEN, SCHEDULED, STEP = (96, 133, 173), (20, 20, 20), (120, 120, 120)
MISSED, SKIPPED, EXCESS, URGENT = (205, 40, 40), (232, 152, 0), (142, 68, 173), (190, 20, 20)
LANES = (("missed", MISSED), ("skipped", SKIPPED), ("excess", EXCESS))
RECENT = 16 * 7  # nights of the detail chart under a long period's overview
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
CONTROLS = {c: " " for c in [*range(32), 127] if c != 10}
Colour = tuple[int, int, int]


def load_fonts(pdf: FPDF, stack: contextlib.ExitStack) -> None:
    try:
        folder = resources.files("medtrack.data") / "fonts"
        paths = [stack.enter_context(resources.as_file(folder / name)) for _, _, name in FONT_FILES]
    except ModuleNotFoundError:  # a source checkout run with PYTHONPATH=src: data/ sits beside src/
        paths = [Path(__file__).resolve().parents[3] / "data" / "fonts" / name for _, _, name in FONT_FILES]
    for (family, style, _), path in zip(FONT_FILES, paths):
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts([EMOJI], exact_match=False)  # for cell(); draw_text() does the same by hand


def mg(ug: int | None) -> str:
    return "" if ug is None else format_mg(ug)


def when(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M")


def clean(text: str | None) -> str:
    """User text as plain characters (never markup): line breaks kept, other control characters spaces."""
    return (text or "").replace("\r\n", "\n").translate(CONTROLS)


# Text is drawn with pdf.text(), many times faster than cell() for thousands of rows. It knows no
# fallback font, so characters only the emoji font has are drawn with it here, and measured here.

def font_pieces(pdf: FPDF, text: str) -> list[tuple[str, bool]]:
    """Runs of text: (chars for the current font, False), (chars only the emoji font has, True)."""
    cmap, emoji = pdf.current_font.cmap, pdf.fonts[EMOJI.lower()].cmap
    if text.isascii():  # DejaVu has all of ASCII
        return [(text, False)]
    return [("".join(run), alt) for alt, run in groupby(text, lambda c: ord(c) not in cmap and ord(c) in emoji)]


def glyph_advances(pdf: FPDF, text: str) -> list[float]:
    """Each character's advance in mm, from the font draw_text() draws it with."""
    main, emoji, scale = pdf.current_font, pdf.fonts[EMOJI.lower()], pdf.font_size_pt * 0.001 / pdf.k
    return [(emoji.cw[o] if o not in main.cmap and o in emoji.cmap else main.cw[o]) * scale for o in map(ord, text)]


def width_of(pdf: FPDF, text: str) -> float:
    return sum(glyph_advances(pdf, text))


def draw_text(pdf: FPDF, x: float, y: float, text: str) -> None:
    pieces = font_pieces(pdf, text)
    if len(pieces) == 1 and not pieces[0][1]:
        pdf.text(x, y, text)
        return
    family, style, size = pdf.font_family, pdf.font_style, pdf.font_size_pt
    for piece, alt in pieces:
        pdf.set_font(EMOJI if alt else family, "" if alt else style, size)
        pdf.text(x, y, piece)
        x += width_of(pdf, piece)
    pdf.set_font(family, style, size)


def wrap_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy wrap at spaces, over-long words cut; linear in the text's length (notes can be long)."""
    lines: list[str] = []
    for paragraph in clean(text).split("\n"):
        advances, start, i, x, space = glyph_advances(pdf, paragraph), 0, 0, 0.0, -1
        while i < len(paragraph):
            x += advances[i]
            if x > width and i > start:
                end = i if paragraph[i] == " " else space if space > start else i
                lines.append(paragraph[start:end])
                start = i = end + 1 if paragraph[end] == " " else end
                x, space = 0.0, -1
                continue
            space = i if paragraph[i] == " " else space
            i += 1
        lines.append(paragraph[start:])
    return lines


def heading(pdf: FPDF, text: str, need: float = 20) -> None:
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.ln(1.5)


def say(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 5, text, new_x="LMARGIN", new_y="NEXT")


def row(pdf: FPDF, widths: Sequence[float], cells: Sequence[str], *, bold: bool = False, colour: Colour = INK,
         fill: Colour | None = None, size: float = 7.5, header: Callable[[], None] | None = None,
         wrap: Sequence[int] = ()) -> float:
    """A table row; columns in `wrap` wrap, a row taller than a page goes on. Returns its first top."""
    pdf.set_font(FONT, "B" if bold else "", size)
    columns = [wrap_lines(pdf, cell, w - 2 * PAD) if i in wrap else [clean(cell).replace("\n", " ")]
               for i, (w, cell) in enumerate(zip(widths, cells))]
    line, tops = size * 0.45, []
    fits = int((pdf.page_break_trigger - pdf.t_margin - 12) / line)  # lines below a repeated header
    while any(columns):
        part, columns = [c[:fits] for c in columns], [c[fits:] for c in columns]
        height = max(len(c) for c in part) * line + 1.2
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            if header:
                header()
            pdf.set_font(FONT, "B" if bold else "", size)
        tops.append(pdf.get_y())
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(MARGIN, tops[-1], sum(widths), height, style="F")
        pdf.set_text_color(*colour)
        for x, lines in zip((MARGIN + sum(widths[:i]) for i in range(len(widths))), part):
            for i, text in enumerate(lines):
                if text:
                    draw_text(pdf, x + PAD, tops[-1] + 0.6 + line * (i + 0.71), text)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.1)
        pdf.line(MARGIN, tops[-1] + height, MARGIN + sum(widths), tops[-1] + height)
        pdf.set_y(tops[-1] + height)
    return tops[0]


def table(pdf: FPDF, widths: Sequence[float], head: Sequence[str], rows: list, wrap: Sequence[int] = ()) -> None:
    def header() -> None:
        row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for cells in rows:
        row(pdf, widths, cells, header=header, wrap=wrap)


