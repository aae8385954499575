"""PDF export: a two-minute report for the doctor: plan, adherence, dose chart, symptoms, records."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from importlib import resources
from itertools import groupby
from pathlib import Path
from typing import IO, TYPE_CHECKING

from fpdf import FPDF

from medtrack.core.nights import night_of
from medtrack.core.units import format_mg
from medtrack.export.csv_export import status_of

if TYPE_CHECKING:
    from medtrack.core.model import Record, Symptom
    from medtrack.core.schedule import Segment
    from medtrack.services.calendar import CalendarNight
    from medtrack.services.export import ExportData

FONT, EMOJI = "DejaVu", "NotoEmoji"
FONT_FILES = ((FONT, "", "DejaVuSans.ttf"), (FONT, "B", "DejaVuSans-Bold.ttf"), (EMOJI, "", "NotoEmoji.ttf"))
MARGIN, WIDTH, PAD = 15.0, 180.0, 1.2  # mm: A4 portrait is 210 mm wide; PAD: a table cell's inner margin
INK, MUTED, RULE, BAND = (33, 37, 41), (125, 125, 125), (205, 208, 212), (236, 239, 243)
TAKEN, SCHEDULED, STEP = (96, 133, 173), (20, 20, 20), (120, 120, 120)
MISSED, SKIPPED, EXCESS, URGENT = (205, 40, 40), (232, 152, 0), (142, 68, 173), (190, 20, 20)
LANES = (("missed", MISSED), ("skipped", SKIPPED), ("excess", EXCESS))
RECENT = 16 * 7  # nights of the detail chart under a long period's overview
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_CONTROLS = {c: " " for c in [*range(32), 127] if c != 10}
Colour = tuple[int, int, int]


class _Report(FPDF):
    """A4 portrait with a footer naming the patient, the period and the page."""

    def __init__(self, data: ExportData) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.data = data
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN + 4)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        name = " ".join(self.data.profile.name.split())
        name = name if len(name) <= 60 else name[:59] + "…"
        self.cell(WIDTH * 0.8, 4, f"medtrack report · {name} · {self.data.first} to {self.data.last}")
        self.cell(WIDTH * 0.2, 4, f"page {self.page_no()} of {{nb}}", align="R")


def _load_fonts(pdf: FPDF, stack: contextlib.ExitStack) -> None:
    try:
        folder = resources.files("medtrack.data") / "fonts"
        paths = [stack.enter_context(resources.as_file(folder / name)) for _, _, name in FONT_FILES]
    except ModuleNotFoundError:  # a source checkout run with PYTHONPATH=src: data/ sits beside src/
        paths = [Path(__file__).resolve().parents[3] / "data" / "fonts" / name for _, _, name in FONT_FILES]
    for (family, style, _), path in zip(FONT_FILES, paths):
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts([EMOJI], exact_match=False)  # for cell(); _text() does the same by hand


def _when(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M")


def _clean(text: str | None) -> str:
    """User text as plain characters (never markup): line breaks kept, other control characters spaces."""
    return (text or "").replace("\r\n", "\n").translate(_CONTROLS)


# Text is drawn with pdf.text(), many times faster than cell() for thousands of rows. It knows no
# fallback font, so characters only the emoji font has are drawn with it here, and measured here.

def _pieces(pdf: FPDF, text: str) -> list[tuple[str, bool]]:
    """Runs of text: (chars for the current font, False), (chars only the emoji font has, True)."""
    cmap, emoji = pdf.current_font.cmap, pdf.fonts[EMOJI.lower()].cmap
    if text.isascii():  # DejaVu has all of ASCII
        return [(text, False)]
    return [("".join(run), alt) for alt, run in groupby(text, lambda c: ord(c) not in cmap and ord(c) in emoji)]


def _advances(pdf: FPDF, text: str) -> list[float]:
    """Each character's advance in mm, from the font _text() draws it with."""
    main, emoji, scale = pdf.current_font, pdf.fonts[EMOJI.lower()], pdf.font_size_pt * 0.001 / pdf.k
    return [(emoji.cw[o] if o not in main.cmap and o in emoji.cmap else main.cw[o]) * scale for o in map(ord, text)]


def _width(pdf: FPDF, text: str) -> float:
    return sum(_advances(pdf, text))


