"""Fixtures of the reliability tests (the `run` and `patient` fixtures come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def patient_db(patient, db_path: Path) -> Path:
    """The standard patient's database file, closed by this process (no WAL left behind)."""
    patient.close()
    return db_path
