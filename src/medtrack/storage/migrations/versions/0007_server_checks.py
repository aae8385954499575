"""Who really entered each entry, the database's clock, and the server's own checks.

- record, symptom and stock gain `entered_by`: the login that wrote the row. `recorded_by` stays
  the name given for it (`--by`, an imported file's name; by default the same login). On
  PostgreSQL the server fills `entered_by` (session_user) and every time of entry (now()),
  whatever the client sent.
- `database_clock` holds one row: whether the database was made under a fixed clock
  (MEDTRACK_NOW: the demo, the tests, the README story). A database made before this schema was
  made under the real clock. Only the schema's owner writes it.
- On a real-clock database no entry is dated later than the real clock (five minutes' skew).
- On PostgreSQL, every INSERT a role can make passes the checks `log`, `void`, `stock` and
  `symptom` make (see `pg_schema.CHECKS`), so `psql` cannot get round them.

Revision ID: 0007
Revises: 0006
"""

from alembic import op
from sqlalchemy import text

from medtrack.monograph import load_monograph
from medtrack.storage import pg_schema, roles

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ENTERED = ("record", "symptom", "stock")
CLOCK = """CREATE TABLE database_clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fixed BOOLEAN NOT NULL DEFAULT 0
    )"""
# The real clock, in SQLite's words; the skew allowed between the clock of the machine that
# writes and the one that checks.
SQLITE_NOW = "CAST(strftime('%s', 'now') AS INTEGER)"


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(pg_schema.ddl(CLOCK) if postgres else CLOCK)
    op.execute("INSERT INTO database_clock (id, fixed) VALUES (1, false)" if postgres
               else "INSERT INTO database_clock (id, fixed) VALUES (1, 0)")
    for table in ENTERED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN entered_by TEXT")
    if postgres:
        schema = op.get_bind().execute(text("SELECT quote_ident(current_schema())")).scalar()
        dosing = load_monograph().dosing
        for statement in pg_schema.server_checks(
                str(schema), adult_max_ug=dosing.adult_max_ug, elderly_max_ug=dosing.elderly_max_ug,
                elderly_from_age=dosing.elderly_from_age, min_age=dosing.min_age):
            op.execute(statement)
        # A ward whose roles were applied before this schema: they read the clock's mark too.
        op.execute(f"""DO $$ BEGIN
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.NURSE}') THEN
                GRANT SELECT ON TABLE database_clock TO {roles.NURSE};
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{roles.PRESCRIBER}') THEN
                GRANT SELECT ON TABLE database_clock TO {roles.PRESCRIBER};
            END IF; END $$""")
        return
    for table in ENTERED:
        op.execute(f"""CREATE TRIGGER {table}_not_in_future BEFORE INSERT ON {table}
            WHEN NEW.at_utc > {SQLITE_NOW} + {pg_schema.SKEW_S}
                 AND (SELECT fixed FROM database_clock) = 0
            BEGIN SELECT RAISE(ABORT, '{pg_schema.FUTURE_MESSAGE}'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
