"""PDF page one: the treatment tonight, symptoms, adherence in numbers and per cent (the last 30 nights
beside the whole period), and the exceptions that fit, urgent symptoms and the newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medtrack.core.nights import night_of
from medtrack.core.rule_words import against_rule
from medtrack.core.units import format_mg
from medtrack.core.visit import LAST_MONTH
from medtrack.export.forms import as_taken, stock_amount
from medtrack.export.pdf_checkins import checkin_section
from medtrack.export.pdf_fonts import FONT, isolate
from medtrack.export.pdf_text import (
    BAND,
    INK,
    MUTED,
    URGENT,
    WIDTH,
    Canvas,
    Colour,
    fields,
    heading,
    mg,
    paragraph,
    row,
    when,
    width_of,
    wrap_lines,
)

if TYPE_CHECKING:
    from medtrack.core.calendar import CalendarNight
    from medtrack.core.model import Record
    from medtrack.export.data import ExportData

ORDER = ("contraindicated", "missed", "excess", "already taken", "correction", "urgent symptom", "stock count")


@dataclass(frozen=True)
class Finding:
    """One exception the doctor should see: from `night` (to `last` for a run of nights)."""

    night: dt.date
    last: dt.date
    kind: str  # one of ORDER
    what: str
    detail: str

    @property
    def nights(self) -> str:
        return str(self.night) if self.last == self.night else f"{self.night} to {self.last}"


def runs(nights: Sequence[CalendarNight], state: str) -> list[list[CalendarNight]]:
    """Consecutive nights in `state`, each run in night order (a night in any other state ends one)."""
    out: list[list[CalendarNight]] = []
    for night in nights:
        if night.state != state:
            continue
        if out and out[-1][-1].night + dt.timedelta(days=1) == night.night:
            out[-1].append(night)
        else:
            out.append([night])
    return out


def _nights(count: int) -> str:
    return f"{count} night{'' if count == 1 else 's'}"


def _runs(data: ExportData) -> list[Finding]:
    out = []
    for state, what in (("missed", "Missed"), ("contraindicated", "Contraindicated: no dose allowed")):
        for run in runs(data.nights, state):
            scheduled = list(dict.fromkeys(n.scheduled_ug for n in run if n.scheduled_ug))  # in night order
            detail = " / ".join(format_mg(ug) for ug in scheduled) + " scheduled" if scheduled else ""
            label = what if len(run) == 1 else f"{what}, {_nights(len(run))} in a row"
            out.append(Finding(run[0].night, run[-1].night, state, label, detail))
    return out


def _excess(data: ExportData) -> list[Finding]:
    doses: dict[dt.date, list[Record]] = {}
    for record in data.records:
        if record.counted:
            doses.setdefault(record.night, []).append(record)
    out = []
    for night in (n for n in data.nights if n.state == "excess"):
        taken = doses.get(night.night, [])
        count = f"{len(taken)} doses" if len(taken) > 1 else "1 dose"
        ids = ", ".join(f"#{r.id}" for r in taken)
        out.append(Finding(night.night, night.night, "excess", "Excess", f"{mg(night.taken_ug)} taken in {count} "
                           f"({ids}), {mg(night.scheduled_ug) or 'none'} scheduled"))
    return out


def _records(data: ExportData) -> list[Finding]:
    by_id, out = {r.id: r for r in data.records}, []
    for record in data.records:
        if record.counted and record.already_taken:
            broke = f", {against_rule(record.rule)}" if record.rule else ""
            out.append(Finding(record.night, record.night, "already taken", "Recorded as already taken",
                               f"#{record.id}: {mg(record.dose_ug)} at {record.at:%H:%M}{broke}"))
        if record.kind == "void":  # shown on the night of the record it cancels, when that is known
            target = by_id.get(record.voids) if record.voids is not None else None
            cancelled = f" ({mg(target.dose_ug) or target.kind} at {when(target.at)})" if target else ""
            words = ", dose not taken" if record.not_taken else ""
            reason = f": {isolate(record.note)}" if record.note else ""
            night = target.night if target else record.night
            out.append(Finding(night, night, "correction", "Correction (void)",
                               f"#{record.id} cancels #{record.voids}{cancelled}{words}{reason}"))
    return out


def _urgent(data: ExportData) -> list[Finding]:
    out = []
    for symptom in (s for s in data.symptoms if s.urgent):
        severity = f" {symptom.severity}/5" if symptom.severity else ""
        note = f": {isolate(symptom.note)}" if symptom.note else ""
        out.append(Finding(symptom.night, symptom.night, "urgent symptom", "Urgent symptom",
                           f"{isolate(symptom.name)}{severity}, logged {when(symptom.at)}{note}"))
    return out


def _stock_counts(data: ExportData) -> list[Finding]:
    """Stock counts off by more than half a tablet (0.5 ml) from what was expected: a controlled drug."""
    out = []
    for entry in data.stock_entries:
        if entry.kind != "count" or not entry.flagged:
            continue
        night = night_of(entry.at, data.profile.tz)
        expected = stock_amount(entry.key, entry.expected or 0)
        note = f": {isolate(entry.note)}" if entry.note else ""
        out.append(Finding(night, night, "stock count", "Stock count off",
                           f"{stock_amount(entry.key, entry.amount)} counted at {when(entry.at)}, "
                           f"{expected} expected{note}"))
    return out


def findings(data: ExportData) -> list[Finding]:
    """Every exception of the period by night: missed runs, excess nights, doses recorded as already
    taken, corrections (voids), urgent symptoms, nights a contraindication forbade a dose, and stock
    counts that differ from what was expected."""
    found = [*_runs(data), *_excess(data), *_records(data), *_urgent(data), *_stock_counts(data)]
    return sorted(found, key=lambda f: (f.night, ORDER.index(f.kind)))


def for_the_visit(found: Sequence[Finding]) -> list[Finding]:
    """The order page one reads them in: urgent symptoms first, then the newest (by the last night
    of a run), within a night in ORDER."""
    def newest(f: Finding) -> tuple[bool, int, int]:
        return f.kind != "urgent symptom", -f.last.toordinal(), ORDER.index(f.kind)
    return sorted(found, key=newest)


def share(count: int, total: int) -> str:
    return f"{100 * count / total:.1f}%" if total else "–"


@dataclass(frozen=True)
class Figure:
    """One line of the adherence table: what, then for each column (count, out of how many)."""

    what: str
    counts: tuple[tuple[int, int], ...]
    of: str  # "nights due", or what the second number counts

    def cell(self, column: int) -> str:
        count, total = self.counts[column]
        return f"{count} ({share(count, total)})" if self.of == "nights due" else \
            f"{count} of {total} ({share(count, total)})"


def adherence_rows(data: ExportData, since: dt.date | None = None) -> list[tuple[str, int, int, str]]:
    """(what, count, out of how many, of what) for the period (or its nights from `since`): nights
    by outcome, then flagged records."""
    counts = data.adherence(since)
    closed = [n for n in data.closed_nights if since is None or n.night >= since]
    records = [r for r in data.records if since is None or r.night >= since]
    as_scheduled = sum(1 for n in closed if n.state == "taken" and n.taken_ug == n.scheduled_ug)
    due = counts["taken"] + counts["missed"] + counts["skipped"] + counts["excess"]
    doses = sum(1 for r in records if r.counted)
    entries = sum(1 for r in records if r.kind in ("dose", "skip"))
    return [("taken as scheduled", as_scheduled, due, "nights due"),
            ("taken, less than scheduled", counts["taken"] - as_scheduled, due, "nights due"),
            ("missed: neither a dose nor a skip recorded", counts["missed"], due, "nights due"),
            ("skipped: recorded as not taken", counts["skipped"], due, "nights due"),
            ("excess: a second dose, or more than scheduled", counts["excess"], due, "nights due"),
            ("doses recorded as already taken despite a rule", counts["already_taken"], doses, "doses"),
            ("records voided: corrections by the patient", counts["voided"], entries, "doses and skips"),
            ("nights a contraindication allowed no dose", sum(1 for n in closed if n.state == "contraindicated"),
             len(closed), "nights")]


def figures(data: ExportData) -> tuple[list[str], list[Figure]]:
    """The adherence table: its columns (the last 30 nights beside the whole period, or the period
    alone when it is no longer) and its lines; a line that is 0 in every column and only says
    something when it is not (less than scheduled, contraindicated) is left out."""
    recent = data.recent_first()
    columns = [adherence_rows(data)] if recent is None else [adherence_rows(data, recent), adherence_rows(data)]
    names = ["Period"] if recent is None else [f"Last {LAST_MONTH} nights", "Whole period"]
    found = []
    for i, (what, _, _, of) in enumerate(columns[0]):
        counts = tuple((rows[i][1], rows[i][2]) for rows in columns)
        if i in (1, 7) and not any(c for c, _ in counts):
            continue
        found.append(Figure(what if of in ("nights due", "nights") else f"{what} (of the {of})", counts, of))
    return names, found
def treatment(data: ExportData) -> list[tuple[str, str]]:
    """Tonight's step and dose, the version in force, the next change and the patient's ceiling,
    all as decided for tonight (core.decide and its plan timeline)."""
    night, profile, drug, d = data.tonight, data.profile, data.drug, data.decision
    items = []
    regimen = d.regimen if d is not None else None
    if d is None or regimen is None:
        items.append(("Tonight", f"{night}: no prescription or taper plan in force"))
    else:
        scheduled = d.scheduled_ug
        dose = format_mg(scheduled) if scheduled else "0 mg (stopped)"
        taken = as_taken(regimen, scheduled) if scheduled else None
        dose += f" ({taken})" if taken else ""
        if d.over_ceiling:
            dose += (f"; at most {format_mg(d.ceiling_ug)} may be taken (above the monograph's ceiling: "
                     "the prescription needs review)")
        if regimen.kind == "plan":
            steps = regimen.steps
            k = max(i for i, s in enumerate(steps) if i == 0 or s.start <= night)
            first = max(steps[k].start, regimen.start)
            end = d.next_change.night - dt.timedelta(days=1) if d.next_change is not None else "onwards"
            source = (f"step {k + 1} of {len(steps)} (nights {first} to {end}) of taper plan version "
                      f"{regimen.version}, in force since {regimen.start} ({isolate(regimen.prescriber)})")
        else:
            source = f"prescription by {isolate(regimen.prescriber)} from {regimen.start}"
        items.append(("Tonight", f"{night}: {dose}, {source}"))
    following = d.next_change if d is not None else None
    if following is not None:
        made_with = following.regimen
        taken = as_taken(made_with, following.dose_ug) if made_with is not None and following.dose_ug else None
        items.append(("Next step", f"{format_mg(following.dose_ug) if following.dose_ug else '0 mg (stop)'}"
                                   + (f" ({taken})" if taken else "") + f" from {following.night}"))
    later = [p for p in data.timeline.periods if p.first > night]
    if later:  # a newer version already recorded takes over on a later night (a hold, say)
        version = later[0].regimen
        what = (f"taper plan version {version.version}" + (f" ({version.change})" if version.change else "")
                if version.kind == "plan" else f"a new prescription by {isolate(version.prescriber)}")
        items.append(("Plan change", f"{what} in force from {later[0].first}"))
    if data.completion is not None:
        items.insert(0, ("Taper", data.completion.words(drug.name).removesuffix(".")))
    age = profile.age_on(night)
    dosing = drug.dosing
    items.append(("Ceiling", f"{format_mg(data.ceiling_ug)} a night at age {age} (the monograph: "
                             f"{format_mg(dosing.adult_max_ug)} for adults, {format_mg(dosing.elderly_max_ug)} "
                             f"from age {dosing.elderly_from_age})"))
    return items


URGENT_LISTED = 3  # urgent symptoms named in the summary (all of them are among the exceptions)


def symptom_fields(data: ExportData) -> list[tuple[str, str]]:
    symptoms = data.symptoms
    if not symptoms:
        return [("Symptoms", "none logged in this period")]
    rated = [s for s in symptoms if s.severity]
    worst = max((s.severity or 0 for s in rated), default=0)
    which = sorted({isolate(s.name) for s in rated if s.severity == worst})
    text = f"{len(symptoms)} logged"
    if worst:
        first = min(s.night for s in rated if s.severity == worst)
        text += f"; worst severity {worst}/5 ({', '.join(which)}; first on the night of {first})"
    urgent = sorted((s for s in symptoms if s.urgent), key=lambda s: (s.at, s.id), reverse=True)
    listed = "; ".join(f"night {s.night} {isolate(s.name)}" + (f" {s.severity}/5" if s.severity else "")
                       for s in urgent[:URGENT_LISTED])
    if len(urgent) > URGENT_LISTED:
        listed += f"; {len(urgent) - URGENT_LISTED} earlier"
    return [("Symptoms", text), ("Urgent", f"{len(urgent)}: {listed}" if urgent else "none")]


RIGHT = 24  # mm from the margin to the right edge of page one's labels
EXCEPTION_SIZE = 8.5  # pt: an exception's line
EXCEPTION_LINES = 3  # at most, for one exception on page one (a long note goes on in the records)
NUMBERS = 32.0  # mm: a column of the adherence table
MORE = 6.0  # mm kept at the foot of page one for the line saying where the exceptions go on


def summary(pdf: Canvas, data: ExportData, continued_on: int | None = None) -> list[Finding]:
    """Page one after the title: treatment tonight, symptoms, the withdrawal check-ins (when there are
    any), adherence (the last 30 nights beside the whole period), then the exceptions that fit,
    urgent symptoms first and then the newest. The rest are returned, for the pages that go on with
    them (`continued_on`: that page's number, once known)."""
    heading(pdf, "Summary")
    fields(pdf, [*treatment(data), *symptom_fields(data)], right=RIGHT)
    checkin_section(pdf, data)
    adherence(pdf, data)
    return exceptions(pdf, data, continued_on)


def adherence(pdf: Canvas, data: ExportData) -> None:
    """Nights due and what came of them, in numbers and per cent: the last 30 nights beside the
    whole period (the period alone when it is no longer), one line per figure, numbers first."""
    names, lines = figures(data)
    due = lines[0].counts[-1][1]
    heading(pdf, f"Adherence: {_nights(due)} due", need=40)
    recent = data.recent_first()
    last = data.closed_nights[-1].night if data.closed_nights else data.last
    columns = f"Last {LAST_MONTH} nights: {recent} to {last}; whole period" if recent else "Period"
    paragraph(pdf, f"{columns}: {data.first} to {data.last}. Nights due: the nights with a scheduled dose whose "
                   "latest time has passed; tonight is counted once its latest time has passed. Voided doses "
                   "do not count.", size=7, colour=MUTED)
    pdf.ln(0.8)
    widths = (*(NUMBERS,) * len(names), WIDTH - NUMBERS * len(names))
    row(pdf, widths, (*names, ""), bold=True, fill=BAND, size=8)
    for line in lines:
        row(pdf, widths, (*(line.cell(i) for i in range(len(names))), line.what), size=8, wrap=(len(names),))


def _item(pdf: Canvas, f: Finding, width: float, most: int | None) -> tuple[str, str, Colour]:
    """An exception as a page-one line: its night, its words (cut to `most` lines) and colour."""
    run = f" (to {f.last})" if f.last != f.night else ""
    text = f"{f.what}{run}" + (f": {f.detail}" if f.detail else "")
    colour = URGENT if f.kind in ("urgent symptom", "excess", "contraindicated", "stock count") else INK
    if most is not None:
        pdf.set_font(FONT, "", EXCEPTION_SIZE)
        lines = wrap_lines(pdf, text, width)
        if len(lines) > most:
            cut = lines[most - 1]
            while cut and width_of(pdf, cut + " …") > width:
                cut = cut[:-1]
            text = "\n".join([*lines[:most - 1], cut.rstrip() + " …"])
    return str(f.night), text, colour


def _height(pdf: Canvas, text: str, width: float) -> float:
    pdf.set_font(FONT, "", EXCEPTION_SIZE)
    return EXCEPTION_SIZE * 0.49 * len(wrap_lines(pdf, text, width)) + 0.4


def exceptions(pdf: Canvas, data: ExportData, continued_on: int | None) -> list[Finding]:
    """The exceptions that fit on this page, and the line saying how many more there are and on
    which page they go on; the rest are returned."""
    found = for_the_visit(findings(data))
    urgent_first = any(f.kind == "urgent symptom" for f in found)
    order = "urgent symptoms first, then the newest" if urgent_first else "the newest first"
    heading(pdf, f"Exceptions ({len(found)}), {order}" if found else "Exceptions", need=24)
    if not found:
        paragraph(pdf, "None: no missed night, excess, dose recorded as already taken, correction, urgent "
                       "symptom or stock count off in this period.")
        return []
    width = WIDTH - RIGHT - 2
    room = pdf.page_break_trigger - pdf.get_y()
    shown: list[tuple[str, str, Colour]] = []
    for i, f in enumerate(found):
        item = _item(pdf, f, width, EXCEPTION_LINES)
        need = _height(pdf, item[1], width)
        if need > room - (MORE if i + 1 < len(found) else 0):
            break
        shown.append(item)
        room -= need
    fields(pdf, shown, right=RIGHT, size=EXCEPTION_SIZE, bold=False)
    rest = found[len(shown):]
    if rest:
        more = len(rest)
        pdf.ln(1)
        paragraph(pdf, f"{more} more exception{'' if more == 1 else 's'}, page {continued_on or '?'}",
                  size=EXCEPTION_SIZE, style="B")
    return rest


def more_exceptions(pdf: Canvas, rest: Sequence[Finding]) -> int:
    """The exceptions page one had no room for, in its order; the page they start on."""
    heading(pdf, f"Exceptions, continued ({len(rest)} more, in the order of page one)", need=30)
    page = pdf.page_no()
    width = WIDTH - RIGHT - 2
    fields(pdf, [_item(pdf, f, width, None) for f in rest], right=RIGHT, size=EXCEPTION_SIZE, bold=False)
    return page
