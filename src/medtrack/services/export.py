"""Use case: export the record for the doctor, written atomically to a private file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from medtrack.core.model import Profile, Record, Regimen, StockEntry, Symptom
from medtrack.core.nights import night_of
from medtrack.core.rules import regimen_on
from medtrack.core.schedule import Segment, segments
from medtrack.errors import BadInput
from medtrack.monograph import Monograph
from medtrack.services.calendar import CalendarNight, night_states
from medtrack.services.common import DAY, monograph, parse_period, require_profile, tonight
from medtrack.services.status import taper_complete
from medtrack.services.stock import StockReport, levels, nights_left
from medtrack.services.taper import Dispense, dispense_of
from medtrack.storage.files import check_target, write_atomically
from medtrack.storage.repository import Database

FORMATS = ("pdf", "csv", "xlsx", "fhir", "ics")
SUFFIXES = {"pdf": ".pdf", "csv": ".csv", "xlsx": ".xlsx", "fhir": ".json", "ics": ".ics"}
FITTING = {"fhir": (".json", ".fhir")}  # other names a format's file may end in
TEXT_FORMATS = ("csv", "fhir", "ics")  # the ones that may go to standard output
DISPENSE_NIGHTS = 28  # the report's "what to dispense for the next N nights", as `taper show`


@dataclass(frozen=True)
class ExportData:
    """Everything an exporter may show: plain values, no database."""

    generated_at: dt.datetime
    patient_id: str  # the stable UUID made at init (survives renames)
    tonight: dt.date  # the night `generated_at` falls in
    first: dt.date
    last: dt.date
    clipped: bool  # True when --from/--to limited the period
    profile: Profile
    drug: Monograph
    regimens: tuple[Regimen, ...]
    records: tuple[Record, ...]  # doses, skips and voids of the period, in recording order
    nights: tuple[CalendarNight, ...]
    symptoms: tuple[Symptom, ...]
    schedule: tuple[Segment, ...]
    from_given: bool = False  # --from chose the first night (a calendar then includes the past)
    # The stock now (levels from every entry and dose up to generated_at) and the entries of
    # the period (every entry unless --from/--to limited it); None: nothing ever added or counted.
    stock: StockReport | None = None
    # What the plan (else the prescription) needs, as `taper show`: None without a formulation.
    dispensing: Dispense | None = None
    complete_since: dt.date | None = None  # the plan in force tonight reached 0 on this night
    drug_free_nights: int = 0  # nights since then, tonight included, with no dose counted

    @property
    def stock_entries(self) -> tuple[StockEntry, ...]:
        return self.stock.entries if self.stock is not None else ()

    @property
    def plan_versions(self) -> tuple[Regimen, ...]:
        return tuple(r for r in self.regimens if r.kind == "plan")

    @property
    def plan(self) -> Regimen | None:
        versions = self.plan_versions
        return versions[-1] if versions else None

    @property
    def prescriber(self) -> str | None:
        return self.regimens[-1].prescriber if self.regimens else None

    def adherence(self) -> dict[str, int]:
        counts = {s: sum(1 for n in self.nights if n.state == s)
                  for s in ("taken", "missed", "skipped", "excess")}
        counts["already_taken"] = sum(1 for r in self.records
                                      if r.kind == "dose" and r.already_taken and not r.voided)
        counts["voided"] = sum(1 for r in self.records if r.kind == "void")
        return counts


def gather(db: Database, now: dt.datetime, first: str | None = None, last: str | None = None) -> ExportData:
    start, end = parse_period(first, last)
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        patient_id = repo.patient_id() or ""
        regimens = repo.regimens()
        everything = repo.all_records(kinds=("dose", "skip", "void"))
        symptoms = repo.symptoms(start, end)
        current = tonight(profile, now)
        stock = _stock(repo.stock_entries(), repo.counted_doses(), regimens, profile, now,
                       start, end)
        complete_since, drug_free = taper_complete(repo, regimen_on(regimens, current), current)
    known = [r.night for r in everything] + [r.start for r in regimens]
    period_first = start or (min(known) if known else current)
    period_last = end or max([current, *[r.night for r in everything]])
    if period_last < period_first:
        period_last = period_first
    records = tuple(r for r in everything if period_first <= r.night <= period_last)
    nights = night_states(monograph(), profile, regimens, [r for r in records if r.kind != "void"],
                          period_first, period_last, now)
    return ExportData(
        generated_at=now.astimezone(profile.tz), patient_id=patient_id, tonight=current,
        first=period_first, last=period_last,
        clipped=bool(start or end), from_given=start is not None, profile=profile, drug=monograph(), regimens=tuple(regimens),
        records=records, nights=tuple(nights), symptoms=tuple(symptoms),
        schedule=tuple(segments(regimens, period_first, end)),
        stock=stock, dispensing=dispensing(regimens, current), complete_since=complete_since,
        drug_free_nights=drug_free,
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
    check_target(target, force, protect=db.path)
    data = gather(db, now, first, last)
    write_atomically(target.absolute(), lambda stream: write(data, stream))
    return target
