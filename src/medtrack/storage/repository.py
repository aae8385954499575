"""The unit of work and repository: one transaction, and rows converted to core values at the edge."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exc, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from medtrack.core.formulation import Formulation, decode
from medtrack.core.model import Profile, Record, Regimen, StockEntry, Step, Symptom
from medtrack.errors import MedtrackError, StorageProblem
from medtrack.storage.engine import open_engine, storage_problem

# The hot paths (status, log, calendar, history) read and append with plain SQL: compiling
# ORM statements costs more per process than the whole query (measured by bench/run.py).
# The SQLModel table classes in tables.py serve the rarer writes (profile, plan, journal).
_RECORD_KINDS = {("dose", "skip"): "('dose', 'skip')", ("dose", "skip", "void"): "('dose', 'skip', 'void')"}
_VOID_REASONS = text("SELECT voids, note, not_taken FROM record WHERE kind = 'void' AND voids IN :ids").bindparams(
    bindparam("ids", expanding=True))
_INSERT_RECORD = text(
    "INSERT INTO record (kind, night, at_utc, zone, dose_ug, scheduled_ug, already_taken, voided, voids,"
    " note, acknowledged, rule, recorded_at_utc, not_taken, imported) VALUES (:kind, :night, :at_utc,"
    " :zone, :dose_ug, :scheduled_ug, :already_taken, 0, :voids, :note, :acknowledged, :rule,"
    " :recorded_at_utc, :not_taken, :imported)")

UTC = dt.timezone.utc


def new_patient_id() -> str:
    """A fresh patient id (tests replace this to get reproducible exports)."""
    return str(uuid.uuid4())


def to_epoch(instant: dt.datetime) -> int:
    return int(instant.astimezone(UTC).timestamp())


def from_epoch(seconds: int, zone: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC).astimezone(ZoneInfo(zone))


def _profile(row) -> Profile:  # type: ignore[no-untyped-def]
    return Profile(
        name=row.name, born=dt.date.fromisoformat(row.born), zone=row.zone,
        bedtime=dt.time.fromisoformat(row.bedtime), wake=dt.time.fromisoformat(row.wake),
        liver=row.liver, renal=bool(row.renal), pregnant=bool(row.pregnant),
        breastfeeding=bool(row.breastfeeding),
        conditions=tuple(c for c in row.conditions.split(",") if c),
        min_sleep_min=row.min_sleep_min,
    )


def _record(row, void_reason: str | None = None, not_taken: bool = False) -> Record:  # type: ignore[no-untyped-def]
    return Record(
        id=row.id or 0, kind=row.kind, night=dt.date.fromisoformat(row.night),
        at=from_epoch(row.at_utc, row.zone), zone=row.zone, dose_ug=row.dose_ug,
        scheduled_ug=row.scheduled_ug, already_taken=bool(row.already_taken),
        voided=bool(row.voided), void_reason=void_reason, voids=row.voids, note=row.note,
        acknowledged=row.acknowledged, rule=row.rule, not_taken=bool(row.not_taken) or not_taken,
        imported=bool(row.imported),
    )


class Repository:
    """Reads and appends inside one transaction; callers never see a table row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._regimens: list[Regimen] | None = None  # read once per unit of work

    # -- profile -------------------------------------------------------------------------
    def profile(self) -> Profile | None:
        row = self.session.execute(text("SELECT * FROM profile_version ORDER BY id DESC LIMIT 1")).first()
        return _profile(row) if row else None

    def add_profile(self, profile: Profile, *, at: dt.datetime, change: str) -> None:
        from medtrack.storage.tables import ProfileRow

        self.session.add(ProfileRow(
            recorded_at_utc=to_epoch(at), name=profile.name, born=profile.born.isoformat(),
            zone=profile.zone, bedtime=profile.bedtime.strftime("%H:%M"),
            wake=profile.wake.strftime("%H:%M"), liver=profile.liver, renal=profile.renal,
            pregnant=profile.pregnant, breastfeeding=profile.breastfeeding,
            conditions=",".join(profile.conditions), min_sleep_min=profile.min_sleep_min,
            change=change,
        ))
        self.session.flush()

    def patient_id(self) -> str | None:
        """The patient's stable id (a UUID made once at init), None before init."""
        return self.session.execute(text("SELECT uuid FROM patient ORDER BY id LIMIT 1")).scalar()

    def add_patient(self, *, at: dt.datetime) -> str:
        from medtrack.storage.tables import PatientRow

        made = new_patient_id()
        self.session.add(PatientRow(uuid=made, created_at_utc=to_epoch(at)))
        self.session.flush()
        return made

    # -- regimens ------------------------------------------------------------------------
    def regimens(self) -> list[Regimen]:
        if self._regimens is None:
            self._regimens = self._read_regimens()
        return list(self._regimens)

    def _read_regimens(self) -> list[Regimen]:
        rows = self.session.execute(text("SELECT * FROM regimen ORDER BY id")).all()
        steps: dict[int, list[Step]] = {}
        for step in self.session.execute(text(
                "SELECT regimen_id, start_night, dose_ug FROM regimen_step ORDER BY regimen_id, start_night")):
            steps.setdefault(step.regimen_id, []).append(
                Step(dt.date.fromisoformat(step.start_night), step.dose_ug))
        return [
            Regimen(
                kind=r.kind, id=r.id or 0, seq=r.id or 0, prescriber=r.prescriber,
                steps=tuple(steps.get(r.id or 0, ())),
                created_at=dt.datetime.fromtimestamp(r.created_at_utc, UTC),
                acknowledged=r.acknowledged, version=r.version, change=r.change, reason=r.reason,
                acknowledged_ids=tuple(i for i in r.acknowledged_ids.split(",") if i),
                round_ug=r.round_ug, in_force_from=dt.date.fromisoformat(r.start_night),
                formulation=decode(r.formulation, r.round_ug) if r.formulation else None,
                warnings=tuple(json.loads(r.warnings or "[]")),
            )
            for r in rows
        ]

    def add_regimen(self, *, kind: str, prescriber: str, steps: Sequence[Step], at: dt.datetime,
                    acknowledged: str | None = None, acknowledged_ids: Sequence[str] = (),
                    version: int | None = None, change: str | None = None,
                    reason: str | None = None, round_ug: int | None = None,
                    start: dt.date | None = None, formulation: Formulation | None = None,
                    warnings: Sequence[str] = ()) -> int:
        """Append a regimen in force from `start` (default: its first step's night)."""
        from medtrack.storage.tables import RegimenRow, StepRow

        self._regimens = None
        row = RegimenRow(
            kind=kind, created_at_utc=to_epoch(at), prescriber=prescriber,
            start_night=(start or steps[0].start).isoformat(), acknowledged=acknowledged,
            acknowledged_ids=",".join(acknowledged_ids), version=version, change=change,
            reason=reason, round_ug=round_ug,
            formulation=formulation.encode() if formulation is not None else None,
            warnings=json.dumps(list(warnings), ensure_ascii=False),
        )
        self.session.add(row)
        self.session.flush()
        for step in steps:
            self.session.add(StepRow(regimen_id=row.id, start_night=step.start.isoformat(),
                                     dose_ug=step.dose_ug))
        self.session.flush()
        return row.id or 0

    # -- records -------------------------------------------------------------------------
    def _with_reasons(self, rows: Sequence) -> list[Record]:  # type: ignore[type-arg]
        voided = [r.id for r in rows if r.voided]
        reasons: dict[int, tuple[str | None, bool]] = {}
        if voided:
            for void in self.session.execute(_VOID_REASONS, {"ids": voided}):
                reasons[void.voids] = (void.note, bool(void.not_taken))
        return [_record(r, *reasons.get(r.id, (None, False))) for r in rows]

    def records_for_nights(self, first: dt.date, last: dt.date, *, kinds: Sequence[str] = ("dose", "skip")) -> list[Record]:
        rows = self.session.execute(text(
            f"SELECT * FROM record WHERE night >= :first AND night <= :last AND kind IN {_RECORD_KINDS[tuple(kinds)]}"
            " ORDER BY night, id"), {"first": first.isoformat(), "last": last.isoformat()}).all()
        return self._with_reasons(rows)

    def all_records(self, *, kinds: Sequence[str] = ("dose", "skip")) -> list[Record]:
        rows = self.session.execute(text(
            f"SELECT * FROM record WHERE kind IN {_RECORD_KINDS[tuple(kinds)]} ORDER BY id")).all()
        return self._with_reasons(rows)

    def records_page(self, before_id: int | None, limit: int) -> list[Record]:
        """Dose and skip records newest first (by id), older than `before_id`."""
        rows = self.session.execute(text(
            "SELECT * FROM record WHERE kind IN ('dose', 'skip') AND id < :before ORDER BY id DESC LIMIT :limit"),
            {"before": before_id if before_id is not None else 2**62, "limit": limit}).all()
        return self._with_reasons(rows)

    def doses_between(self, start: dt.datetime, end: dt.datetime) -> list[Record]:
        """Counted doses with an instant strictly between start and end."""
        rows = self.session.execute(text(
            "SELECT * FROM record WHERE kind = 'dose' AND voided = 0 AND at_utc > :start AND at_utc < :end"
            " ORDER BY at_utc"), {"start": to_epoch(start), "end": to_epoch(end)}).all()
        return [_record(r) for r in rows]

    def record(self, record_id: int) -> Record | None:
        row = self.session.execute(text("SELECT * FROM record WHERE id = :id"), {"id": record_id}).first()
        if row is None:
            return None
        return self._with_reasons([row])[0]

    def add_record(self, record: Record, *, recorded_at: dt.datetime) -> Record:
        values = dict(
            kind=record.kind, night=record.night.isoformat(), at_utc=to_epoch(record.at),
            zone=record.zone, dose_ug=record.dose_ug, scheduled_ug=record.scheduled_ug,
            already_taken=record.already_taken, voids=record.voids, note=record.note,
            acknowledged=record.acknowledged, rule=record.rule,
            recorded_at_utc=to_epoch(recorded_at), not_taken=record.not_taken,
            imported=record.imported,
        )
        result = self.session.execute(_INSERT_RECORD, values)
        return dataclasses.replace(record, id=result.lastrowid, at=from_epoch(values["at_utc"], record.zone),  # type: ignore[attr-defined]
                                   voided=False, void_reason=None)

    def add_records_bulk(self, records: Sequence[Record], *, recorded_at: dt.datetime) -> None:
        """Append many records in one statement (demo and stress databases); the schema's
        CHECKs, unique index and triggers still apply to every row."""
        stamp = to_epoch(recorded_at)
        rows = [dict(kind=r.kind, night=r.night.isoformat(), at_utc=to_epoch(r.at), zone=r.zone,
                     dose_ug=r.dose_ug, scheduled_ug=r.scheduled_ug, already_taken=r.already_taken,
                     voids=r.voids, note=r.note, acknowledged=r.acknowledged,
                     rule=r.rule, recorded_at_utc=stamp, not_taken=r.not_taken,
                     imported=r.imported) for r in records]
        if rows:
            self.session.execute(_INSERT_RECORD, rows)

    def recorded_nights(self, first: dt.date) -> list[dt.date]:
        """Nights from `first` on that have a dose or skip that stands (not voided)."""
        rows = self.session.execute(text(
            "SELECT DISTINCT night FROM record WHERE kind IN ('dose', 'skip') AND voided = 0"
            " AND night >= :first ORDER BY night"), {"first": first.isoformat()})
        return [dt.date.fromisoformat(r.night) for r in rows]

    def mark_voided(self, record_id: int) -> None:
        self.session.execute(text("UPDATE record SET voided = 1 WHERE id = :id"), {"id": record_id})

    # -- symptoms ------------------------------------------------------------------------
    def add_symptom(self, symptom: Symptom, *, recorded_at: dt.datetime) -> Symptom:
        from medtrack.storage.tables import SymptomRow

        row = SymptomRow(name=symptom.name, effect_id=symptom.effect_id, severity=symptom.severity,
                         at_utc=to_epoch(symptom.at), zone=symptom.zone, night=symptom.night.isoformat(),
                         note=symptom.note, urgent=symptom.urgent, recorded_at_utc=to_epoch(recorded_at))
        self.session.add(row)
        self.session.flush()
        return _symptom(row)

    def symptoms(self, first: dt.date | None = None, last: dt.date | None = None) -> list[Symptom]:
        rows = self.session.execute(text(
            "SELECT * FROM symptom WHERE night >= :first AND night <= :last ORDER BY at_utc, id"),
            {"first": (first or dt.date.min).isoformat(), "last": (last or dt.date.max).isoformat()})
        return [_symptom(r) for r in rows]

    # -- stock ---------------------------------------------------------------------------
    def add_stock(self, entry: StockEntry, *, recorded_at: dt.datetime) -> StockEntry:
        from medtrack.storage.tables import StockRow

        row = StockRow(kind=entry.kind, at_utc=to_epoch(entry.at), zone=entry.zone,
                       strength_ug=entry.strength_ug, ug_per_ml=entry.ug_per_ml,
                       amount=entry.amount, expected=entry.expected, flagged=entry.flagged,
                       note=entry.note, recorded_at_utc=to_epoch(recorded_at))
        self.session.add(row)
        self.session.flush()
        return dataclasses.replace(entry, id=row.id or 0)

    def stock_entries(self) -> list[StockEntry]:
        rows = self.session.execute(text("SELECT * FROM stock ORDER BY at_utc, id"))
        return [StockEntry(id=r.id, kind=r.kind, at=from_epoch(r.at_utc, r.zone), zone=r.zone,
                           amount=r.amount, strength_ug=r.strength_ug, ug_per_ml=r.ug_per_ml,
                           expected=r.expected, flagged=bool(r.flagged), note=r.note)
                for r in rows]

    def counted_doses(self) -> list[Record]:
        """Every dose that counts (not voided), in time order: what the stock was used for."""
        rows = self.session.execute(text(
            "SELECT * FROM record WHERE kind = 'dose' AND voided = 0 ORDER BY at_utc")).all()
        return [_record(r) for r in rows]

    # -- prescriber lock -----------------------------------------------------------------
    def lock(self) -> LockState:
        row = self.session.execute(text("SELECT * FROM prescriber_lock WHERE id = 1")).first()
        if row is None:
            return LockState(None, 0, None)
        until = dt.datetime.fromtimestamp(row.locked_until_utc, UTC) if row.locked_until_utc else None
        return LockState(row.pin_hash, row.failures, until)

    def save_lock(self, state: LockState, *, at: dt.datetime) -> None:
        from medtrack.storage.tables import LockRow

        row = self.session.get(LockRow, 1) or LockRow(id=1, changed_at_utc=to_epoch(at))
        row.pin_hash = state.pin_hash
        row.failures = state.failures
        row.locked_until_utc = to_epoch(state.locked_until) if state.locked_until else None
        row.changed_at_utc = to_epoch(at)
        self.session.add(row)
        self.session.flush()


