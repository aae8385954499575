"""PDF drawing helpers: the page, text in any script, wrapping, headings, paragraphs and table rows."""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence

from fpdf import FPDF

from medtrack.core.units import format_mg
from medtrack.export.pdf_fonts import FONT, PAGES_ALIAS, Glyphs, truetype
from medtrack.i18n import date_time, locale

MARGIN, WIDTH, PAD = 15.0, 180.0, 1.2  # mm: A4 portrait is 210 mm wide; PAD: a table cell's inner margin
INK, MUTED, RULE, BAND = (33, 37, 41), (125, 125, 125), (205, 208, 212), (236, 239, 243)
TAKEN, SCHEDULED, STEP = (96, 133, 173), (20, 20, 20), (120, 120, 120)
MISSED, SKIPPED, EXCESS, URGENT = (205, 40, 40), (232, 152, 0), (142, 68, 173), (190, 20, 20)
EXCESS_ROW, ALREADY_ROW = (240, 226, 246), (253, 239, 208)  # the record rows to notice, tinted
LANES = (("missed", MISSED), ("skipped", SKIPPED), ("excess", EXCESS))
RECENT = 16 * 7  # nights of the detail chart under a long period's overview
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CONTROLS = {c: " " for c in [*range(32), 127] if c != 10}
RLM = "\u200f"  # RIGHT-TO-LEFT MARK
Colour = tuple[int, int, int]


class Canvas(FPDF):
    """A4 portrait in mm with the report's fonts; text goes through draw_text()."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.alias_nb_pages(PAGES_ALIAS)
        self.glyphs = Glyphs(self, stack)
        self.set_text_shaping(True)  # for cell(): text() never shapes, draw_text() picks


def mg(ug: int | None) -> str:
    return "" if ug is None else format_mg(ug)


def when(instant: dt.datetime) -> str:
    """'2026-11-25 22:30' in English; the report language's medium date and short time otherwise."""
    return date_time(instant)


def day_month(day: dt.date) -> str:
    """A chart's date label: '25 Nov' in English, the locale's day and month otherwise ('25. Nov.')."""
    if locale() == "en":
        return f"{day.day} {MONTHS[day.month - 1]}"
    from babel.dates import format_skeleton

    return format_skeleton("MMMd", day, locale=locale())


def month_year(day: dt.date) -> str:
    """A chart's month label: 'Nov 2026' in English, the locale's otherwise ('Nov. 2026', '2026年11月')."""
    if locale() == "en":
        return f"{MONTHS[day.month - 1]} {day.year}"
    from babel.dates import format_skeleton

    return format_skeleton("yMMM", day, locale=locale())


def clean(text: str | None) -> str:
    """User text as plain characters (never markup): line breaks kept, other control characters spaces."""
    return (text or "").replace("\r\n", "\n").translate(CONTROLS)


# Text is drawn with pdf.text(), many times faster than cell() for thousands of rows, whenever the
# main font draws every character as it stands. Anything else (a fallback font's characters, marks,
# right-to-left runs) goes through cell() and its shaping engine, which joins Arabic, orders
# right-to-left runs and switches fonts; both put the baseline at y.

def draw_text(pdf: Canvas, x: float, y: float, text: str) -> None:
    text = pdf.glyphs.fix(text)
    if pdf.glyphs.is_plain(text, pdf.font_style):
        pdf.text(x, y, text)
        return
    here, margin, breaks = (pdf.x, pdf.y), pdf.c_margin, pdf.auto_page_break
    pdf.c_margin, pdf.auto_page_break = 0, False
    pdf.set_xy(x, y - 0.3 * pdf.font_size)  # cell() puts the baseline 0.3 font sizes below a 0-high top
    pdf.cell(h=0, text=text)
    pdf.c_margin, pdf.auto_page_break = margin, breaks
    pdf.set_xy(*here)


def glyph_advances(pdf: Canvas, text: str) -> list[float]:
    """Each character's advance in mm, from the font that draws it (shaping may differ slightly)."""
    main, scale = truetype(pdf.current_font), pdf.font_size_pt * 0.001 / pdf.k
    if text.isascii():
        return [main.cw[o] * scale for o in map(ord, text)]
    font_of, style = pdf.glyphs.font_of, pdf.font_style
    return [(main if ord(c) in main.cmap else font_of(c, style)).cw[ord(c)] * scale
            for c in text]


def width_of(pdf: Canvas, text: str) -> float:
    return sum(glyph_advances(pdf, pdf.glyphs.fix(text)))


