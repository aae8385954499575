"""Many patients in one database, and who recorded each entry.

Every profile version, regimen, record, symptom, stock entry and lock now belongs to a patient;
a database made before this schema has (at most) one patient, and every row is given to it.
Records, symptoms and stock entries carry the person who entered them (NULL before this schema:
nobody asked). A void now marks its record voided from a trigger, so no role ever needs UPDATE
on the record table; the schema's checks (one counted dose a night, 12 hours apart) are per patient.

Revision ID: 0006
Revises: 0005
"""

import datetime as dt
import uuid

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

from medtrack.storage import pg_schema

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OWNED = ("profile_version", "regimen", "record", "symptom", "stock")
BY = ("record", "symptom", "stock")
# The append-only triggers that refuse any UPDATE: off while the rows are given their patient.
NO_UPDATE = {"profile_version": ("profile_no_update", "profile versions are append-only"),
             "regimen": ("regimen_no_update", "regimens are append-only"),
             "symptom": ("symptom_no_update", "the journal is append-only"),
             "stock": ("stock_no_update", "the stock record is append-only")}

LOCK = """CREATE TABLE prescriber_lock_v6 (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL UNIQUE REFERENCES patient(id),
        pin_hash TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until_utc INTEGER,
        changed_at_utc INTEGER NOT NULL
    )"""
COPY_LOCK = ("INSERT INTO prescriber_lock_v6 (patient_id, pin_hash, failures, locked_until_utc, changed_at_utc)"
             " SELECT (SELECT min(id) FROM patient), pin_hash, failures, locked_until_utc, changed_at_utc"
             " FROM prescriber_lock")
INDEXES = [
    "DROP INDEX record_one_per_night",
    # One planned dose or skip per patient and night.
    """CREATE UNIQUE INDEX record_one_per_night ON record(patient_id, night)
        WHERE kind IN ('dose', 'skip') AND voided = 0 AND already_taken = 0""",
    "DROP INDEX record_by_instant",
    "CREATE INDEX record_by_instant ON record(patient_id, at_utc) WHERE kind = 'dose'",
    "CREATE INDEX record_by_patient_night ON record(patient_id, night, id)",
    "CREATE INDEX record_by_patient_id ON record(patient_id, id)",
    "CREATE INDEX symptom_by_patient_night ON symptom(patient_id, night, id)",
    "CREATE INDEX stock_by_patient ON stock(patient_id, at_utc, id)",
    "CREATE INDEX regimen_by_patient ON regimen(patient_id, id)",
    "CREATE INDEX profile_by_patient ON profile_version(patient_id, id)",
]
RECORD_COLUMNS = (*pg_schema.RECORD_COLUMNS, "not_taken", "imported", "patient_id", "recorded_by")


def _has_rows(bind: Connection) -> bool:
    tables = (*OWNED, "prescriber_lock")
    return any(bind.execute(text(f"SELECT 1 FROM {t} LIMIT 1")).first() for t in tables)


def _ensure_patient() -> None:
    """Rows with no patient row (never made by medtrack, but possible by hand): give them one."""
    bind = op.get_bind()
    if bind.execute(text("SELECT 1 FROM patient LIMIT 1")).first() is None and _has_rows(bind):
        bind.execute(text("INSERT INTO patient (uuid, created_at_utc) VALUES (:uuid, :at)"),
                     {"uuid": str(uuid.uuid4()), "at": int(dt.datetime.now(dt.UTC).timestamp())})


