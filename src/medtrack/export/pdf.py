"""PDF export: a two-minute report for the doctor: page one is the visit (summary, adherence, the exceptions
that fit), then the chart, plan, stock, the exceptions page one had no room for, symptoms and records."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import IO, TYPE_CHECKING

from medtrack.core.model import entered_by
from medtrack.core.units import format_mg
from medtrack.export.pdf_chart import chart
from medtrack.export.pdf_fonts import FONT, isolate
from medtrack.export.pdf_plan import plan
from medtrack.export.pdf_records import records
from medtrack.export.pdf_stock import stock
from medtrack.export.pdf_summary import RIGHT, more_exceptions, summary
from medtrack.export.pdf_text import (
    BAND,
    INK,
    MARGIN,
    MUTED,
    RECENT,
    URGENT,
    WIDTH,
    Canvas,
    draw_text,
    fields,
    heading,
    paragraph,
    row,
    say,
    when,
)
from medtrack.i18n import SUPPORTED, _, language, medium_date, ngettext

if TYPE_CHECKING:
    from medtrack.core.model import Symptom
    from medtrack.core.schedule import Segment
    from medtrack.export.data import ExportData


class _Report(Canvas):
    """The report's pages, with a footer naming the patient, the period and the page."""

    def __init__(self, data: ExportData, stack: contextlib.ExitStack) -> None:
        super().__init__(stack)
        self.data = data
        self.continued_at: int | None = None  # the page the exceptions go on after page one

    def footer(self) -> None:
        self.set_font(FONT, size=7)
        self.set_text_color(*MUTED)
        name = isolate(" ".join(self.data.profile.name.split())[:60])
        draw_text(self, MARGIN, self.h - MARGIN + 2.8, _("medtrack report · {name} · {first} to {last}").format(
            name=name, first=medium_date(self.data.first), last=medium_date(self.data.last)))
        self.set_xy(MARGIN + WIDTH * 0.8, self.h - MARGIN)
        self.cell(WIDTH * 0.2, 4, _("page {page} of {pages}").format(page=self.page_no(),
                                                                     pages=self.str_alias_nb_pages), align="R")


def _title(pdf: Canvas, data: ExportData, note: str | None) -> None:
    profile, drug, nights = data.profile, data.drug, (data.last - data.first).days + 1
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*INK)
    draw_text(pdf, MARGIN, pdf.get_y() + 6.5, _("{drug} treatment report").format(drug=drug.name))
    pdf.set_y(pdf.get_y() + 9)
    why = (": " + data.period.words() if data.period is not None else _(", selected range") if data.clipped
           else "")
    fields(pdf, [
        (_("Patient"), profile.name),
        (_("Born"), _("{born} (age {age})").format(born=medium_date(profile.born),
                                                   age=profile.age_on(data.generated_at.date()))),
        (_("Period"), ngettext("nights {first} to {last} ({count} night){why}",
                               "nights {first} to {last} ({count} nights){why}", nights).format(
            first=medium_date(data.first), last=medium_date(data.last), count=nights, why=why)),
        (_("Drug"), f"{drug.name} (ATC {drug.atc}), {drug.timing}"),
        (_("Prescriber"), data.prescriber or _("none recorded")),
        (_("Generated"), f"{when(data.generated_at)} {data.generated_at.tzname()} ({profile.zone})"),
    ], right=RIGHT)
    if note:
        pdf.ln(1)
        paragraph(pdf, note, size=8, style="B", colour=URGENT)


def _step_title(segment: Segment, first: dt.date) -> str:
    dose = (_("{dose} nightly").format(dose=format_mg(segment.dose_ug)) if segment.dose_ug
            else _("no dose scheduled"))
    regimen, start = segment.regimen, max(segment.start, first)
    source = (_("no prescription") if regimen is None else _("prescription") if regimen.kind == "prescription"
              else _("taper plan v{version}").format(version=regimen.version))
    nights = (_("nights {first} to {last}").format(first=medium_date(start), last=medium_date(segment.end))
              if segment.end else _("nights from {first} on").format(first=medium_date(start)))
    return f"{dose} · {nights} · {source}"


