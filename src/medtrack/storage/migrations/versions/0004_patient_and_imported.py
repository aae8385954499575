"""The patient's stable id (made once, kept through renames) and imported history.

Revision ID: 0004
Revises: 0003
"""

import uuid

from alembic import op
from sqlalchemy import text

from medtrack.storage import pg_schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


PATIENT = """CREATE TABLE patient (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
        created_at_utc INTEGER NOT NULL
    )"""
# A database made before this schema gets its id now, once.
FIRST_PATIENT = ("INSERT INTO patient (uuid, created_at_utc) SELECT :uuid, recorded_at_utc FROM profile_version"
                 " ORDER BY id LIMIT 1")
IMPORTED = "ALTER TABLE record ADD COLUMN imported BOOLEAN NOT NULL DEFAULT 0"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(PATIENT))
        for event in ("DELETE", "UPDATE"):
            for statement in pg_schema.refuse(f"patient_no_{event.lower()}", event, "patient",
                                              "medtrack: the patient record is append-only"):
                op.execute(statement)
        op.get_bind().execute(text(FIRST_PATIENT), {"uuid": str(uuid.uuid4())})
        op.execute(pg_schema.ddl(IMPORTED))
        for statement in pg_schema.only_void((*pg_schema.RECORD_COLUMNS, "not_taken", "imported")):
            op.execute(statement)
        return
    op.execute(PATIENT)
    op.execute("""CREATE TRIGGER patient_no_delete BEFORE DELETE ON patient
        BEGIN SELECT RAISE(ABORT, 'medtrack: the patient record is append-only'); END""")
    op.execute("""CREATE TRIGGER patient_no_update BEFORE UPDATE ON patient
        BEGIN SELECT RAISE(ABORT, 'medtrack: the patient record is append-only'); END""")
    op.get_bind().execute(text(FIRST_PATIENT), {"uuid": str(uuid.uuid4())})
    op.execute(IMPORTED)
    op.execute("DROP TRIGGER record_only_void")
    op.execute("""CREATE TRIGGER record_only_void BEFORE UPDATE ON record
        WHEN NOT (OLD.voided = 0 AND NEW.voided = 1 AND OLD.kind != 'void'
                  AND NEW.id IS OLD.id AND NEW.kind IS OLD.kind AND NEW.night IS OLD.night
                  AND NEW.at_utc IS OLD.at_utc AND NEW.zone IS OLD.zone
                  AND NEW.dose_ug IS OLD.dose_ug AND NEW.scheduled_ug IS OLD.scheduled_ug
                  AND NEW.already_taken IS OLD.already_taken AND NEW.voids IS OLD.voids
                  AND NEW.note IS OLD.note AND NEW.acknowledged IS OLD.acknowledged
                  AND NEW.rule IS OLD.rule AND NEW.recorded_at_utc IS OLD.recorded_at_utc
                  AND NEW.not_taken IS OLD.not_taken AND NEW.imported IS OLD.imported)
        BEGIN SELECT RAISE(ABORT, 'medtrack: the only change a record allows is voiding'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
