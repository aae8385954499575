"""PDF export: a two-minute report for the doctor: plan, adherence, dose chart, symptoms, records."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, TYPE_CHECKING

from fpdf import FPDF

from medtrack.core.nights import night_of
from medtrack.core.units import format_mg

if TYPE_CHECKING:
    from medtrack.core.model import Record
    from medtrack.services.export import ExportData

FONT, EMOJI = "DejaVu", "NotoEmoji"
FONT_FILES = ((FONT, "", "DejaVuSans.ttf"), (FONT, "B", "DejaVuSans-Bold.ttf"), (EMOJI, "", "NotoEmoji.ttf"))
MARGIN, WIDTH = 15.0, 180.0  # A4 portrait: 210 mm wide
LINE, PAD = 3.4, 1.2  # table line height and cell padding, mm
INK, MUTED, RULE, BAND = (33, 37, 41), (125, 125, 125), (205, 208, 212), (236, 239, 243)
TAKEN, SCHEDULED, STEP = (96, 133, 173), (20, 20, 20), (120, 120, 120)
MISSED, SKIPPED, EXCESS, URGENT = (205, 40, 40), (232, 152, 0), (142, 68, 173), (190, 20, 20)
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
Cells = Sequence[str]


class _Report(FPDF):
    """A4 portrait with a footer naming the patient and the page."""

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
        period = f"{self.data.first.isoformat()} to {self.data.last.isoformat()}"
        self.cell(WIDTH * 0.8, 4, f"medtrack report · {self.data.profile.name} · {period}")
        self.cell(WIDTH * 0.2, 4, f"page {self.page_no()} of {{nb}}", align="R")


def _load_fonts(pdf: FPDF, stack: contextlib.ExitStack) -> None:
    try:
        folder = resources.files("medtrack.data") / "fonts"
        paths = [stack.enter_context(resources.as_file(folder / name)) for _, _, name in FONT_FILES]
    except ModuleNotFoundError:  # a source checkout run with PYTHONPATH=src: data/ sits beside src/
        paths = [Path(__file__).resolve().parents[3] / "data" / "fonts" / name for _, _, name in FONT_FILES]
    for (family, style, _), path in zip(FONT_FILES, paths):
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts([EMOJI], exact_match=False)


def _mg(ug: int | None, none: str = "") -> str:
    return format_mg(ug) if ug is not None else none


def _when(instant: dt.datetime) -> str:
    return instant.strftime("%Y-%m-%d %H:%M")


def _clean(text: str | None) -> str:
    """User text as plain characters: no markup is ever interpreted; tabs and CRs become spaces."""
    return (text or "").replace("\t", " ").replace("\r\n", "\n").replace("\r", "\n")


def _pieces(pdf: FPDF, text: str) -> list[tuple[str, bool]]:
    """Runs of text: (chars the current font has, False) or (chars only the emoji font has, True)."""
    cmap, emoji = pdf.current_font.cmap, pdf.fonts[EMOJI.lower()].cmap
    if text.isascii() or all(ord(c) in cmap for c in text):  # DejaVu has all of ASCII
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    for char in text:
        alt = ord(char) not in cmap and ord(char) in emoji
        if pieces and pieces[-1][1] == alt:
            pieces[-1] = (pieces[-1][0] + char, alt)
        else:
            pieces.append((char, alt))
    return pieces


def _width(pdf: FPDF, text: str) -> float:
    """The width in mm of text in the current font, emoji in the fallback font (fast, no shaping)."""
    total = 0
    for piece, alt in _pieces(pdf, text):
        widths = (pdf.fonts[EMOJI.lower()] if alt else pdf.current_font).cw
        total += sum(widths[ord(c)] for c in piece)
    return total * pdf.font_size_pt * 0.001 / pdf.k


def _text(pdf: FPDF, x: float, y: float, text: str) -> None:
    """pdf.text() at a baseline, switching to the emoji font for the characters only it has."""
    pieces = _pieces(pdf, text)
    if len(pieces) == 1 and not pieces[0][1]:
        pdf.text(x, y, text)
        return
    family, style, size = pdf.font_family, pdf.font_style, pdf.font_size_pt
    for piece, alt in pieces:
        width = _width(pdf, piece)
        if alt:
            pdf.set_font(EMOJI, "", size)
        pdf.text(x, y, piece)
        if alt:
            pdf.set_font(family, style, size)
        x += width


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap by the current font's widths; over-long words are cut."""
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        if _width(pdf, paragraph) <= width:
            lines.append(paragraph)
            continue
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if _width(pdf, candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while _width(pdf, word) > width and len(word) > 1:
                cut = max(1, int(len(word) * width / _width(pdf, word)))
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
    return lines or [""]


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


def _row(pdf: FPDF, widths: Sequence[float], cells: Cells, *, bold: bool = False,
         colour: tuple[int, int, int] = INK, fill: tuple[int, int, int] | None = None,
         size: float = 7.5, header: Callable[[], None] | None = None, wrap: Sequence[int] = ()) -> float:
    """One table row drawn with text() (fast for thousands of rows); columns in `wrap` wrap; its top."""
    pdf.set_font(FONT, "B" if bold else "", size)
    columns = [_wrap(pdf, cell, w - 2 * PAD) if i in wrap else [_clean(cell)]
               for i, (w, cell) in enumerate(zip(widths, cells))]
    height = max(len(c) for c in columns) * LINE + 1.2
    if pdf.get_y() + height > pdf.page_break_trigger:
        pdf.add_page()
        if header:
            header()
        pdf.set_font(FONT, "B" if bold else "", size)
    top, x = pdf.get_y(), MARGIN
    if fill:
        pdf.set_fill_color(*fill)
        pdf.rect(MARGIN, top, sum(widths), height, style="F")
    pdf.set_text_color(*colour)
    for width, lines in zip(widths, columns):
        for i, line in enumerate(lines):
            if line:
                _text(pdf, x + PAD, top + 3.0 + i * LINE, line)
        x += width
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.1)
    pdf.line(MARGIN, top + height, MARGIN + sum(widths), top + height)
    pdf.set_y(top + height)
    return top


