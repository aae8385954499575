"""Schema migrations through Alembic; imported only when a database's schema is behind."""

from __future__ import annotations

import datetime as dt
import sqlite3
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from medtrack.storage.backup import write_backup
from medtrack.storage.engine import SCHEMA_VERSION, storage_problem

# Alembic revision for each schema version (PRAGMA user_version holds the number).
REVISIONS = {1: "0001", 2: "0002", 3: "0003", 4: "0004", 5: "0005"}


def upgrade(engine: Engine, path: Path, *, from_version: int, to_version: int = SCHEMA_VERSION) -> None:
    """Bring the schema to `to_version` in one transaction, after a backup of an older one."""
    backup = None
    if from_version > 0:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        backup = path.with_name(f"{path.name}.schema{from_version}-{stamp}.bak")
        write_backup(path, backup, force=False)
    config = Config()
    config.set_main_option("script_location", str(resources.files("medtrack.storage") / "migrations"))
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, REVISIONS[to_version])
            if to_version >= 2:
                conn.exec_driver_sql(
                    "INSERT INTO migration_log (at_utc, from_version, to_version, backup) VALUES (?, ?, ?, ?)",
                    (int(dt.datetime.now(dt.UTC).timestamp()), from_version, to_version,
                     str(backup) if backup else None))
            conn.exec_driver_sql(f"PRAGMA user_version = {to_version}")
    except sqlite3.Error as error:
        raise storage_problem(error, path) from error
    except Exception as error:  # SQLAlchemy wraps driver errors
        if hasattr(error, "orig"):
            raise storage_problem(error, path) from error
        raise
