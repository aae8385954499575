"""A void can state that the dose was never taken: the one way to reopen a night within 12 hours.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from medtrack.storage import pg_schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    column = ("ALTER TABLE record ADD COLUMN not_taken BOOLEAN NOT NULL DEFAULT 0"
              " CHECK (not_taken = 0 OR kind = 'void')")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(column))
        for statement in pg_schema.only_void((*pg_schema.RECORD_COLUMNS, "not_taken")):
            op.execute(statement)
        return
    op.execute(column)
    # The append-only trigger lists every column: the new one may never change either.
    op.execute("DROP TRIGGER record_only_void")
    op.execute("""CREATE TRIGGER record_only_void BEFORE UPDATE ON record
        WHEN NOT (OLD.voided = 0 AND NEW.voided = 1 AND OLD.kind != 'void'
                  AND NEW.id IS OLD.id AND NEW.kind IS OLD.kind AND NEW.night IS OLD.night
                  AND NEW.at_utc IS OLD.at_utc AND NEW.zone IS OLD.zone
                  AND NEW.dose_ug IS OLD.dose_ug AND NEW.scheduled_ug IS OLD.scheduled_ug
                  AND NEW.already_taken IS OLD.already_taken AND NEW.voids IS OLD.voids
                  AND NEW.note IS OLD.note AND NEW.acknowledged IS OLD.acknowledged
                  AND NEW.rule IS OLD.rule AND NEW.recorded_at_utc IS OLD.recorded_at_utc
                  AND NEW.not_taken IS OLD.not_taken)
        BEGIN SELECT RAISE(ABORT, 'medtrack: the only change a record allows is voiding'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
