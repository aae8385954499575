"""PDF export: a two-minute report for the doctor: plan, adherence, dose chart, symptoms, records."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import IO, TYPE_CHECKING

from fpdf import FPDF

from medtrack.core.nights import night_of
from medtrack.core.units import format_mg
from medtrack.export.csv_export import status_of

if TYPE_CHECKING:
    from medtrack.core.model import Record, Symptom
    from medtrack.core.schedule import Segment
    from medtrack.services.export import ExportData


from medtrack.export.pdf_chart import chart
from medtrack.export.pdf_text import (
    BAND,
    EXCESS,
    FONT,
    INK,
    MARGIN,
    MISSED,
    MUTED,
    PAD,
    RECENT,
    SKIPPED,
    TAKEN,
    URGENT,
    WIDTH,
    draw_text,
    heading,
    load_fonts,
    mg,
    row,
    say,
    table,
    when,
    width_of,
    wrap_lines,
)


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
        name = " ".join(self.data.profile.name.split())[:60]
        self.cell(WIDTH * 0.8, 4, f"medtrack report · {name} · {self.data.first} to {self.data.last}")
        self.cell(WIDTH * 0.2, 4, f"page {self.page_no()} of {{nb}}", align="R")


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
        ("Generated", f"{when(data.generated_at)} {data.generated_at.tzname()} ({profile.zone})"),
    ):
        top = pdf.get_y()
        pdf.set_font(FONT, "", 9)
        lines = wrap_lines(pdf, value, WIDTH - 26)
        for i, text in enumerate(lines):
            draw_text(pdf, MARGIN + 26, top + 3.6 + i * 4.4, text)
        pdf.set_font(FONT, "B", 9)
        draw_text(pdf, MARGIN, top + 3.6, label)
        pdf.set_y(top + 4.4 * len(lines) + 0.4)


def _plan(pdf: FPDF, data: ExportData) -> None:
    plan, zone = data.plan, data.profile.tz
    if plan is None:
        heading(pdf, "Prescriptions (no taper plan)")
        rows = [(str(r.start), format_mg(r.steps[0].dose_ug), r.prescriber, when(r.created_at.astimezone(zone)),
                 r.acknowledged or "") for r in data.regimens if r.kind == "prescription"]
        head = ("From night", "Nightly dose", "Prescriber", "Recorded", "Contraindication acknowledged")
        if rows:
            table(pdf, (28, 28, 45, 32, 47), head, rows, wrap=(2, 4))
        else:
            say(pdf, "No prescription recorded.")
        return
    heading(pdf, f"Current plan: taper plan version {plan.version}")
    tonight, rows = night_of(data.generated_at, zone), []
    for i, step in enumerate(plan.steps):
        end = plan.steps[i + 1].start - dt.timedelta(days=1) if i + 1 < len(plan.steps) else None
        now = step.start <= tonight and (end is None or tonight <= end)
        rows.append((str(i + 1), str(step.start), str(end or "onwards"),
                     format_mg(step.dose_ug) if step.dose_ug else "0 mg (stopped)", "◀ tonight" if now else ""))
    table(pdf, (14, 30, 30, 34, 72), ("Step", "From night", "To night", "Nightly dose", ""), rows)
    pdf.ln(2)
    rows = [(str(v.version), when(v.created_at.astimezone(zone)), v.prescriber, v.change or "", v.reason or "")
            for v in data.plan_versions]
    table(pdf, (16, 28, 40, 36, 60), ("Version", "When", "By", "Change", "Reason"), rows, wrap=(2, 3, 4))


def _adherence(pdf: FPDF, data: ExportData) -> None:
    heading(pdf, "Adherence", need=30)
    counts = data.adherence()
    tiles = [("taken", "nights taken", TAKEN), ("missed", "nights missed", MISSED),
             ("skipped", "nights skipped", SKIPPED), ("excess", "nights with excess", EXCESS),
             ("already_taken", "doses recorded as already taken", INK), ("voided", "voided records", MUTED)]
    top, width = pdf.get_y(), WIDTH / len(tiles)
    pdf.set_fill_color(*BAND)
    for x, (key, label, colour) in zip((MARGIN + i * width for i in range(len(tiles))), tiles):
        pdf.rect(x + 0.5, top, width - 1, 15, style="F")
        pdf.set_xy(x, top + 1)
        pdf.set_font(FONT, "B", 15)
        pdf.set_text_color(*(colour if counts[key] else MUTED))
        pdf.cell(width, 7, str(counts[key]), align="C")
        pdf.set_xy(x + 1, top + 8)
        pdf.set_font(FONT, "", 6.5)
        pdf.set_text_color(*INK)
        pdf.multi_cell(width - 2, 2.8, label, align="C")
    pdf.set_xy(MARGIN, top + 16)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.cell(WIDTH, 4, "Per night of the period; tonight and later nights are not yet counted as missed. "
             "Voided doses do not count.", new_x="LMARGIN", new_y="NEXT")


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
    heading(pdf, "Symptom journal by taper step")
    if not data.symptoms:
        say(pdf, "No symptoms were logged in this period.")
        return
    widths, head = (26, 40, 16, 16, 82), ("When", "Symptom", "Severity", "Urgent", "Note")
    row(pdf, widths, head, bold=True)
    for title, entries in _symptom_groups(data).items():
        def header(title: str = title) -> None:
            row(pdf, widths, head, bold=True)
            row(pdf, (WIDTH,), (f"Step: {title} (continued)",), bold=True, fill=BAND, size=8)
        count = f"{len(entries) or 'no'} entr{'y' if len(entries) == 1 else 'ies'}"
        row(pdf, (WIDTH,), (f"Step: {title} — {count}",), bold=True, fill=BAND, size=8,
             header=lambda: row(pdf, widths, head, bold=True))
        for s in entries:
            cells = (when(s.at), s.name, f"{s.severity}/5" if s.severity else "–", "URGENT" if s.urgent else "no",
                     s.note or "")
            row(pdf, widths, cells, colour=URGENT if s.urgent else INK, wrap=(1, 4), header=header)


def _flags(record: Record) -> str:
    return "; ".join(record.flags())


def _records(pdf: FPDF, data: ExportData) -> None:
    heading(pdf, "Records: doses, skips and voids in recording order", need=30)
    if not data.records:
        say(pdf, "No records in this period.")
        return
    widths = (9, 17, 26, 14, 14, 13, 34, 53)
    head = ("#", "Night", "Local time", "Dose", "Sched.", "Status", "Flags", "Note")

    def header() -> None:
        row(pdf, widths, head, bold=True, fill=BAND)
    header()
    for r in sorted(data.records, key=lambda r: r.id):
        cells = (str(r.id), str(r.night), when(r.at), mg(r.dose_ug), mg(r.scheduled_ug), status_of(r), _flags(r),
                 r.note or "")
        faded = r.voided or r.kind == "void"
        top = row(pdf, widths, cells, colour=MUTED if faded else INK, header=header, wrap=(6, 7))
        if r.voided and r.dose_ug is not None:  # the cancelled dose, struck through
            x = MARGIN + sum(widths[:3]) + PAD
            pdf.set_draw_color(*MUTED)
            pdf.line(x, top + 2.1, x + width_of(pdf, cells[3]), top + 2.1)


def _disclaimer(pdf: FPDF, data: ExportData) -> None:
    heading(pdf, "When to call the doctor, and a disclaimer", need=35)
    for style, size, colour, key in (("B", 9, URGENT, "call_doctor"), ("", 8, INK, "disclaimer")):
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(WIDTH, size / 2, data.drug.guidance[key], align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)


def write_pdf(data: ExportData, stream: IO[bytes]) -> None:
    """Render the report; the same data always gives the same bytes (dated data.generated_at)."""
    with contextlib.ExitStack() as stack:
        pdf = _Report(data)
        load_fonts(pdf, stack)
        pdf.set_creation_date(data.generated_at)
        pdf.set_title(f"{data.drug.name} treatment report: {data.profile.name}")
        pdf.add_page()
        _title(pdf, data)
        _plan(pdf, data)
        _adherence(pdf, data)
        chart(pdf, data.nights, "Scheduled and taken dose per night")
        if len(data.nights) > 120:
            chart(pdf, data.nights[-RECENT:], f"The last {RECENT} nights, night by night")
        _symptoms(pdf, data)
        _records(pdf, data)
        _disclaimer(pdf, data)
        stream.write(bytes(pdf.output()))
