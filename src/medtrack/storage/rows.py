"""Table rows to core values and back: the one place the storage format meets the domain."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from medtrack.core.checkin import CheckIn
from medtrack.core.formulation import decode
from medtrack.core.model import (
    LEGACY_WARNING,
    PlanWarning,
    Profile,
    Record,
    RecordKind,
    Regimen,
    Step,
    StockEntry,
    Symptom,
)
from medtrack.core.symptoms import is_urgent
from medtrack.monograph import load_monograph
from medtrack.storage.tables import (
    CheckinRow,
    ProfileRow,
    RecordRow,
    RegimenRow,
    ReportRow,
    StepRow,
    StockRow,
    SymptomRow,
)
from medtrack.withdrawal import load_withdrawal

if TYPE_CHECKING:
    from medtrack.core.visit import ReportWritten

UTC = dt.UTC


def to_epoch(instant: dt.datetime) -> int:
    return int(instant.astimezone(UTC).timestamp())


def from_epoch(seconds: int, zone: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC).astimezone(ZoneInfo(zone))


def profile_of(row: ProfileRow) -> Profile:
    return Profile(
        name=row.name, born=dt.date.fromisoformat(row.born), zone=row.zone,
        bedtime=dt.time.fromisoformat(row.bedtime), wake=dt.time.fromisoformat(row.wake),
        liver=row.liver, renal=bool(row.renal), pregnant=bool(row.pregnant),
        breastfeeding=bool(row.breastfeeding),
        conditions=tuple(c for c in row.conditions.split(",") if c),
        min_sleep_min=row.min_sleep_min, language=row.language,
    )


def profile_row(profile: Profile, at: dt.datetime, change: str) -> ProfileRow:
    return ProfileRow(
        recorded_at_utc=to_epoch(at), name=profile.name, born=profile.born.isoformat(),
        zone=profile.zone, bedtime=profile.bedtime.strftime("%H:%M"),
        wake=profile.wake.strftime("%H:%M"), liver=profile.liver, renal=profile.renal,
        pregnant=profile.pregnant, breastfeeding=profile.breastfeeding,
        conditions=",".join(profile.conditions), min_sleep_min=profile.min_sleep_min,
        language=profile.language, change=change,
    )


def regimen_of(row: RegimenRow, steps: Sequence[StepRow]) -> Regimen:
    return Regimen(
        kind=row.kind, id=row.id or 0, seq=row.id or 0, prescriber=row.prescriber,
        steps=tuple(Step(dt.date.fromisoformat(s.start_night), s.dose_ug) for s in steps),
        created_at=dt.datetime.fromtimestamp(row.created_at_utc, UTC),
        acknowledged=row.acknowledged, version=row.version, change=row.change, reason=row.reason,
        acknowledged_ids=tuple(i for i in row.acknowledged_ids.split(",") if i),
        round_ug=row.round_ug, in_force_from=dt.date.fromisoformat(row.start_night),
        trend_rise=row.trend_rise,
        formulation=decode(row.formulation, row.round_ug) if row.formulation else None,
        warnings=warnings_of(row.warnings),
    )


def warnings_of(stored: str | None) -> tuple[PlanWarning, ...]:
    """A version's stored warnings: objects {"kind", "text"}; a plain string was stored before
    warnings had kinds and is kept as it was, of the kind "legacy"."""
    return tuple(PlanWarning(str(w["kind"]), str(w["text"])) if isinstance(w, dict)
                 else PlanWarning(LEGACY_WARNING, str(w)) for w in json.loads(stored or "[]"))


def record_of(row: RecordRow, void: RecordRow | None = None) -> Record:
    """A record; for a voided one, its void row gives the reason and the not-taken statement."""
    return Record(
        id=row.id or 0, kind=RecordKind(row.kind), night=dt.date.fromisoformat(row.night),
        at=from_epoch(row.at_utc, row.zone), zone=row.zone, dose_ug=row.dose_ug,
        scheduled_ug=row.scheduled_ug, already_taken=bool(row.already_taken),
        voided=bool(row.voided), void_reason=void.note if void is not None else None,
        voids=row.voids, note=row.note, acknowledged=row.acknowledged, rule=row.rule,
        not_taken=bool(row.not_taken) or bool(void is not None and void.not_taken),
        imported=bool(row.imported), recorded_by=row.recorded_by, entered_by=row.entered_by,
    )


def record_row(record: Record, recorded_at: dt.datetime) -> RecordRow:
    return RecordRow(**record_values(record, recorded_at))


def record_values(record: Record, recorded_at: dt.datetime) -> dict[str, Any]:
    """A new record's columns, but for who entered it (see Repository._stamp): what a row is
    made of, or, for many records written in one statement, what the statement is given
    (making a table object costs more than the rest of a record's import)."""
    return {"kind": record.kind, "night": record.night.isoformat(), "at_utc": to_epoch(record.at),
            "zone": record.zone, "dose_ug": record.dose_ug, "scheduled_ug": record.scheduled_ug,
            "already_taken": record.already_taken, "voided": False, "voids": record.voids,
            "note": record.note, "acknowledged": record.acknowledged, "rule": record.rule,
            "recorded_at_utc": to_epoch(recorded_at), "not_taken": record.not_taken,
            "imported": record.imported}


def symptom_of(row: SymptomRow) -> Symptom:
    """A journal entry, urgent as the monograph judges the side effect it names or as a
    withdrawal red flag: the stored `urgent` column is never read (a raw INSERT could set it false)."""
    return Symptom(id=row.id or 0, name=row.name, effect_id=row.effect_id, severity=row.severity,
                   at=from_epoch(row.at_utc, row.zone), zone=row.zone,
                   night=dt.date.fromisoformat(row.night), note=row.note,
                   urgent=is_urgent(load_monograph(), load_withdrawal(), row.effect_id, row.name),
                   recorded_by=row.recorded_by, entered_by=row.entered_by)


def symptom_row(symptom: Symptom, recorded_at: dt.datetime) -> SymptomRow:
    return SymptomRow(name=symptom.name, effect_id=symptom.effect_id, severity=symptom.severity,
                      at_utc=to_epoch(symptom.at), zone=symptom.zone,
                      night=symptom.night.isoformat(), note=symptom.note, urgent=symptom.urgent,
                      recorded_at_utc=to_epoch(recorded_at))


def stock_of(row: StockRow) -> StockEntry:
    """A stock entry as stored facts only: the stored `expected` and `flagged` are never read
    (a raw INSERT could forge them); Repository.stock_entries judges each count afresh."""
    return StockEntry(id=row.id or 0, kind=row.kind, at=from_epoch(row.at_utc, row.zone),
                      zone=row.zone, amount=row.amount, strength_ug=row.strength_ug,
                      ug_per_ml=row.ug_per_ml, note=row.note, recorded_by=row.recorded_by,
                      entered_by=row.entered_by)


def stock_row(entry: StockEntry, recorded_at: dt.datetime) -> StockRow:
    return StockRow(kind=entry.kind, at_utc=to_epoch(entry.at), zone=entry.zone,
                    strength_ug=entry.strength_ug, ug_per_ml=entry.ug_per_ml, amount=entry.amount,
                    expected=entry.expected, flagged=entry.flagged, note=entry.note,
                    recorded_at_utc=to_epoch(recorded_at))


def checkin_of(row: CheckinRow, void: CheckinRow | None) -> CheckIn:
    """A check-in; a void row naming it marks it voided, with the reason."""
    return CheckIn(id=row.id or 0, night=dt.date.fromisoformat(row.night), at=from_epoch(row.at_utc, row.zone),
                   zone=row.zone, ratings=tuple((str(k), int(v)) for k, v in json.loads(row.ratings or "{}").items()),
                   step_night=dt.date.fromisoformat(row.step_night) if row.step_night else None,
                   step_ug=row.step_ug, note=row.note, voided=void is not None,
                   void_reason=void.note if void is not None else None,
                   recorded_by=row.recorded_by, entered_by=row.entered_by,
                   voided_at=from_epoch(void.at_utc, void.zone) if void is not None else None)


def checkin_row(checkin: CheckIn, recorded_at: dt.datetime) -> CheckinRow:
    return CheckinRow(kind="checkin", night=checkin.night.isoformat(), at_utc=to_epoch(checkin.at),
                      zone=checkin.zone, ratings=json.dumps(dict(checkin.ratings)),
                      step_night=checkin.step_night.isoformat() if checkin.step_night else None,
                      step_ug=checkin.step_ug, note=checkin.note, recorded_at_utc=to_epoch(recorded_at))


def report_of(row: ReportRow) -> ReportWritten:
    from medtrack.core.visit import PeriodBasis, ReportWritten  # the reports: the PDF export's

    return ReportWritten(at=from_epoch(row.at_utc, row.zone), zone=row.zone,
                         first=dt.date.fromisoformat(row.first_night), last=dt.date.fromisoformat(row.last_night),
                         basis=PeriodBasis(row.basis), format=row.format, id=row.id or 0,
                         recorded_by=row.recorded_by, entered_by=row.entered_by)


def report_row(report: ReportWritten, recorded_at: dt.datetime) -> ReportRow:
    return ReportRow(format=report.format, at_utc=to_epoch(report.at), zone=report.zone,
                     first_night=report.first.isoformat(), last_night=report.last.isoformat(),
                     basis=str(report.basis), recorded_at_utc=to_epoch(recorded_at))
