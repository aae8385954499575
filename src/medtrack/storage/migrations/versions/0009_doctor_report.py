"""The reports written for the doctor: when each PDF was written, for which nights and why, so
the next one covers the nights since the last visit (core.visit).

A row is written only once the PDF is in place (an export that fails writes nothing); it keeps
who wrote it, as every entry does. Append-only like the records. On PostgreSQL a nurse may write
the report (she adds a row); the server stamps who and when, as for symptoms (migration 0007).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

from medtrack.storage import pg_schema, roles

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

REPORT = """CREATE TABLE doctor_report (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patient(id),
        format TEXT NOT NULL CHECK (format = 'pdf'),
        at_utc INTEGER NOT NULL,
        zone TEXT NOT NULL,
        first_night TEXT NOT NULL,
        last_night TEXT NOT NULL,
        basis TEXT NOT NULL CHECK (basis IN ('since_report', 'recent', 'asked')),
        recorded_at_utc INTEGER NOT NULL,
        recorded_by TEXT,
        entered_by TEXT,
        CHECK (first_night <= last_night)
    )"""
INDEX = "CREATE INDEX doctor_report_by_patient ON doctor_report(patient_id, at_utc, id)"
MESSAGE = "medtrack: the reports written are append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(REPORT))
        op.execute(pg_schema.ddl(INDEX))
        for event in ("DELETE", "UPDATE"):
            for statement in pg_schema.refuse(f"doctor_report_no_{event.lower()}", event, "doctor_report",
                                              MESSAGE):
                op.execute(statement)
        for statement in pg_schema.entry_checks("doctor_report", night=False):
            op.execute(statement)
        # A ward's roles: whoever may read the records may write the report for the doctor.
        op.execute(f"""DO $$ BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.NURSE}') THEN
                GRANT SELECT, INSERT ON TABLE doctor_report TO {roles.NURSE};
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.PRESCRIBER}') THEN
                GRANT SELECT ON TABLE doctor_report TO {roles.PRESCRIBER};
            END IF; END $$""")
        return
    op.execute(REPORT)
    op.execute(INDEX)
    op.execute(f"""CREATE TRIGGER doctor_report_no_delete BEFORE DELETE ON doctor_report
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute(f"""CREATE TRIGGER doctor_report_no_update BEFORE UPDATE ON doctor_report
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")
    op.execute(f"""CREATE TRIGGER doctor_report_not_in_future BEFORE INSERT ON doctor_report
        WHEN NEW.at_utc > CAST(strftime('%s', 'now') AS INTEGER) + {pg_schema.SKEW_S}
             AND (SELECT fixed FROM database_clock) = 0
        BEGIN SELECT RAISE(ABORT, '{pg_schema.FUTURE_MESSAGE}'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
