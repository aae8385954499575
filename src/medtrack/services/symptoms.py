"""Use cases of the symptom journal: log a side effect, a red flag or free text, list them, warn, suggest a hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from medtrack.core.model import Symptom
from medtrack.core.nights import night_of
from medtrack.core.parse import parse_positive_int, parse_when
from medtrack.core.rules import NightFacts
from medtrack.core.symptoms import URGENT_SHOWN_NIGHTS, is_urgent, shown_urgent
from medtrack.i18n import _
from medtrack.services.common import monograph, parse_period, require_profile, withdrawal_data
from medtrack.services.text import iso, optional_text, require_text
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

SEVERE = 4


def urgent_message(symptom: Symptom | None = None) -> str:
    """What to do about an urgent entry: a withdrawal red flag's own words (from the withdrawal
    data), else the words for the monograph's urgent side effects."""
    if symptom is not None:
        flags = (withdrawal_data().red_flag(term) for term in (symptom.effect_id, symptom.name) if term)
        flag = next((f for f in flags if f is not None), None)
        if flag is not None:
            return flag.advice
    return (_("This can be serious: contact your doctor now, or emergency services if it is "
              "severe or getting worse.") + " " + monograph().guidance["call_doctor"])


def log_symptom(db: Database, now: dt.datetime, name: str, severity: str | None = None, *,
                at: str | None = None, note: str | None = None) -> Symptom:
    """Add a journal entry; a monograph side effect or a withdrawal red flag is recognised
    whatever its spelling, and stored under its own name ("fit" as "Seizures")."""
    name = require_text(name, _("the symptom name")).strip()
    level = parse_positive_int(severity, what="severity", maximum=5) if severity is not None else None
    note = optional_text(note, _("the note"))
    effect = monograph().side_effect(name)
    flag = withdrawal_data().red_flag(name) if effect is None else None
    name = effect.name if effect else flag.name if flag else name
    effect_id = effect.id if effect else None  # a red flag is not a monograph side effect: no id
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        when = (parse_when(at, profile.tz, now) if at is not None else now).astimezone(profile.tz)
        # The row keeps `urgent` for whoever reads the table itself; medtrack judges it again
        # from the monograph each time the entry is read (storage.rows.symptom_of).
        entry = Symptom(id=0, name=name, effect_id=effect_id, severity=level, at=when,
                        zone=profile.zone, night=night_of(when, profile.tz), note=note,
                        urgent=is_urgent(monograph(), withdrawal_data(), effect_id, name))
        return repo.add_symptom(entry, recorded_at=now)


def list_symptoms(db: Database, first: str | None = None, last: str | None = None) -> list[Symptom]:
    start, end = parse_period(first, last)
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        return repo.symptoms(start, end)


def urgent_warnings(symptoms: Iterable[Symptom], night: dt.date) -> list[str]:
    """One line for each urgent thing noted tonight or last night (core.symptoms.shown_urgent),
    with what to do: the same lines in `status`, on Tonight and in the ward."""
    latest = {s.name: s for s in shown_urgent(symptoms, night)}  # oldest first: the last one stays
    return [f"URGENT: {s.name}, noted {s.at:%Y-%m-%d %H:%M}. {urgent_message(s)}"
            for s in sorted(latest.values(), key=lambda s: (s.at, s.id))]


def urgent_tonight(repo: Repository, night: dt.date) -> list[str]:
    """The urgent lines for `night`, read for the nights they can come from."""
    return urgent_warnings(repo.symptoms(night - dt.timedelta(days=URGENT_SHOWN_NIGHTS - 1), night), night)


def is_severe(symptom: Symptom) -> bool:
    return symptom.urgent or (symptom.severity or 0) >= SEVERE


def hold_warning(repo: Repository, facts: NightFacts) -> list[str]:
    """During a taper, severe symptoms in the current step suggest talking about a hold."""
    plan = facts.regimen
    if plan is None or plan.kind != "plan":
        return []
    step_start = max((s.start for s in plan.steps if s.start <= facts.night), default=None)
    if step_start is None:
        return []
    severe = [s for s in repo.symptoms(step_start, facts.night) if is_severe(s)]
    if not severe:
        return []
    names = ", ".join(sorted({s.name for s in severe}))
    return [f"Severe symptoms during this taper step ({names}): talk to your prescriber about "
            "holding the current step before the next reduction. Do not change the plan yourself."]


def symptom_json(symptom: Symptom) -> dict[str, Any]:
    data = {
        "id": symptom.id,
        "name": symptom.name,
        "side_effect": symptom.effect_id,
        "severity": symptom.severity,
        "at": iso(symptom.at),
        "night": symptom.night.isoformat(),
        "note": symptom.note,
        "urgent": symptom.urgent,
        "recorded_by": symptom.recorded_by,  # the name given (--by); None: before medtrack kept it
        "entered_by": symptom.entered_by,  # the login that entered it; None: before schema 7
    }
    if symptom.urgent:
        data["message"] = urgent_message(symptom)
    return data
