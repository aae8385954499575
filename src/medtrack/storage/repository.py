"""The repository: one patient's rows, read and appended in a unit of work (database.py), as core values."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, insert, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.core.checkin import CheckIn
from medtrack.core.decide import ProfileHistory, ProfileVersion
from medtrack.core.formulation import Formulation
from medtrack.core.model import Patient, PlanWarning, Profile, Record, Regimen, Step, StockEntry, Symptom
from medtrack.core.stock import judged_entries
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.storage.lock_state import LockState
from medtrack.storage.patients import patients, read_regimens
from medtrack.storage.record_queries import append_statement, doses_statement, nights_statement, void_alias
from medtrack.storage.rows import (
    UTC,
    checkin_of,
    checkin_row,
    from_epoch,
    profile_of,
    profile_row,
    record_of,
    record_row,
    record_values,
    report_of,
    report_row,
    stock_of,
    stock_row,
    symptom_of,
    symptom_row,
    to_epoch,
)
from medtrack.storage.tables import (
    CheckinRow,
    ClockRow,
    LockRow,
    PatientRow,
    ProfileRow,
    RecordRow,
    RegimenRow,
    ReportRow,
    StepRow,
    StockRow,
    SymptomRow,
)

if TYPE_CHECKING:
    from medtrack.core.visit import ReportWritten

__all__ = ["Repository", "from_epoch", "to_epoch"]
STANDING = ("dose", "skip")  # the kinds a night is recorded with (a void only cancels)
_Owned = TypeVar("_Owned", ProfileRow, RegimenRow, RecordRow, SymptomRow, StockRow, CheckinRow, ReportRow)
_Entered = TypeVar("_Entered", RecordRow, SymptomRow, StockRow, CheckinRow, ReportRow)


def new_patient_id() -> str:
    """A fresh patient id (tests replace this to get reproducible exports)."""
    return str(uuid.uuid4())


def login_name() -> str:
    """The login name of whoever runs medtrack: who entered a record in a SQLite file."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


