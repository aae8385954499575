"""Whether a journal entry is urgent: judged from the monograph each time it is read, never stored."""

from __future__ import annotations

from medtrack.monograph import Monograph


def is_urgent(monograph: Monograph, effect_id: str | None, name: str) -> bool:
    """Whether the side effect an entry names is one the monograph says to consult a doctor
    about immediately: by its side effect id, or by its name or an alias (as it would be
    recognised when logged), so an entry that reads as "Respiratory depression" is urgent
    whatever id, or none, was stored beside it."""
    effects = (monograph.side_effect(term) for term in (effect_id, name) if term)
    return any(effect is not None and effect.urgent for effect in effects)