def _text(pdf: FPDF, x: float, y: float, text: str) -> None:
    pieces = _pieces(pdf, text)
    if len(pieces) == 1 and not pieces[0][1]:
        pdf.text(x, y, text)
        return
    family, style, size = pdf.font_family, pdf.font_style, pdf.font_size_pt
    for piece, alt in pieces:
        pdf.set_font(EMOJI if alt else family, "" if alt else style, size)
        pdf.text(x, y, piece)
        x += _width(pdf, piece)
    pdf.set_font(family, style, size)


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy wrap at spaces, over-long words cut; linear in the text's length (notes can be long)."""
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        advances, start, i, x, space = _advances(pdf, paragraph), 0, 0, 0.0, -1
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


def _heading(pdf: FPDF, text: str, need: float = 20) -> None:
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


def _say(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 5, text, new_x="LMARGIN", new_y="NEXT")


def _row(pdf: FPDF, widths: Sequence[float], cells: Sequence[str], *, bold: bool = False, colour: Colour = INK,
         fill: Colour | None = None, size: float = 7.5, header: Callable[[], None] | None = None,
         wrap: Sequence[int] = ()) -> float:
    """A table row; columns in `wrap` wrap, a row taller than a page goes on. Returns its first top."""
    pdf.set_font(FONT, "B" if bold else "", size)
    columns = [_wrap(pdf, cell, w - 2 * PAD) if i in wrap else [_clean(cell).replace("\n", " ")]
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
                    _text(pdf, x + PAD, tops[-1] + 0.6 + line * (i + 0.71), text)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.1)
        pdf.line(MARGIN, tops[-1] + height, MARGIN + sum(widths), tops[-1] + height)
        pdf.set_y(tops[-1] + height)
    return tops[0]


def _table(pdf: FPDF, widths: Sequence[float], head: Sequence[str], rows: list, wrap: Sequence[int] = ()) -> None:
    def header() -> None:
        _row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for cells in rows:
        _row(pdf, widths, cells, header=header, wrap=wrap)


def _title(pdf: FPDF, data: ExportData) -> None:
    profile, drug, nights = data.profile, data.drug, (data.last - data.first).days + 1
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 9, f"{drug.name} treatment report", new_x="LMARGIN", new_y="NEXT")
    selected = ", selected range" if data.clipped else ""
    for label, value in (
        ("Patient", profile.name),
        ("Born", f"{profile.born} (age {profile.age_on(data.generated_at.date())})"),
        ("Period", f"nights {data.first} to {data.last} ({nights} nights{selected})"),
        ("Drug", f"{drug.name} (ATC {drug.atc}), {drug.timing}"),
        ("Prescriber", data.prescriber or "none recorded"),
        ("Generated", f"{_when(data.generated_at)} {data.generated_at.tzname()} ({profile.zone})"),
    ):
        top = pdf.get_y()
        pdf.set_font(FONT, "", 9)
        lines = _wrap(pdf, value, WIDTH - 26)
        for i, text in enumerate(lines):
            _text(pdf, MARGIN + 26, top + 3.6 + i * 4.4, text)
        pdf.set_font(FONT, "B", 9)
        _text(pdf, MARGIN, top + 3.6, label)
        pdf.set_y(top + 4.4 * len(lines) + 0.4)


def _plan(pdf: FPDF, data: ExportData) -> None:
    plan, zone = data.plan, data.profile.tz
    if plan is None:
        _heading(pdf, "Prescriptions (no taper plan)")
        rows = [(str(r.start), format_mg(r.steps[0].dose_ug), r.prescriber, _when(r.created_at.astimezone(zone)),
                 r.acknowledged or "") for r in data.regimens if r.kind == "prescription"]
        head = ("From night", "Nightly dose", "Prescriber", "Recorded", "Contraindication acknowledged")
        if rows:
            _table(pdf, (28, 28, 45, 32, 47), head, rows, wrap=(2, 4))
        else:
            _say(pdf, "No prescription recorded.")
        return
    _heading(pdf, f"Current plan: taper plan version {plan.version}")
    tonight, rows = night_of(data.generated_at, zone), []
    for i, step in enumerate(plan.steps):
        end = plan.steps[i + 1].start - dt.timedelta(days=1) if i + 1 < len(plan.steps) else None
        now = step.start <= tonight and (end is None or tonight <= end)
        rows.append((str(i + 1), str(step.start), str(end or "onwards"),
                     format_mg(step.dose_ug) if step.dose_ug else "0 mg (stopped)", "◀ tonight" if now else ""))
    _table(pdf, (14, 30, 30, 34, 72), ("Step", "From night", "To night", "Nightly dose", ""), rows)
    pdf.ln(2)
    rows = [(str(v.version), _when(v.created_at.astimezone(zone)), v.prescriber, v.change or "", v.reason or "")
            for v in data.plan_versions]
    _table(pdf, (16, 28, 40, 36, 60), ("Version", "When", "By", "Change", "Reason"), rows, wrap=(2, 3, 4))


