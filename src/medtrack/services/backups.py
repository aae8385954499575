"""Use cases: back up the database while others may write, and restore a checked backup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location, ServerUrl
from medtrack.services.lock import require_pin
from medtrack.storage.backup import write_backup
from medtrack.storage.database import Database
from medtrack.storage.restore import restore_backup
from medtrack.storage.work import Work


def _file_only(database: Location, what: str) -> Path:
    """Backups and restores copy a SQLite file; a server's database has its own tools."""
    if isinstance(database, ServerUrl):
        if what == "backup":
            said = _("a backup here copies a SQLite file; {database} is a PostgreSQL database: use "
                     "the server's own backup tool instead")
        else:
            said = _("a restore here copies a SQLite file; {database} is a PostgreSQL database: use "
                     "the server's own restore tool instead")
        tool = "pg_dump" if what == "backup" else "pg_restore"
        raise BadInput(said.format(database=database), hint=_("e.g. {command}").format(command=f"{tool} --help"))
    return database


def backup(database: Location, target: str, *, force: bool = False, clock: Clock = REAL_CLOCK) -> Path:
    file = _file_only(database, "backup")
    if not target or not target.strip():
        raise BadInput(_("a backup needs the path of the file to write"),
                       hint=_("e.g. {command}").format(command="medtrack backup ~/medtrack-backup.db"))
    Database(file, clock=clock).dispose()  # opens (and checks) the database first: exit 2/4 if unusable
    path = Path(target).expanduser()
    write_backup(file, path, force=force)
    return path


def restore(database: Location, source: str, pin: str | None, now: dt.datetime, *,
            clock: Clock = REAL_CLOCK) -> Path:
    """Check the backup, then the PIN of each locked patient of the current database; keep the
    current database beside it and bring the backup in, up to date and with the current locks
    and with the backup's clock (a fixed clock's backup never replaces a real clock's database)."""
    file = _file_only(database, "restore")
    path = Path(source).expanduser()
    kept = restore_backup(path, file, authorise=lambda: _require_pins(file, pin, now, clock),
                          fixed_clock=clock.fixed)
    Database(file, clock=clock).dispose()  # opens the restored database as every command will
    return kept


def _require_pins(file: Path, pin: str | None, now: dt.datetime, clock: Clock) -> None:
    """A restore replaces every patient's records: each prescriber lock must be opened by the PIN
    (a wrong one counts as a failure, as for any change the lock guards)."""
    if not file.is_file() or not file.stat().st_size:
        return  # nothing there yet, so no lock to open
    db = Database(file, clock=clock)  # opens (and migrates) it: exit 2/4 if it is not a usable database
    try:
        for patient in db.patients():
            with db.for_patient(patient.id).unit_of_work(Work.WRITE_PATIENT) as repo:
                require_pin(repo, pin, now)
    finally:
        db.dispose()
