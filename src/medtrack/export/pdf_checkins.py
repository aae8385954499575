"""PDF page one: the withdrawal check-ins, their totals over time, and each step's baseline and after.

The chart tells its marks apart by shape and line style, not colour, so a greyscale print reads
the same: dots joined by a line, a black square where an item was rated severe, a hollow ring
for a voided check-in, a dashed line at each step night labelled with its new dose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from medtrack.export.checkins import day, dose_words, item_ids, scale, severe_items, trend_line
from medtrack.export.pdf_chart import LABEL_ROW, label_rows, tick
from medtrack.export.pdf_fonts import FONT, isolate
from medtrack.export.pdf_text import (
    INK,
    MARGIN,
    MUTED,
    RULE,
    STEP,
    URGENT,
    WIDTH,
    Canvas,
    day_month,
    draw_text,
    heading,
    paragraph,
    width_of,
)
from medtrack.i18n import _, ngettext

if TYPE_CHECKING:
    from medtrack.core.checkin import CheckIn
    from medtrack.export.data import ExportData

HEIGHT = 24.0  # mm: the plot; with its dates and legend the chart takes about 34 mm of page one
EVERY_NIGHT_UP_TO = 14  # nights: a span this short has each night's date under it (else as the dose chart)
MIN_NIGHTS = 7  # a shorter span is drawn over a week, so a few check-ins do not fill the width
Scale = Callable[[float], float]  # a night index or a total to a page coordinate
Place = Callable[[dt.date], float]  # a night to the page x of its middle


def checkin_section(pdf: Canvas, data: ExportData) -> None:
    """Nothing without a check-in in the period; otherwise what the check-ins measure, the chart,
    a line per step (higher ones in red and bold) and the voided check-ins."""
    if not data.checkins:
        return
    heading(pdf, _("Withdrawal check-ins"), need=62)
    paragraph(pdf, _about(data), size=7, colour=MUTED)
    pdf.ln(0.8)
    _chart(pdf, data)
    for trend in data.trends:
        alarming = trend.rises or trend.severe
        paragraph(pdf, trend_line(data, trend), size=8.5, style="B" if alarming else "",
                  colour=URGENT if alarming else INK)
    voided = [c for c in data.checkins if c.voided]
    if voided:
        paragraph(pdf, _("Voided, not counted: {checkins}").format(checkins="; ".join(
            _("#{number} of {night} (total {total})").format(number=c.id, night=day(c.night), total=c.total)
            + (f": {isolate(c.void_reason)}" if c.void_reason else "") for c in voided)), size=8, colour=MUTED)


def _about(data: ExportData) -> str:
    standing = sum(1 for c in data.checkins if not c.voided)
    items = len(item_ids(data))
    words = scale(data)
    top = len(words) - 1
    text = ngettext("{count} check-in, each rating {items} withdrawal symptoms from 0 ({lowest}) to {top} "
                    "({highest}); the total is their sum (0 to {most}).",
                    "{count} check-ins, each rating {items} withdrawal symptoms from 0 ({lowest}) to {top} "
                    "({highest}); the total is their sum (0 to {most}).", standing).format(
        count=standing, items=items, lowest=words[0], top=top, highest=words[top], most=items * top)
    text += " " + _("A step's baseline: its check-ins from the step before it up to the step night; after: from "
                    "the step night to the next step.")
    rule = data.checkin_rule
    if rule is not None:
        text += " " + _("Higher: the mean after is at least {points} points above the baseline's, with at least "
                        "{count} check-ins on each side (medtrack's default, not a clinical cut-off).").format(
            points=rule.rise_points, count=rule.min_checkins)
    return text


def _span(data: ExportData) -> tuple[dt.date, int]:
    """The first night drawn and how many: from the night before the first check-in of the period
    (never before the period) to the period's end, a week at least."""
    first = max(data.first, min(c.night for c in data.checkins) - dt.timedelta(days=1))
    first = min(first, max(data.first, data.last - dt.timedelta(days=MIN_NIGHTS - 1)))
    return first, (data.last - first).days + 1


