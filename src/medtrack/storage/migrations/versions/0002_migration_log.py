"""Record each schema migration and where the automatic backup taken before it went.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from medtrack.storage import pg_schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = """CREATE TABLE migration_log (
        id INTEGER PRIMARY KEY,
        at_utc INTEGER NOT NULL,
        from_version INTEGER NOT NULL,
        to_version INTEGER NOT NULL,
        backup TEXT
    )"""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(pg_schema.ddl(table))
        for statement in pg_schema.refuse("migration_log_no_delete", "DELETE", "migration_log",
                                          "medtrack: the migration log is append-only"):
            op.execute(statement)
        return
    op.execute(table)
    op.execute("""CREATE TRIGGER migration_log_no_delete BEFORE DELETE ON migration_log
        BEGIN SELECT RAISE(ABORT, 'medtrack: the migration log is append-only'); END""")


def downgrade() -> None:
    raise NotImplementedError("medtrack never drops health records")
