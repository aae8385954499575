"""Whether a SQLite file has exactly the schema medtrack's own migrations make for its version.

The known schema of version N is not written down a second time: it is made by running the
migrations into a fresh temporary file up to N (once per process) and reading its
sqlite_master back. A file is then compared object by object (tables with their columns and
constraints, indexes, triggers, views), so a backup whose safety net was edited out by hand
(an index or trigger dropped, one added, a table rebuilt with other columns or checks) is
told apart from one medtrack wrote.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from medtrack.errors import StorageProblem
from medtrack.i18n import _

# What SQLite makes by itself, derived from the compared SQL (autoindexes of UNIQUE/PRIMARY KEY
# constraints) or from statistics; any other object named sqlite_* was put there by hand.
_SQLITE_OWN_TABLES = {"sqlite_sequence", "sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"}
_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(\w+)"|\[(\w+)\]|`(\w+)`|(\s+)|(\w+)|(.)""", re.DOTALL)
_PUNCTUATION = re.compile(r"[^\w'\s]")
_SHOWN = 3  # differences (or column names) spelled out in the one-line refusal


@dataclass(frozen=True)
class Schema:
    """The objects of a database: (type, name) -> (table, normalised SQL); columns per table."""

    objects: dict[tuple[str, str], tuple[str, str]]
    columns: dict[str, tuple[tuple[str, str, int, str | None, int], ...]]


def normalised(sql: str | None) -> str:
    """SQL as SQLite means it: case and spacing of keywords and names ignored, quoted names
    unquoted (ALTER TABLE ... RENAME writes "name"); string literals kept exactly."""
    words: list[str] = []
    spaced = False  # whitespace since the last token: it matters only between two words
    for match in _TOKENS.finditer(sql or ""):
        token = match.group(0)
        if match.group(4) is not None:
            spaced = True
            continue
        name = match.group(1) or match.group(2) or match.group(3)
        word = token if token.startswith("'") else (name or token).lower()
        if spaced and words and match.group(6) is None and not _PUNCTUATION.fullmatch(words[-1]):
            words.append(" ")
        words.append(word)
        spaced = False
    return "".join(words)


def read_schema(conn: sqlite3.Connection) -> Schema:
    objects: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if name.startswith("sqlite_") and (
                (kind == "index" and sql is None) or (kind == "table" and name in _SQLITE_OWN_TABLES)):
            continue
        objects[(kind, name)] = (table, normalised(sql))
    columns = {}
    for kind, name in objects:
        if kind == "table":
            info = conn.execute("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)",
                                (name,)).fetchall()
            columns[name] = tuple((c, t.lower(), n, d, p) for c, t, n, d, p in info)
    return Schema(objects, columns)


@functools.cache
def known_schema(version: int) -> Schema:
    """The schema medtrack's migrations make for `version`, in a throwaway file (once per process)."""
    from medtrack.storage.engine import make_engine
    from medtrack.storage.migrate import upgrade  # alembic: only when a file is checked

    try:
        with tempfile.TemporaryDirectory(prefix="medtrack-schema-") as folder:
            path = Path(folder) / f"schema{version}.db"
            engine = make_engine(path)
            try:
                upgrade(engine, path, from_version=0, to_version=version)
            finally:
                engine.dispose()
            with contextlib.closing(sqlite3.connect(path)) as conn:
                return read_schema(conn)
    except OSError as error:
        raise StorageProblem(_("medtrack cannot check a backup's schema without a temporary folder "
                               "({strerror}); nothing was replaced").format(
                                 strerror=error.strerror)) from error


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown if len(names) <= _SHOWN else f"{shown} and {len(names) - _SHOWN} more"


def _column_change(table: str, found: Schema, known: Schema) -> str | None:
    have = {c[0]: c for c in found.columns.get(table, ())}
    want = {c[0]: c for c in known.columns.get(table, ())}
    missing = [n for n in want if n not in have]
    extra = [n for n in have if n not in want]
    changed = [n for n in want if n in have and have[n] != want[n]]
    parts = []
    if missing:
        parts.append(f"missing: {_names(missing)}")
    if extra:
        parts.append(f"not medtrack's: {_names(extra)}")
    if changed:
        parts.append(f"other type, default or key: {_names(changed)}")
    if not parts and list(have) != list(want):
        parts.append("in another order")
    return f"table {table} has other columns ({'; '.join(parts)})" if parts else None


def differences(found: Schema, known: Schema) -> list[str]:
    """What differs, in words (tables first: an index or trigger of a wrong table follows)."""
    said: list[str] = []
    order = {"table": 0, "index": 1, "trigger": 2, "view": 3}
    every = sorted(set(found.objects) | set(known.objects), key=lambda k: (order.get(k[0], 4), k[1]))
    for kind, name in every:
        if (kind, name) not in found.objects:
            said.append(f"{kind} {name} is missing")
        elif (kind, name) not in known.objects:
            said.append(f"{kind} {name} is not medtrack's")
        elif found.objects[(kind, name)] != known.objects[(kind, name)]:
            change = _column_change(name, found, known) if kind == "table" else None
            said.append(change or f"{kind} {name} is defined differently")
    return said


def schema_problem(conn: sqlite3.Connection, version: int) -> str | None:
    """None when the file's schema is exactly the known one of `version`; else what differs,
    as the rest of a sentence that starts with the file's name.

    The version is the file header's (PRAGMA user_version, what opening a database reads);
    Alembic's own record in the file must name the same revision, as it decides which
    migrations an older file still gets."""
    from medtrack.storage.migrate import REVISIONS

    if version not in REVISIONS:
        return _("has a schema version ({version}) medtrack never made").format(version=version)
    found = differences(read_schema(conn), known_schema(version))
    if found:
        more = _("; and {count} more difference(s)").format(count=len(found) - _SHOWN) if len(found) > _SHOWN else ""
        return _("differs from medtrack's schema {version}: ").format(version=version) + "; ".join(
            found[:_SHOWN]) + more
    revisions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
    if revisions != [REVISIONS[version]]:
        return _("says schema {version} in its header but {revisions} in its migration record").format(
            version=version, revisions=", ".join(revisions) or _("nothing"))
    return None
