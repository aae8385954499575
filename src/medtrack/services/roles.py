"""A ward's PostgreSQL roles: the statements that set up medtrack_nurse and medtrack_prescriber, and applying them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import exc
from sqlalchemy.engine import Engine

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location, ServerUrl
from medtrack.storage import roles
from medtrack.storage.engine import storage_problem
from medtrack.storage.opening import open_engine

__all__ = ["NURSE", "PRESCRIBER", "apply_roles", "role_statements"]

NURSE = roles.NURSE
PRESCRIBER = roles.PRESCRIBER
_T = TypeVar("_T")


def _on_server(path: Location, use: Callable[[Engine], _T], clock: Clock) -> _T:
    if not isinstance(path, ServerUrl):
        raise BadInput(_("roles are PostgreSQL's; a SQLite file is protected by its file permissions (0600)"))
    engine = open_engine(path, fixed_clock=clock.fixed)  # the schema up to date: the GRANTs name its tables
    try:
        return use(engine)
    except exc.SQLAlchemyError as error:
        raise storage_problem(error, path) from error
    finally:
        engine.dispose()


def role_statements(path: Location, clock: Clock = REAL_CLOCK) -> list[str]:
    """The statements for the database at `path`, each ending in `;` (for psql, run by its owner)."""
    return _on_server(path, roles.read_statements, clock)


def apply_roles(path: Location, clock: Clock = REAL_CLOCK) -> None:
    """Create the roles (if missing) and set their privileges afresh, in one transaction; run as
    the database's owner (with CREATEROLE). Running it again changes nothing."""
    _on_server(path, roles.apply, clock)
