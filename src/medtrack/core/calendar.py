"""Each night as the calendar, the strip on Tonight, the CLI and the reports show it: its state,
the mark and words for that state (one table for every view), and the scheduled dose. The
state itself is decided in core.decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from medtrack.core.units import ug_to_mg
from medtrack.i18n import N_, _


class NightState(StrEnum):
    """What a night came to (past) or what is scheduled (to come)."""

    TAKEN = "taken"
    MISSED = "missed"
    SKIPPED = "skipped"
    EXCESS = "excess"
    FUTURE = "future"
    NONE = "none"
    CONTRAINDICATED = "contraindicated"


@dataclass(frozen=True)
class Mark:
    symbol: str
    label: str  # in a legend
    words: str  # about one night
    style: str  # a Textual text colour, readable on dark and light (the CLI uses the symbol and words)


MARKS: dict[NightState, Mark] = {
    NightState.TAKEN: Mark("✓", N_("taken"), N_("taken"), "$text-success"),
    NightState.MISSED: Mark("✗", N_("missed"), N_("missed"), "$text-error"),
    NightState.SKIPPED: Mark("–", N_("skipped"), N_("skipped"), "$text-warning"),
    NightState.EXCESS: Mark("‼", N_("excess"), N_("more than scheduled"), "bold $text-error"),
    NightState.FUTURE: Mark("·", N_("to come"), N_("to come"), "$foreground-muted"),
    NightState.NONE: Mark(" ", N_("nothing scheduled"), N_("nothing scheduled"), ""),
    NightState.CONTRAINDICATED: Mark("⊘", N_("not allowed"), N_("not allowed"), "$text-error"),
}
# What a night came to, as `status` names last night (the state's own name, in English).
STATE_NAMES = {NightState.TAKEN: N_("taken"), NightState.MISSED: N_("missed"), NightState.SKIPPED: N_("skipped"),
               NightState.EXCESS: N_("excess"), NightState.FUTURE: N_("future"), NightState.NONE: N_("none"),
               NightState.CONTRAINDICATED: N_("contraindicated")}


def night_state_words(state: NightState) -> str:
    """The state's name in the chosen language ("missed", "verpasst", ...)."""
    return _(STATE_NAMES[state])


STEP_MARK = "▸"  # a night the scheduled dose changes
STRIP = (NightState.TAKEN, NightState.MISSED, NightState.SKIPPED, NightState.EXCESS,
         NightState.FUTURE)  # the legend of the week strip on Tonight


def legend(states: Sequence[NightState] = tuple(NightState), *, step: bool = False) -> str:
    """'✓ taken  ✗ missed …' for the states given (the blank mark left out)."""
    parts = [f"{MARKS[s].symbol} {_(MARKS[s].label)}" for s in states if MARKS[s].symbol.strip()]
    if step:
        new_dose = _("new dose")
        parts.insert(len(STRIP), f"{STEP_MARK} {new_dose}")
    return "  ".join(parts)


@dataclass(frozen=True)
class CalendarNight:
    night: dt.date
    scheduled_ug: int | None
    taken_ug: int | None
    state: NightState
    step_change: bool
    already_taken: bool = False
    voided: bool = False
    as_taken: str | None = None  # the scheduled dose as the patient takes it (a formulation)

    def to_json(self) -> dict[str, Any]:
        return {"night": self.night.isoformat(),
                "scheduled_mg": ug_to_mg(self.scheduled_ug) if self.scheduled_ug is not None else None,
                "as_taken": self.as_taken,
                "taken_mg": ug_to_mg(self.taken_ug) if self.taken_ug is not None else None,
                "state": str(self.state), "step_change": self.step_change}
