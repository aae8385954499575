"""The patient's stable id (made once, kept through renames) and imported history.

Revision ID: 0004
Revises: 0003
"""

import uuid

from alembic import op
from sqlalchemy import text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""CREATE TABLE patient (
        id INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE CHECK (length(uuid) = 36),
        created_at_utc INTEGER NOT NULL
    )""")
    op.execute("""CREATE TRIGGER patient_no_delete BEFORE DELETE ON patient
        BEGIN SELECT RAISE(ABORT, 'medtrack: the patient record is append-only'); END""")
    op.execute("""CREATE TRIGGER patient_no_update BEFORE UPDATE ON patient
        BEGIN SELECT RAISE(ABORT, 'medtrack: the patient record is append-only'); END""")
    # A database made before this schema gets its id now, once.
    op.get_bind().execute(text(
        "INSERT INTO patient (uuid, created_at_utc) SELECT :uuid, recorded_at_utc FROM profile_version"
        " ORDER BY id LIMIT 1"), {"uuid": str(uuid.uuid4())})
    op.execute("ALTER TABLE record ADD COLUMN imported BOOLEAN NOT NULL DEFAULT 0")
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
