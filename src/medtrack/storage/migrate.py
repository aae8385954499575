"""Schema migrations through Alembic; imported only when a database's schema is behind."""

from __future__ import annotations

import datetime as dt
import sqlite3
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

from medtrack.location import Location
from medtrack.storage import postgres
from medtrack.storage.backup import write_backup
from medtrack.storage.engine import CLOCK_SCHEMA, SCHEMA_VERSION, storage_problem

# Alembic revision for each schema version (SQLite: PRAGMA user_version holds the number;
# PostgreSQL: Alembic's version table, read back as the number).
REVISIONS = {1: "0001", 2: "0002", 3: "0003", 4: "0004", 5: "0005", 6: "0006", 7: "0007", 8: "0008", 9: "0009",
             10: "0010"}


def upgrade(engine: Engine, path: Location, *, from_version: int, to_version: int = SCHEMA_VERSION,
            fixed_clock: bool = False) -> None:
    """Bring the schema to `to_version` in one transaction, after a backup of an older SQLite file.

    A new database (`from_version` 0) made under a fixed clock (`fixed_clock`) is marked so in
    the same transaction; one migrated from an older schema keeps the real clock it was made under.

    On PostgreSQL the transaction takes the write lock first and reads the version again under
    it, so two medtracks opening an older database at once migrate it once; its backups are the
    server's (pg_dump), and DDL rolls back with the transaction if a step fails.
    """
    backup = None
    if from_version > 0 and isinstance(path, Path):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"{path.name}.schema{from_version}-{stamp}.bak")
        write_backup(path, backup, force=False)
    config = Config()
    config.set_main_option("script_location", str(resources.files("medtrack.storage") / "migrations"))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                from_version = postgres.schema_version(conn)  # under the write lock
                if from_version >= to_version:
                    return
            config.attributes["connection"] = conn
            command.upgrade(config, REVISIONS[to_version])
            if from_version == 0 and fixed_clock and to_version >= CLOCK_SCHEMA:
                conn.execute(text("UPDATE database_clock SET fixed = :fixed WHERE id = 1"), {"fixed": True})
            if to_version >= 2:
                conn.execute(text(
                    "INSERT INTO migration_log (at_utc, from_version, to_version, backup) "
                    "VALUES (:at, :from_version, :to_version, :backup)"),
                    {"at": int(dt.datetime.now(dt.UTC).timestamp()), "from_version": from_version,
                     "to_version": to_version, "backup": str(backup) if backup else None})
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(f"PRAGMA user_version = {to_version}")
    except sqlite3.Error as error:
        raise storage_problem(error, path) from error
    except Exception as error:  # SQLAlchemy wraps driver errors
        if hasattr(error, "orig"):
            raise storage_problem(error, path) from error
        raise
