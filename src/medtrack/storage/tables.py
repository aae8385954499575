"""SQLModel table rows. They never leave storage/: the repository converts them to core values.

The schema itself (CHECKs, partial unique indexes, append-only triggers) is created by the
migrations; these classes mirror its columns so the ORM can read and insert rows.

No `from __future__ import annotations` here: with the annotations as objects, pydantic does not
evaluate each one from its text when a class is made (about 8% of building these classes, which
every command but the screen's first frame waits for).
"""

from sqlmodel import Field, SQLModel


class ProfileRow(SQLModel, table=True):
    """One version of the profile; the newest is the profile. Changes add a version."""

    __tablename__ = "profile_version"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    recorded_at_utc: int
    name: str
    born: str
    zone: str
    bedtime: str
    wake: str
    liver: str
    renal: bool
    pregnant: bool
    breastfeeding: bool
    conditions: str  # comma-separated condition ids
    min_sleep_min: int
    change: str
    language: str = ""  # "" follows the environment (schema 10)


class RegimenRow(SQLModel, table=True):
    """A prescription or one version of the taper plan, in recording order."""

    __tablename__ = "regimen"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str
    created_at_utc: int
    prescriber: str
    start_night: str
    acknowledged: str | None = None
    acknowledged_ids: str = ""
    version: int | None = None
    change: str | None = None
    reason: str | None = None
    round_ug: int | None = None
    formulation: str | None = None  # see core.formulation.Formulation.encode
    warnings: str = "[]"  # JSON list: what the preview said when the version was saved
    trend_rise: int | None = None  # check-in rise to tell about (None: the default)


class StepRow(SQLModel, table=True):
    """One step of a regimen: from its start night, this dose each night."""

    __tablename__ = "regimen_step"

    id: int | None = Field(default=None, primary_key=True)
    regimen_id: int = Field(foreign_key="regimen.id")
    start_night: str
    dose_ug: int


class RecordRow(SQLModel, table=True):
    """The append-only log: doses, skips and voids share one id sequence."""

    __tablename__ = "record"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str
    night: str
    at_utc: int
    zone: str
    dose_ug: int | None = None
    scheduled_ug: int | None = None
    already_taken: bool = False
    voided: bool = False
    voids: int | None = Field(default=None, foreign_key="record.id")
    note: str | None = None
    acknowledged: str | None = None
    rule: str | None = None
    recorded_at_utc: int
    recorded_by: str | None = None  # the name given for it (--by); None: recorded before schema 6
    entered_by: str | None = None  # the login that wrote it; None: recorded before schema 7
    not_taken: bool = False  # on a void: the dose was never taken
    imported: bool = False  # read from a CSV export into a database without that schedule


class PatientRow(SQLModel, table=True):
    """A patient: the stable id made at init (it survives renames); everything else points here."""

    __tablename__ = "patient"

    id: int | None = Field(default=None, primary_key=True)
    uuid: str
    created_at_utc: int


class StockRow(SQLModel, table=True):
    """A stock entry: tablets (quarters of a tablet of one strength) or liquid (µl) added or
    counted; a count keeps what was expected then and whether it was flagged."""

    __tablename__ = "stock"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str
    at_utc: int
    zone: str
    strength_ug: int | None = None
    ug_per_ml: int | None = None
    amount: int
    expected: int | None = None
    flagged: bool = False
    note: str | None = None
    recorded_at_utc: int
    recorded_by: str | None = None  # the name given for it (--by); None: recorded before schema 6
    entered_by: str | None = None  # the login that wrote it; None: recorded before schema 7


class SymptomRow(SQLModel, table=True):
    """The symptom journal (append-only)."""

    __tablename__ = "symptom"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    name: str
    effect_id: str | None = None
    severity: int | None = None
    at_utc: int
    zone: str
    night: str
    note: str | None = None
    urgent: bool = False
    recorded_at_utc: int
    recorded_by: str | None = None  # the name given for it (--by); None: recorded before schema 6
    entered_by: str | None = None  # the login that wrote it; None: recorded before schema 7


class LockRow(SQLModel, table=True):
    """The prescriber lock: a slow salted PIN hash and the failure counter (one row per patient)."""

    __tablename__ = "prescriber_lock"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", unique=True)
    pin_hash: str | None = None
    failures: int = 0
    locked_until_utc: int | None = None
    changed_at_utc: int


class ClockRow(SQLModel, table=True):
    """Whether the database was made under a fixed clock (MEDTRACK_NOW): one row, the owner's."""

    __tablename__ = "database_clock"

    id: int | None = Field(default=None, primary_key=True)
    fixed: bool = False


class CheckinRow(SQLModel, table=True):
    """A withdrawal check-in (ratings as JSON, item id -> 0..3) or a void of one (append-only)."""

    __tablename__ = "checkin"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str
    night: str
    at_utc: int
    zone: str
    ratings: str | None = None
    step_night: str | None = None
    step_ug: int | None = None
    voids: int | None = Field(default=None, foreign_key="checkin.id")
    note: str | None = None
    recorded_at_utc: int
    recorded_by: str | None = None
    entered_by: str | None = None


class ReportRow(SQLModel, table=True):
    """A report written for the doctor (the PDF): when, for which nights and why (append-only)."""

    __tablename__ = "doctor_report"

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    format: str = "pdf"
    at_utc: int
    zone: str
    first_night: str
    last_night: str
    basis: str
    recorded_at_utc: int
    recorded_by: str | None = None
    entered_by: str | None = None
