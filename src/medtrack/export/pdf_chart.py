"""PDF chart: scheduled vs taken dose per night, taper steps, missed/skipped/excess lanes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from fpdf import FPDF

from medtrack.core.units import format_mg
from medtrack.export.pdf_text import (
    BAND,
    EXCESS,
    FONT,
    INK,
    LANES,
    MARGIN,
    MISSED,
    MONTHS,
    MUTED,
    RULE,
    SCHEDULED,
    SKIPPED,
    STEP,
    TAKEN,
    WIDTH,
    draw_text,
    heading,
    width_of,
)

if TYPE_CHECKING:
    from medtrack.services.calendar import CalendarNight

def chart(pdf: FPDF, nights: Sequence[CalendarNight], title: str) -> None:
    """Bars of the dose taken, the scheduled step line, step changes, lanes of missed/skipped/excess."""
    count = len(nights)
    if not count:
        return
    size = 1 if count <= 120 else 7 if count <= 1050 else 28  # nights per bar
    heading(pdf, title, need=95)
    left, top, width, height = MARGIN + 12, pdf.get_y() + 4, WIDTH - 14, 55
    buckets = [nights[i:i + size] for i in range(0, count, size)]
    bars = [sum(n.taken_ug or 0 for n in b) / max(1, sum(n.state != "future" for n in b)) for b in buckets]
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
        draw_text(pdf, left - 1.5 - width_of(pdf, label), y_of(ug) + 0.8, label)
    draw_text(pdf, left - 11, top - 1.5, "mg")
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
    schedule_line(pdf, nights, x_of, y_of)
    step_marks(pdf, nights, x_of, top, height)
    axes(pdf, nights[0].night, count, x_of, top + height, width)
    legend(pdf, top + height + 15, size)


def schedule_line(pdf: FPDF, nights: Sequence[CalendarNight], x_of: Callable, y_of: Callable) -> None:
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


def step_marks(pdf: FPDF, nights: Sequence[CalendarNight], x_of: Callable, top: float, height: float) -> None:
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
        x, w = x_of(i) + 0.6, width_of(pdf, label)
        if x > last_end + 1 and x + w <= x_of(len(nights)):
            pdf.rect(x - 0.2, top + 0.1, w + 0.4, 2.6, style="F")
            draw_text(pdf, x, top + 2.2, label)
            last_end = x + w


def tick(day: dt.date, count: int) -> str | None:
    """The date label at this night, if any: weeks, months, quarters or years by the span."""
    month = f"{MONTHS[day.month - 1]} {day.year}"
    if count <= 70:
        return f"{day.day} {MONTHS[day.month - 1]}" if day.weekday() == 0 else None
    if day.day != 1:
        return None
    if count <= 1500:
        return month if count <= 400 or day.month % 3 == 1 else None
    return str(day.year) if day.month == 1 else None


def axes(pdf: FPDF, first: dt.date, count: int, x_of: Callable, bottom: float, width: float) -> None:
    pdf.set_draw_color(*MUTED)
    pdf.set_text_color(*MUTED)
    for k, (state, _) in enumerate(LANES):
        draw_text(pdf, x_of(0) - 11, bottom + 3.2 + k * 2.8, state)
    last_end = -1.0
    for i in range(count):
        label = tick(first + dt.timedelta(days=i), count)
        if label:
            x, w = x_of(i), width_of(pdf, label)
            pdf.line(x, bottom, x, bottom + 0.8)
            if x - w / 2 > last_end + 1 and x + w / 2 <= x_of(0) + width + 4:
                draw_text(pdf, x - w / 2, bottom + 11.5, label)
                last_end = x + w / 2


def legend(pdf: FPDF, y: float, size: int) -> None:
    taken = "dose taken" if size == 1 else f"mean dose taken per night, one bar per {size} nights"
    x = MARGIN
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(*INK)
    for colour, label in ((SCHEDULED, "scheduled dose"), (TAKEN, taken), (MISSED, "missed"), (SKIPPED, "skipped"),
                          (EXCESS, "excess"), (STEP, "step change (new dose)")):
        pdf.set_fill_color(*colour)
        pdf.rect(x, y - (1.1 if colour in (SCHEDULED, STEP) else 2), 3, 0.5 if colour in (SCHEDULED, STEP) else 2.4,
                 style="F")
        draw_text(pdf, x + 4, y, label)
        x += 9 + width_of(pdf, label)
    if size > 1:
        pdf.set_text_color(*MUTED)
        draw_text(pdf, MARGIN, y + 3.5, f"The darker a lane's mark, the more of its {size} nights it counts.")
    pdf.set_y(y + (6 if size > 1 else 3))


