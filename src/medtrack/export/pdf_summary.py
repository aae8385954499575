"""PDF page one: the treatment tonight, symptoms, adherence in numbers and per cent (the last 30 nights
beside the whole period), and the exceptions that fit, urgent symptoms and the newest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medtrack.core.nights import night_of
from medtrack.core.rule_words import against_rule
from medtrack.core.stock import amount_text
from medtrack.core.taper import change_words
from medtrack.core.units import format_mg
from medtrack.core.visit import LAST_MONTH
from medtrack.export.forms import as_taken, kind_words
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
from medtrack.i18n import N_, _, decimal, medium_date, ngettext, short_time

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
        if self.last == self.night:
            return medium_date(self.night)
        return _("{first} to {last}").format(first=medium_date(self.night), last=medium_date(self.last))


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
    return ngettext("{count} night", "{count} nights", count).format(count=count)


def _runs(data: ExportData) -> list[Finding]:
    out = []
    for state, what in (("missed", _("Missed")), ("contraindicated", _("Contraindicated: no dose allowed"))):
        for run in runs(data.nights, state):
            scheduled = list(dict.fromkeys(n.scheduled_ug for n in run if n.scheduled_ug))  # in night order
            detail = (_("{doses} scheduled").format(doses=" / ".join(format_mg(ug) for ug in scheduled))
                      if scheduled else "")
            label = what if len(run) == 1 else ngettext("{what}, {count} night in a row",
                                                        "{what}, {count} nights in a row", len(run)).format(
                what=what, count=len(run))
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
        ids = ", ".join(f"#{r.id}" for r in taken)
        count = max(len(taken), 1)
        out.append(Finding(night.night, night.night, "excess", _("Excess"), ngettext(
            "{taken} taken in {count} dose ({ids}), {scheduled} scheduled",
            "{taken} taken in {count} doses ({ids}), {scheduled} scheduled", count).format(
            taken=mg(night.taken_ug), count=count, ids=ids, scheduled=mg(night.scheduled_ug) or _("none"))))
    return out


def _records(data: ExportData) -> list[Finding]:
    by_id, out = {r.id: r for r in data.records}, []
    for record in data.records:
        if record.counted and record.already_taken:
            broke = f", {against_rule(record.rule)}" if record.rule else ""
            out.append(Finding(record.night, record.night, "already taken", _("Recorded as already taken"),
                               _("#{number}: {dose} at {time}").format(
                                   number=record.id, dose=mg(record.dose_ug), time=short_time(record.at)) + broke))
        if record.kind == "void":  # shown on the night of the record it cancels, when that is known
            target = by_id.get(record.voids) if record.voids is not None else None
            cancelled = (_(" ({what} at {when})").format(
                what=mg(target.dose_ug) or kind_words(target), when=when(target.at))
                if target else "")
            words = _(", dose not taken") if record.not_taken else ""
            reason = f": {isolate(record.note)}" if record.note else ""
            night = target.night if target else record.night
            out.append(Finding(night, night, "correction", _("Correction (void)"),
                               _("#{number} cancels #{voids}").format(number=record.id, voids=record.voids)
                               + cancelled + words + reason))
    return out


def _urgent(data: ExportData) -> list[Finding]:
    out = []
    for symptom in (s for s in data.symptoms if s.urgent):
        severity = f" {symptom.severity}/5" if symptom.severity else ""
        note = f": {isolate(symptom.note)}" if symptom.note else ""
        out.append(Finding(symptom.night, symptom.night, "urgent symptom", _("Urgent symptom"),
                           _("{symptom}{severity}, logged {when}").format(
                               symptom=isolate(symptom.name), severity=severity, when=when(symptom.at)) + note))
    return out


def _stock_counts(data: ExportData) -> list[Finding]:
    """Stock counts off by more than half a tablet (0.5 ml) from what was expected: a controlled drug."""
    out = []
    for entry in data.stock_entries:
        if entry.kind != "count" or not entry.flagged:
            continue
        night = night_of(entry.at, data.profile.tz)
        expected = amount_text(entry.key, entry.expected or 0)
        note = f": {isolate(entry.note)}" if entry.note else ""
        out.append(Finding(night, night, "stock count", _("Stock count off"),
                           _("{counted} counted at {when}, {expected} expected").format(
                               counted=amount_text(entry.key, entry.amount), when=when(entry.at),
                               expected=expected) + note))
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
    return decimal(f"{100 * count / total:.1f}") + "%" if total else "–"


@dataclass(frozen=True)
class Figure:
    """One line of the adherence table: what, then for each column (count, out of how many)."""

    what: str
    counts: tuple[tuple[int, int], ...]
    of: str  # "nights due", or what the second number counts

    def cell(self, column: int) -> str:
        count, total = self.counts[column]
        if self.of == "nights due":
            return f"{count} ({share(count, total)})"
        return _("{count} of {total} ({share})").format(count=count, total=total, share=share(count, total))


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
    return [(N_("taken as scheduled"), as_scheduled, due, "nights due"),
            (N_("taken, less than scheduled"), counts["taken"] - as_scheduled, due, "nights due"),
            (N_("missed: neither a dose nor a skip recorded"), counts["missed"], due, "nights due"),
            (N_("skipped: recorded as not taken"), counts["skipped"], due, "nights due"),
            (N_("excess: a second dose, or more than scheduled"), counts["excess"], due, "nights due"),
            (N_("doses recorded as already taken despite a rule"), counts["already_taken"], doses, "doses"),
            (N_("records voided: corrections by the patient"), counts["voided"], entries, "doses and skips"),
            (N_("nights a contraindication allowed no dose"),
             sum(1 for n in closed if n.state == "contraindicated"), len(closed), "nights")]


OF_WORDS = {"doses": N_("{what} (of the doses)"), "doses and skips": N_("{what} (of the doses and skips)")}


def figures(data: ExportData) -> tuple[list[str], list[Figure]]:
    """The adherence table: its columns (the last 30 nights beside the whole period, or the period
    alone when it is no longer) and its lines; a line that is 0 in every column and only says
    something when it is not (less than scheduled, contraindicated) is left out."""
    recent = data.recent_first()
    columns = [adherence_rows(data)] if recent is None else [adherence_rows(data, recent), adherence_rows(data)]
    names = [_("Period")] if recent is None else [_("Last {count} nights").format(count=LAST_MONTH),
                                                   _("Whole period")]
    found = []
    for i, (what, _count, _total, of) in enumerate(columns[0]):
        counts = tuple((rows[i][1], rows[i][2]) for rows in columns)
        if i in (1, 7) and not any(c for c, _total in counts):
            continue
        shown = _(what) if of in ("nights due", "nights") else _(OF_WORDS[of]).format(what=_(what))
        found.append(Figure(shown, counts, of))
    return names, found
def treatment(data: ExportData) -> list[tuple[str, str]]:
    """Tonight's step and dose, the version in force, the next change and the patient's ceiling,
    all as decided for tonight (core.decide and its plan timeline)."""
    night, profile, drug, d = data.tonight, data.profile, data.drug, data.decision
    items = []
    regimen = d.regimen if d is not None else None
    if d is None or regimen is None:
        items.append((_("Tonight"), _("{night}: no prescription or taper plan in force").format(
            night=medium_date(night))))
    else:
        scheduled = d.scheduled_ug
        dose = format_mg(scheduled) if scheduled else _("0 mg (stopped)")
        taken = as_taken(regimen, scheduled) if scheduled else None
        dose += f" ({taken})" if taken else ""
        if d.over_ceiling:
            dose += _("; at most {dose} may be taken (above the monograph's ceiling: the prescription needs "
                      "review)").format(dose=format_mg(d.ceiling_ug))
        period = data.timeline.in_force(night)
        runs = period.step_runs() if period is not None and regimen.kind == "plan" else []
        if period is not None and runs:
            # the step in force tonight (core.timeline: to the night before the next step or the
            # version that replaces this one), or the first, on a night before the plan's first step
            run = period.step_on(night) or runs[0]
            source = _("step {step} of {steps} (nights {first} to {last}) of taper plan version {version}, in "
                       "force since {start} ({prescriber})").format(
                step=run.number, steps=len(regimen.steps), first=medium_date(run.first),
                last=medium_date(run.last) if run.last is not None else _("onwards"),
                version=regimen.version, start=medium_date(regimen.start),
                prescriber=isolate(regimen.prescriber))
        else:
            source = _("prescription by {prescriber} from {start}").format(
                prescriber=isolate(regimen.prescriber), start=medium_date(regimen.start))
        items.append((_("Tonight"), f"{medium_date(night)}: {dose}, {source}"))
    following = d.next_change if d is not None else None
    if following is not None:
        made_with = following.regimen
        taken = as_taken(made_with, following.dose_ug) if made_with is not None and following.dose_ug else None
        dose = format_mg(following.dose_ug) if following.dose_ug else _("0 mg (stop)")
        items.append((_("Next step"), _("{dose} from {night}").format(
            dose=dose + (f" ({taken})" if taken else ""), night=medium_date(following.night))))
    later = [p for p in data.timeline.periods if p.first > night]
    if later:  # a newer version already recorded takes over on a later night (a hold, say)
        version = later[0].regimen
        what = (_("taper plan version {version}").format(version=version.version)
                + (f" ({change_words(version.change)})" if version.change else "")
                if version.kind == "plan"
                else _("a new prescription by {prescriber}").format(prescriber=isolate(version.prescriber)))
        items.append((_("Plan change"), _("{what} in force from {night}").format(
            what=what, night=medium_date(later[0].first))))
    if data.completion is not None:
        items.insert(0, (_("Taper"), data.completion.words(drug.name).removesuffix(".")))
    age = profile.age_on(night)
    dosing = drug.dosing
    items.append((_("Ceiling"), _("{dose} a night at age {age} (the monograph: {adult} for adults, {elderly} "
                                  "from age {elderly_age})").format(
        dose=format_mg(data.ceiling_ug), age=age, adult=format_mg(dosing.adult_max_ug),
        elderly=format_mg(dosing.elderly_max_ug), elderly_age=dosing.elderly_from_age)))
    return items


URGENT_LISTED = 3  # urgent symptoms named in the summary (all of them are among the exceptions)


def symptom_fields(data: ExportData) -> list[tuple[str, str]]:
    symptoms = data.symptoms
    if not symptoms:
        return [(_("Symptoms"), _("none logged in this period"))]
    rated = [s for s in symptoms if s.severity]
    worst = max((s.severity or 0 for s in rated), default=0)
    which = sorted({isolate(s.name) for s in rated if s.severity == worst})
    text = _("{count} logged").format(count=len(symptoms))
    if worst:
        first = min(s.night for s in rated if s.severity == worst)
        text += _("; worst severity {worst}/5 ({symptoms}; first on the night of {night})").format(
            worst=worst, symptoms=", ".join(which), night=medium_date(first))
    urgent = sorted((s for s in symptoms if s.urgent), key=lambda s: (s.at, s.id), reverse=True)
    listed = "; ".join(_("night {night} {symptom}").format(night=medium_date(s.night), symptom=isolate(s.name))
                       + (f" {s.severity}/5" if s.severity else "") for s in urgent[:URGENT_LISTED])
    if len(urgent) > URGENT_LISTED:
        listed += _("; {count} earlier").format(count=len(urgent) - URGENT_LISTED)
    return [(_("Symptoms"), text), (_("Urgent"), f"{len(urgent)}: {listed}" if urgent else _("none"))]


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
    heading(pdf, _("Summary"))
    fields(pdf, [*treatment(data), *symptom_fields(data)], right=RIGHT)
    checkin_section(pdf, data)
    adherence(pdf, data)
    return exceptions(pdf, data, continued_on)


def adherence(pdf: Canvas, data: ExportData) -> None:
    """Nights due and what came of them, in numbers and per cent: the last 30 nights beside the
    whole period (the period alone when it is no longer), one line per figure, numbers first."""
    names, lines = figures(data)
    due = lines[0].counts[-1][1]
    heading(pdf, ngettext("Adherence: {count} night due", "Adherence: {count} nights due", due).format(count=due),
            need=40)
    recent = data.recent_first()
    last = data.closed_nights[-1].night if data.closed_nights else data.last
    columns = (_("Last {count} nights: {first} to {last}; whole period: {start} to {end}.").format(
        count=LAST_MONTH, first=medium_date(recent), last=medium_date(last), start=medium_date(data.first),
        end=medium_date(data.last)) if recent else
        _("Period: {start} to {end}.").format(start=medium_date(data.first), end=medium_date(data.last)))
    paragraph(pdf, columns + " " + _("Nights due: the nights with a scheduled dose whose latest time has passed; "
                                     "tonight is counted once its latest time has passed. Voided doses do not "
                                     "count."), size=7, colour=MUTED)
    pdf.ln(0.8)
    widths = (*(NUMBERS,) * len(names), WIDTH - NUMBERS * len(names))
    row(pdf, widths, (*names, ""), bold=True, fill=BAND, size=8)
    for line in lines:
        row(pdf, widths, (*(line.cell(i) for i in range(len(names))), line.what), size=8, wrap=(len(names),))


def _item(pdf: Canvas, f: Finding, width: float, most: int | None) -> tuple[str, str, Colour]:
    """An exception as a page-one line: its night, its words (cut to `most` lines) and colour."""
    run = _(" (to {night})").format(night=medium_date(f.last)) if f.last != f.night else ""
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
    return medium_date(f.night), text, colour


def _height(pdf: Canvas, text: str, width: float) -> float:
    pdf.set_font(FONT, "", EXCEPTION_SIZE)
    return EXCEPTION_SIZE * 0.49 * len(wrap_lines(pdf, text, width)) + 0.4


def exceptions(pdf: Canvas, data: ExportData, continued_on: int | None) -> list[Finding]:
    """The exceptions that fit on this page, and the line saying how many more there are and on
    which page they go on; the rest are returned."""
    found = for_the_visit(findings(data))
    urgent_first = any(f.kind == "urgent symptom" for f in found)
    title = (_("Exceptions ({count}), urgent symptoms first, then the newest") if urgent_first
             else _("Exceptions ({count}), the newest first"))
    heading(pdf, title.format(count=len(found)) if found else _("Exceptions"), need=24)
    if not found:
        paragraph(pdf, _("None: no missed night, excess, dose recorded as already taken, correction, urgent "
                         "symptom or stock count off in this period."))
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
        paragraph(pdf, ngettext("{count} more exception, page {page}", "{count} more exceptions, page {page}",
                                more).format(count=more, page=continued_on or "?"),
                  size=EXCEPTION_SIZE, style="B")
    return rest


def more_exceptions(pdf: Canvas, rest: Sequence[Finding]) -> int:
    """The exceptions page one had no room for, in its order; the page they start on."""
    heading(pdf, _("Exceptions, continued ({count} more, in the order of page one)").format(count=len(rest)),
            need=30)
    page = pdf.page_no()
    width = WIDTH - RIGHT - 2
    fields(pdf, [_item(pdf, f, width, None) for f in rest], right=RIGHT, size=EXCEPTION_SIZE, bold=False)
    return page