class Repository:
    """Reads and appends inside one transaction; callers never see a table row."""

    def __init__(self, session: Session, patient: int | None, by: str | None = None,
                 clock: Clock = REAL_CLOCK) -> None:
        self.session = session
        self.patient = patient  # the patient row this unit of work reads and writes (None: none yet)
        self._by = by
        self._login: str | None = None
        self.clock = clock  # the clock the database was opened with (it reads the real one)
        self._fixed_clock: bool | None = None  # the database's mark, read once per unit of work
        self._regimens: list[Regimen] | None = None  # read once per unit of work
        self._profiles: ProfileHistory | None = None  # read once per unit of work (once there is one)

    # -- profile -------------------------------------------------------------------------
    def profile(self) -> Profile | None:
        """The newest profile version: the profile (None before the first)."""
        history = self.profile_history()
        return history.current if history is not None else None

    def profile_history(self) -> ProfileHistory | None:
        """Every profile version in recording order (each night is judged by the one of its
        time), None before the first. Read once per unit of work: a command asks for it
        several times (the profile, tonight's decision, each dose of a demo)."""
        if self._profiles is None:
            rows = self.session.exec(select(ProfileRow).where(col(ProfileRow.patient_id) == self.patient)
                                     .order_by(col(ProfileRow.id))).all()
            if not rows:
                return None
            self._profiles = ProfileHistory(ProfileVersion(dt.datetime.fromtimestamp(row.recorded_at_utc, UTC),
                                                           profile_of(row)) for row in rows)
        return self._profiles

    def add_profile(self, profile: Profile, *, at: dt.datetime, change: str) -> None:
        self._profiles = None
        self.session.add(self._own(profile_row(profile, at, change)))
        self.session.flush()

    def patient_id(self) -> str | None:
        """The patient's stable id (a UUID made once at init), None before init."""
        if self.patient is None:
            return None
        return self.session.exec(select(PatientRow.uuid).where(col(PatientRow.id) == self.patient)).first()

    def add_patient(self, *, at: dt.datetime) -> str:
        """A new patient; this unit of work belongs to it from now on."""
        made = new_patient_id()
        row = PatientRow(uuid=made, created_at_utc=to_epoch(at))
        self.session.add(row)
        self.session.flush()
        self.patient = row.id
        self._profiles = self._regimens = None  # the new patient's, when next read
        return made

    def patients(self) -> list[Patient]:
        return patients(self.session)

    def _own(self, row: _Owned) -> _Owned:
        """Stamp a new row with this unit's patient (the schema refuses a row without one)."""
        row.patient_id = self.patient
        return row

    def _stamp(self, row: _Entered) -> _Entered:
        """Stamp a new entry with its patient, the name given for it and the login that
        entered it (on PostgreSQL the server writes the login itself, whatever is sent).

        On a database kept on the real clock, an entry dated later than the real clock is
        refused here, whichever path made it (the schema refuses it too, in fewer words)."""
        for column, value in self._entry_stamp(row.at_utc).items():
            setattr(row, column, value)
        return row

    def _entry_stamp(self, at_utc: int) -> dict[str, Any]:
        """The columns `_stamp` sets on an entry dated `at_utc`, once it is checked against the
        real clock: its patient, the name given for it and the login that entered it."""
        if not self.made_under_fixed_clock():
            real = self.clock.real_now()
            if at_utc > to_epoch(real):
                raise BadInput(_("an entry cannot be dated later than the real clock (it is dated "
                                 "{dated:%Y-%m-%d %H:%M} UTC, the real clock says {real:%Y-%m-%d %H:%M} "
                                 "UTC); nothing was written").format(
                                   dated=dt.datetime.fromtimestamp(at_utc, UTC), real=real.astimezone(UTC)))
        return {"patient_id": self.patient, "recorded_by": self.recorder(), "entered_by": self.login()}

    # -- the database's clock ------------------------------------------------------------
    def made_under_fixed_clock(self) -> bool:
        """Whether the database was made under a fixed clock (the demo, the tests): there the
        fixed clock is the clock; on any other only the real clock counts."""
        if self._fixed_clock is None:
            mark = self.session.exec(select(ClockRow.fixed).where(col(ClockRow.id) == 1)).first()
            self._fixed_clock = bool(mark)
        return self._fixed_clock

    def lock_now(self, now: dt.datetime) -> dt.datetime:
        """The moment the prescriber lock counts failures and lockouts from: `now` on a database
        made under a fixed clock, the real clock on any other (so no clock given to a use case
        can shorten a lockout)."""
        return now if self.made_under_fixed_clock() else self.clock.real_now()

    @contextmanager
    def entered_by(self, name: str | None) -> Iterator[None]:
        """What is written inside is entered by `name` (None: as before), e.g. an imported row
        keeping the name its file gives, in the same transaction."""
        before = self._by
        if name is not None:
            self._by = name
        try:
            yield
        finally:
            self._by = before

    def recorder(self) -> str:
        """The name this unit of work's entries are recorded by: --by / MEDTRACK_USER, else the
        login that enters them."""
        return self._by if self._by is not None else self.login()

    def login(self) -> str:
        """Who enters what this unit of work writes: the database login on PostgreSQL (the
        session's, as the server records it), the user running medtrack on a SQLite file."""
        if self._login is None:
            if self.session.get_bind().dialect.name == "postgresql":
                self._login = str(self.session.execute(text("SELECT session_user")).scalar())
            else:
                self._login = login_name()
        return self._login

    # -- regimens ------------------------------------------------------------------------
    def regimens(self) -> list[Regimen]:
        if self._regimens is None:
            self._regimens = ([] if self.patient is None  # no patient yet: nobody's regimens
                              else read_regimens(self.session, self.patient).get(self.patient, []))
        return list(self._regimens)

    def add_regimen(self, *, kind: str, prescriber: str, steps: Sequence[Step], at: dt.datetime,
                    acknowledged: str | None = None, acknowledged_ids: Sequence[str] = (),
                    version: int | None = None, change: str | None = None,
                    reason: str | None = None, round_ug: int | None = None,
                    start: dt.date | None = None, formulation: Formulation | None = None,
                    warnings: Sequence[PlanWarning] = (), trend_rise: int | None = None) -> int:
        """Append a regimen in force from `start` (default: its first step's night)."""
        self._regimens = None
        row = self._own(RegimenRow(
            kind=kind, created_at_utc=to_epoch(at), prescriber=prescriber,
            start_night=(start or steps[0].start).isoformat(), acknowledged=acknowledged,
            acknowledged_ids=",".join(acknowledged_ids), version=version, change=change,
            reason=reason, round_ug=round_ug,
            formulation=formulation.encode() if formulation is not None else None,
            warnings=json.dumps([w.to_json() for w in warnings], ensure_ascii=False),
            trend_rise=trend_rise,
        ))
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
        void = void_alias()
        query = (select(RecordRow, void)
                 .join(void, (col(void.voids) == col(RecordRow.id)) & (col(void.kind) == "void"),
                       isouter=True)
                 .where(col(RecordRow.patient_id) == self.patient, *where).order_by(*order))
        if limit is not None:
            query = query.limit(limit)
        return [record_of(row, cancel) for row, cancel in self.session.exec(query)]

    def records_for_nights(self, first: dt.date, last: dt.date, *,
                           kinds: Sequence[str] = STANDING) -> list[Record]:
        rows = self.session.exec(nights_statement(), params={
            "patient": self.patient, "first": first.isoformat(), "last": last.isoformat(), "kinds": list(kinds)})
        return [record_of(row, cancel) for row, cancel in rows]

    def records_page(self, before_id: int | None, limit: int) -> list[Record]:
        """Dose and skip records newest first (by id), older than `before_id`."""
        where: list[ColumnElement[bool]] = [col(RecordRow.kind).in_(STANDING)]
        if before_id is not None:
            where.append(col(RecordRow.id) < before_id)
        return self._records(*where, order=(col(RecordRow.id).desc(),), limit=limit)

    def doses_between(self, start: dt.datetime, end: dt.datetime) -> list[Record]:
        """Counted doses with an instant strictly between start and end."""
        rows = self.session.exec(doses_statement(), params={
            "patient": self.patient, "start": to_epoch(start), "end": to_epoch(end)})
        return [record_of(r) for r in rows]

    def counted_doses(self, since: dt.datetime | None = None) -> list[Record]:
        """Doses that count (not voided), in time order, from `since` on: what the stock was
        used for."""
        query = select(RecordRow).where(col(RecordRow.patient_id) == self.patient,
                                        col(RecordRow.kind) == "dose", col(RecordRow.voided).is_(False))
        if since is not None:
            query = query.where(col(RecordRow.at_utc) >= to_epoch(since))
        return [record_of(r) for r in self.session.exec(query.order_by(col(RecordRow.at_utc)))]

    def night_span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last night with any record (None: no record yet)."""
        # Two scalar subqueries: each is one step at an end of the night index, where a
        # combined min/max scans the whole index (0.1 ms against 0.1-0.4 s at 1M records).
        mine = col(RecordRow.patient_id) == self.patient
        first_q = select(func.min(RecordRow.night)).where(mine).scalar_subquery()
        last_q = select(func.max(RecordRow.night)).where(mine).scalar_subquery()
        first, last = self.session.exec(select(first_q, last_q)).one()
        return (dt.date.fromisoformat(first), dt.date.fromisoformat(last)) if first else None

    def record(self, record_id: int) -> Record | None:
        found = self._records(col(RecordRow.id) == record_id, order=())
        return found[0] if found else None

    def add_record(self, record: Record, *, recorded_at: dt.datetime) -> Record:
        row = self._stamp(record_row(record, recorded_at))
        self.session.add(row)
        self.session.flush()
        saved = record_of(row)
        if record.kind == "void":  # the schema marked its record voided: read it afresh
            self.session.expire_all()
        return saved

    def add_records_bulk(self, records: Sequence[Record], *, recorded_at: dt.datetime) -> None:
        """Append many records in one statement (demo and stress databases); the schema's
        CHECKs, unique index and triggers still apply to every row."""
        rows = [self._stamp(record_row(r, recorded_at)).model_dump(exclude={"id"}) for r in records]
        if rows:
            self.session.execute(insert(RecordRow), rows)

    def recorded_nights(self, first: dt.date) -> list[dt.date]:
        """Nights from `first` on that have a dose or skip that stands (not voided)."""
        nights = self.session.exec(select(RecordRow.night).distinct().where(
            col(RecordRow.patient_id) == self.patient, col(RecordRow.kind).in_(STANDING),
            col(RecordRow.voided).is_(False),
            col(RecordRow.night) >= first.isoformat()).order_by(col(RecordRow.night)))
        return [dt.date.fromisoformat(n) for n in nights]

    def record_count(self) -> int:
        return self.session.exec(select(func.count()).select_from(RecordRow)
                                 .where(col(RecordRow.patient_id) == self.patient)).one()

    # -- symptoms ------------------------------------------------------------------------
    def add_symptom(self, symptom: Symptom, *, recorded_at: dt.datetime) -> Symptom:
        row = self._stamp(symptom_row(symptom, recorded_at))
        self.session.add(row)
        self.session.flush()
        return symptom_of(row)

    def symptoms(self, first: dt.date | None = None, last: dt.date | None = None) -> list[Symptom]:
        query = (select(SymptomRow).where(col(SymptomRow.patient_id) == self.patient)
                 .order_by(col(SymptomRow.at_utc), col(SymptomRow.id)))
        if first is not None:
            query = query.where(col(SymptomRow.night) >= first.isoformat())
        if last is not None:
            query = query.where(col(SymptomRow.night) <= last.isoformat())
        return [symptom_of(r) for r in self.session.exec(query)]

    # -- withdrawal check-ins --------------------------------------------------------------
    def add_checkin(self, checkin: CheckIn, *, recorded_at: dt.datetime) -> CheckIn:
        row = self._stamp(checkin_row(checkin, recorded_at))
        self.session.add(row)
        self.session.flush()
        return checkin_of(row, None)

    def void_checkin(self, target: int, *, reason: str, at: dt.datetime, night: dt.date, zone: str,
                     recorded_at: dt.datetime) -> None:
        """A void row naming the check-in, with the reason (the check-in itself stays as it was)."""
        row = self._stamp(CheckinRow(kind="void", night=night.isoformat(), at_utc=to_epoch(at), zone=zone,
                                     voids=target, note=reason, recorded_at_utc=to_epoch(recorded_at)))
        self.session.add(row)
        self.session.flush()

    def checkins(self, first: dt.date | None = None, last: dt.date | None = None) -> list[CheckIn]:
        """Check-ins by night, oldest first; a voided one is kept, marked, with its void's reason."""
        query = (select(CheckinRow).where(col(CheckinRow.patient_id) == self.patient)
                 .order_by(col(CheckinRow.night), col(CheckinRow.at_utc), col(CheckinRow.id)))
        rows = list(self.session.exec(query))
        voids = {r.voids: r for r in rows if r.kind == "void"}
        return [checkin_of(r, voids.get(r.id)) for r in rows if r.kind == "checkin"
                and (first is None or r.night >= first.isoformat())
                and (last is None or r.night <= last.isoformat())]

    # -- reports written for the doctor ---------------------------------------------------
    def add_report(self, report: ReportWritten, *, recorded_at: dt.datetime) -> ReportWritten:
        row = self._stamp(report_row(report, recorded_at))
        self.session.add(row)
        self.session.flush()
        return report_of(row)

    def reports(self) -> list[ReportWritten]:
        """The reports written for the doctor, oldest first."""
        query = (select(ReportRow).where(col(ReportRow.patient_id) == self.patient)
                 .order_by(col(ReportRow.at_utc), col(ReportRow.id)))
        return [report_of(r) for r in self.session.exec(query)]

    # -- stock ---------------------------------------------------------------------------
    def add_stock(self, entry: StockEntry, *, recorded_at: dt.datetime) -> StockEntry:
        row = self._stamp(stock_row(entry, recorded_at))
        self.session.add(row)
        self.session.flush()
        return stock_of(row)

    def stock_entries(self) -> list[StockEntry]:
        """Additions and counts in time order, each count with what was expected then and
        whether it is off, worked out from the entries, the doses and the regimens
        (core.stock.judged_entries): what a row stores for them is never read."""
        query = (select(StockRow).where(col(StockRow.patient_id) == self.patient)
                 .order_by(col(StockRow.at_utc), col(StockRow.id)))
        entries = [stock_of(r) for r in self.session.exec(query)]
        if not entries:
            return []
        return judged_entries(entries, self.counted_doses(since=entries[0].at), self.regimens())

    # -- prescriber lock -----------------------------------------------------------------
    def lock(self) -> LockState:
        row = self._lock_row()
        if row is None:
            return LockState(None, 0, None)
        until = dt.datetime.fromtimestamp(row.locked_until_utc, UTC) if row.locked_until_utc else None
        return LockState(row.pin_hash, row.failures, until)

    def save_lock(self, state: LockState, *, at: dt.datetime) -> None:
        row = self._lock_row() or LockRow(patient_id=self.patient or 0, changed_at_utc=to_epoch(at))
        row.pin_hash = state.pin_hash
        row.failures = state.failures
        row.locked_until_utc = to_epoch(state.locked_until) if state.locked_until else None
        row.changed_at_utc = to_epoch(at)
        self.session.add(row)
        self.session.flush()

    def _lock_row(self) -> LockRow | None:
        return self.session.exec(select(LockRow).where(col(LockRow.patient_id) == self.patient)).first()

    # -- many records in one unit of work (an import) --------------------------------------
    def append_records(self, records: Sequence[Record], *, recorded_at: dt.datetime,
                       names: Sequence[str | None] = ()) -> list[int]:
        """Append records in one statement, each stamped as `add_record` stamps it (`_entry_stamp`),
        entered by the name given beside it in `names` (None or none given: as this unit of
        work enters), and checked by the schema as every insert is: their new ids, in order.
        No object stays in the session for them (an import writes thousands in one unit of
        work); a record one of them voids is read afresh when next used, as after `add_record`."""
        rows = []
        for index, record in enumerate(records):
            with self.entered_by(names[index] if index < len(names) else None):
                values = record_values(record, recorded_at)
                rows.append(values | self._entry_stamp(values["at_utc"]))
        if not rows:
            return []
        ids = sorted(self.session.connection().execute(append_statement(), rows).scalars())
        for record in records:
            if record.kind == "void" and record.voids is not None:
                stale = self.session.identity_map.get(self.session.identity_key(RecordRow, record.voids))
                if stale is not None:
                    self.session.expire(stale)
        return ids
