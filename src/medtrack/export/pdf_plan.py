"""PDF plan section: the prescriptions or the plan's steps (each dose as taken), every version with its
formulation and reason, the warnings the prescriber saw under it (one to a line), and what to dispense."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from medtrack.core.model import step_end
from medtrack.core.taper import change_words
from medtrack.core.units import format_mg
from medtrack.export.forms import as_taken, product
from medtrack.export.pdf_text import (
    BAND,
    INK,
    MUTED,
    WIDTH,
    Canvas,
    fields,
    heading,
    paragraph,
    row,
    row_height,
    say,
    table,
    when,
)
from medtrack.i18n import N_, _, medium_date

if TYPE_CHECKING:
    from medtrack.core.model import Regimen
    from medtrack.export.data import ExportData

DAY = dt.timedelta(days=1)
SAW = N_("Warnings the prescriber saw:")


def keep_together(pdf: Canvas, widths: Sequence[float], head: Sequence[str], rows: Sequence[Sequence[str]],
                  wrap: Sequence[int] = ()) -> None:
    """A new page unless a table's header and its first row fit on this one (never a header alone)."""
    need = row_height(pdf, widths, head, bold=True)
    if rows:
        need += min(row_height(pdf, widths, rows[0], wrap=wrap), pdf.page_break_trigger - pdf.t_margin - 12)
    if pdf.get_y() + need > pdf.page_break_trigger:
        pdf.add_page()


def plan(pdf: Canvas, data: ExportData) -> None:
    """The plan in force (or the prescriptions without one), its versions, then what to dispense."""
    if data.plan is None:
        _prescriptions(pdf, data)
    else:
        _steps(pdf, data, data.plan)
        pdf.ln(2)
        _versions(pdf, data)
    dispensing(pdf, data)


def _dose(regimen: Regimen, dose_ug: int) -> str:
    taken = as_taken(regimen, dose_ug)
    return format_mg(dose_ug) + (f": {taken}" if taken else "")


def _prescriptions(pdf: Canvas, data: ExportData) -> None:
    zone = data.profile.tz
    heading(pdf, _("Prescriptions (no taper plan)"))
    rows = [(medium_date(r.start), _dose(r, r.steps[0].dose_ug), r.prescriber, when(r.created_at.astimezone(zone)),
             r.acknowledged or "") for r in data.regimens if r.kind == "prescription"]
    head = (_("From night"), _("Nightly dose"), _("Prescriber"), _("Recorded"), _("Contraindication acknowledged"))
    if rows:
        table(pdf, (28, 28, 45, 32, 47), head, rows, wrap=(1, 2, 4))
    else:
        say(pdf, _("No prescription recorded."))


def _steps(pdf: Canvas, data: ExportData, current: Regimen) -> None:
    """The newest plan version's steps as written; the step in force tonight (from the plan
    timeline, as page one says it) is marked, and a prescription that replaced the plan is named
    with its night."""
    made_with = product(current)
    takeover = data.timeline.taken_over(current)
    period = data.timeline.period_of(current)
    tonight = period.step_on(data.tonight) if period is not None else None  # runs lie within the period
    # the steps stay on one page with their heading (a plan has a handful of steps)
    lines = 2 if made_with else 1
    replaced = takeover is not None and takeover.night <= data.tonight
    title = (_("Replaced plan: taper plan version {version}") if replaced
             else _("Current plan: taper plan version {version}"))
    heading(pdf, title.format(version=current.version),
            need=12 + 4.6 * (lines * len(current.steps) + (3 if takeover else 1)))
    if takeover is not None:
        paragraph(pdf, takeover.words())
        pdf.ln(1)
    if made_with is not None:
        fields(pdf, [(_("Made from"), made_with.describe())], right=20, size=8.5)
        pdf.ln(1)
    rows = []
    for i, step in enumerate(current.steps):
        end = step_end(current.steps, i)
        now = tonight is not None and tonight.number == i + 1
        dose = format_mg(step.dose_ug) if step.dose_ug else _("0 mg (stopped)")
        cells = [str(i + 1), medium_date(step.start), medium_date(end) if end else _("onwards"), dose,
                 _("◀ tonight") if now else ""]
        if made_with is not None:
            cells.insert(4, made_with.as_taken(step.dose_ug) if step.dose_ug else _("none"))
        rows.append(tuple(cells))
    if made_with is None:
        table(pdf, (14, 30, 30, 34, 72), (_("Step"), _("From night"), _("To night"), _("Nightly dose"), ""), rows)
    else:
        table(pdf, (12, 24, 24, 26, 72, 22),
              (_("Step"), _("From night"), _("To night"), _("Nightly dose"), _("Taken as"), ""), rows, wrap=(4,))


