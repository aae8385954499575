"""Tonight's state: what to do on a night, as core.rules decides it and every view draws it.

On its own, with nothing else of the rules, so that the screen's first frame can name the states
without loading them (core.rules, which re-exports it, brings in the monograph's classes)."""

from __future__ import annotations

from enum import StrEnum


class TonightState(StrEnum):
    """What to do on a night, in priority order (the first that applies wins)."""

    CONTRAINDICATED = "contraindicated"
    TAKEN = "taken"
    SKIPPED = "skipped"
    NO_PRESCRIPTION = "no_prescription"
    NO_DOSE = "no_dose"
    NOT_YET = "not_yet"
    DUE = "due"
    SKIP = "skip"
