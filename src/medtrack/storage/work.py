"""What a transaction does (read, write one patient's rows, write the database), and so how it begins.

The unit of work is told it at its call site (`db.unit_of_work(Work.READ)`), as is every other
connection that is not a database-wide writer (`Work.READ.on(engine)`). The begin hooks of the
two kinds of database read it back from the connection, in one place each: engine.py for SQLite,
postgres.py for PostgreSQL.
"""

from __future__ import annotations

import enum

from sqlalchemy.engine import Connection, Engine

_OPTION = "medtrack_work"  # the execution option that carries it to the begin hooks


class Work(enum.Enum):
    """What a transaction does. Every writer serialises before its first check, so two
    processes can never both pass the same check; readers never wait."""

    READ = "read"
    """One snapshot, nothing written: never waits for a writer nor makes one wait (SQLite: a
    deferred BEGIN; PostgreSQL: REPEATABLE READ)."""

    WRITE_PATIENT = "write-patient"
    """The chosen patient's rows: one writer of that patient at a time (SQLite: BEGIN IMMEDIATE,
    one writer of the file; PostgreSQL: a row lock on the patient, which the unit of work takes
    once it knows the patient, so nurses at different beds never wait for each other)."""

    WRITE_DATABASE = "write-database"
    """Beyond one patient (adding a patient, migrations): one writer of the whole database
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: the database-wide advisory lock). A connection not
    told what it does is this one, the safest."""

    def on(self, engine: Engine) -> Engine:
        """`engine`, whose transactions begin as this work needs (sharing its pool)."""
        return engine.execution_options(**{_OPTION: self})

    @classmethod
    def of(cls, conn: Connection) -> Work:
        """What the transaction beginning on `conn` does (for the begin hooks)."""
        work = conn.get_execution_options().get(_OPTION, cls.WRITE_DATABASE)
        return work if isinstance(work, Work) else cls.WRITE_DATABASE
