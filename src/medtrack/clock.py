"""The clock a run of medtrack keeps: the real one, or a fixed moment (MEDTRACK_NOW) for demos and tests.

A fixed clock is honoured only by a database made under one (the demo, the tests, the README's
story): such a database keeps that mark, and there the fixed clock is the clock. A database made
under the real clock refuses a fixed one, never stores an entry dated later than the real clock,
and counts its wrong-PIN lockout on the real clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


def system_now() -> dt.datetime:
    """The machine's clock, aware (UTC): the only place medtrack reads it."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Clock:
    """The real clock (`fixed_at` None), or a fixed moment.

    `real` reads the real clock (None: the machine's); tests inject one so that nothing they
    check depends on when they run.
    """

    fixed_at: dt.datetime | None = None
    real: Callable[[], dt.datetime] | None = None

    @property
    def fixed(self) -> bool:
        return self.fixed_at is not None

    def now(self) -> dt.datetime:
        """The moment this clock says it is: the fixed one, else the real clock."""
        return self.fixed_at if self.fixed_at is not None else self.real_now()

    def real_now(self) -> dt.datetime:
        """The real clock, whatever this clock is fixed at."""
        return self.real() if self.real is not None else system_now()


REAL_CLOCK = Clock()


def fixed_clock(at: dt.datetime) -> Clock:
    """A clock that always says `at` (MEDTRACK_NOW): for databases made under a fixed clock."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a fixed clock needs an aware datetime")
    return Clock(fixed_at=at)
