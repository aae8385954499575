"""The ward's reads across every patient: a few batched queries in one snapshot, core values out.

A ward of 1,000 patients must not cost 1,000 round trips: each read below is one query for all
patients (two for the regimens and their steps), and the records are read for a few nights only,
through the night index, whatever the length of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from medtrack.core.model import Patient, Profile, Record, Regimen, Symptom
from medtrack.storage.database import Database
from medtrack.storage.patients import read_regimens
from medtrack.storage.repository import STANDING
from medtrack.storage.rows import profile_of, record_of, symptom_of
from medtrack.storage.tables import PatientRow, ProfileRow, RecordRow, SymptomRow


@dataclass(frozen=True)
class WardPatient:
    """A patient with their newest profile (None: none yet, or it cannot be read: `problem`)."""

    patient: Patient
    profile: Profile | None
    problem: str | None = None


class WardReader:
    """Reads every patient's values inside one read-only snapshot (see `ward_reader`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def patients(self) -> list[WardPatient]:
        """Every patient by number, with the newest profile version (two queries)."""
        newest = (select(func.max(ProfileRow.id).label("newest"))
                  .group_by(col(ProfileRow.patient_id)).subquery())
        profiles = {row.patient_id: row for row in self.session.exec(
            select(ProfileRow).join(newest, col(ProfileRow.id) == newest.c.newest))}
        found = []
        for row in self.session.exec(select(PatientRow).order_by(col(PatientRow.id))):
            number = row.id or 0
            profile_row = profiles.get(number)
            patient = Patient(id=number, uuid=row.uuid, name=profile_row.name if profile_row else None)
            if profile_row is None:
                found.append(WardPatient(patient, None))
                continue
            try:
                found.append(WardPatient(patient, profile_of(profile_row)))
            except ValueError as error:  # a malformed time or date: still listed, never dropped
                found.append(WardPatient(patient, None, f"its profile cannot be read ({error})"))
        return found

    def regimens(self) -> dict[int, list[Regimen]]:
        """Every patient's prescriptions and plan versions with their steps (two queries)."""
        return read_regimens(self.session)

    def records(self, first: dt.date, last: dt.date) -> dict[int, list[Record]]:
        """Every patient's dose and skip records of the nights `first`..`last` (voided ones
        included, marked), by night then id: one range of the night index."""
        query = (select(RecordRow)
                 .where(col(RecordRow.night) >= first.isoformat(), col(RecordRow.night) <= last.isoformat(),
                        col(RecordRow.kind).in_(STANDING))
                 .order_by(col(RecordRow.patient_id), col(RecordRow.night), col(RecordRow.id)))
        found: dict[int, list[Record]] = {}
        for row in self.session.exec(query):
            found.setdefault(row.patient_id or 0, []).append(record_of(row))
        return found

    def symptoms(self, first: dt.date, last: dt.date) -> dict[int, list[Symptom]]:
        """Every patient's journal entries of the nights `first`..`last`, oldest first (one query);
        each urgent as read (storage.rows.symptom_of), never as stored."""
        query = (select(SymptomRow)
                 .where(col(SymptomRow.night) >= first.isoformat(), col(SymptomRow.night) <= last.isoformat())
                 .order_by(col(SymptomRow.patient_id), col(SymptomRow.at_utc), col(SymptomRow.id)))
        found: dict[int, list[Symptom]] = {}
        for row in self.session.exec(query):
            found.setdefault(row.patient_id or 0, []).append(symptom_of(row))
        return found


@contextmanager
def ward_reader(db: Database) -> Iterator[WardReader]:
    """A reader across every patient, all its reads in one snapshot (readers never wait)."""
    with db.reading() as session:
        yield WardReader(session)
