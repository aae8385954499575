"""Text in and out: free text the user typed, text for a terminal, and the JSON shapes of records."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Any

from medtrack.core.units import ug_to_mg
from medtrack.errors import BadInput
from medtrack.i18n import _

if TYPE_CHECKING:  # the screen's first frame prints through here without the core model
    from medtrack.core.model import Record


def require_text(value: str | None, what: str) -> str:
    """A required free-text value: stored verbatim, but not empty or only spaces."""
    if value is None or not value.strip():
        raise BadInput(_("{what} is empty: give a few words").format(what=what))
    if len(value) > 200_000:
        raise BadInput(_("{what} is too long ({count} characters; up to 200000 accepted)").format(
            what=what, count=len(value)))
    return value


def optional_text(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    return require_text(value, what)


def cell_width(text: str) -> int:
    """The terminal cells `text` takes: two for a wide character (Japanese), none for a
    combining mark, one for any other."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded to `width` terminal cells (on the left when `right`-aligned); longer text is
    kept whole."""
    fill = " " * max(width - cell_width(text), 0)
    return fill + text if right else text + fill


def iso(instant: dt.datetime) -> str:
    return instant.isoformat(timespec="seconds")


def mg(ug: int | None) -> float | int | None:
    return None if ug is None else ug_to_mg(ug)


def record_json(record: Record) -> dict[str, Any]:
    """A dose or skip record as `history --json` and `log --json` print it."""
    return {
        "id": record.id,
        "kind": record.kind,
        "night": record.night.isoformat(),
        "taken_at": iso(record.at),
        "zone": record.zone,
        "dose_mg": mg(record.dose_ug),
        "scheduled_mg": mg(record.scheduled_ug),
        "already_taken": record.already_taken,
        "rule_broken": record.rule,
        "acknowledged_contraindication": record.acknowledged,
        "voided": record.voided,
        "void_reason": record.void_reason,
        "voided_as_not_taken": record.voided and record.not_taken,
        "imported": record.imported,
        "note": record.note,
        "recorded_by": record.recorded_by,  # the name given (--by); None: before medtrack kept it
        "entered_by": record.entered_by,  # the login that entered it; None: before schema 7
    }


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def printable(text: str) -> str:
    """Text for a terminal: control characters (ANSI escapes included) and bidirectional
    overrides removed, newlines kept."""
    return "".join(c for c in text if c in "\n\t" or (
        unicodedata.category(c) != "Cc" and c not in BIDI_CONTROLS))


def one_line(text: str) -> str:
    """User text inside a one-line listing: its line breaks cannot fake lines of output."""
    return " / ".join(part for part in text.splitlines()) if "\n" in text or "\r" in text else text
