"""Bedtime reminders: when one is shown, replaced, closed or left alone.

The night itself is decided by the night rules (TonightState): a reminder only asks them, on
every run, and remembers what it last put on the desktop (`Shown`). So it cannot come after the
dose was recorded, after the latest time, on a skipped or contraindicated night, or twice a
night: the first is sent when the night is due, later runs replace that same one only when
`repeat` has passed, and once the night is no longer due the one still showing is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from medtrack.core.tonight_state import TonightState


@dataclass(frozen=True)
class Shown:
    """The reminder the last run left on the desktop."""

    night: dt.date
    notification_id: int
    sent_at: dt.datetime  # aware
    showing: bool = True  # False once it was closed (by the patient, its button or medtrack)

    def closed(self) -> Shown:
        return replace(self, showing=False)


class Step(StrEnum):
    """What a run does."""

    SEND = "send"  # tonight's first reminder (it replaces an older night's one still showing)
    REPEAT = "repeat"  # the same reminder again, in place of the one sent `repeat` ago
    CLOSE = "close"  # the night is no longer due: take the reminder off the desktop
    NOTHING = "nothing"


def reminds(state: TonightState) -> bool:
    """Only a due dose is reminded of: not before the window opens, not once it is recorded or
    skipped, not after the latest time, not when contraindicated or nothing is scheduled."""
    return state == TonightState.DUE


def next_step(state: TonightState, night: dt.date, shown: Shown | None, now: dt.datetime,
              repeat: dt.timedelta | None = None) -> Step:
    """What a run at `now` does on `night`, whose state the night rules gave."""
    if not reminds(state):
        return Step.CLOSE if shown is not None and shown.showing else Step.NOTHING
    if shown is None or shown.night != night:
        return Step.SEND
    if repeat is not None and now - shown.sent_at >= repeat:
        return Step.REPEAT
    return Step.NOTHING


def replaces(shown: Shown | None) -> int:
    """The notification a new one takes the place of (0: none still showing)."""
    return shown.notification_id if shown is not None and shown.showing else 0