def _table(pdf: FPDF, widths: Sequence[float], head: Cells, rows: Sequence[Cells], wrap: Sequence[int] = ()) -> None:
    def header() -> None:
        _row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for cells in rows:
        _row(pdf, widths, cells, header=header, wrap=wrap)


def _title(pdf: FPDF, data: ExportData) -> None:
    profile, drug = data.profile, data.drug
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*INK)
    pdf.cell(WIDTH, 9, f"{drug.name} treatment report", new_x="LMARGIN", new_y="NEXT")
    nights = (data.last - data.first).days + 1
    facts = [
        ("Patient", profile.name),
        ("Born", f"{profile.born.isoformat()} (age {profile.age_on(data.generated_at.date())})"),
        ("Period", f"nights {data.first.isoformat()} to {data.last.isoformat()} ({nights} nights"
                   + (", selected range)" if data.clipped else ")")),
        ("Drug", f"{drug.name} (ATC {drug.atc}), {drug.timing}"),
        ("Prescriber", data.prescriber or "none recorded"),
        ("Generated", f"{_when(data.generated_at)} {data.generated_at.tzname()} ({profile.zone})"),
    ]
    for label, value in facts:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(26, 5, label)
        pdf.set_font(FONT, "", 9)
        pdf.cell(WIDTH - 26, 5, _clean(value).replace("\n", " "), new_x="LMARGIN", new_y="NEXT")


def _plan(pdf: FPDF, data: ExportData) -> None:
    plan, zone = data.plan, data.profile.tz
    if plan is None:
        _heading(pdf, "Prescriptions (no taper plan)")
        rows = [(r.start.isoformat(), _mg(r.steps[0].dose_ug), r.prescriber, _when(r.created_at.astimezone(zone)),
                 r.acknowledged or "") for r in data.regimens if r.kind == "prescription"]
        if not rows:
            pdf.set_font(FONT, "", 9)
            pdf.cell(WIDTH, 5, "No prescription recorded.", new_x="LMARGIN", new_y="NEXT")
            return
        _table(pdf, (28, 28, 45, 32, 47), ("From night", "Nightly dose", "Prescriber", "Recorded",
                                           "Contraindication acknowledged"), rows, wrap=(2, 4))
        return
    _heading(pdf, f"Current plan: taper plan version {plan.version} by {plan.prescriber}")
    tonight = night_of(data.generated_at, zone)
    rows = []
    for i, step in enumerate(plan.steps):
        end = plan.steps[i + 1].start - dt.timedelta(days=1) if i + 1 < len(plan.steps) else None
        dose = "0 mg (stopped)" if step.dose_ug == 0 else format_mg(step.dose_ug)
        now = step.start <= tonight and (end is None or tonight <= end)
        rows.append((str(i + 1), step.start.isoformat(), end.isoformat() if end else "onwards", dose,
                     "◀ tonight" if now else ""))
    _table(pdf, (14, 30, 30, 34, 72), ("Step", "From night", "To night", "Nightly dose", ""), rows)
    pdf.ln(2)
    versions = [(str(v.version), _when(v.created_at.astimezone(zone)), v.prescriber, v.change or "",
                 v.reason or "") for v in data.plan_versions]
    _table(pdf, (16, 28, 40, 36, 60), ("Version", "When", "By", "Change", "Reason"), versions, wrap=(2, 3, 4))


