"""PDF stock section: what is left now, how many nights it lasts, and every addition and count, each count
with what was expected since the last addition; a count off by more than half a tablet (or 0.5 ml) stands
out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medtrack.core.stock import amount_text, unit_words
from medtrack.export.forms import stock_number
from medtrack.export.pdf_plan import keep_together
from medtrack.export.pdf_text import (
    BAND,
    INK,
    MUTED,
    URGENT,
    Canvas,
    Colour,
    fields,
    heading,
    paragraph,
    row,
    when,
)
from medtrack.i18n import N_, _, decimal, ngettext

if TYPE_CHECKING:
    from medtrack.core.model import StockEntry
    from medtrack.export.data import ExportData

FLAGGED_ROW = (250, 222, 220)  # a count off by more than half a tablet, tinted
WIDTHS = (27, 13, 23, 16, 17, 39, 45)
HEAD = (N_("When"), N_("Kind"), N_("What"), N_("Amount"), N_("Expected"), N_("Difference"), N_("Note"))  # via _()


def difference(entry: StockEntry) -> str:
    """'2 tablets fewer', '0.5 ml more', 'as expected' (a count); '' for an addition."""
    if entry.kind != "count" or entry.expected is None:
        return ""
    off = stock_number(entry.key, entry.amount - entry.expected)
    if off == 0:
        return _("as expected")
    number = decimal(f"{abs(off):g}")
    if entry.key[0] == "liquid":
        return (_("{number} ml less") if off < 0 else _("{number} ml more")).format(number=number)
    if abs(off) == 1:
        return (_("{number} tablet fewer") if off < 0 else _("{number} tablet more")).format(number=number)
    return (_("{number} tablets fewer") if off < 0 else _("{number} tablets more")).format(number=number)


def _cells(entry: StockEntry) -> tuple[str, ...]:
    counted = entry.kind == "count"
    number = decimal(f"{stock_number(entry.key, entry.amount):g}")
    expected = (decimal(f"{stock_number(entry.key, entry.expected):g}") if counted and entry.expected is not None
                else "")
    off = difference(entry) + (_(": FLAGGED") if entry.flagged else "")
    return (when(entry.at), _("count") if counted else _("added"), unit_words(entry.key), number, expected, off,
            entry.note or "")


def untracked(data: ExportData) -> list[str]:
    """What the dispensing table needs that the stock has never recorded: '0.5 mg tablets'."""
    found = data.dispensing
    if found is None or data.stock is None:
        return []
    tracked = {level.key for level in data.stock.levels}
    needs = [n for _step, n in found.per_step if n is not None] + [found.upcoming]
    keys = {("tablet", s) for n in needs for s in n.tablets}
    if found.plan.form.liquid is not None and any(n.liquid_ul for n in needs):
        keys.add(("liquid", found.plan.form.liquid.ug_per_ml))
    return [unit_words(k) for k in sorted(keys - tracked, key=lambda k: (k[0], -k[1]))]


def stock(pdf: Canvas, data: ExportData) -> None:
    """Only when a stock was ever recorded."""
    report = data.stock
    if report is None:
        return
    heading(pdf, _("Stock"), need=40)
    items: list[tuple[str, str] | tuple[str, str, Colour]] = [
        (_("Left now"), amount_text(level.key, max(level.amount, 0))) for level in report.levels]
    if report.nights is None:
        items.append((_("Lasts"), _("nothing scheduled from tonight uses this stock")))
    elif report.to_end:
        items.append((_("Lasts"), ngettext("to the end of the plan ({count} more night)",
                                           "to the end of the plan ({count} more nights)", report.nights).format(
            count=report.nights)))
    else:
        items.append((_("Lasts"), ngettext("{count} more night at the scheduled doses",
                                           "{count} more nights at the scheduled doses", report.nights).format(
            count=report.nights)))
    flagged = [e for e in report.entries if e.kind == "count" and e.flagged]
    if flagged:
        items.append((_("Flagged"), ngettext(
            "{count} count off by more than half a tablet (0.5 ml of a liquid) from what was expected",
            "{count} counts off by more than half a tablet (0.5 ml of a liquid) from what was expected",
            len(flagged)).format(count=len(flagged)), URGENT))
    missing = untracked(data)
    if missing:
        items.append((_("Not in stock"), _("{units}: the plan uses them (see To dispense), but no addition or "
                                           "count of them is recorded, so the nights above leave them "
                                           "out").format(units=", ".join(missing))))
    fields(pdf, items, right=24)
    pdf.ln(1)
    paragraph(pdf, _("Each logged dose takes what it uses from the stock (half a tablet for a half, its ml of a "
                     "liquid); a count sets what is left. Expected: what was there just after the last addition "
                     "(what was left then, plus the addition), less the doses logged since, so small shortfalls "
                     "at successive counts add up."), size=7, colour=MUTED)
    pdf.ln(1)
    if not report.entries:
        paragraph(pdf, _("No addition or count in this period."))
        return
    head = tuple(_(name) for name in HEAD)

    def header() -> None:
        row(pdf, WIDTHS, head, bold=True, fill=BAND)
    keep_together(pdf, WIDTHS, head, [_cells(report.entries[0])], wrap=(5, 6))
    header()
    for entry in report.entries:
        row(pdf, WIDTHS, _cells(entry), colour=URGENT if entry.flagged else INK,
            fill=FLAGGED_ROW if entry.flagged else None, header=header, wrap=(5, 6))
