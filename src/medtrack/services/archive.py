"""Use case: keep or move a patient's whole record as one file (`export --format archive`, and
`import` of that file into a database that does not hold the patient yet).

The archive holds what `db copy` copies (every profile version, prescription and plan version
with its warnings, record, void, symptom, check-in, stock entry, the PIN lock, and who entered
each row and when), as CSV tables in a zip with a manifest naming the schema version. Reading
it back writes the patient in one transaction through the target's own schema checks.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from medtrack import __version__
from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import BadInput
from medtrack.export.archive import Archive, ArchiveError, read_archive, write_archive
from medtrack.i18n import _
from medtrack.location import Location
from medtrack.services.common import require_profile
from medtrack.services.copying import Copied
from medtrack.services.database import Database, open_database
from medtrack.storage.copy import rows_from_text, table_columns
from medtrack.storage.engine import SCHEMA_VERSION
from medtrack.storage.files import check_target, write_atomically
from medtrack.storage.work import Work

SUFFIX = ".zip"


def export_archive(db: Database, now: dt.datetime, output: str, *, force: bool = False) -> Path:
    """The chosen patient's whole record, written atomically to a private zip file."""
    target = Path(output).expanduser()
    if target.suffix.lower() != SUFFIX:
        raise BadInput(_("the file name {name} does not fit the archive: give a name ending in .zip").format(
            name=target.name))
    check_target(target, force, protect=db.file)
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        number = repo.patient
    assert number is not None  # a profile belongs to a patient
    rows = db.whole_patient(number)
    fixed = db.made_under_fixed_clock()
    archive = Archive(schema=SCHEMA_VERSION, patient=rows.uuid, name=profile.name,
                      made_at=now.isoformat(timespec="seconds"), tables={}, fixed_clock=fixed,
                      medtrack=f"medtrack {__version__}")
    tables = {name: rows.tables.get(name, []) for name in table_columns()}
    tables["patient"] = [rows.patient]
    write_atomically(target.absolute(), lambda stream: write_archive(archive, stream, tables, table_columns()))
    return target


def is_archive_file(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return stream.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def import_archive(location: Location, path: Path, *, clock: Clock = REAL_CLOCK) -> Copied:
    """Write the archive's patient into the database at `location` (made when it is a new file)."""
    with path.open("rb") as stream:
        archive = _read(stream, path)
    if archive.fixed_clock and not clock.fixed:
        raise BadInput(_("{file} was made from a database under a fixed clock (a demo or a test): it is "
                         "never read into a database kept on the real clock").format(file=path.name))
    if archive.schema != SCHEMA_VERSION:
        raise BadInput(_("{file} holds tables of schema version {version}; this medtrack writes version "
                         "{ours}: read it with the medtrack that made it, or copy the database with "
                         "`db copy`").format(file=path.name, version=archive.schema, ours=SCHEMA_VERSION))
    try:
        rows = rows_from_text({name: (table.columns, table.rows) for name, table in archive.tables.items()})
    except ValueError as error:
        raise BadInput(_("{file} cannot be read back: {error}; nothing was written").format(
            file=path.name, error=error)) from None
    if rows.uuid != archive.patient:
        raise BadInput(_("{file} names the patient {patient} but holds {held}; nothing was written").format(
            file=path.name, patient=archive.patient, held=rows.uuid))
    db = open_database(location, create=True, clock=clock)
    try:
        try:
            number = db.add_whole_patient(rows)
        except ValueError as error:
            raise BadInput(_("{file} cannot be read back: {error}; nothing was written").format(
                file=path.name, error=error)) from None
    finally:
        db.dispose()
    return Copied(archive.name or _("(no profile)"), number, rows.count())


def _read(stream: IO[bytes], path: Path) -> Archive:
    try:
        return read_archive(stream)
    except ArchiveError as error:
        raise BadInput(_("{file}: {error}; nothing was written").format(file=path.name, error=error)) from None