def right_to_left(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong character does (as in the Unicode
    bidirectional algorithm, rule P2)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("L", "R", "AL"):
            return direction != "L"
    return False


def wrap_lines(pdf: Canvas, text: str, width: float) -> list[str]:
    """Greedy wrap at spaces, over-long words cut; linear in the text's length (notes can be long).
    Each line of a right-to-left paragraph starts with RLM, so it keeps the paragraph's direction."""
    lines: list[str] = []
    for paragraph in pdf.glyphs.fix(clean(text)).split("\n"):
        mark = RLM if not paragraph.isascii() and right_to_left(paragraph) else ""
        advances, start, i, x, space = glyph_advances(pdf, paragraph), 0, 0, 0.0, -1
        while i < len(paragraph):
            x += advances[i]
            if x > width and i > start:
                end = i if paragraph[i] == " " else space if space > start else i
                lines.append(mark + paragraph[start:end])
                start = i = end + 1 if paragraph[end] == " " else end
                x, space = 0.0, -1
                continue
            space = i if paragraph[i] == " " else space
            i += 1
        lines.append(mark + paragraph[start:])
    return lines


def heading(pdf: Canvas, text: str, need: float = 20) -> None:
    """A section title with a rule under it, on a new page unless `need` mm are left below it."""
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.set_text_color(*INK)
    draw_text(pdf, MARGIN, pdf.get_y() + 4.4, text)
    pdf.set_y(pdf.get_y() + 6)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.ln(1.5)


def paragraph_lines(pdf: Canvas, text: str, size: float, style: str = "", width: float = WIDTH) -> list[str]:
    pdf.set_font(FONT, style, size)
    return wrap_lines(pdf, text, width)


def paragraph(pdf: Canvas, text: str, size: float = 9, style: str = "", colour: Colour = INK,
              indent: float = 0) -> None:
    """Wrapped text from the current y on, a new page when one is full."""
    line = size * 0.45
    for text_line in paragraph_lines(pdf, text, size, style, WIDTH - indent):
        if pdf.get_y() + line > pdf.page_break_trigger:
            pdf.add_page()
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        draw_text(pdf, MARGIN + indent, pdf.get_y() + line * 0.78, text_line)
        pdf.set_y(pdf.get_y() + line)


def say(pdf: Canvas, text: str) -> None:
    paragraph(pdf, text, 9)
    pdf.ln(1)


def _cells(pdf: Canvas, widths: Sequence[float], cells: Sequence[str], wrap: Sequence[int]) -> list[list[str]]:
    return [wrap_lines(pdf, cell, w - 2 * PAD) if i in wrap else [clean(cell).replace("\n", " ")]
            for i, (w, cell) in enumerate(zip(widths, cells, strict=False))]


def row_height(pdf: Canvas, widths: Sequence[float], cells: Sequence[str], *, bold: bool = False,
               size: float = 7.5, wrap: Sequence[int] = ()) -> float:
    """The height row() will give these cells (on one page)."""
    pdf.set_font(FONT, "B" if bold else "", size)
    return max(len(c) for c in _cells(pdf, widths, cells, wrap)) * size * 0.45 + 1.2


def row(pdf: Canvas, widths: Sequence[float], cells: Sequence[str], *, bold: bool = False, colour: Colour = INK,
        fill: Colour | None = None, size: float = 7.5, header: Callable[[], object] | None = None,
        wrap: Sequence[int] = (), rule: bool = True, indent: float = 0) -> float:
    """A table row; columns in `wrap` wrap, a row taller than a page goes on. Returns its first top.
    `rule`: a line under it (not between the lines of one entry); `indent`: mm from the margin."""
    pdf.set_font(FONT, "B" if bold else "", size)
    columns = _cells(pdf, widths, cells, wrap)
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
        left = MARGIN + indent
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(left, tops[-1], sum(widths), height, style="F")
        pdf.set_text_color(*colour)
        for x, w, lines in zip((left + sum(widths[:i]) for i in range(len(widths))), widths, part, strict=False):
            for i, text in enumerate(lines):
                if text:  # a right-to-left paragraph's lines are set flush right
                    start = x + w - PAD - pdf.get_string_width(text) if text[0] == RLM else x + PAD
                    draw_text(pdf, start, tops[-1] + 0.6 + line * (i + 0.71), text)
        if rule:
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.1)
            pdf.line(MARGIN, tops[-1] + height, MARGIN + indent + sum(widths), tops[-1] + height)
        pdf.set_y(tops[-1] + height)
    return tops[0]


def table(pdf: Canvas, widths: Sequence[float], head: Sequence[str], rows: Sequence[Sequence[str]],
          wrap: Sequence[int] = ()) -> None:
    def header() -> None:
        row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for cells in rows:
        row(pdf, widths, cells, header=header, wrap=wrap)


def fields(pdf: Canvas, items: Sequence[tuple[str, str] | tuple[str, str, Colour]], *, right: float = 20,
           size: float = 9, bold: bool = True) -> None:
    """Label and value lines: each label set flush right against its value, 2 mm apart, the value
    wrapped beside it. The gap stays under a font size, so text extraction (pdftotext) reads each
    label with its value, line by line, rather than a column of labels and then one of values."""
    line, left = size * 0.49, MARGIN + right + 2
    for label, value, *colour in items:
        pdf.set_font(FONT, "", size)
        lines = wrap_lines(pdf, value, MARGIN + WIDTH - left)
        if pdf.get_y() + line * len(lines) > pdf.page_break_trigger:
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_text_color(*(colour[0] if colour else INK))
        pdf.set_font(FONT, "B" if bold else "", size)
        draw_text(pdf, MARGIN + right - width_of(pdf, label), top + line * 0.82, label)
        pdf.set_font(FONT, "", size)
        for i, text in enumerate(lines):
            draw_text(pdf, left, top + line * (i + 0.82), text)
        pdf.set_y(top + line * len(lines) + 0.4)
