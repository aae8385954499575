"""The portable archive: one patient's whole record as a zip of CSV tables with a manifest.

`manifest.json` names the format, the schema version the tables follow, the patient, and for
each table its file, columns, row count and SHA-256. Each table is a CSV file (UTF-8, a header
row of the column names, every cell quoted) in id order. An empty cell is an empty text; a
missing value (SQL NULL) is written `\\N`, as PostgreSQL's COPY writes it, and a text that
itself starts with a backslash gets one more in front. The archive is for medtrack to read back
(`medtrack import`), not for a spreadsheet: the records CSV is made for that.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

FORMAT = "medtrack-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NULL = "\\N"


@dataclass(frozen=True)
class ArchiveTable:
    """One table as the archive holds it: its columns and its rows as text (None: NULL)."""

    columns: tuple[str, ...]
    rows: list[list[str | None]]


@dataclass(frozen=True)
class Archive:
    schema: int  # the database schema version the tables follow
    patient: str  # the patient's stable id
    name: str  # the patient's name, for people reading the manifest
    made_at: str  # ISO 8601
    tables: dict[str, ArchiveTable]
    fixed_clock: bool = False  # made from a demo or test database (MEDTRACK_NOW)
    medtrack: str = ""  # the version that wrote it


def cell(value: Any) -> str:
    """A value as the archive writes it."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "1" if value else "0"
    text = str(value)
    return "\\" + text if text.startswith("\\") else text


def value_of(text: str) -> str | None:
    """A cell as it was before `cell` wrote it (as text)."""
    if text == NULL:
        return None
    return text[1:] if text.startswith("\\\\") else text


def write_archive(archive: Archive, stream: IO[bytes], tables: Mapping[str, Sequence[Mapping[str, Any]]],
                  columns: Mapping[str, Sequence[str]]) -> None:
    """The zip: each table's rows (as dicts by column) in `columns` order, then the manifest."""
    listed: dict[str, Any] = {}
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, names in columns.items():
            text = io.StringIO(newline="")
            writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(names)
            rows = tables.get(name, ())
            for row in rows:
                writer.writerow([cell(row[column]) for column in names])
            data = text.getvalue().encode("utf-8")
            zipped.writestr(_info(f"{name}.csv", archive.made_at), data)
            listed[name] = {"file": f"{name}.csv", "columns": list(names), "rows": len(rows),
                            "sha256": hashlib.sha256(data).hexdigest()}
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "schema": archive.schema,
                    "medtrack": archive.medtrack, "patient": archive.patient, "name": archive.name,
                    "made_at": archive.made_at, "fixed_clock": archive.fixed_clock, "tables": listed}
        zipped.writestr(_info(MANIFEST, archive.made_at),
                        json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))


def _info(name: str, made_at: str) -> zipfile.ZipInfo:
    """A member dated by the archive's own time (the same data gives the same bytes)."""
    year, month, day = int(made_at[:4]), int(made_at[5:7]), int(made_at[8:10])
    hour, minute, second = int(made_at[11:13]), int(made_at[14:16]), int(made_at[17:19] or 0)
    info = zipfile.ZipInfo(name, (max(year, 1980), month, day, hour, minute, second))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    return info


class ArchiveError(ValueError):
    """The file is not a medtrack archive this version can read; the message says why."""


def is_archive(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def read_archive(stream: IO[bytes]) -> Archive:
    """The archive's manifest and tables, every checksum and header checked."""
    try:
        with zipfile.ZipFile(stream) as zipped:
            manifest = json.loads(zipped.read(MANIFEST).decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ArchiveError("it is a zip file but not a medtrack archive (no medtrack manifest)")
            if manifest.get("version") != FORMAT_VERSION:
                raise ArchiveError(f"it is a medtrack archive of format version {manifest.get('version')}; "
                                   f"this medtrack reads version {FORMAT_VERSION}")
            tables = {name: _table(zipped, name, listed) for name, listed in manifest["tables"].items()}
            return Archive(schema=int(manifest["schema"]), patient=str(manifest["patient"]),
                           name=str(manifest.get("name", "")), made_at=str(manifest.get("made_at", "")),
                           tables=tables, fixed_clock=manifest.get("fixed_clock") is True,
                           medtrack=str(manifest.get("medtrack", "")))
    except ArchiveError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, UnicodeDecodeError, csv.Error) as error:
        raise ArchiveError(f"it cannot be read as a medtrack archive ({error})") from error


def _table(zipped: zipfile.ZipFile, name: str, listed: Mapping[str, Any]) -> ArchiveTable:
    data = zipped.read(str(listed["file"]))
    if hashlib.sha256(data).hexdigest() != listed["sha256"]:
        raise ArchiveError(f"its table {name} does not match its checksum: the file was changed or damaged")
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader, None)
    columns = tuple(str(c) for c in listed["columns"])
    if header is None or tuple(header) != columns:
        raise ArchiveError(f"its table {name} does not have the columns its manifest names")
    rows = [[value_of(text) for text in row] for row in reader]
    if len(rows) != int(listed["rows"]) or any(len(row) != len(columns) for row in rows):
        raise ArchiveError(f"its table {name} does not have the rows its manifest counts")
    return ArchiveTable(columns, rows)
