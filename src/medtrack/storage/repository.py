"""The unit of work and repository: one transaction, and rows converted to core values at the edge."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import exc, func, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from medtrack.core.formulation import Formulation
from medtrack.core.model import Profile, Record, Regimen, Step, StockEntry, Symptom
from medtrack.errors import MedtrackError
from medtrack.location import Location
from medtrack.storage.engine import open_engine, storage_problem
from medtrack.storage.rows import (
    UTC,
    from_epoch,
    profile_of,
    profile_row,
    record_of,
    record_row,
    regimen_of,
    stock_of,
    stock_row,
    symptom_of,
    symptom_row,
    to_epoch,
)
from medtrack.storage.tables import (
    LockRow,
    PatientRow,
    ProfileRow,
    RecordRow,
    RegimenRow,
    StepRow,
    StockRow,
    SymptomRow,
)

__all__ = ["Database", "KeepAndRefuse", "LockState", "Repository", "from_epoch", "to_epoch"]
STANDING = ("dose", "skip")  # the kinds a night is recorded with (a void only cancels)


def new_patient_id() -> str:
    """A fresh patient id (tests replace this to get reproducible exports)."""
    return str(uuid.uuid4())


class Repository:
    """Reads and appends inside one transaction; callers never see a table row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._regimens: list[Regimen] | None = None  # read once per unit of work

    # -- profile -------------------------------------------------------------------------
    def profile(self) -> Profile | None:
        row = self.session.exec(select(ProfileRow).order_by(col(ProfileRow.id).desc()).limit(1)).first()
        return profile_of(row) if row else None

    def add_profile(self, profile: Profile, *, at: dt.datetime, change: str) -> None:
        self.session.add(profile_row(profile, at, change))
        self.session.flush()

    def patient_id(self) -> str | None:
        """The patient's stable id (a UUID made once at init), None before init."""
        return self.session.exec(select(PatientRow.uuid).order_by(col(PatientRow.id)).limit(1)).first()

    def add_patient(self, *, at: dt.datetime) -> str:
        made = new_patient_id()
        self.session.add(PatientRow(uuid=made, created_at_utc=to_epoch(at)))
        self.session.flush()
        return made

    # -- regimens ------------------------------------------------------------------------
    def regimens(self) -> list[Regimen]:
        if self._regimens is None:
            steps: dict[int, list[StepRow]] = {}
            for step in self.session.exec(select(StepRow).order_by(col(StepRow.regimen_id),
                                                                   col(StepRow.start_night))):
                steps.setdefault(step.regimen_id, []).append(step)
            self._regimens = [regimen_of(row, steps.get(row.id or 0, []))
                              for row in self.session.exec(select(RegimenRow).order_by(col(RegimenRow.id)))]
        return list(self._regimens)

    def add_regimen(self, *, kind: str, prescriber: str, steps: Sequence[Step], at: dt.datetime,
                    acknowledged: str | None = None, acknowledged_ids: Sequence[str] = (),
                    version: int | None = None, change: str | None = None,
                    reason: str | None = None, round_ug: int | None = None,
                    start: dt.date | None = None, formulation: Formulation | None = None,
                    warnings: Sequence[str] = ()) -> int:
        """Append a regimen in force from `start` (default: its first step's night)."""
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
            self.session.add(StepRow(regimen_id=row.id or 0, start_night=step.start.isoformat(),
                                     dose_ug=step.dose_ug))
        self.session.flush()
        return row.id or 0

    # -- records -------------------------------------------------------------------------
    def _records(self, *where: Any, order: Sequence[Any], limit: int | None = None) -> list[Record]:
        """Records matching `where`, each with the void that cancels it (one query)."""
        void = aliased(RecordRow)
        query = (select(RecordRow, void)
                 .join(void, (col(void.voids) == col(RecordRow.id)) & (col(void.kind) == "void"),
                       isouter=True)
                 .where(*where).order_by(*order))
        if limit is not None:
            query = query.limit(limit)
        return [record_of(row, cancel) for row, cancel in self.session.exec(query)]

    def records_for_nights(self, first: dt.date, last: dt.date, *,
                           kinds: Sequence[str] = STANDING) -> list[Record]:
        return self._records(col(RecordRow.night) >= first.isoformat(),
                             col(RecordRow.night) <= last.isoformat(), col(RecordRow.kind).in_(kinds),
                             order=(col(RecordRow.night), col(RecordRow.id)))

    def records_page(self, before_id: int | None, limit: int) -> list[Record]:
        """Dose and skip records newest first (by id), older than `before_id`."""
        where: list[ColumnElement[bool]] = [col(RecordRow.kind).in_(STANDING)]
        if before_id is not None:
            where.append(col(RecordRow.id) < before_id)
        return self._records(*where, order=(col(RecordRow.id).desc(),), limit=limit)

    def doses_between(self, start: dt.datetime, end: dt.datetime) -> list[Record]:
        """Counted doses with an instant strictly between start and end."""
        rows = self.session.exec(select(RecordRow).where(
            col(RecordRow.kind) == "dose", col(RecordRow.voided).is_(False),
            col(RecordRow.at_utc) > to_epoch(start), col(RecordRow.at_utc) < to_epoch(end),
        ).order_by(col(RecordRow.at_utc)))
        return [record_of(r) for r in rows]

    def counted_doses(self, since: dt.datetime | None = None) -> list[Record]:
        """Doses that count (not voided), in time order, from `since` on: what the stock was
        used for."""
        query = select(RecordRow).where(col(RecordRow.kind) == "dose", col(RecordRow.voided).is_(False))
        if since is not None:
            query = query.where(col(RecordRow.at_utc) >= to_epoch(since))
        return [record_of(r) for r in self.session.exec(query.order_by(col(RecordRow.at_utc)))]

    def night_span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last night with any record (None: no record yet)."""
        # Two scalar subqueries: each is one step at an end of the night index, where a
        # combined min/max scans the whole index (0.1 ms against 0.1-0.4 s at 1M records).
        first_q = select(func.min(RecordRow.night)).scalar_subquery()
        last_q = select(func.max(RecordRow.night)).scalar_subquery()
        first, last = self.session.exec(select(first_q, last_q)).one()
        return (dt.date.fromisoformat(first), dt.date.fromisoformat(last)) if first else None

    def record(self, record_id: int) -> Record | None:
        found = self._records(col(RecordRow.id) == record_id, order=())
        return found[0] if found else None

    def add_record(self, record: Record, *, recorded_at: dt.datetime) -> Record:
        row = record_row(record, recorded_at)
        self.session.add(row)
        self.session.flush()
        return record_of(row)

    def add_records_bulk(self, records: Sequence[Record], *, recorded_at: dt.datetime) -> None:
        """Append many records in one statement (demo and stress databases); the schema's
        CHECKs, unique index and triggers still apply to every row."""
        rows = [record_row(r, recorded_at).model_dump(exclude={"id"}) for r in records]
        if rows:
            self.session.execute(insert(RecordRow), rows)

    def recorded_nights(self, first: dt.date) -> list[dt.date]:
        """Nights from `first` on that have a dose or skip that stands (not voided)."""
        nights = self.session.exec(select(RecordRow.night).distinct().where(
            col(RecordRow.kind).in_(STANDING), col(RecordRow.voided).is_(False),
            col(RecordRow.night) >= first.isoformat()).order_by(col(RecordRow.night)))
        return [dt.date.fromisoformat(n) for n in nights]

    def record_count(self) -> int:
        return self.session.exec(select(func.count()).select_from(RecordRow)).one()

    def mark_voided(self, record_id: int) -> None:
        self.session.execute(update(RecordRow).where(col(RecordRow.id) == record_id).values(voided=True))

    # -- symptoms ------------------------------------------------------------------------
    def add_symptom(self, symptom: Symptom, *, recorded_at: dt.datetime) -> Symptom:
        row = symptom_row(symptom, recorded_at)
        self.session.add(row)
        self.session.flush()
        return symptom_of(row)

    def symptoms(self, first: dt.date | None = None, last: dt.date | None = None) -> list[Symptom]:
        query = select(SymptomRow).order_by(col(SymptomRow.at_utc), col(SymptomRow.id))
        if first is not None:
            query = query.where(col(SymptomRow.night) >= first.isoformat())
        if last is not None:
            query = query.where(col(SymptomRow.night) <= last.isoformat())
        return [symptom_of(r) for r in self.session.exec(query)]

    # -- stock ---------------------------------------------------------------------------
    def add_stock(self, entry: StockEntry, *, recorded_at: dt.datetime) -> StockEntry:
        row = stock_row(entry, recorded_at)
        self.session.add(row)
        self.session.flush()
        return stock_of(row)

    def stock_entries(self) -> list[StockEntry]:
        query = select(StockRow).order_by(col(StockRow.at_utc), col(StockRow.id))
        return [stock_of(r) for r in self.session.exec(query)]

    # -- prescriber lock -----------------------------------------------------------------
    def lock(self) -> LockState:
        row = self.session.get(LockRow, 1)
        if row is None:
            return LockState(None, 0, None)
        until = dt.datetime.fromtimestamp(row.locked_until_utc, UTC) if row.locked_until_utc else None
        return LockState(row.pin_hash, row.failures, until)

    def save_lock(self, state: LockState, *, at: dt.datetime) -> None:
        row = self.session.get(LockRow, 1) or LockRow(id=1, changed_at_utc=to_epoch(at))
        row.pin_hash = state.pin_hash
        row.failures = state.failures
        row.locked_until_utc = to_epoch(state.locked_until) if state.locked_until else None
        row.changed_at_utc = to_epoch(at)
        self.session.add(row)
        self.session.flush()


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
    """A medtrack database (a SQLite file or a PostgreSQL database); `unit_of_work()` gives one
    transaction around a Repository."""

    def __init__(self, path: Location, *, create: bool = False) -> None:
        self.path = path
        try:
            self.engine: Engine = open_engine(path, create=create)
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, path) from error

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Repository]:
        """One transaction, commit on success: writers take the write lock before any check
        (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock), readers never wait."""
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
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, self.path) from error

    @property
    def file(self) -> Path | None:
        """The SQLite file (None on a server): what file-only steps (backups, permissions) need."""
        return self.path if isinstance(self.path, Path) else None

    def dispose(self) -> None:
        self.engine.dispose()

