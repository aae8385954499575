"""Use case: export the record for the doctor, written atomically to a private file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from medtrack import i18n
from medtrack.core.checkin import CheckIn, StepTrend, TrendRule, trends
from medtrack.core.decide import NightDecision, calendar_night
from medtrack.core.language import parse_language
from medtrack.core.model import Profile, Regimen
from medtrack.core.nights import night_of
from medtrack.core.schedule import segments
from medtrack.core.stock import StockReport, first_night
from medtrack.core.taper_preview import Dispense, dispense_of
from medtrack.core.timeline import Timeline
from medtrack.core.visit import Period, PeriodBasis, ReportWritten, report_period
from medtrack.errors import BadInput, Refused, StorageProblem
from medtrack.export.data import ExportData
from medtrack.i18n import _
from medtrack.services.checkin import default_rule
from medtrack.services.common import monograph, parse_period, require_profile, withdrawal_data
from medtrack.services.nights import DAY, decider, tonight
from medtrack.services.status import decide_tonight
from medtrack.services.stock import stock_report
from medtrack.storage.database import Database
from medtrack.storage.files import check_target, write_atomically
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

FORMATS = ("pdf", "csv", "xlsx", "fhir", "ics", "archive")
SUFFIXES = {"pdf": ".pdf", "csv": ".csv", "xlsx": ".xlsx", "fhir": ".json", "ics": ".ics", "archive": ".zip"}
FITTING = {"fhir": (".json", ".fhir")}  # other names a format's file may end in
TEXT_FORMATS = ("csv", "fhir", "ics")  # the ones that may go to standard output
TABLES = ("records", "checkins")  # what a CSV holds: the doses, skips and voids, or the check-ins
DISPENSE_NIGHTS = 28  # the report's "what to dispense for the next N nights", as `taper show`
# The formats people read are written in the report's language; the ones programs read (the CSV
# tables, FHIR) always in English, with a point in every number, whatever the screen speaks.
FOR_PROGRAMS = ("csv", "fhir")


def gather(db: Database, now: dt.datetime, first: str | None = None, last: str | None = None, *,
           visit: bool = False) -> ExportData:
    """The period's nights, records and symptoms, read from the database for that period only.
    Without --from/--to the period is the whole record, or for a visit's report (`visit`: the
    PDF) the nights since the previous report to the doctor, else the last 90 (core.visit)."""
    asked_first, asked_last = parse_period(first, last)
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        patient_id = repo.patient_id() or ""
        regimens = repo.regimens()
        current = tonight(profile, now)
        span = repo.night_span()
        known = [r.start for r in regimens] + ([span[0]] if span else [])
        period = report_period(current, now.astimezone(profile.tz).date(), min(known, default=None),
                               span[1] if span else None, repo.reports() if visit else (),
                               asked_first, asked_last, visit=visit)
        period_first, period_last = period.first, period.last
        # symptoms and stock entries, read by their own dates, are limited as the nights are; an
        # end left open stays open (a period from the record's start also has what came before it,
        # such as the first delivery, and one up to tonight what was entered this morning)
        if period.basis == PeriodBasis.ASKED:
            start = asked_first
        else:
            start = period_first if known and period_first > min(known) else None
        end = asked_last
        records = tuple(repo.records_for_nights(period_first, period_last,
                                                kinds=("dose", "skip", "void")))
        symptoms = repo.symptoms(start, end)
        decide = decider(repo, now)
        tonight_decision = decide_tonight(repo, now, decide)
        stock = _stock(repo, profile, now, tonight_decision, start, end)
        before = repo.records_for_nights(period_first - DAY, period_first - DAY)
        nights = [calendar_night(d) for d in decide.nights([*before, *records], period_first, period_last)]
        checkins = repo.checkins()
    records = tuple(sorted(records, key=lambda r: r.id))  # in recording order
    rule = default_rule()
    return ExportData(
        generated_at=now.astimezone(profile.tz), patient_id=patient_id, tonight=current,
        first=period_first, last=period_last, clipped=bool(asked_first or asked_last),
        from_given=asked_first is not None, period=period, profile=profile, drug=monograph(),
        regimens=tuple(regimens), records=records, nights=tuple(nights),
        symptoms=tuple(symptoms), schedule=tuple(segments(regimens, period_first, end)),
        stock=stock, dispensing=dispensing(regimens, first_night(tonight_decision)),
        decision=tonight_decision,
        profiles=decide.profiles, decider=decide,
        checkins=tuple(c for c in checkins if period_first <= c.night <= period_last),
        trends=step_trends(checkins, decide.timeline, period_first, min(current, period_last), rule),
        withdrawal=withdrawal_data(), checkin_rule=rule,
    )


def step_trends(checkins: list[CheckIn], timeline: Timeline, first: dt.date, last: dt.date,
                rule: TrendRule) -> tuple[StepTrend, ...]:
    """The steps a report of first..last shows, each with its baseline and after (core.checkin):
    those from `first` on, and the one in force on `first` when check-ins of the period follow
    it. The baseline may reach back before the period (it is the step's, not the period's);
    check-ins after `last` are left out. A step with no check-in on either side is left out."""
    found = trends(checkins, timeline, last, rule)
    return tuple(t for t in found if (t.baseline or t.after)
                 and (t.step_night >= first or any(c.night >= first for c in t.after)))


def _stock(repo: Repository, profile: Profile, now: dt.datetime, tonight_decision: NightDecision,
           start: dt.date | None, end: dt.date | None) -> StockReport | None:
    """The stock as `medtrack stock` gives it now; the entries limited to --from/--to."""
    report = stock_report(repo, profile, now, tonight_decision)
    if report is None:
        return None
    return report.within(lambda e: (start is None or night_of(e.at, profile.tz) >= start)
                         and (end is None or night_of(e.at, profile.tz) <= end))


def dispensing(regimens: list[Regimen], first: dt.date,
               days: int = DISPENSE_NIGHTS) -> Dispense | None:
    """What to dispense, the same numbers as `taper show`, when tablets or a liquid are recorded."""
    shown = dispense_of(regimens, first, days)
    if shown is None or shown.plan.formulation is None or shown.plan.formulation.is_plain:
        return None
    return shown


def writer_for(fmt: str, table: str = "records") -> Callable[[ExportData, IO[bytes]], None]:
    """The exporter of a format, imported only when used (they pull in heavy libraries)."""
    if table not in TABLES:
        raise BadInput(_("'{table}' is not a table medtrack exports (accepted: {accepted})").format(
            table=table, accepted=", ".join(TABLES)))
    if table != "records" and fmt != "csv":
        raise BadInput(_("a table is chosen for the CSV only: the {format} file holds the records "
                         "and the check-ins together").format(format=fmt.upper()))
    if table == "checkins":
        from medtrack.export.csv_checkins import write_checkins_csv as write
    elif fmt == "csv":
        from medtrack.export.csv_export import write_csv as write
    elif fmt == "xlsx":
        from medtrack.export.xlsx import write_xlsx as write
    elif fmt == "ics":
        from medtrack.export.ics import write_ics as write
    elif fmt == "fhir":
        from medtrack.export.fhir import write_fhir as write
    elif fmt == "pdf":
        from medtrack.export.pdf import write_pdf as write
    else:
        raise BadInput(_("format '{format}' is not known (accepted: {accepted})").format(
            format=fmt, accepted=", ".join(FORMATS)))
    return write


@dataclass(frozen=True)
class Written:
    """A file an export wrote: where, the nights it covers and why, and (the doctor's report only)
    why it could not be remembered as the last report, when it could not (the file stays)."""

    path: Path
    period: Period | None  # None: the archive, which holds the whole record
    not_noted: str | None = None


@dataclass(frozen=True)
class ExportRequest:
    """`export` as typed: the format, where to write it ("-": standard output), the period
    (None: the format's default), whether an existing file may be replaced, and (a CSV) the
    table it holds."""

    fmt: str
    output: str
    first: str | None = None
    last: str | None = None
    force: bool = False  # replace a file already there
    table: str = "records"
    language: str | None = None  # the report's: en, de, ja (None or "auto": the one medtrack speaks)


def report_language(text: str | None) -> str:
    """The language a report is written in, from --language (a code or a name, as the profile's
    setting takes it); None, '' or 'auto': the language medtrack speaks now. Refused otherwise."""
    if text is None:
        return i18n.language()
    return parse_language(text, what="--language") or i18n.language()


def export(db: Database, now: dt.datetime, request: ExportRequest, *,
           stdout: IO[bytes] | None = None) -> Written | None:
    """Gather the period, render it with the format's library, and write it safely: to a file
    whose name ends in the format's suffix, or (text formats) to `stdout` when `output` is "-".
    A CSV holds one table: the records (the default) or the withdrawal check-ins.

    The PDF is the report for the doctor: without --from/--to it covers the nights since the
    previous one (or the last 90), and once it is in place it is remembered as the last report.
    Nothing is remembered of a file that was not written."""
    fmt, output, first, last = request.fmt, request.output, request.first, request.last
    language = report_language(request.language)  # refused before anything is read or written
    if fmt in FOR_PROGRAMS:
        language = "en"
    if fmt not in FORMATS:
        raise BadInput(_("format '{format}' is not known (accepted: {accepted})").format(
            format=fmt, accepted=", ".join(FORMATS)))
    if not output or not output.strip():
        raise BadInput(_("the file path is empty: say where to write it, e.g. report.pdf"),
                       hint="-o PATH")
    if fmt == "archive":
        return _archive(db, now, request)
    written_by = writer_for(fmt, request.table)

    def write(data: ExportData, stream: IO[bytes]) -> None:
        if fmt == "ics":  # a calendar with nothing in it is refused in the screen's language
            from medtrack.export.ics import check_scheduled

            check_scheduled(data)
        if language == i18n.language():
            written_by(data, stream)
            return
        with i18n.speaking(language):  # the monograph's safety text in the report's language too
            written_by(replace(data, drug=monograph(), withdrawal=withdrawal_data()), stream)
    visit = fmt == "pdf"
    if output == "-":
        if fmt not in TEXT_FORMATS or stdout is None:
            raise BadInput(_("a {format} file cannot be written to the terminal: give a file name "
                             "ending in {suffix} (only {formats} can)").format(
                format=fmt.upper(), suffix=SUFFIXES[fmt], formats=", ".join(TEXT_FORMATS)))
        write(gather(db, now, first, last, visit=visit), stdout)
        return None
    target = Path(output).expanduser()
    if target.suffix.lower() not in FITTING.get(fmt, (SUFFIXES[fmt],)):
        raise BadInput(_("the file name {name} does not fit the {format} format: give a name ending "
                         "in {suffix}, or choose the format that fits it").format(
            name=target.name, format=fmt.upper(), suffix=SUFFIXES[fmt]))
    check_target(target, request.force, protect=db.file)
    data = gather(db, now, first, last, visit=visit)
    write_atomically(target.absolute(), lambda stream: write(data, stream))
    period = data.period
    assert period is not None  # gather decides it
    if not visit:
        return Written(target, period)
    return Written(target, period, _note_report(db, now, period, data.profile.zone))


def _archive(db: Database, now: dt.datetime, request: ExportRequest) -> Written:
    """The whole record as one file: no period, no table, never to the terminal."""
    from medtrack.services.archive import export_archive  # zip and CSV tables: this format only

    if request.first or request.last or request.table != "records":
        raise BadInput(_("an archive holds the whole record: it takes no --from, --to or --table"))
    if request.output == "-":
        raise BadInput(_("an archive cannot be written to the terminal: give a file name ending in .zip"))
    return Written(export_archive(db, now, request.output, force=request.force), None)


def _note_report(db: Database, now: dt.datetime, period: Period, zone: str) -> str | None:
    """Remember the report just written for the doctor; None when done, else why not. The file is
    in place by now: a database that cannot be written (read-only, damaged) keeps it, and says so."""
    try:
        with db.unit_of_work(Work.WRITE_PATIENT) as repo:
            repo.add_report(ReportWritten(at=now, zone=zone, first=period.first, last=period.last,
                                          basis=period.basis), recorded_at=now)
    except (StorageProblem, Refused) as problem:  # a read-only file, a login that may only read
        return _("noting the report in the database failed ({problem}), so the next report will "
                 "not start from it").format(problem=problem.message)
    return None
