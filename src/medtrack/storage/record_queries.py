"""The record statements a dose is checked with, and an import appends with, each made once
(the repository runs them with their values as parameters)."""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, insert
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Insert
from sqlmodel import col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from medtrack.storage.tables import RecordRow


@functools.cache
def void_alias() -> type[RecordRow]:
    """The record table again, as the voids: made once, for SQLAlchemy works a new alias's
    columns out afresh on every query it is in (40% of reading a night's records, which a demo
    of ten years does for each of its 3,500 doses)."""
    return aliased(RecordRow)


# The two reads every dose is checked with (a night's records, the doses 12 hours either side),
# made once with their values as parameters: a demo or an import checks thousands of doses, and
# building a statement and working out its cache key cost more than running it.

@functools.cache
def nights_statement() -> Select[RecordRow, RecordRow]:
    """`Repository.records_for_nights`: the records of a patient's nights `first`..`last` of the
    `kinds`, each with the void that cancels it."""
    void = void_alias()
    return (select(RecordRow, void)
            .join(void, (col(void.voids) == col(RecordRow.id)) & (col(void.kind) == "void"), isouter=True)
            .where(col(RecordRow.patient_id) == bindparam("patient"), col(RecordRow.night) >= bindparam("first"),
                   col(RecordRow.night) <= bindparam("last"),
                   col(RecordRow.kind).in_(bindparam("kinds", expanding=True)))
            .order_by(col(RecordRow.night), col(RecordRow.id)))


@functools.cache
def doses_statement() -> SelectOfScalar[RecordRow]:
    """`Repository.doses_between`: a patient's counted doses with an instant strictly between
    `start` and `end` (epoch seconds)."""
    return (select(RecordRow)
            .where(col(RecordRow.patient_id) == bindparam("patient"), col(RecordRow.kind) == "dose",
                   col(RecordRow.voided).is_(False), col(RecordRow.at_utc) > bindparam("start"),
                   col(RecordRow.at_utc) < bindparam("end"))
            .order_by(col(RecordRow.at_utc)))


@functools.cache
def append_statement() -> Insert:
    """The INSERT of `append_records`, made once: SQLAlchemy then finds it compiled without
    working out its cache key again (an import runs it thousands of times).

    RETURNING gives the ids in no promised order, but both databases number the rows of an
    INSERT in the order they come: ascending ids are the records' in order. At most 50 rows a
    statement: the driver keeps each statement it prepared, one per number of rows."""
    table = RecordRow.metadata.tables[RecordRow.__tablename__]
    return insert(table).returning(table.c.id).execution_options(insertmanyvalues_page_size=50)