def _adherence(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "Adherence", need=30)
    counts = data.adherence()
    tiles = [("taken", "nights taken", TAKEN), ("missed", "nights missed", MISSED),
             ("skipped", "nights skipped", SKIPPED), ("excess", "nights with excess", EXCESS),
             ("already_taken", "doses recorded as already taken", INK), ("voided", "voided records", MUTED)]
    top, width = pdf.get_y(), WIDTH / len(tiles)
    for i, (key, label, colour) in enumerate(tiles):
        x = MARGIN + i * width
        pdf.set_fill_color(*BAND)
        pdf.rect(x + 0.5, top, width - 1, 15, style="F")
        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(*(colour if counts[key] else MUTED))
        pdf.set_xy(x, top + 1)
        pdf.cell(width, 7, str(counts[key]), align="C")
        pdf.set_font(FONT, "", 6.5)
        pdf.set_text_color(*INK)
        pdf.set_xy(x + 1, top + 8)
        pdf.multi_cell(width - 2, 2.8, label, align="C")
    pdf.set_y(top + 16)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(WIDTH, 4, "Per night of the period; tonight and later nights are not yet counted as missed. "
             "Voided doses do not count.", new_x="LMARGIN", new_y="NEXT")


def _x_labels(first: dt.date, count: int) -> list[tuple[int, str]]:
    """Tick positions (night index) and labels: weeks, months, quarters or years by span."""
    out = []
    for i in range(count):
        day = first + dt.timedelta(days=i)
        if count <= 70 and day.weekday() == 0:
            out.append((i, f"{day.day} {MONTHS[day.month - 1]}"))
        elif 70 < count <= 400 and day.day == 1:
            out.append((i, f"{MONTHS[day.month - 1]} {day.year}"))
        elif 400 < count <= 1500 and day.day == 1 and day.month in (1, 4, 7, 10):
            out.append((i, f"{MONTHS[day.month - 1]} {day.year}"))
        elif count > 1500 and day.day == 1 and day.month == 1:
            out.append((i, str(day.year)))
    return out


def _chart(pdf: FPDF, data: ExportData) -> None:
    nights, count = data.nights, len(data.nights)
    if not count:
        return
    size = 1 if count <= 120 else 7 if count <= 1050 else 28
    unit = "night" if size == 1 else "week" if size == 7 else "4 weeks"
    _heading(pdf, "Scheduled and taken dose per night", need=95)
    left, top, width, height = MARGIN + 12, pdf.get_y() + 4, WIDTH - 14, 55
    buckets = [nights[i:i + size] for i in range(0, count, size)]
    bars = []
    for bucket in buckets:
        past = [n for n in bucket if n.state != "future"] or bucket
        bars.append(sum(n.taken_ug or 0 for n in past) / len(past))
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
    for j, (bucket, value) in enumerate(zip(buckets, bars)):
        if value:
            x, w = x_of(j * size), width * len(bucket) / count
            gap = w * 0.18 if w > 0.8 else 0
            pdf.set_fill_color(*(EXCESS if size == 1 and bucket[0].state == "excess" else TAKEN))
            pdf.rect(x + gap / 2, y_of(value), w - gap, y_of(0) - y_of(value), style="F")
    _schedule_line(pdf, data, x_of, y_of)
    _step_marks(pdf, data, x_of, top, height)
    lanes = (("missed", MISSED), ("skipped", SKIPPED), ("excess", EXCESS))
    for k, (state, colour) in enumerate(lanes):
        lane_y = top + height + 1.5 + k * 2.8
        pdf.set_text_color(*MUTED)
        _text(pdf, left - 11, lane_y + 1.7, state)
        pdf.set_fill_color(*BAND)
        pdf.rect(left, lane_y, width, 2.2, style="F")
        pdf.set_fill_color(*colour)
        for j, bucket in enumerate(buckets):
            if any(n.state == state for n in bucket):
                w = max(width * len(bucket) / count, 0.5)
                pdf.rect(x_of(j * size), lane_y, w, 2.2, style="F")
    axis_y, last_end = top + height + 11.5, -1.0
    pdf.set_draw_color(*MUTED)
    for i, label in _x_labels(data.first, count):
        x, w = x_of(i), _width(pdf, label)
        pdf.line(x, top + height, x, top + height + 0.8)
        if x - w / 2 > last_end + 1 and x + w / 2 <= left + width + 4:
            _text(pdf, x - w / 2, axis_y, label)
            last_end = x + w / 2
    _legend(pdf, top + height + 15, size, unit)


