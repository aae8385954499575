"""PDF chart: scheduled vs taken dose per night, every taper step labelled, missed/skipped/excess lanes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from medtrack.core.units import format_mg
from medtrack.export.pdf_fonts import FONT
from medtrack.export.pdf_text import (
    BAND,
    EXCESS,
    INK,
    LANES,
    MARGIN,
    MISSED,
    MUTED,
    RULE,
    SCHEDULED,
    SKIPPED,
    STEP,
    TAKEN,
    WIDTH,
    Canvas,
    day_month,
    draw_text,
    heading,
    month_year,
    paragraph,
    width_of,
)
from medtrack.i18n import N_, _

if TYPE_CHECKING:
    from medtrack.core.calendar import CalendarNight

NIGHTLY_UP_TO = 800  # nights drawn one bar each (0.2 mm or more); a longer period gets weekly or 4-weekly bars
LABEL_ROW = 2.8  # mm between rows of step labels
Scale = Callable[[float], float]  # a night index or a dose to a page coordinate
LANE_WORDS = {"missed": N_("missed"), "skipped": N_("skipped"), "excess": N_("excess")}  # LANES, as shown


@dataclass(frozen=True)
class Bar:
    """One bar: `count` nights from night index `start`; the mean dose over the nights a dose was
    taken (None: no dose taken in any of them, drawn as a gap, never as 0 mg)."""

    start: int
    count: int
    mean_ug: float | None
    excess: bool


def nights_per_bar(count: int) -> int:
    return 1 if count <= NIGHTLY_UP_TO else 7 if count <= 1500 else 28


def bars(nights: Sequence[CalendarNight], size: int) -> list[Bar]:
    """The bars of `size` nights each. A missed or skipped night adds nothing to the mean: it is a
    gap (alone, or when its whole bar has no dose) and a mark in its lane, not 0 mg averaged in."""
    out = []
    for start in range(0, len(nights), size):
        bucket = nights[start:start + size]
        doses = [n.taken_ug for n in bucket if n.taken_ug]
        out.append(Bar(start, len(bucket), sum(doses) / len(doses) if doses else None,
                       any(n.state == "excess" for n in bucket)))
    return out


def step_labels(nights: Sequence[CalendarNight]) -> list[tuple[int, str]]:
    """(night index, label) for the step in force on the first night and for every change after it."""
    def label(ug: int | None) -> str:  # nothing scheduled after a dose: the plan's 0 mg step, or no regimen
        return format_mg(ug) if ug else _("stop")
    return [(i, label(n.scheduled_ug)) for i, n in enumerate(nights)
            if (i == 0 and n.scheduled_ug is not None) or (i and n.step_change)]


def label_rows(spans: Sequence[tuple[float, float]], gap: float = 1.0) -> list[int]:
    """A row for each (left, right) span, left to right: the first row where it clears the span before
    it in that row by `gap`. No label is ever dropped; close steps stack."""
    ends: list[float] = []
    rows = []
    for left, right in spans:
        row = next((k for k, end in enumerate(ends) if left > end + gap), len(ends))
        if row == len(ends):
            ends.append(right)
        ends[row] = right
        rows.append(row)
    return rows


def chart(pdf: Canvas, nights: Sequence[CalendarNight], title: str) -> None:
    """Bars of the dose taken, the scheduled step line, step labels, lanes of missed/skipped/excess."""
    count = len(nights)
    if not count:
        return
    size = nights_per_bar(count)
    heading(pdf, title, need=95)
    left, top, width, height = MARGIN + 12, pdf.get_y() + 4, WIDTH - 14, 55
    series = bars(nights, size)
    peak = max([1000, *(b.mean_ug or 0 for b in series), *(n.scheduled_ug or 0 for n in nights)])
    grid = 250 if peak <= 2000 else 500
    top_ug = (int(peak * 1.12) // grid + 1) * grid

    def x_of(i: float) -> float:  # night index to page x
        return left + width * i / count

    def y_of(ug: float) -> float:  # dose to page y
        return top + height - height * ug / top_ug

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
    for bar in series:
        x, w = x_of(bar.start), x_of(bar.start + bar.count) - x_of(bar.start)
        gap = w * 0.18 if w > 0.8 else 0
        if bar.mean_ug:
            pdf.set_fill_color(*(EXCESS if size == 1 and bar.excess else TAKEN))
            pdf.rect(x + gap / 2, y_of(bar.mean_ug), w - gap, y_of(0) - y_of(bar.mean_ug), style="F")
        bucket = nights[bar.start:bar.start + bar.count]
        for k, (state, colour) in enumerate(LANES):  # darker: more of the bar's nights
            share = sum(1 for n in bucket if n.state == state) / len(bucket)
            if share:
                pdf.set_fill_color(*(round(255 - (255 - c) * min(1.0, 0.3 + 2.8 * share)) for c in colour))
                pdf.rect(x, top + height + 1.5 + k * 2.8, max(w, 0.5), 2.2, style="F")
    schedule_line(pdf, nights, x_of, y_of)
    step_marks(pdf, nights, x_of, top, height)
    axes(pdf, nights[0].night, count, x_of, top + height, width)
    legend(pdf, top + height + 15, size)


def schedule_line(pdf: Canvas, nights: Sequence[CalendarNight], x_of: Scale, y_of: Scale) -> None:
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


def step_marks(pdf: Canvas, nights: Sequence[CalendarNight], x_of: Scale, top: float, height: float) -> None:
    """A dashed line where the scheduled dose changes; every step labelled with its dose, labels that
    would touch stacked in rows."""
    labels = step_labels(nights)
    pdf.set_draw_color(*STEP)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=0.8, gap=0.8)
        for i, _text in labels:
            if i:
                pdf.line(x_of(i), top, x_of(i), top + height)
    pdf.set_font(FONT, "", 6)
    spans = []
    for i, text in labels:  # right of its line; near the end, out into the margin rather than off the page
        x, w = x_of(i) + 0.6, width_of(pdf, text)
        x = min(x, pdf.w - 6 - w)
        spans.append((x, x + w))
    pdf.set_text_color(*STEP)
    pdf.set_fill_color(255, 255, 255)
    for (x, right), (_at, text), row in zip(spans, labels, label_rows(spans), strict=True):
        y = top + 0.1 + row * LABEL_ROW
        pdf.rect(x - 0.2, y, right - x + 0.4, 2.6, style="F")
        draw_text(pdf, x, y + 2.1, text)


def tick(day: dt.date, count: int) -> str | None:
    """The date label at this night, if any: weeks, months, quarters or years by the span."""
    if count <= 70:
        return day_month(day) if day.weekday() == 0 else None
    if day.day != 1:
        return None
    if count <= 1500:
        return month_year(day) if count <= 400 or day.month % 3 == 1 else None
    return str(day.year) if day.month == 1 else None


def axes(pdf: Canvas, first: dt.date, count: int, x_of: Scale, bottom: float, width: float) -> None:
    pdf.set_font(FONT, "", 6)
    pdf.set_draw_color(*MUTED)
    pdf.set_text_color(*MUTED)
    for k, (state, _colour) in enumerate(LANES):
        draw_text(pdf, x_of(0) - 11, bottom + 3.2 + k * 2.8, _(LANE_WORDS[state]))
    last_end = -1.0
    for i in range(count):
        label = tick(first + dt.timedelta(days=i), count)
        if label:
            x, w = x_of(i), width_of(pdf, label)
            pdf.line(x, bottom, x, bottom + 0.8)
            if x - w / 2 > last_end + 1 and x + w / 2 <= x_of(0) + width + 4:
                draw_text(pdf, x - w / 2, bottom + 11.5, label)
                last_end = x + w / 2


def legend(pdf: Canvas, y: float, size: int) -> None:
    taken = _("dose taken") if size == 1 else _("mean dose on the nights taken, one bar per {count} nights").format(
        count=size)
    x = MARGIN
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(*INK)
    for colour, label in ((SCHEDULED, _("scheduled dose")), (TAKEN, taken), (MISSED, _("missed")),
                          (SKIPPED, _("skipped")), (EXCESS, _("excess")), (STEP, _("step change (new dose)"))):
        pdf.set_fill_color(*colour)
        pdf.rect(x, y - (1.1 if colour in (SCHEDULED, STEP) else 2), 3, 0.5 if colour in (SCHEDULED, STEP) else 2.4,
                 style="F")
        draw_text(pdf, x + 4, y, label)
        x += 9 + width_of(pdf, label)
    gaps = (_("A night without a dose is a gap, never 0 mg in an average; the lanes below the bars say why.")
            if size == 1 else _("Nights without a dose are left out of a bar's mean, never counted as 0 mg; a bar "
                                "with no dose at all is a gap. The darker a lane's mark, the more of its {count} "
                                "nights it counts.").format(count=size))
    pdf.set_y(y + 1.2)
    paragraph(pdf, gaps, size=6.5, colour=MUTED)
    pdf.ln(1)