def _symptom(row) -> Symptom:  # type: ignore[no-untyped-def]
    return Symptom(id=row.id or 0, name=row.name, effect_id=row.effect_id, severity=row.severity,
                   at=from_epoch(row.at_utc, row.zone), zone=row.zone,
                   night=dt.date.fromisoformat(row.night), note=row.note, urgent=bool(row.urgent))


class KeepAndRefuse(Exception):
    """Raised inside a unit of work: commit what was written so far, then raise `error`."""

    def __init__(self, error: MedtrackError) -> None:
        super().__init__(error.message)
        self.error = error


class LockState:
    """The prescriber lock as stored: the PIN hash (None: no lock), failures, lockout end."""

    __slots__ = ("pin_hash", "failures", "locked_until")

    def __init__(self, pin_hash: str | None, failures: int, locked_until: dt.datetime | None) -> None:
        self.pin_hash = pin_hash
        self.failures = failures
        self.locked_until = locked_until


class Database:
    """A medtrack database file; `unit_of_work()` gives one transaction around a Repository."""

    def __init__(self, path: Path, *, create: bool = False) -> None:
        self.path = path
        try:
            self.engine: Engine = open_engine(path, create=create)
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, path) from error

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Repository]:
        """One transaction: BEGIN IMMEDIATE for writers (taken before any check), commit on success."""
        engine = self.engine if write else self.engine.execution_options(medtrack_read_only=True)
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.begin()
                try:
                    yield Repository(session)
                    session.commit()
                except KeepAndRefuse as signal:
                    session.commit()  # e.g. the failed-PIN counter: the one write a refusal keeps
                    raise signal.error from None
                except BaseException:
                    session.rollback()
                    raise
        except MedtrackError:
            raise
        except exc.IntegrityError as error:
            raise integrity_refusal(error) from error
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, self.path) from error

    def dispose(self) -> None:
        self.engine.dispose()


def integrity_refusal(error: exc.IntegrityError) -> MedtrackError:
    """The schema's own safety net caught what the rules above should have: still a refusal."""
    from medtrack.errors import Refused

    text_ = str(error.orig)
    if "record_one_per_night" in text_ or "UNIQUE constraint failed: record.night" in text_:
        return Refused("one-dose-per-night", "refused (one dose per night): this night already "
                       "has a dose or a skip recorded. Never take a second dose.")
    if "12 hours" in text_:
        return Refused("12-hour-gap", "refused (12-hour gap): doses must be at least 12 hours apart.")
    return StorageProblem(f"the database refused the change ({text_}); nothing was written")