def upgrade() -> None:
    _ensure_patient()
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _upgrade_sqlite() -> None:
    for trigger, _message in NO_UPDATE.values():
        op.execute(f"DROP TRIGGER {trigger}")
    op.execute("DROP TRIGGER record_only_void")
    op.execute("DROP TRIGGER record_twelve_hours")
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN patient_id INTEGER REFERENCES patient(id)")
        op.execute(f"UPDATE {table} SET patient_id = (SELECT min(id) FROM patient)")
        op.execute(f"""CREATE TRIGGER {table}_has_patient BEFORE INSERT ON {table}
            WHEN NEW.patient_id IS NULL
            BEGIN SELECT RAISE(ABORT, 'medtrack: every entry belongs to a patient'); END""")
    for table in BY:
        op.execute(f"ALTER TABLE {table} ADD COLUMN recorded_by TEXT")
    for table, (trigger, message) in NO_UPDATE.items():
        op.execute(f"""CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, 'medtrack: {message}'); END""")
    unchanged = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in RECORD_COLUMNS)
    op.execute(f"""CREATE TRIGGER record_only_void BEFORE UPDATE ON record
        WHEN NOT (OLD.voided = 0 AND NEW.voided = 1 AND OLD.kind != 'void' AND {unchanged})
        BEGIN SELECT RAISE(ABORT, 'medtrack: the only change a record allows is voiding'); END""")
    op.execute("""CREATE TRIGGER record_twelve_hours BEFORE INSERT ON record
        WHEN NEW.kind = 'dose' AND NEW.already_taken = 0 AND EXISTS (
            SELECT 1 FROM record WHERE patient_id = NEW.patient_id AND kind = 'dose' AND voided = 0
               AND at_utc > NEW.at_utc - 43200 AND at_utc < NEW.at_utc + 43200)
        BEGIN SELECT RAISE(ABORT, 'medtrack: doses must be 12 hours apart'); END""")
    op.execute("""CREATE TRIGGER record_void_same_patient BEFORE INSERT ON record
        WHEN NEW.kind = 'void' AND NOT EXISTS (
            SELECT 1 FROM record WHERE id = NEW.voids AND patient_id = NEW.patient_id)
        BEGIN SELECT RAISE(ABORT, 'medtrack: a void must cancel a record of the same patient'); END""")
    op.execute("""CREATE TRIGGER record_void_marks AFTER INSERT ON record WHEN NEW.kind = 'void'
        BEGIN UPDATE record SET voided = 1 WHERE id = NEW.voids; END""")
    op.execute(LOCK)
    op.execute(COPY_LOCK)
    op.execute("DROP TABLE prescriber_lock")
    op.execute("ALTER TABLE prescriber_lock_v6 RENAME TO prescriber_lock")
    for statement in INDEXES:
        op.execute(statement)


def _upgrade_postgres() -> None:
    # Every medtrack function reads its tables from the schema they live in, never from a role's
    # own temporary tables first (pg_temp comes first unless named): a nurse's temp table called
    # `record` must not hide the 12-hour check, nor run her code inside the owner's void trigger.
    schema = op.get_bind().execute(text("SELECT quote_ident(current_schema())")).scalar()
    path = f"SET search_path = {schema}, pg_temp"
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN patient_id BIGINT REFERENCES patient(id)")
        op.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        op.execute(f"UPDATE {table} SET patient_id = (SELECT min(id) FROM patient)")
        op.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN patient_id SET NOT NULL")
    for table in BY:
        op.execute(f"ALTER TABLE {table} ADD COLUMN recorded_by TEXT")
    for statement in pg_schema.only_void(RECORD_COLUMNS):
        op.execute(statement)
    op.execute(f"ALTER FUNCTION medtrack_refuse() {path}")
    op.execute(f"""CREATE OR REPLACE FUNCTION medtrack_twelve_hours() RETURNS trigger
        LANGUAGE plpgsql {path} AS $$ BEGIN
            IF EXISTS (SELECT 1 FROM record WHERE patient_id = NEW.patient_id AND kind = 'dose'
                       AND voided = false AND at_utc > NEW.at_utc - 43200 AND at_utc < NEW.at_utc + 43200) THEN
                RAISE EXCEPTION USING MESSAGE = 'medtrack: doses must be 12 hours apart';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute(f"""CREATE FUNCTION medtrack_void_same_patient() RETURNS trigger
        LANGUAGE plpgsql {path} AS $$ BEGIN
            IF NOT EXISTS (SELECT 1 FROM record WHERE id = NEW.voids AND patient_id = NEW.patient_id) THEN
                RAISE EXCEPTION USING MESSAGE = 'medtrack: a void must cancel a record of the same patient';
            END IF;
            RETURN NEW;
        END $$""")
    op.execute("""CREATE TRIGGER record_void_same_patient BEFORE INSERT ON record FOR EACH ROW
        WHEN (NEW.kind = 'void') EXECUTE FUNCTION medtrack_void_same_patient()""")
    # Runs as the schema's owner: a nurse voids by inserting a void, never by updating a record.
    op.execute(f"""CREATE FUNCTION medtrack_void_marks() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER {path} AS $$ BEGIN
            UPDATE record SET voided = true WHERE id = NEW.voids;
            RETURN NULL;
        END $$""")
    op.execute("""CREATE TRIGGER record_void_marks AFTER INSERT ON record FOR EACH ROW
        WHEN (NEW.kind = 'void') EXECUTE FUNCTION medtrack_void_marks()""")
    op.execute(pg_schema.ddl(LOCK))
    op.execute(COPY_LOCK)
    op.execute("DROP TABLE prescriber_lock")
    op.execute("ALTER TABLE prescriber_lock_v6 RENAME TO prescriber_lock")
    for statement in INDEXES:
        op.execute(pg_schema.ddl(statement))


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