def _symptom_groups(data: ExportData) -> dict[str, list[Symptom]]:
    """The symptoms under the schedule segment (taper step) in force on their night, in time order."""
    groups: dict[str, list[Symptom]] = {_step_title(s, data.first): [] for s in data.schedule
                                        if s.start <= data.last and (s.end is None or s.end >= data.first)}
    for symptom in sorted(data.symptoms, key=lambda s: (s.at, s.id)):
        step = next((s for s in data.schedule
                     if s.start <= symptom.night and (s.end is None or symptom.night <= s.end)), None)
        groups.setdefault(_step_title(step, data.first) if step else _("outside the schedule"), []).append(symptom)
    return groups


def _symptoms(pdf: Canvas, data: ExportData) -> None:
    heading(pdf, _("Symptom journal by taper step"))
    if not data.symptoms:
        say(pdf, _("No symptoms were logged in this period."))
        return
    widths, head = (26, 40, 16, 16, 20, 62), (_("When"), _("Symptom"), _("Severity"), _("Urgent"), _("By"),
                                              _("Note"))
    row(pdf, widths, head, bold=True)
    for title, entries in _symptom_groups(data).items():
        def header(title: str = title) -> None:
            row(pdf, widths, head, bold=True)
            row(pdf, (WIDTH,), (_("Step: {title} (continued)").format(title=title),), bold=True, fill=BAND, size=8)
        count = (ngettext("Step: {title} — {count} entry", "Step: {title} — {count} entries", len(entries))
                 if entries else _("Step: {title} — no entries")).format(title=title, count=len(entries))
        row(pdf, (WIDTH,), (count,), bold=True, fill=BAND, size=8,
            header=lambda: row(pdf, widths, head, bold=True))
        for s in entries:
            cells = (when(s.at), s.name, f"{s.severity}/5" if s.severity else "–", _("URGENT") if s.urgent else _("no"),
                     entered_by(s.recorded_by), s.note or "")
            row(pdf, widths, cells, colour=URGENT if s.urgent else INK, wrap=(1, 4, 5), header=header)


def _render(data: ExportData, stack: contextlib.ExitStack, note: str | None, continued_on: int | None = None,
            *, up_to_exceptions: bool = False) -> _Report:
    """The report; `continued_on`: the page the exceptions page one has no room for go on (known
    from an earlier rendering, which can stop once it is known: `up_to_exceptions`)."""
    pdf = _Report(data, stack)
    pdf.set_creation_date(data.generated_at)
    pdf.set_title(_("{drug} treatment report: {name}").format(drug=data.drug.name, name=data.profile.name))
    pdf.set_lang(language() if language() in SUPPORTED else "en")  # the catalog's /Lang, for screen readers
    pdf.add_page()
    _title(pdf, data, note)
    rest = summary(pdf, data, continued_on)
    if up_to_exceptions and not rest:
        return pdf
    chart(pdf, data.nights, _("Scheduled and taken dose per night"))
    if len(data.nights) > 120:
        chart(pdf, data.nights[-RECENT:], _("The last {count} nights, night by night").format(count=RECENT))
    plan(pdf, data)
    stock(pdf, data)
    if rest:
        pdf.continued_at = more_exceptions(pdf, rest)
    if up_to_exceptions:
        return pdf
    _symptoms(pdf, data)
    records(pdf, data)
    return pdf


def write_pdf(data: ExportData, stream: IO[bytes]) -> None:
    """Render the report; the same data always gives the same bytes (dated data.generated_at). When a
    character no font has was replaced, render again with a note saying so on page one. Page one names
    the page the exceptions it has no room for go on: a first, partial rendering finds it.

    Not a tagged PDF: fpdf2 2.8 builds a structure tree only for images, links and outline entries,
    through private methods, with no public way to tag headings, paragraphs or tables. Reading order
    comes from the layout instead: page one keeps every label within a font size of its value, so
    text extraction reads it line by line (tests/export/test_pdf_report.py checks with pdftotext)."""
    with contextlib.ExitStack() as stack:
        continued = _render(data, stack, None, up_to_exceptions=True).continued_at  # quick: no records
        pdf = _render(data, stack, None, continued)
        note = pdf.glyphs.note()
        if note:  # the note takes room on page one, so fewer exceptions may fit there
            continued = _render(data, stack, note, up_to_exceptions=True).continued_at
            pdf = _render(data, stack, note, continued)
        stream.write(bytes(pdf.output()))
