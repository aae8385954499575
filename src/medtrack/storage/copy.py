"""A whole patient, row for row: read from one medtrack database and written into another.

Every table that belongs to a patient is read in id order and written again in that order, as
the patient's history was written the first time, so the target's own schema checks (the
append-only triggers, the twelve hours between doses, a void marking what it voids, the
server's checks on PostgreSQL) judge each row as they judged it then. Ids are the target's:
references between rows (a step's regimen, a void's record or check-in) follow the new ids.

Who entered each row and when (`entered_by`, the `recorded_at`/`created_at` stamps) are kept.
A PostgreSQL server stamps them with its own login and clock on every insert; a copy into it
turns those two stamping triggers off inside its own transaction (DDL is transactional there,
so no other session ever sees them off), which only the tables' owner may do: any other login
is refused by the server. Every other check stays on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from medtrack.i18n import _
from medtrack.storage.tables import (
    CheckinRow,
    ClockRow,
    LockRow,
    PatientRow,
    ProfileRow,
    RecordRow,
    RegimenRow,
    ReportRow,
    StepRow,
    StockRow,
    SymptomRow,
)

Row = dict[str, Any]


def _table(model: type[SQLModel]) -> Table:
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it on table=True classes
    assert isinstance(table, Table)
    return table


# The patient's tables, in the order they are written (a row's references come before it).
PATIENT = _table(PatientRow)
OWNED = tuple(_table(m) for m in (ProfileRow, RegimenRow, RecordRow, SymptomRow, StockRow, CheckinRow, LockRow,
                                   ReportRow))
STEPS = _table(StepRow)
TABLES = (PATIENT, *OWNED[:2], STEPS, *OWNED[2:])  # every table a patient's rows are in
# References to a row of the same table (a void): its new id is the target's.
SELF_REFERENCES = {"record": "voids", "checkin": "voids"}


@dataclass
class PatientRows:
    """One patient's rows, table by table, each in id order (the source's ids)."""

    patient: Row
    tables: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def uuid(self) -> str:
        return str(self.patient["uuid"])

    def count(self) -> int:
        return 1 + sum(len(rows) for rows in self.tables.values())


def read_patient(conn: Connection, patient_id: int) -> PatientRows:
    """Every row of one patient (call inside a read transaction: one consistent snapshot)."""
    patient = conn.execute(select(PATIENT).where(PATIENT.c.id == patient_id)).mappings().one()
    found = PatientRows(dict(patient))
    for table in OWNED:
        found.tables[table.name] = _rows(conn.execute(
            select(table).where(table.c.patient_id == patient_id).order_by(table.c.id)).mappings())
    regimen_ids = [row["id"] for row in found.tables["regimen"]]
    found.tables[STEPS.name] = _rows(conn.execute(
        select(STEPS).where(STEPS.c.regimen_id.in_(regimen_ids)).order_by(STEPS.c.id)).mappings()) \
        if regimen_ids else []
    return found


def _rows(result: Iterable[Any]) -> list[Row]:
    return [dict(row) for row in result]


def made_under_fixed_clock(conn: Connection) -> bool:
    """Whether the database carries the fixed-clock mark (a demo or a test database)."""
    return bool(conn.execute(select(_table(ClockRow).c.fixed).where(_table(ClockRow).c.id == 1)).scalar())


def write_patient(conn: Connection, rows: PatientRows) -> int:
    """Write one patient's rows (inside the caller's transaction); the new patient's id."""
    on_server = conn.dialect.name == "postgresql"
    stamping = _stamping_triggers(conn) if on_server else []
    for name, trigger in stamping:
        conn.execute(text(f'ALTER TABLE "{name}" DISABLE TRIGGER "{trigger}"'))
    patient_id = _insert(conn, PATIENT, _without_id(rows.patient))
    new_ids: dict[str, dict[int, int]] = {}
    steps_of: dict[int, list[Row]] = {}
    for step in rows.tables.get(STEPS.name, []):
        steps_of.setdefault(step["regimen_id"], []).append(step)
    for table in OWNED:
        ids = new_ids.setdefault(table.name, {})
        for row in rows.tables.get(table.name, []):
            values = _without_id(row) | {"patient_id": patient_id}
            reference = SELF_REFERENCES.get(table.name)
            if reference is not None and values.get(reference) is not None:
                if values[reference] not in ids:
                    raise ValueError(_("a void in {name} points to {entry}, which is not an earlier entry of "
                                       "this patient").format(
                                         name=table.name, entry=values[reference]))
                values[reference] = ids[values[reference]]
            if table.name == "record":
                values["voided"] = False  # a void written later marks it, as it did the first time
            ids[row["id"]] = _insert(conn, table, values)
            if table.name == "regimen":  # its steps in the same transaction, as the server asks
                for step in steps_of.get(row["id"], []):
                    _insert(conn, STEPS, _without_id(step) | {"regimen_id": ids[row["id"]]})
    for name, trigger in stamping:
        conn.execute(text(f'ALTER TABLE "{name}" ENABLE TRIGGER "{trigger}"'))
    return patient_id


