"""The database as opened: its engine, the patient it is seen as, and one transaction at a time.

`Database` opens a SQLite file or a PostgreSQL database (migrated and checked), chooses the
patient a command or screen means (a number, an id or a name), and gives a unit of work: one
transaction around a `Repository` of that patient's rows (repository.py). It also reads and
writes whole patients (`db copy`, the archive: copy.py).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.core.model import Patient
from medtrack.errors import BadInput, MedtrackError
from medtrack.i18n import _
from medtrack.location import Location
from medtrack.storage import postgres
from medtrack.storage.engine import make_private, storage_problem
from medtrack.storage.lock_state import KeepAndRefuse
from medtrack.storage.opening import open_engine
from medtrack.storage.patients import patients
from medtrack.storage.repository import Repository
from medtrack.storage.tables import PatientRow
from medtrack.storage.work import Work

if TYPE_CHECKING:
    from medtrack.storage.copy import PatientRows

__all__ = ["Database", "choose_patient", "is_number", "same_name"]


def is_number(text: str) -> bool:
    """A patient number as typed: ASCII digits that fit the key (a longer one is no patient)."""
    return text.isascii() and text.isdigit() and len(text) <= 18


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def choose_patient(found: Sequence[Patient], selector: str | None) -> Patient | None:
    """The patient `selector` (a number, a UUID or a name) means; with no selector, the only
    patient (None: there is none yet). Anything else is bad input naming what is accepted."""
    listed = ", ".join(f"{p.id} {p.name or '(no profile)'}" for p in found[:8])
    listed += ", ..." if len(found) > 8 else ""
    if selector is None or not selector.strip():
        if len(found) <= 1:
            return found[0] if found else None
        raise BadInput(_("this database holds {count} patients ({listed}): choose one with "
                         "--patient NUMBER or NAME (or MEDTRACK_PATIENT)").format(
                           count=len(found), listed=listed), hint=_("medtrack patients lists them"))
    wanted = selector.strip()
    if is_number(wanted):
        matches = [p for p in found if p.id == int(wanted)]
    else:
        matches = [p for p in found if p.uuid == wanted.lower()] or [
            p for p in found if p.name is not None and same_name(p.name, wanted)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BadInput(_("there is no patient '{wanted}' in this database (patients: {listed}); "
                         "give the number or the name as `medtrack patients` lists them").format(
                           wanted=wanted, listed=listed or _("none yet")))
    numbers = ", ".join(str(p.id) for p in matches)
    raise BadInput(_("{count} patients are named '{wanted}' (numbers {numbers}): choose one "
                     "by its number with --patient NUMBER").format(
                       count=len(matches), wanted=wanted, numbers=numbers))


class Database:
    """A medtrack database (a SQLite file or a PostgreSQL database) seen as one patient's:
    `unit_of_work(work)` gives one transaction around a Repository of that patient's rows.

    `patient` chooses the patient (number, UUID or name; None: the only one); `by` names who
    enters what is written (None: the database user). `for_patient()` gives the same database
    seen as another patient's, sharing the connection pool.
    """

    def __init__(self, path: Location, *, create: bool = False, patient: str | None = None,
                 by: str | None = None, clock: Clock = REAL_CLOCK) -> None:
        self.path = path
        self.selector = patient
        self.by = by
        self.clock = clock  # a fixed clock opens only a database made under one (exit 2)
        self._patient: int | None = None  # resolved once: patients are never deleted or renumbered
        # Before SQLite opens it, so the -wal and -shm it makes are private too.
        notice = make_private(path) if isinstance(path, Path) else None
        self.notices: tuple[str, ...] = (notice,) if notice else ()  # for the user, not errors
        try:
            self.engine: Engine = open_engine(path, create=create, fixed_clock=clock.fixed)
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, path) from error

    def for_patient(self, patient: str | int) -> Database:
        """This database, seen as another patient's (the ward opening one patient's screen)."""
        view = copy.copy(self)
        view.selector = str(patient)
        view._patient = None
        return view

    def _resolve(self, session: Session) -> int | None:
        if self._patient is None:
            wanted = (self.selector or "").strip()
            # The common cases need no names read: one patient, or a number or an id that exists.
            if not wanted:
                found = select(PatientRow.id).order_by(col(PatientRow.id)).limit(2)
            elif is_number(wanted):
                found = select(PatientRow.id).where(col(PatientRow.id) == int(wanted))
            else:
                found = select(PatientRow.id).where(col(PatientRow.uuid) == wanted.lower())
            ids = session.exec(found).all()
            if len(ids) == 1:
                self._patient = ids[0]
                return self._patient
            chosen = choose_patient(patients(session), self.selector)
            self._patient = chosen.id if chosen else None
        return self._patient

    @contextmanager
    def unit_of_work(self, work: Work) -> Iterator[Repository]:
        """One transaction doing `work` around the chosen patient's rows, commit on success.

        Writers serialise before any check: on SQLite BEGIN IMMEDIATE (one writer per file); on
        PostgreSQL a row lock on the patient (`Work.WRITE_PATIENT`), so nurses at different beds
        never wait for each other, or the database-wide advisory lock (`Work.WRITE_DATABASE`:
        adding a patient, whose repository has no patient yet). Readers (`Work.READ`) never wait.
        """
        engine = work.on(self.engine)
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.begin()
                try:
                    patient = None if work is Work.WRITE_DATABASE else self._resolve(session)
                    if work is Work.WRITE_PATIENT and patient is not None:
                        postgres.lock_patient(session.connection(), patient)
                    yield Repository(session, patient, self.by, self.clock)
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

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot across all patients (the ward, the list of patients)."""
        engine = Work.READ.on(self.engine)
        try:
            with Session(engine, expire_on_commit=False) as session:
                session.begin()
                try:
                    yield session
                finally:
                    session.rollback()
        except MedtrackError:
            raise
        except exc.SQLAlchemyError as error:
            raise storage_problem(error, self.path) from error

    def patients(self) -> list[Patient]:
        with self.reading() as session:
            return patients(session)

    def several_patients(self) -> bool:
        """Whether the database holds more than one patient (reads two ids at most)."""
        with self.reading() as session:
            return len(session.exec(select(PatientRow.id).limit(2)).all()) > 1

    def whole_patient(self, number: int) -> PatientRows:
        """Every row of one patient, from one snapshot (`db copy`, the archive)."""
        from medtrack.storage.copy import read_patient  # whole patients: db copy and the archive only

        with self.reading() as session:
            return read_patient(session.connection(), number)

    def add_whole_patient(self, rows: PatientRows) -> int:
        """Write a patient copied from elsewhere, in one transaction; the new patient's number."""
        from medtrack.storage.copy import write_patient

        with self.unit_of_work(Work.WRITE_DATABASE) as repo:
            if repo.session.exec(select(PatientRow.id).where(col(PatientRow.uuid) == rows.uuid)).first():
                raise BadInput(_("this database already holds the patient {uuid}: nothing was written").format(
                                   uuid=rows.uuid))
            return write_patient(repo.session.connection(), rows)

    def made_under_fixed_clock(self) -> bool:
        from medtrack.storage.copy import made_under_fixed_clock

        with self.reading() as session:
            return made_under_fixed_clock(session.connection())

    @property
    def file(self) -> Path | None:
        """The SQLite file (None on a server): what file-only steps (backups, permissions) need."""
        return self.path if isinstance(self.path, Path) else None

    def dispose(self) -> None:
        self.engine.dispose()