def _adherence(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "Adherence", need=30)
    counts = data.adherence()
    tiles = [("taken", "nights taken", TAKEN), ("missed", "nights missed", MISSED),
             ("skipped", "nights skipped", SKIPPED), ("excess", "nights with excess", EXCESS),
             ("already_taken", "doses recorded as already taken", INK), ("voided", "voided records", MUTED)]
    top, width = pdf.get_y(), WIDTH / len(tiles)
    for i, (key, label, colour) in enumerate(tiles):
        pdf.set_fill_color(*BAND)
        pdf.rect(MARGIN + i * width + 0.5, top, width - 1, 15, style="F")
        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(*(colour if counts[key] else MUTED))
        pdf.set_xy(MARGIN + i * width, top + 1)
        pdf.cell(width, 7, str(counts[key]), align="C")
        pdf.set_font(FONT, "", 6.5)
        pdf.set_text_color(*INK)
        pdf.set_xy(MARGIN + i * width + 1, top + 8)
        pdf.multi_cell(width - 2, 2.8, label, align="C")
    pdf.set_xy(MARGIN, top + 16)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(WIDTH, 4, "Per night of the period; tonight and later nights are not yet counted as missed. "
             "Voided doses do not count.", new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: FPDF, nights: Sequence[CalendarNight], title: str) -> None:
    """Bars of the dose taken, the scheduled step line, step changes, lanes of missed/skipped/excess."""
    count = len(nights)
    size = 1 if count <= 120 else 7 if count <= 1050 else 28  # nights per bar
    _heading(pdf, title, need=95)
    left, top, width, height = MARGIN + 12, pdf.get_y() + 4, WIDTH - 14, 55
    buckets = [nights[i:i + size] for i in range(0, count, size)]
    bars = [sum(n.taken_ug or 0 for n in b if n.state != "future") / len(b) for b in buckets]
    peak = max([1000, *bars, *(n.scheduled_ug or 0 for n in nights)])
    grid = 250 if peak <= 2000 else 500
    top_ug = (int(peak * 1.12) // grid + 1) * grid
    x_of = lambda i: left + width * i / count  # noqa: E731 - night index to page x
    y_of = lambda ug: top + height - height * ug / top_ug  # noqa: E731 - dose to page y
    pdf.set_font(FONT, "", 6)
    pdf.set_text_color(*MUTED)
    pdf.set_line_width(0.1)
    pdf.set_draw_color(*RULE)
    for ug in range(0, top_ug + 1, grid):
        pdf.line(left, y_of(ug), left + width, y_of(ug))
        label = format_mg(ug).removesuffix(" mg")
        _text(pdf, left - 1.5 - _width(pdf, label), y_of(ug) + 0.8, label)
    _text(pdf, left - 11, top - 1.5, "mg")
    pdf.set_fill_color(*BAND)
    for k in range(len(LANES)):
        pdf.rect(left, top + height + 1.5 + k * 2.8, width, 2.2, style="F")
    for j, (bucket, value) in enumerate(zip(buckets, bars)):
        x, w = x_of(j * size), x_of(j * size + len(bucket)) - x_of(j * size)
        gap = w * 0.18 if w > 0.8 else 0
        pdf.set_fill_color(*(EXCESS if size == 1 and bucket[0].state == "excess" else TAKEN))
        if value:
            pdf.rect(x + gap / 2, y_of(value), w - gap, y_of(0) - y_of(value), style="F")
        for k, (state, colour) in enumerate(LANES):  # darker: more of the bar's nights
            share = sum(1 for n in bucket if n.state == state) / len(bucket)
            if share:
                pdf.set_fill_color(*(round(255 - (255 - c) * min(1.0, 0.3 + 2.8 * share)) for c in colour))
                pdf.rect(x, top + height + 1.5 + k * 2.8, max(w, 0.5), 2.2, style="F")
    _schedule_line(pdf, nights, x_of, y_of)
    _step_marks(pdf, nights, x_of, top, height)
    _axes(pdf, nights[0].night, count, x_of, top + height, width)
    _legend(pdf, top + height + 15, size)


def _schedule_line(pdf: FPDF, nights: Sequence[CalendarNight], x_of: Callable, y_of: Callable) -> None:
    """The scheduled dose as a step line, night by night whatever the bars; a gap where none is set."""
    pdf.set_draw_color(*SCHEDULED)
    pdf.set_line_width(0.45)
    start, previous = 0, None
    for ug, run in groupby(nights, key=lambda n: n.scheduled_ug):
        end = start + len(list(run))
        if ug is not None:
            if previous is not None:
                pdf.line(x_of(start), y_of(previous), x_of(start), y_of(ug))
            pdf.line(x_of(start), y_of(ug), x_of(end), y_of(ug))
        start, previous = end, ug


def _step_marks(pdf: FPDF, nights: Sequence[CalendarNight], x_of: Callable, top: float, height: float) -> None:
    """A dashed line where the scheduled dose changes, labelled with the new dose where there is room."""
    changes = [i for i, night in enumerate(nights) if i and night.step_change]
    pdf.set_draw_color(*STEP)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=0.8, gap=0.8)
        for i in changes:
            pdf.line(x_of(i), top, x_of(i), top + height)
    pdf.set_text_color(*STEP)
    pdf.set_fill_color(255, 255, 255)
    last_end = -1.0
    for i in changes:
        label = format_mg(nights[i].scheduled_ug) if nights[i].scheduled_ug else "stop"
        x, w = x_of(i) + 0.6, _width(pdf, label)
        if x > last_end + 1 and x + w <= x_of(len(nights)):
            pdf.rect(x - 0.2, top + 0.1, w + 0.4, 2.6, style="F")
            _text(pdf, x, top + 2.2, label)
            last_end = x + w