def _insert(conn: Connection, table: Table, values: Row) -> int:
    made = conn.execute(insert(table).values(**values)).inserted_primary_key
    assert made is not None
    return int(made[0])


def _without_id(row: Row) -> Row:
    return {name: value for name, value in row.items() if name != "id"}


def _stamping_triggers(conn: Connection) -> list[tuple[str, str]]:
    """The server's triggers that stamp who entered a row and when (`<table>_entered`)."""
    names = [table.name for table in TABLES]
    found = conn.execute(text(
        "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND t.tgname = c.relname || '_entered'")).all()
    return [(str(table), str(trigger)) for table, trigger in found if table in names]


def table_columns() -> dict[str, tuple[str, ...]]:
    """Each of a patient's tables with its columns, in the order they are written."""
    return {table.name: tuple(column.name for column in table.columns) for table in TABLES}


def rows_from_text(tables: dict[str, tuple[tuple[str, ...], list[list[str | None]]]]) -> PatientRows:
    """A patient's rows from text cells (an archive's tables), each value converted to its
    column's type; ValueError naming the table and column when one does not fit."""
    expected = table_columns()
    if set(tables) != set(expected):
        raise ValueError(_("it holds the tables {found}, not medtrack's ({expected})").format(
                             found=", ".join(sorted(tables)), expected=", ".join(sorted(expected))))
    typed: dict[str, list[Row]] = {}
    for table in TABLES:
        columns, rows = tables[table.name]
        if columns != expected[table.name]:
            raise ValueError(_("its table {name} has other columns than this medtrack's").format(
                                 name=table.name))
        kinds = [table.c[name].type.python_type for name in columns]
        typed[table.name] = [{name: _typed(text, kind, table.name, name)
                              for name, text, kind in zip(columns, row, kinds, strict=True)} for row in rows]
    patient = typed.pop(PATIENT.name)
    if len(patient) != 1:
        raise ValueError(_("it holds {count} patients; an archive holds one").format(
                             count=len(patient)))
    regimens = {row["id"] for row in typed["regimen"]}
    if any(step["regimen_id"] not in regimens for step in typed[STEPS.name]):
        raise ValueError(_("a step in regimen_step belongs to no prescription or plan version in it"))
    return PatientRows(patient[0], typed)


def _typed(text: str | None, kind: type, table: str, column: str) -> Any:
    if text is None:
        return None
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(_("{table}.{column} holds '{text}' where 0 or 1 belongs").format(
                                 table=table, column=column, text=text))
        return text == "1"
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError(_("{table}.{column} holds '{text}' where a whole number belongs").format(
                                 table=table, column=column, text=text)) from None
    return text
