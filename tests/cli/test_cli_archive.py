"""`medtrack export --format archive` and `medtrack import` of it: a patient's whole record as
one zip of CSV tables with a manifest, read back whole into a database without that patient.

Read with Python's zipfile, json and csv, as any other program would; read back by medtrack,
the copy reads as the source (status, history, the plan's versions, the check-ins, the stock).
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cli_db_copy import LATER, NOW, rich_source, views

pytestmark = pytest.mark.slow  # whole databases


def archive_of(run, source: Path | str, folder: Path) -> Path:
    target = folder / "ada-whole.zip"
    out = run.ok("export", "--format", "archive", "-o", str(target), now=NOW, db=source).out
    assert str(target) in out
    return target


def test_the_archive_is_a_zip_of_csv_tables_that_any_reader_opens(run, tmp_path):
    from medtrack.storage.engine import SCHEMA_VERSION

    source = rich_source(run, tmp_path / "home.db")
    archive = archive_of(run, source, tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600, "health data: private"
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        assert manifest["format"] == "medtrack-archive" and manifest["schema"] == SCHEMA_VERSION
        assert manifest["name"] == "Alex Demo" and manifest["fixed_clock"] is True
        for table, listed in manifest["tables"].items():
            rows = list(csv.reader(io.StringIO(zipped.read(listed["file"]).decode("utf-8"))))
            assert rows[0] == listed["columns"], table
            assert len(rows) - 1 == listed["rows"], table
        assert manifest["tables"]["record"]["rows"] > 300
        assert {"checkin", "stock", "symptom", "prescriber_lock", "regimen_step"} <= set(manifest["tables"])


def test_an_archive_read_into_a_new_file_reads_as_the_source_and_only_once(run, tmp_path):
    source = rich_source(run, tmp_path / "home.db")
    archive = archive_of(run, source, tmp_path)
    moved = tmp_path / "elsewhere" / "medtrack.db"
    moved.parent.mkdir()
    out = run.ok("import", str(archive), now=NOW, db=moved).out
    assert "Alex Demo's whole record" in out
    assert views(run, moved) == views(run, source)
    before = moved.read_bytes()
    again = run("import", str(archive), now=LATER, db=moved)
    assert again.code == 2 and "already holds" in again.err and "nothing was written" in again.err
    assert moved.read_bytes() == before


def rewritten(archive: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """The archive with one member's bytes changed by `change(name, data)`."""
    with zipfile.ZipFile(archive) as zipped, zipfile.ZipFile(target, "w") as out:
        for info in zipped.infolist():
            out.writestr(info.filename, change(info.filename, zipped.read(info.filename)))
    return target


@pytest.mark.parametrize("case", ["changed-dose", "not-medtrack", "not-a-zip", "other-schema"])
def test_a_damaged_or_foreign_archive_is_refused_and_writes_nothing(run, tmp_path, case):
    source = rich_source(run, tmp_path / "home.db")
    archive = archive_of(run, source, tmp_path)
    bad = tmp_path / f"{case}.zip"
    if case == "changed-dose":
        rewritten(archive, bad, lambda name, data: data.replace(b'"1000"', b'"2000"', 1)
                  if name == "record.csv" else data)
    elif case == "not-medtrack":
        with zipfile.ZipFile(bad, "w") as zipped:
            zipped.writestr("manifest.json", "{}")
    elif case == "not-a-zip":
        bad.write_bytes(b"PK\x03\x04 but nothing else")
    else:
        def older(name: str, data: bytes) -> bytes:
            if name != "manifest.json":
                return data
            manifest = json.loads(data)
            manifest["schema"] = 5
            return json.dumps(manifest).encode()
        rewritten(archive, bad, older)
    target = tmp_path / "target.db"
    refused = run("import", str(bad), now=NOW, db=target)
    assert refused.code == 2, refused
    assert "nothing was written" in refused.err or "schema version" in refused.err
    assert not target.exists() or run.ok("patients", "--json", now=NOW, db=target).json() == []


def test_a_demo_archive_is_never_read_into_a_real_database(run, tmp_path):
    source = rich_source(run, tmp_path / "home.db")
    archive = archive_of(run, source, tmp_path)
    refused = run("import", str(archive), real="2026-11-25T22:00+01:00", db=tmp_path / "real.db")
    assert refused.code == 2 and "fixed clock" in refused.err
    assert not (tmp_path / "real.db").exists()


def test_an_archive_takes_no_period(run, tmp_path):
    source = rich_source(run, tmp_path / "home.db")
    refused = run("export", "--format", "archive", "-o", str(tmp_path / "a.zip"), "--from", "2026-11-01",
                  now=NOW, db=source)
    assert refused.code == 2 and "whole record" in refused.err
    assert not (tmp_path / "a.zip").exists()


@pytest.mark.postgres
def test_an_archive_moves_a_patient_into_a_ward_on_postgresql(run, tmp_path, pg_server):
    source = rich_source(run, tmp_path / "home.db")
    archive = archive_of(run, source, tmp_path)
    ward = pg_server.create_database("archive")
    run.ok("import", str(archive), now=NOW, db=ward)
    assert views(run, ward) == views(run, source)
    # and back out of the ward, into a file, the same again
    again = tmp_path / "again.zip"
    run.ok("export", "--format", "archive", "-o", str(again), now=NOW, db=ward)
    run.ok("import", str(again), now=NOW, db=tmp_path / "back.db")
    assert views(run, tmp_path / "back.db") == views(run, source)
    assert json.loads(zipfile.ZipFile(again).read("manifest.json"))["tables"]["record"]["rows"] == \
        json.loads(zipfile.ZipFile(archive).read("manifest.json"))["tables"]["record"]["rows"]


def test_the_version_the_archive_names_is_the_packages():
    import tomllib

    from medtrack import __version__

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == pyproject["project"]["version"]
