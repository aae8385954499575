"""The PostgreSQL group roles of a ward and their GRANTs: the server, not medtrack, decides who may write what.

Two NOLOGIN roles; people get LOGIN roles that are members of one (`GRANT medtrack_nurse TO anna`).

- medtrack_nurse records doses, skips and voids, symptoms, check-ins and stock, and writes the
  report for the doctor: INSERT on record, symptom, checkin, stock and doctor_report. A void is
  an INSERT too: the schema's trigger function (SECURITY DEFINER, run as the schema's owner)
  marks the voided record, so no role ever needs UPDATE on a record.
  Every write for a patient first locks the patient's row (SELECT ... FOR UPDATE), which
  PostgreSQL allows only with UPDATE on some column of the table: UPDATE (created_at_utc) on
  patient, harmless because the patient table's trigger refuses every UPDATE.
- medtrack_prescriber is a nurse who also admits patients and changes profiles, prescriptions
  and plans (INSERT on patient, profile_version, regimen, regimen_step) and keeps the PIN lock
  (INSERT, UPDATE on prescriber_lock).

Nobody gets UPDATE, DELETE or TRUNCATE on an append-only table, nor USAGE on a sequence (the keys
are identity columns, which take their next value without it). A nurse reads every table but
not the prescriber's PIN hash (a 4-digit PIN falls to an offline search). PUBLIC loses CONNECT
and TEMPORARY on the database: the schema's trigger functions already name their own search path
(migration 0006: the schema, then pg_temp), so a temporary table called `record` can hide
nothing from them; not letting anyone but the owner make one is a second wall. Every statement is
safe to run again: the roles' table privileges are revoked and granted afresh in one transaction.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from medtrack.storage.work import Work

NURSE = "medtrack_nurse"
PRESCRIBER = "medtrack_prescriber"
TABLES = ("patient", "profile_version", "regimen", "regimen_step", "record", "symptom", "stock",
          "prescriber_lock", "migration_log", "alembic_version", "database_clock", "checkin", "doctor_report")
NURSE_WRITES = ("record", "symptom", "stock", "checkin", "doctor_report")
PRESCRIBER_WRITES = ("patient", "profile_version", "regimen", "regimen_step")
# What the row lock needs: UPDATE on one column of patient (the table's trigger refuses any UPDATE).
ROW_LOCK_COLUMN = "created_at_utc"
LOCK_COLUMNS_A_NURSE_READS = ("id", "patient_id", "failures", "locked_until_utc", "changed_at_utc")


def quoted(name: str) -> str:
    """An SQL identifier, quoted (a database may be called anything)."""
    return '"' + name.replace('"', '""') + '"'


def _create(role: str) -> str:
    return (f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$;")


def statements(database: str) -> list[str]:
    """The statements for the database named `database`, each ending in `;` (runnable by psql)."""
    tables = ", ".join(TABLES)
    both = f"{NURSE}, {PRESCRIBER}"
    return [
        _create(NURSE),
        _create(PRESCRIBER),
        f"GRANT {NURSE} TO {PRESCRIBER};",
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted(database)} FROM PUBLIC;",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        f"REVOKE ALL ON TABLE {tables} FROM PUBLIC, {both};",
        f"GRANT CONNECT ON DATABASE {quoted(database)} TO {both};",
        f"GRANT USAGE ON SCHEMA public TO {both};",
        f"GRANT SELECT ON TABLE {', '.join(t for t in TABLES if t != 'prescriber_lock')} TO {both};",
        f"GRANT SELECT ({', '.join(LOCK_COLUMNS_A_NURSE_READS)}) ON TABLE prescriber_lock TO {NURSE};",
        f"GRANT INSERT ON TABLE {', '.join(NURSE_WRITES)} TO {NURSE};",
        f"GRANT UPDATE ({ROW_LOCK_COLUMN}) ON TABLE patient TO {NURSE};",
        f"GRANT INSERT ON TABLE {', '.join(PRESCRIBER_WRITES)} TO {PRESCRIBER};",
        f"GRANT SELECT, INSERT, UPDATE ON TABLE prescriber_lock TO {PRESCRIBER};",
    ]


def statements_for(conn: Connection) -> list[str]:
    """The statements for the database `conn` is connected to."""
    return statements(str(conn.exec_driver_sql("SELECT current_database()").scalar()))


def read_statements(engine: Engine) -> list[str]:
    with Work.READ.on(engine).connect() as conn:
        found = statements_for(conn)
        conn.rollback()
    return found


def apply(engine: Engine) -> None:
    """Run the statements in one transaction: all of them take effect, or none."""
    with engine.begin() as conn:
        for statement in statements_for(conn):
            # The driver reads placeholders even without parameters: a `%` in a database's name is doubled.
            conn.exec_driver_sql(statement.replace("%", "%%"))
