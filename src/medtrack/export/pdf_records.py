"""PDF records table (by night, each correction beside what it cancels) and the closing note for the doctor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from medtrack.core.model import entered_by
from medtrack.core.nights import dose_window
from medtrack.core.units import format_mg
from medtrack.export.forms import status_words
from medtrack.export.pdf_fonts import FONT
from medtrack.export.pdf_text import (
    ALREADY_ROW,
    BAND,
    EXCESS_ROW,
    INK,
    MARGIN,
    MUTED,
    PAD,
    URGENT,
    WIDTH,
    Canvas,
    Colour,
    draw_text,
    heading,
    mg,
    paragraph,
    paragraph_lines,
    row,
    row_height,
    when,
    width_of,
)
from medtrack.i18n import N_, _, language, medium_date, short_time

if TYPE_CHECKING:
    from medtrack.core.model import Record
    from medtrack.export.data import ExportData

WIDTHS = (9, 17, 26, 14, 14, 13, 34, 18, 35)
WIDE_STATUS = (9, 17, 26, 13, 13, 20, 32, 17, 33)  # other languages: room for "eingenommen" in one line
HEAD = ("#", N_("Night"), N_("Local time"), N_("Dose"), N_("Sched."), N_("Status"), N_("Flags"), N_("By"),
        N_("Note"))  # shown through _()
WRAP = (5, 6, 7, 8)  # status ("void, not taken"), flags, who entered it and the note wrap
KEEP = 3  # the last rows of the table that go onto the closing note's page with it
HEADING = 10.5  # mm a heading() takes


def record_order(records: Sequence[Record]) -> list[Record]:
    """Every record once: by night, then time, then id; a void right after the record it cancels (a
    void whose record is outside the period goes by its own night)."""
    ids = {r.id for r in records}
    cancels: dict[int, list[Record]] = {}
    for r in records:
        if r.kind == "void" and r.voids in ids:
            cancels.setdefault(r.voids, []).append(r)
    out: list[Record] = []
    placed: set[int] = set()

    def place(record: Record) -> None:
        if id(record) not in placed:
            placed.add(id(record))
            out.append(record)
            for void in sorted(cancels.get(record.id, ()), key=lambda v: (v.at, v.id)):
                place(void)
    by_night = sorted(records, key=lambda r: (r.night, r.at, r.id))
    for r in by_night:
        if not (r.kind == "void" and r.voids in ids):
            place(r)
    for r in by_night:  # voids only reachable through one another (never made by medtrack): still shown
        place(r)
    return out


def _cells(record: Record) -> tuple[str, ...]:
    return (str(record.id), medium_date(record.night), when(record.at), mg(record.dose_ug), mg(record.scheduled_ug),
            status_words(record), "; ".join(record.flags()), entered_by(record.recorded_by), record.note or "")


def _tint(record: Record, excess: set[dt.date]) -> Colour | None:
    if record.counted and record.already_taken:
        return ALREADY_ROW
    if record.counted and record.night in excess:
        return EXCESS_ROW
    return None


def records(pdf: Canvas, data: ExportData) -> None:
    """The full record, then the closing note, which takes the table's last rows with it to a new
    page rather than stand alone on one."""
    note = closing(pdf, data, draw=False)
    ordered = record_order(data.records)
    excess = {n.night for n in data.nights if n.state == "excess"}

    shown = tuple(_(name) for name in HEAD)
    widths = WIDTHS if language() == "en" else WIDE_STATUS

    def header() -> None:
        row(pdf, widths, shown, bold=True, fill=BAND)
    head = row_height(pdf, widths, shown, bold=True)
    tail = ordered[-KEEP:]  # the rows that go with the note: their height, and the note's
    keep = sum(row_height(pdf, widths, _cells(r), wrap=WRAP) for r in tail) + note
    room = pdf.page_break_trigger - pdf.t_margin  # of a fresh page
    title = _("Records: doses, skips and corrections by night")
    heading(pdf, title, need=HEADING + 8 + head + (keep if len(ordered) <= KEEP else 30))
    if not ordered:
        paragraph(pdf, _("No records in this period."))
        closing(pdf, data)
        return
    _key(pdf)
    header()
    for i, r in enumerate(ordered):
        moving = i and i == len(ordered) - len(tail) and head + keep <= room
        if moving and pdf.get_y() + keep > pdf.page_break_trigger:
            pdf.add_page()
            header()
        cells, faded = _cells(r), r.voided or r.kind == "void"
        top = row(pdf, widths, cells, colour=MUTED if faded else INK, fill=_tint(r, excess), header=header,
                  wrap=WRAP)
        if r.voided and r.dose_ug is not None:  # the cancelled dose, struck through
            x = MARGIN + sum(widths[:3]) + PAD
            pdf.set_draw_color(*MUTED)
            pdf.line(x, top + 2.1, x + width_of(pdf, cells[3]), top + 2.1)
    closing(pdf, data)


def _key(pdf: Canvas) -> None:
    """What the tints mean, above the table."""
    pdf.set_font(FONT, "", 7)
    y = pdf.get_y() + 2.6
    x = MARGIN
    for colour, label in ((EXCESS_ROW, _("dose on a night with excess")),
                          (ALREADY_ROW, _("recorded as already taken"))):
        pdf.set_fill_color(*colour)
        pdf.rect(x, y - 2.3, 4, 2.8, style="F")
        pdf.set_text_color(*INK)
        draw_text(pdf, x + 5, y, label)
        x += 9 + width_of(pdf, label)
    pdf.set_text_color(*MUTED)
    said = _("Each correction (void) follows the record it cancels, struck through.")
    if x + width_of(pdf, said) > MARGIN + WIDTH:  # a longer language: on a line of its own
        x, y = MARGIN, y + 3.2
    draw_text(pdf, x, y, said)
    pdf.set_y(y + 1.8)


def closing_text(data: ExportData) -> list[str]:
    """The note for the doctor: what the report is, what medtrack checks, who entered the data."""
    drug, profile, night = data.drug, data.profile, data.tonight
    dosing = drug.dosing
    window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
    limit = format_mg(data.ceiling_ug)
    return [
        _("This report comes from medtrack, a diary of {drug} doses kept by the patient. Every dose, skip, "
          "correction and symptom in it was entered by the patient (or a carer or nurse, named under By where "
          "medtrack knows who), at the time or afterwards; medtrack measured nothing. Nothing is ever deleted: "
          "a correction voids a record, which stays in the table, struck through, with the correction right "
          "after it.").format(drug=drug.name.lower() if language() == "en" else drug.name),
        _("Before it records a dose, medtrack checks: the monograph's nightly ceiling ({adult} for adults, "
          "{elderly} from age {age}; {limit} for this patient now); one dose per night; at least 12 hours "
          "between doses; the dose window (from two hours before bedtime until the wake time less the minimum "
          "sleep: {opens} to {latest} for this patient); and the prescriber's plan (no more than the dose "
          "scheduled for the night). A dose the patient says was already taken is recorded even when it broke "
          "one of these rules: it is flagged, and listed under Exceptions.").format(
            adult=format_mg(dosing.adult_max_ug), elderly=format_mg(dosing.elderly_max_ug),
            age=dosing.elderly_from_age, limit=limit, opens=short_time(window.opens),
            latest=short_time(window.latest)),
        _("Adherence counts the nights of the period that had a scheduled dose, up to last night: taken, "
          "missed (neither a dose nor a skip recorded), skipped (recorded as not taken) or excess (a second "
          "dose, or more than scheduled)."),
    ]


def closing(pdf: Canvas, data: ExportData, draw: bool = True) -> float:
    """Draw the closing note (or, with draw=False, only measure it): its height in mm."""
    blocks = [(text, 8.5, "", INK) for text in closing_text(data)]
    blocks += [(data.drug.guidance["call_doctor"], 9, "B", URGENT), (data.drug.guidance["disclaimer"], 8, "", INK)]
    height = HEADING + sum(len(paragraph_lines(pdf, text, size, style)) * size * 0.45 + 1.5
                           for text, size, style, _colour in blocks)
    if draw:
        heading(pdf, _("About this report"), need=height)
        for text, size, style, colour in blocks:
            paragraph(pdf, text, size, style, colour)
            pdf.ln(1.5)
    return height