def _versions(pdf: Canvas, data: ExportData) -> None:
    """One row per version, within the margins; under a version, the warnings its prescriber saw when
    saving it (as `taper history` shows them), each on lines of its own across the table."""
    zone, versions = data.profile.tz, data.plan_versions
    if any(product(v) for v in versions):
        widths: tuple[float, ...] = (15, 25, 28, 47, 25, 40)
        head: tuple[str, ...] = (_("Version"), _("When"), _("By"), _("Formulation"), _("Change"), _("Reason"))
    else:
        widths, head = (16, 28, 40, 36, 60), (_("Version"), _("When"), _("By"), _("Change"), _("Reason"))
    wrap = tuple(range(2, len(head)))
    rows = [(str(v.version), when(v.created_at.astimezone(zone)), v.prescriber,
             *([v.form.describe()] if len(head) == 6 else []), change_words(v.change), v.reason or "")
            for v in versions]

    def header() -> None:
        row(pdf, widths, head, bold=True, fill=BAND, wrap=range(len(head)))

    keep_together(pdf, widths, head, rows, wrap=wrap)
    header()
    for version, cells in zip(versions, rows, strict=True):
        warned = bool(version.warnings)
        row(pdf, widths, cells, header=header, wrap=wrap, rule=not warned)
        if warned:
            row(pdf, (WIDTH - 4,), (_(SAW),), header=header, colour=MUTED, size=7, rule=False, indent=4)
        for i, warning in enumerate(version.warnings):
            row(pdf, (4, WIDTH - 8), ("!", warning.text), header=header, wrap=(1,), indent=4,
                rule=i + 1 == len(version.warnings))


def dispensing(pdf: Canvas, data: ExportData) -> None:
    """What to dispense (split tablets rounded up to whole ones), per step and for the next nights,
    with the numbers `taper show` gives; only when the plan or prescription records tablets or a liquid."""
    found = data.dispensing
    if found is None:
        return
    made_with = found.plan.form
    what = (_("For taper plan version {version}, made from {formulation}.") if found.plan.kind == "plan"
            else _("For the prescription from {start}, made from {formulation}.")).format(
        version=found.plan.version, start=medium_date(found.plan.start), formulation=made_with.describe())
    heading(pdf, _("To dispense"), need=30 + 4.6 * len(found.per_step))
    rounded = " " + _("Split tablets are rounded up to whole ones.") if made_with.tablets else ""
    paragraph(pdf, what + rounded, size=7.5, colour=MUTED)
    pdf.ln(1)
    rows = []
    for step, needed in found.per_step:
        rows.append((str(step.number), medium_date(step.start), medium_date(step.end) if step.end else _("onwards"),
                     str(step.days) if step.days else "", format_mg(step.dose_ug) if step.dose_ug else "0 mg",
                     needed.text(made_with) if needed is not None
                     else (_("nothing (stopped)") if not step.dose_ug else _("open-ended"))))
    widths, head = (12, 24, 24, 14, 22, 84), (_("Step"), _("From night"), _("To night"), _("Nights"),
                                              _("Nightly dose"), _("To dispense"))
    keep_together(pdf, widths, head, rows, wrap=(5,))
    table(pdf, widths, head, rows, wrap=(5,))
    pdf.ln(1.5)
    last = found.first + (found.days - 1) * DAY
    pdf.set_text_color(*INK)
    fields(pdf, [(_("Next {count} nights").format(count=found.days),
                  _("{amount} (the nights of {first} to {last})").format(
                      amount=found.upcoming.text(made_with), first=medium_date(found.first), last=medium_date(last)))],
           right=30, size=9)
