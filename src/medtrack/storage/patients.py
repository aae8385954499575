"""Reads across a database's patients: who they are (the choice of patient, the ward) and
their prescriptions and plans, one patient's or every patient's in two queries."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from medtrack.core.model import Patient, Regimen
from medtrack.storage.rows import regimen_of
from medtrack.storage.tables import PatientRow, ProfileRow, RegimenRow, StepRow


def patients(session: Session) -> list[Patient]:
    """Every patient with the name of their newest profile, by number."""
    newest = (select(ProfileRow.patient_id, func.max(ProfileRow.id).label("newest"))
              .group_by(col(ProfileRow.patient_id)).subquery())
    rows = session.exec(
        select(PatientRow.id, PatientRow.uuid, ProfileRow.name)
        .join(newest, newest.c.patient_id == col(PatientRow.id), isouter=True)
        .join(ProfileRow, col(ProfileRow.id) == newest.c.newest, isouter=True)
        .order_by(col(PatientRow.id)))
    return [Patient(id=pid or 0, uuid=puuid, name=name) for pid, puuid, name in rows]


def read_regimens(session: Session, patient: int | None = None) -> dict[int, list[Regimen]]:
    """Prescriptions and plan versions with their steps, in recording order, by patient: one
    patient's (`patient`), or every patient's (None: the ward). Two queries either way."""
    regimens = select(RegimenRow).order_by(col(RegimenRow.patient_id), col(RegimenRow.id))
    steps_query = select(StepRow).order_by(col(StepRow.regimen_id), col(StepRow.start_night))
    if patient is not None:
        regimens = regimens.where(col(RegimenRow.patient_id) == patient)
        steps_query = steps_query.where(col(StepRow.regimen_id).in_(
            select(RegimenRow.id).where(col(RegimenRow.patient_id) == patient)))
    steps: dict[int, list[StepRow]] = {}
    for step in session.exec(steps_query):
        steps.setdefault(step.regimen_id, []).append(step)
    found: dict[int, list[Regimen]] = {}
    for row in session.exec(regimens):
        found.setdefault(row.patient_id or 0, []).append(regimen_of(row, steps.get(row.id or 0, [])))
    return found