def _schedule_line(pdf: FPDF, data: ExportData, x_of: Callable, y_of: Callable) -> None:
    """The scheduled dose as a step line, per night whatever the bar size; gaps where none is set."""
    pdf.set_draw_color(*SCHEDULED)
    pdf.set_line_width(0.45)
    runs: list[tuple[int, int, int | None]] = []
    for i, night in enumerate(data.nights):
        if runs and runs[-1][2] == night.scheduled_ug:
            runs[-1] = (runs[-1][0], i, night.scheduled_ug)
        else:
            runs.append((i, i, night.scheduled_ug))
    previous: int | None = None
    for start, end, ug in runs:
        if ug is not None:
            if previous is not None:
                pdf.line(x_of(start), y_of(previous), x_of(start), y_of(ug))
            pdf.line(x_of(start), y_of(ug), x_of(end + 1), y_of(ug))
        previous = ug


def _step_marks(pdf: FPDF, data: ExportData, x_of: Callable, top: float, height: float) -> None:
    """A dashed vertical line where the scheduled dose changes, labelled with the new dose if room."""
    pdf.set_draw_color(*STEP)
    pdf.set_text_color(*STEP)
    pdf.set_font(FONT, "", 6)
    pdf.set_line_width(0.2)
    right, last_end = x_of(len(data.nights)), -1.0
    with pdf.local_context():
        pdf.set_dash_pattern(dash=0.8, gap=0.8)
        for i, night in enumerate(data.nights):
            if i and night.step_change:
                pdf.line(x_of(i), top, x_of(i), top + height)
    for i, night in enumerate(data.nights):
        if i and night.step_change:
            label = _mg(night.scheduled_ug, "none").removesuffix(" mg") + (" mg" if night.scheduled_ug else "")
            x, w = x_of(i) + 0.6, _width(pdf, label)
            if x > last_end + 1 and x + w <= right:
                _text(pdf, x, top + 2.2, label)
                last_end = x + w


def _legend(pdf: FPDF, y: float, size: int, unit: str) -> None:
    taken = "dose taken" if size == 1 else f"mean dose taken per night, one bar per {unit}"
    items = [("line", SCHEDULED, "scheduled dose"), ("box", TAKEN, taken), ("box", MISSED, "missed"),
             ("box", SKIPPED, "skipped"), ("box", EXCESS, "excess"), ("dash", STEP, "step change (new dose)")]
    x = MARGIN
    pdf.set_font(FONT, "", 6.5)
    for kind, colour, label in items:
        pdf.set_fill_color(*colour)
        pdf.set_draw_color(*colour)
        if kind == "box":
            pdf.rect(x, y - 2, 3, 2.4, style="F")
        else:
            pdf.set_line_width(0.45 if kind == "line" else 0.2)
            pdf.line(x, y - 0.8, x + 3, y - 0.8)
        pdf.set_text_color(*INK)
        _text(pdf, x + 4, y, label)
        x += 4 + _width(pdf, label) + 5
    pdf.set_y(y + 3)


