"""The clock is the real one on a ward's PostgreSQL database too: a schema made under MEDTRACK_NOW
(`init` or `db upgrade` on the empty database its admin made) keeps the mark of a fixed clock;
one made without it keeps the real clock and refuses MEDTRACK_NOW (exit 2, nothing written).
Through the real `medtrack` entry point (the `run` fixture) against the throwaway server."""

from __future__ import annotations

from typing import Any

import pytest

from backends import query

pytestmark = pytest.mark.postgres

SET_UP = "2025-03-01T12:00+01:00"
IN_WINDOW = "2025-03-12T22:40+01:00"
INIT = ("init", "--name", "Ada Muster", "--born", "1970-05-01", "--tz", "Europe/Berlin")


def written(url: str) -> list[tuple[Any, ...]]:
    """How many rows each table a refused command could have written holds."""
    return [query(url, f"SELECT count(*) FROM {table}")[0]
            for table in ("patient", "profile_version", "regimen", "migration_log", "alembic_version")]


@pytest.mark.slow
def test_a_new_server_schema_keeps_the_clock_it_was_made_under(run: Any, pg_server: Any) -> None:
    upgraded, initialised, real = (pg_server.create_database(p) for p in ("clock_up", "clock_init", "clock_real"))
    run.ok("db", "upgrade", db=upgraded, now=SET_UP)
    run.ok(*INIT, db=initialised, now=SET_UP)
    run.ok(*INIT, db=real, real=SET_UP)
    run.close()

    assert [query(url, "SELECT fixed FROM database_clock") for url in (upgraded, initialised, real)] == [
        [(1,)], [(1,)], [(0,)]]
    run.ok(*INIT, db=upgraded, now=SET_UP)  # the fixed clock is its clock
    run.ok("status", db=initialised, now=IN_WINDOW)
    before = written(real)

    for argv in (("status",), ("prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss"), ("db", "upgrade")):
        refused = run(*argv, db=real, now=IN_WINDOW)
        assert refused.code == 2 and "MEDTRACK_NOW is only for databases made under a fixed clock" in refused.err
    run.close()
    assert written(real) == before
