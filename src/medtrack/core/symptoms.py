"""Whether a journal entry is urgent: judged from the monograph and the red flags each time it is read, never stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from medtrack.core.drug import Monograph, Withdrawal
from medtrack.core.model import Symptom

# An urgent entry is shown (status, Tonight, the ward) on the night it belongs to and the night
# after: the two nights `status` speaks of, tonight and last night.
URGENT_SHOWN_NIGHTS = 2


def is_urgent(monograph: Monograph, withdrawal: Withdrawal, effect_id: str | None, name: str) -> bool:
    """Whether an entry names a side effect the monograph says to consult a doctor about
    immediately, or a withdrawal red flag (urgent at any severity): by its side effect id, or by
    its name or an alias (as it would be recognised when logged), so an entry that reads as
    "Respiratory depression" or "fit" is urgent whatever id, or none, was stored beside it."""
    effects = (monograph.side_effect(term) for term in (effect_id, name) if term)
    return (any(effect is not None and effect.urgent for effect in effects)
            or any(withdrawal.red_flag(term) is not None for term in (effect_id, name) if term))


def shown_urgent(symptoms: Iterable[Symptom], night: dt.date) -> list[Symptom]:
    """The urgent entries `night` shows: those of that night and the night before, oldest first."""
    first = night - dt.timedelta(days=URGENT_SHOWN_NIGHTS - 1)
    return sorted((s for s in symptoms if s.urgent and first <= s.night <= night), key=lambda s: (s.at, s.id))
