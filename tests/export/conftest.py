"""Fixtures of the exporter tests: the fixed small history (see exporthist.py) and a machine zone."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from exporthist import EXPORT_AT, build_history

_TEMPLATE: dict[str, bytes] = {}


@pytest.fixture
def history(run: Any) -> Any:
    """`run` on a database holding the history (built once, then copied)."""
    if "db" in _TEMPLATE:
        fd = os.open(run.db, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(_TEMPLATE["db"])
        run.now = EXPORT_AT
        return run
    build_history(run)
    run.close()
    if not Path(f"{run.db}-wal").exists():  # checkpointed: the main file is the whole database
        _TEMPLATE["db"] = run.db.read_bytes()
    run.now = EXPORT_AT
    return run


@pytest.fixture
def machine_zone(run: Any, request: pytest.FixtureRequest) -> Any:
    """Pretend the machine runs in another zone (TZ plus tzset) for one test."""
    zone = getattr(request, "param", "UTC")
    os.environ["TZ"] = zone
    time.tzset()
    yield zone
    os.environ["TZ"] = "UTC"
    time.tzset()


