"""What every use case needs: the profile, a night's facts, and JSON-ready shapes of records."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from medtrack.core.model import Profile, Record
from medtrack.core.nights import dose_window, night_of
from medtrack.core.parse import parse_date
from medtrack.core.rules import NightFacts, regimen_on
from medtrack.core.units import ug_to_mg
from medtrack.errors import BadInput, NoProfile
from medtrack.monograph import Monograph, load_monograph
from medtrack.storage.repository import Repository

DAY = dt.timedelta(days=1)
TWELVE_HOURS = dt.timedelta(hours=12)


def monograph() -> Monograph:
    return load_monograph("flunitrazepam")


def require_profile(repo: Repository) -> Profile:
    profile = repo.profile()
    if profile is None:
        raise NoProfile("there is no profile yet: set one up first",
                        hint="start with: medtrack init --name NAME --born YYYY-MM-DD")
    return profile


def tonight(profile: Profile, now: dt.datetime) -> dt.date:
    return night_of(now, profile.tz)


def night_facts(repo: Repository, profile: Profile, night: dt.date,
                around: dt.datetime | None = None) -> NightFacts:
    """The night's window, regimen and records; counted doses within 12 h of `around`, if given."""
    window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
    nearby: tuple[Record, ...] = ()
    if around is not None:
        nearby = tuple(repo.doses_between(around - TWELVE_HOURS, around + TWELVE_HOURS))
    regimens = repo.regimens()
    return NightFacts(night=night, window=window, regimen=regimen_on(regimens, night),
                      records=tuple(repo.records_for_nights(night, night)), nearby_doses=nearby,
                      prescribed=bool(regimens))


def parse_period(first: str | None, last: str | None) -> tuple[dt.date | None, dt.date | None]:
    """A period of nights as typed (either end may be open); the earlier date comes first."""
    start = parse_date(first, what="the from date") if first is not None else None
    end = parse_date(last, what="the to date") if last is not None else None
    if start and end and start > end:
        raise BadInput(f"the from date {start} is after the to date {end}: give the earlier date first")
    return start, end


def require_text(value: str | None, what: str) -> str:
    """A required free-text value: stored verbatim, but not empty or only spaces."""
    if value is None or not value.strip():
        raise BadInput(f"{what} is empty: give a few words")
    if len(value) > 200_000:
        raise BadInput(f"{what} is too long ({len(value)} characters; up to 200000 accepted)")
    return value


def optional_text(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    return require_text(value, what)


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