def _tick(day: dt.date, count: int) -> str | None:
    """The date label at this night, if any: weeks, months, quarters or years by the span."""
    month = f"{MONTHS[day.month - 1]} {day.year}"
    if count <= 70:
        return f"{day.day} {MONTHS[day.month - 1]}" if day.weekday() == 0 else None
    if day.day != 1:
        return None
    if count <= 1500:
        return month if count <= 400 or day.month % 3 == 1 else None
    return str(day.year) if day.month == 1 else None


def _axes(pdf: FPDF, first: dt.date, count: int, x_of: Callable, bottom: float, width: float) -> None:
    pdf.set_draw_color(*MUTED)
    pdf.set_text_color(*MUTED)
    for k, (state, _) in enumerate(LANES):
        _text(pdf, x_of(0) - 11, bottom + 3.2 + k * 2.8, state)
    last_end = -1.0
    for i in range(count):
        label = _tick(first + dt.timedelta(days=i), count)
        if label:
            x, w = x_of(i), _width(pdf, label)
            pdf.line(x, bottom, x, bottom + 0.8)
            if x - w / 2 > last_end + 1 and x + w / 2 <= x_of(0) + width + 4:
                _text(pdf, x - w / 2, bottom + 11.5, label)
                last_end = x + w / 2


def _legend(pdf: FPDF, y: float, size: int) -> None:
    taken = "dose taken" if size == 1 else f"mean dose taken per night, one bar per {size} nights"
    items = [("line", SCHEDULED, "scheduled dose"), ("box", TAKEN, taken), ("box", MISSED, "missed"),
             ("box", SKIPPED, "skipped"), ("box", EXCESS, "excess"), ("dash", STEP, "step change (new dose)")]
    x = MARGIN
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(*INK)
    for kind, colour, label in items:
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.45 if kind == "line" else 0.2)
        if kind == "box":
            pdf.rect(x, y - 2, 3, 2.4, style="F")
        else:
            pdf.line(x, y - 0.8, x + 3, y - 0.8)
        _text(pdf, x + 4, y, label)
        x += 9 + _width(pdf, label)
    if size > 1:
        pdf.set_text_color(*MUTED)
        _text(pdf, MARGIN, y + 3.5, f"The darker a lane's mark, the more of its {size} nights were missed, "
              "skipped or in excess.")
    pdf.set_y(y + (6 if size > 1 else 3))


def _step_title(segment: Segment, first: dt.date) -> str:
    dose = f"{format_mg(segment.dose_ug)} nightly" if segment.dose_ug else "no dose scheduled"
    regimen, start = segment.regimen, max(segment.start, first)
    source = ("no prescription" if regimen is None else "prescription" if regimen.kind == "prescription"
              else f"taper plan v{regimen.version}")
    nights = f"nights {start} to {segment.end}" if segment.end else f"nights from {start} on"
    return f"{dose} · {nights} · {source}"


