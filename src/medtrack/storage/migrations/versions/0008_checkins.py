"""The withdrawal check-in: how the patient is today, item by item, with the plan step in force;
and the rise in check-in totals a plan version asks to be told about (regimen.trend_rise).

A check-in keeps its ratings (a JSON object, item id -> 0..3), its night, and the step in force
then (the step's start night and dose, as recorded). Append-only like every record: a check-in
entered in error is corrected by a void row naming it, with the reason; nothing is changed or
deleted. On PostgreSQL a nurse may add check-ins; the server stamps who and when and checks the
night and the clock, as for symptoms (migration 0007).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
from sqlalchemy import text

from medtrack.storage import pg_schema, roles

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

CHECKIN = """CREATE TABLE checkin (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patient(id),
        kind TEXT NOT NULL CHECK (kind IN ('checkin', 'void')),
        night TEXT NOT NULL,
        at_utc INTEGER NOT NULL,
        zone TEXT NOT NULL,
        ratings TEXT,
        step_night TEXT,
        step_ug INTEGER CHECK (step_ug IS NULL OR step_ug >= 0),
        voids INTEGER REFERENCES checkin(id),
        note TEXT,
        recorded_at_utc INTEGER NOT NULL,
        recorded_by TEXT,
        entered_by TEXT,
        CHECK ((kind = 'checkin') = (ratings IS NOT NULL)),
        CHECK ((kind = 'void') = (voids IS NOT NULL AND note IS NOT NULL))
    )"""
INDEX = "CREATE INDEX checkin_by_patient_night ON checkin(patient_id, night, id)"
MESSAGE = "medtrack: check-ins are append-only"


def upgrade() -> None:
    # The rise in check-in totals a plan version asks to be told about (None: the data's default).
    op.execute("ALTER TABLE regimen ADD COLUMN trend_rise INTEGER CHECK (trend_rise IS NULL OR trend_rise > 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(CHECKIN))
        op.execute(pg_schema.ddl(INDEX))
        for event in ("DELETE", "UPDATE"):
            for statement in pg_schema.refuse(f"checkin_no_{event.lower()}", event, "checkin", MESSAGE):
                op.execute(statement)
        for statement in pg_schema.entry_checks("checkin", night=True):
            op.execute(statement)
        schema = str(op.get_bind().execute(text("SELECT quote_ident(current_schema())")).scalar())
        for statement in pg_schema.void_same_patient(schema, "checkin"):
            op.execute(statement)
        # A ward's roles: a nurse adds check-ins (and reads them), as she does symptoms.
        op.execute(f"""DO $$ BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.NURSE}') THEN
                GRANT SELECT, INSERT ON TABLE checkin TO {roles.NURSE};
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.PRESCRIBER}') THEN
                GRANT SELECT ON TABLE checkin TO {roles.PRESCRIBER};
            END IF; END $$""")
        return
    op.execute(CHECKIN)
    op.execute(INDEX)
    op.execute(f"""CREATE TRIGGER checkin_no_delete BEFORE DELETE ON checkin
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute(f"""CREATE TRIGGER checkin_no_update BEFORE UPDATE ON checkin
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute("""CREATE TRIGGER checkin_void_same_patient BEFORE INSERT ON checkin
        WHEN NEW.kind = 'void' AND NOT EXISTS (
            SELECT 1 FROM checkin WHERE id = NEW.voids AND patient_id = NEW.patient_id AND kind = 'checkin')
        BEGIN SELECT RAISE(ABORT, 'medtrack: a void must cancel a check-in of the same patient'); END""")
    op.execute(f"""CREATE TRIGGER checkin_not_in_future BEFORE INSERT ON checkin
        WHEN NEW.at_utc > CAST(strftime('%s', 'now') AS INTEGER) + {pg_schema.SKEW_S}
             AND (SELECT fixed FROM database_clock) = 0
        BEGIN SELECT RAISE(ABORT, '{pg_schema.FUTURE_MESSAGE}'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