def _segment_title(segment, first: dt.date) -> str:  # type: ignore[no-untyped-def]
    dose = f"{format_mg(segment.dose_ug)} nightly" if segment.dose_ug else "no dose scheduled"
    regimen = segment.regimen
    source = ("prescription" if regimen and regimen.kind == "prescription"
              else f"taper plan v{regimen.version}" if regimen else "no prescription")
    end = segment.end.isoformat() if segment.end else "onwards"
    return f"{dose} · nights {max(segment.start, first).isoformat()} to {end} · {source}"


def _symptoms(pdf: FPDF, data: ExportData) -> None:
    _heading(pdf, "Symptom journal by taper step")
    if not data.symptoms:
        pdf.set_font(FONT, "", 9)
        pdf.cell(WIDTH, 5, "No symptoms were logged in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    groups: dict[str, list] = {}
    for segment in data.schedule:
        if segment.start <= data.last and (segment.end is None or segment.end >= data.first):
            groups[_segment_title(segment, data.first)] = []
    outside = "outside the schedule of the period"
    for symptom in sorted(data.symptoms, key=lambda s: (s.at, s.id)):
        step = next((s for s in data.schedule if s.start <= symptom.night
                     and (s.end is None or symptom.night <= s.end)), None)
        groups.setdefault(_segment_title(step, data.first) if step else outside, []).append(symptom)
    widths = (26, 40, 16, 16, 82)
    head = ("When", "Symptom", "Severity", "Urgent", "Note")
    for title, entries in groups.items():
        if pdf.get_y() + 12 > pdf.page_break_trigger:
            pdf.add_page()
        _row(pdf, (WIDTH,), (f"Step: {title} — {len(entries) or 'no'} "
                             f"entr{'y' if len(entries) == 1 else 'ies'}",), bold=True, fill=BAND, size=8)
        for s in entries:
            _row(pdf, widths, (_when(s.at), s.name, f"{s.severity}/5" if s.severity else "–",
                               "URGENT" if s.urgent else "no", s.note or ""),
                 colour=URGENT if s.urgent else INK, wrap=(1, 4), header=lambda: _row(pdf, widths, head, bold=True))
    pdf.ln(1)


def _status(record: Record) -> str:
    if record.kind == "void":
        return "void"
    if record.voided:
        return "voided"
    return "taken" if record.kind == "dose" else "skipped"


def _flags(record: Record) -> str:
    flags = []
    if record.voided:
        flags.append("VOID" + (f": {record.void_reason}" if record.void_reason else ""))
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
        pdf.set_font(FONT, "", 9)
        pdf.cell(WIDTH, 5, "No records in this period.", new_x="LMARGIN", new_y="NEXT")
        return
    widths = (10, 17, 25, 14, 14, 13, 36, 51)
    head = ("#", "Night", "Local time", "Dose", "Sched.", "Status", "Flags", "Note")

    def header() -> None:
        _row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for r in sorted(data.records, key=lambda r: r.id):
        cells = (str(r.id), r.night.isoformat(), _when(r.at), _mg(r.dose_ug), _mg(r.scheduled_ug),
                 _status(r), _flags(r), r.note or "")
        faded = r.voided or r.kind == "void"
        top = _row(pdf, widths, cells, colour=MUTED if faded else INK, header=header, wrap=(6, 7))
        if r.voided and r.dose_ug:  # the cancelled dose struck through
            x = MARGIN + sum(widths[:3]) + PAD
            pdf.set_draw_color(*MUTED)
            pdf.line(x, top + 2.1, x + _width(pdf, cells[3]), top + 2.1)


def _disclaimer(pdf: FPDF, data: ExportData) -> None:
    guidance = data.drug.guidance
    _heading(pdf, "When to call the doctor, and a disclaimer", need=35)
    pdf.set_font(FONT, "B", 9)
    pdf.set_text_color(*URGENT)
    pdf.multi_cell(WIDTH, 4.5, guidance["call_doctor"], align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*INK)
    pdf.multi_cell(WIDTH, 4, guidance["disclaimer"], align="L", new_x="LMARGIN", new_y="NEXT")


def write_pdf(data: ExportData, stream: IO[bytes]) -> None:
    """Render the report; the same data always gives the same bytes."""
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
        _chart(pdf, data)
        _symptoms(pdf, data)
        _records(pdf, data)
        _disclaimer(pdf, data)
        stream.write(bytes(pdf.output()))