def _symptom_groups(data: ExportData) -> dict[str, list[Symptom]]:
    """The symptoms under the schedule segment (taper step) in force on their night, in time order."""
    groups: dict[str, list[Symptom]] = {_step_title(s, data.first): [] for s in data.schedule
                                        if s.start <= data.last and (s.end is None or s.end >= data.first)}
    for symptom in sorted(data.symptoms, key=lambda s: (s.at, s.id)):
        step = next((s for s in data.schedule
                     if s.start <= symptom.night and (s.end is None or symptom.night <= s.end)), None)
        groups.setdefault(_step_title(step, data.first) if step else "outside the schedule", []).append(symptom)
    return groups


def _symptoms(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "Symptom journal by taper step")
    if not data.symptoms:
        _say(pdf, "No symptoms were logged in this period.")
        return
    widths, head = (26, 40, 16, 16, 82), ("When", "Symptom", "Severity", "Urgent", "Note")
    for title, entries in _symptom_groups(data).items():
        if pdf.get_y() + 16 > pdf.page_break_trigger:
            pdf.add_page()
        count = f"{len(entries) or 'no'} entr{'y' if len(entries) == 1 else 'ies'}"
        _row(pdf, (WIDTH,), (f"Step: {title} — {count}",), bold=True, fill=BAND, size=8)

        def header(title: str = title) -> None:
            _row(pdf, (WIDTH,), (f"Step: {title} (continued)",), bold=True, fill=BAND, size=8)
            _row(pdf, widths, head, bold=True)
        if entries:
            _row(pdf, widths, head, bold=True)
        for s in entries:
            cells = (_when(s.at), s.name, f"{s.severity}/5" if s.severity else "–", "URGENT" if s.urgent else "no",
                     s.note or "")
            _row(pdf, widths, cells, colour=URGENT if s.urgent else INK, wrap=(1, 4), header=header)


def _flags(record: Record) -> str:
    flags = ["VOID" + (f": {record.void_reason}" if record.void_reason else "")] if record.voided else []
    if record.kind == "void" and record.voids is not None:
        flags.append(f"cancels #{record.voids}")
    if record.already_taken:
        flags.append("already taken" + (f", broke {record.rule}" if record.rule else ""))
    if record.acknowledged:
        flags.append("contraindication acknowledged")
    return "; ".join(flags)


def _records(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "Records: doses, skips and voids in recording order", need=30)
    if not data.records:
        _say(pdf, "No records in this period.")
        return
    widths, head = (9, 17, 26, 14, 14, 13, 34, 53), ("#", "Night", "Local time", "Dose", "Sched.", "Status",
                                                      "Flags", "Note")

    def header() -> None:
        _row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for r in sorted(data.records, key=lambda r: r.id):
        dose = format_mg(r.dose_ug) if r.dose_ug is not None else ""
        cells = (str(r.id), str(r.night), _when(r.at), dose, format_mg(r.scheduled_ug) if r.scheduled_ug is not None else "",
                 status_of(r), _flags(r), r.note or "")
        top = _row(pdf, widths, cells, colour=MUTED if r.voided or r.kind == "void" else INK, header=header,
                   wrap=(6, 7))
        if r.voided and dose:  # the cancelled dose, struck through
            x = MARGIN + sum(widths[:3]) + PAD
            pdf.set_draw_color(*MUTED)
            pdf.line(x, top + 2.1, x + _width(pdf, dose), top + 2.1)


def _disclaimer(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "When to call the doctor, and a disclaimer", need=35)
    for style, size, colour, key in (("B", 9, URGENT, "call_doctor"), ("", 8, INK, "disclaimer")):
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(WIDTH, size / 2, data.drug.guidance[key], align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def write_pdf(data: ExportData, stream: IO[bytes]) -> None:
    """Render the report; the same data always gives the same bytes (dated data.generated_at)."""
    with contextlib.ExitStack() as stack:
        pdf = _Report(data)
        _load_fonts(pdf, stack)
        pdf.set_creation_date(data.generated_at)
        pdf.set_title(f"{data.drug.name} treatment report: {data.profile.name}")
        pdf.set_creator("medtrack")
        pdf.set_lang("en")
        pdf.add_page()
        _title(pdf, data)
        _plan(pdf, data)
        _adherence(pdf, data)
        if data.nights:
            _chart(pdf, data.nights, "Scheduled and taken dose per night")
        if len(data.nights) > 120:
            _chart(pdf, data.nights[-RECENT:], f"The last {RECENT} nights, night by night")
        _symptoms(pdf, data)
        _records(pdf, data)
        _disclaimer(pdf, data)
        stream.write(bytes(pdf.output()))
