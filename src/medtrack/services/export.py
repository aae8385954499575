"""Use case: export the record for the doctor, written atomically to a private file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import IO

from medtrack.core.decide import calendar_night
from medtrack.core.model import Profile, Record, Regimen, StockEntry
from medtrack.core.nights import night_of
from medtrack.core.schedule import segments
from medtrack.core.stock import StockReport, levels, nights_left
from medtrack.core.taper_preview import Dispense, dispense_of
from medtrack.errors import BadInput
from medtrack.export.data import ExportData
from medtrack.services.common import monograph, parse_period, require_profile
from medtrack.services.nights import DAY, decider, tonight
from medtrack.services.status import decide_tonight
from medtrack.storage.files import check_target, write_atomically
from medtrack.storage.repository import Database

FORMATS = ("pdf", "csv", "xlsx", "fhir", "ics")
SUFFIXES = {"pdf": ".pdf", "csv": ".csv", "xlsx": ".xlsx", "fhir": ".json", "ics": ".ics"}
FITTING = {"fhir": (".json", ".fhir")}  # other names a format's file may end in
TEXT_FORMATS = ("csv", "fhir", "ics")  # the ones that may go to standard output
DISPENSE_NIGHTS = 28  # the report's "what to dispense for the next N nights", as `taper show`


def gather(db: Database, now: dt.datetime, first: str | None = None, last: str | None = None) -> ExportData:
    """The period's nights, records and symptoms, read from the database for that period only."""
    start, end = parse_period(first, last)
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        patient_id = repo.patient_id() or ""
        regimens = repo.regimens()
        current = tonight(profile, now)
        span = repo.night_span()
        known = [r.start for r in regimens] + ([span[0]] if span else [])
        period_first = start or (min(known) if known else current)
        period_last = end or max([current] + ([span[1]] if span else []))
        period_last = max(period_last, period_first)
        records = tuple(repo.records_for_nights(period_first, period_last,
                                                kinds=("dose", "skip", "void")))
        symptoms = repo.symptoms(start, end)
        entries = repo.stock_entries()
        stock = _stock(entries, repo.counted_doses(since=entries[0].at) if entries else [],
                       regimens, profile, now, start, end)
        decide = decider(repo, now)
        tonight_decision = decide_tonight(repo, now, decide)
        before = repo.records_for_nights(period_first - DAY, period_first - DAY)
        nights = [calendar_night(d) for d in decide.nights([*before, *records], period_first, period_last)]
    records = tuple(sorted(records, key=lambda r: r.id))  # in recording order
    return ExportData(
        generated_at=now.astimezone(profile.tz), patient_id=patient_id, tonight=current,
        first=period_first, last=period_last, clipped=bool(start or end),
        from_given=start is not None, profile=profile, drug=monograph(),
        regimens=tuple(regimens), records=records, nights=tuple(nights),
        symptoms=tuple(symptoms), schedule=tuple(segments(regimens, period_first, end)),
        stock=stock, dispensing=dispensing(regimens, current), decision=tonight_decision,
        profiles=decide.profiles, decider=decide,
    )


def _stock(entries: list[StockEntry], doses: list[Record], regimens: list[Regimen],
           profile: Profile, now: dt.datetime, start: dt.date | None,
           end: dt.date | None) -> StockReport | None:
    """The stock as `medtrack stock` gives it now; the entries limited to --from/--to."""
    if not entries:
        return None
    current = levels(entries, doses, regimens, now)
    night = tonight(profile, now)
    taken = any(d.night == night for d in doses)
    nights, to_end = nights_left(current, regimens, night + (DAY if taken else dt.timedelta(0)))
    shown = tuple(e for e in entries if (start is None or night_of(e.at, profile.tz) >= start)
                  and (end is None or night_of(e.at, profile.tz) <= end))
    return StockReport(tuple(current.values()), nights, to_end, shown)


def dispensing(regimens: list[Regimen], first: dt.date,
               days: int = DISPENSE_NIGHTS) -> Dispense | None:
    """What to dispense, the same numbers as `taper show`, when tablets or a liquid are recorded."""
    shown = dispense_of(regimens, first, days)
    if shown is None or shown.plan.formulation is None or shown.plan.formulation.is_plain:
        return None
    return shown


def writer_for(fmt: str) -> Callable[[ExportData, IO[bytes]], None]:
    """The exporter of a format, imported only when used (they pull in heavy libraries)."""
    if fmt == "csv":
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
        raise BadInput(f"format '{fmt}' is not known (accepted: {', '.join(FORMATS)})")
    return write


def export(db: Database, now: dt.datetime, fmt: str, output: str, first: str | None = None,
           last: str | None = None, force: bool = False,
           stdout: IO[bytes] | None = None) -> Path | None:
    """Gather the period, render it with the format's library, and write it safely: to a file
    whose name ends in the format's suffix, or (text formats) to `stdout` when `output` is "-"."""
    if fmt not in FORMATS:
        raise BadInput(f"format '{fmt}' is not known (accepted: {', '.join(FORMATS)})")
    if not output or not output.strip():
        raise BadInput("the file path is empty: say where to write it, e.g. report.pdf",
                       hint="-o PATH")
    write = writer_for(fmt)
    if output == "-":
        if fmt not in TEXT_FORMATS or stdout is None:
            raise BadInput(f"a {fmt.upper()} file cannot be written to the terminal: give a file "
                           f"name ending in {SUFFIXES[fmt]} (only {', '.join(TEXT_FORMATS)} can)")
        write(gather(db, now, first, last), stdout)
        return None
    target = Path(output).expanduser()
    if target.suffix.lower() not in FITTING.get(fmt, (SUFFIXES[fmt],)):
        raise BadInput(f"the file name {target.name} does not fit the {fmt.upper()} format: give "
                       f"a name ending in {SUFFIXES[fmt]}, or choose the format that fits it")
    check_target(target, force, protect=db.file)
    data = gather(db, now, first, last)
    write_atomically(target.absolute(), lambda stream: write(data, stream))
    return target