def _grid(peak: int) -> tuple[int, int]:
    """(the step between grid lines, the top of the scale) for totals up to `peak`."""
    peak = max(peak, 4)
    grid = 1 if peak <= 5 else 2 if peak <= 10 else 5 if peak <= 25 else 10
    return grid, (peak // grid + 1) * grid


def _chart(pdf: Canvas, data: ExportData) -> None:
    first, count = _span(data)
    left, top, width = MARGIN + 12, pdf.get_y() + 3.5, WIDTH - 14
    grid, top_total = _grid(max(c.total for c in data.checkins))

    def x_of(index: float) -> float:  # a night index (from `first`) to page x; a night's middle is +0.5
        return left + width * index / count

    def y_of(total: float) -> float:
        return top + HEIGHT - HEIGHT * total / top_total

    def at(night: dt.date) -> float:
        return x_of((night - first).days + 0.5)

    pdf.set_font(FONT, "", 6)
    pdf.set_text_color(*MUTED)
    pdf.set_line_width(0.1)
    pdf.set_draw_color(*RULE)
    for total in range(0, top_total + 1, grid):
        pdf.line(left, y_of(total), left + width, y_of(total))
        draw_text(pdf, left - 1.5 - width_of(pdf, str(total)), y_of(total) + 0.8, str(total))
    draw_text(pdf, left - 11, top - 1.5, _("total"))
    _step_marks(pdf, data, first, x_of, top)
    shown = [c for c in data.checkins if first <= c.night <= data.last]
    _points(pdf, data, shown, at, y_of)
    _dates(pdf, first, count, x_of, top + HEIGHT, width)
    _legend(pdf, top + HEIGHT + 7)


def _step_marks(pdf: Canvas, data: ExportData, first: dt.date, x_of: Scale, top: float) -> None:
    """A dashed line at the start of each step night drawn, labelled with its new dose; the dose in
    force on the first night drawn labelled at the left edge."""
    marks = [(t.step_night, t.dose_ug) for t in data.trends if first < t.step_night <= data.last]
    pdf.set_draw_color(*STEP)
    pdf.set_line_width(0.3)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=0.8, gap=0.6)
        for night, _dose in marks:
            x = x_of((night - first).days)
            pdf.line(x, top, x, top + HEIGHT)
    in_force = [(first, t.dose_ug) for t in data.trends if t.step_night <= first][-1:]
    labels = [(night, dose_words(dose)) for night, dose in [*in_force, *marks]]
    pdf.set_font(FONT, "", 6)
    spans = []
    for night, text in labels:
        x, w = x_of((night - first).days) + 0.6, width_of(pdf, text)
        x = min(x, pdf.w - 6 - w)
        spans.append((x, x + w))
    pdf.set_text_color(*STEP)
    pdf.set_fill_color(255, 255, 255)
    for (x, right), (_night, text), row in zip(spans, labels, label_rows(spans), strict=True):
        y = top + 0.1 + row * LABEL_ROW
        pdf.rect(x - 0.2, y, right - x + 0.4, 2.6, style="F")
        draw_text(pdf, x, y + 2.1, text)


def _points(pdf: Canvas, data: ExportData, shown: Sequence[CheckIn], at: Place, y_of: Scale) -> None:
    """The counted check-ins joined by a line, each a dot (a black square when an item was rated
    severe); a voided one a hollow grey ring, never joined."""
    counted = sorted((c for c in shown if not c.voided), key=lambda c: (c.night, c.at, c.id))
    points = [(at(c.night), y_of(c.total)) for c in counted]
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.35)
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        pdf.line(x1, y1, x2, y2)
    pdf.set_fill_color(*INK)
    for checkin, (x, y) in zip(counted, points, strict=True):
        if severe_items(data, checkin):
            pdf.rect(x - 1.1, y - 1.1, 2.2, 2.2, style="F")
        else:
            pdf.circle(x, y, 0.75, style="F")
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    for checkin in (c for c in shown if c.voided):
        pdf.circle(at(checkin.night), y_of(checkin.total), 0.9, style="D")


def _dates(pdf: Canvas, first: dt.date, count: int, x_of: Scale, bottom: float, width: float) -> None:
    pdf.set_font(FONT, "", 6)
    pdf.set_draw_color(*MUTED)
    pdf.set_text_color(*MUTED)
    last_end = -1.0
    for i in range(count):
        night = first + dt.timedelta(days=i)
        label = day_month(night) if count <= EVERY_NIGHT_UP_TO else tick(night, count)
        if label:
            x, w = x_of(i + 0.5), width_of(pdf, label)
            pdf.line(x, bottom, x, bottom + 0.8)
            if x - w / 2 > last_end + 1 and x + w / 2 <= x_of(0) + width + 4:
                draw_text(pdf, x - w / 2, bottom + 3.4, label)
                last_end = x + w / 2


def _legend(pdf: Canvas, y: float) -> None:
    x = MARGIN
    pdf.set_font(FONT, "", 6.5)
    pdf.set_text_color(*INK)
    for shape, label in (("dot", _("total of a check-in")), ("square", _("an item rated severe")),
                         ("ring", _("voided, not counted")), ("dash", _("step night (new dose)"))):
        if shape == "dot":
            pdf.set_fill_color(*INK)
            pdf.circle(x + 1.5, y - 0.9, 0.75, style="F")
        elif shape == "square":
            pdf.set_fill_color(*INK)
            pdf.rect(x + 0.4, y - 2, 2.2, 2.2, style="F")
        elif shape == "ring":
            pdf.set_draw_color(*MUTED)
            pdf.set_line_width(0.3)
            pdf.circle(x + 1.5, y - 0.9, 0.9, style="D")
        else:
            pdf.set_draw_color(*STEP)
            pdf.set_line_width(0.3)
            with pdf.local_context():
                pdf.set_dash_pattern(dash=0.8, gap=0.6)
                pdf.line(x + 1.5, y - 2.4, x + 1.5, y + 0.4)
        draw_text(pdf, x + 4, y, label)
        x += 9 + width_of(pdf, label)
    pdf.set_y(y + 2)
