"""Use case: what to do tonight, in one state with plain guidance and warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from medtrack.core.model import Profile, Regimen
from medtrack.core.nights import night_of
from medtrack.core.parse import parse_when
from medtrack.core.rules import (
    NightFacts,
    cautions,
    ceiling_ug,
    ceiling_words,
    is_excess,
    night_state,
    previous_outcome,
    unacknowledged,
)
from medtrack.core.units import format_mg
from medtrack.monograph import Monograph
from medtrack.services.common import monograph, require_profile
from medtrack.services.nights import DAY, night_facts
from medtrack.services.stock import StockReport, stock_report
from medtrack.services.symptoms import hold_warning
from medtrack.services.text import iso, mg
from medtrack.storage.repository import Database, Repository


@dataclass(frozen=True)
class Status:
    """Tonight at a glance; `to_json()` is the `status --json` shape."""

    night: dt.date
    state: str
    drug: str
    scheduled_ug: int | None  # as recorded, once tonight has a record
    taken_ug: int | None
    taken_at: dt.datetime | None
    max_ug: int
    window_opens: dt.datetime
    latest_dose_at: dt.datetime
    bedtime: dt.datetime
    previous_night: str
    guidance: str
    warnings: tuple[str, ...] = field(default_factory=tuple)
    zone: str = "UTC"
    excess: bool = False
    previous_scheduled_ug: int | None = None  # last night's scheduled dose
    as_taken: str | None = None  # the scheduled dose as the patient takes it (a formulation)
    stock: StockReport | None = None
    complete_since: dt.date | None = None  # the first night of the plan's 0 mg step
    drug_free_nights: int = 0

    @property
    def dose_change(self) -> str | None:
        """One line on the night the scheduled dose changes (a taper step, a new prescription)."""
        before, now = self.previous_scheduled_ug, self.scheduled_ug
        if self.state in ("contraindicated", "no_prescription") or before is None or before == now:
            return None
        if now is None:
            return f"Your plan reaches 0 mg tonight: no dose (was {format_mg(before)})."
        return f"Your dose changes tonight: {format_mg(now)} (was {format_mg(before)})."

    def to_json(self) -> dict[str, Any]:
        changed = self.dose_change is not None
        return {
            "night": self.night.isoformat(),
            "state": self.state,
            "drug": self.drug,
            "scheduled_mg": mg(self.scheduled_ug),
            "taken_mg": mg(self.taken_ug),
            "taken_at": iso(self.taken_at) if self.taken_at else None,
            "excess": self.excess,
            "max_mg": mg(self.max_ug),
            "window_opens": iso(self.window_opens),
            "latest_dose_at": iso(self.latest_dose_at),
            "previous_night": self.previous_night,
            "dose_change": {"from_mg": mg(self.previous_scheduled_ug),
                            "to_mg": mg(self.scheduled_ug) or 0} if changed else None,
            "as_taken": self.as_taken,
            "stock": self.stock.to_json() if self.stock else None,
            "taper_complete_since": self.complete_since.isoformat() if self.complete_since else None,
            "drug_free_nights": self.drug_free_nights,
            "guidance": self.guidance,
            "warnings": list(self.warnings),
            "zone": self.zone,
        }


def status(db: Database, now: dt.datetime, at: str | None = None) -> Status:
    with db.unit_of_work(write=False) as repo:
        profile = require_profile(repo)
        when = (parse_when(at, profile.tz, now) if at is not None else now).astimezone(profile.tz)
        return night_status(repo, profile, when)


def night_status(repo: Repository, profile: Profile, when: dt.datetime) -> Status:
    mono = monograph()
    night = night_of(when, profile.tz)
    facts = night_facts(repo, profile, night)
    before = night_facts(repo, profile, night - DAY)
    ack_ids = facts.regimen.acknowledged_ids if facts.regimen else ()
    state = night_state(mono, profile, facts, when, ack_ids)
    doses = facts.doses
    taken_ug = sum(d.dose_ug or 0 for d in doses) if doses else None
    upcoming = min((r.start for r in repo.regimens() if r.start > night), default=None)
    extra = hold_warning(repo, facts)
    regimen, scheduled = facts.regimen, facts.scheduled_as_recorded
    complete_since, drug_free = taper_complete(repo, regimen, night)
    return Status(
        night=night, state=state, drug=mono.name, scheduled_ug=facts.scheduled_as_recorded,
        taken_ug=taken_ug, taken_at=doses[0].at.astimezone(profile.tz) if doses else None,
        max_ug=ceiling_ug(mono, profile, night), window_opens=facts.window.opens,
        latest_dose_at=facts.window.latest, bedtime=facts.window.bedtime,
        previous_night=previous_outcome(before),
        guidance=guidance(mono, profile, facts, state, ack_ids, upcoming),
        warnings=tuple(warnings(mono, profile, facts, state) + extra), zone=profile.zone,
        excess=is_excess(facts), previous_scheduled_ug=before.scheduled_as_recorded,
        as_taken=(regimen.formulation.as_taken(scheduled)
                  if regimen is not None and regimen.formulation is not None
                  and not regimen.formulation.is_plain and scheduled else None),
        stock=stock_report(repo, profile, when, bool(doses)),
        complete_since=complete_since, drug_free_nights=drug_free,
    )


def taper_complete(repo: Repository, regimen: Regimen | None,
                   night: dt.date) -> tuple[dt.date | None, int]:
    """Once the plan in force has reached 0: since which night, and how many nights since
    then had no dose."""
    if regimen is None or regimen.kind != "plan" or regimen.steps[-1].dose_ug != 0:
        return None, 0
    since = regimen.steps[-1].start
    if night < since:
        return None, 0
    dosed = {r.night for r in repo.records_for_nights(since, night) if r.counted}
    return since, (night - since).days + 1 - len(dosed)


def guidance(mono: Monograph, profile: Profile, facts: NightFacts, state: str,
             ack_ids: tuple[str, ...], upcoming: dt.date | None = None) -> str:
    window, scheduled = facts.window, facts.scheduled
    dose = format_mg(scheduled) if scheduled else ""
    if state == "contraindicated":
        reasons = "; ".join(r.text.rstrip(".") for r in unacknowledged(mono, profile, facts.night, ack_ids))
        return (f"Do not take {mono.name} tonight: it is contraindicated ({reasons}). "
                "Contact your doctor before taking any dose.")
    if state == "taken":
        first = facts.doses[0]
        if is_excess(facts):
            total = sum(d.dose_ug or 0 for d in facts.doses)
            planned = facts.scheduled_as_recorded
            over = f"more than the {format_mg(planned)} scheduled" if planned else "nothing was scheduled"
            return f"{format_mg(total)} taken tonight: {over}. Take no more tonight."
        return (f"{format_mg(first.dose_ug or 0)} taken tonight, recorded at "
                f"{first.at.astimezone(profile.tz):%H:%M}. Never take a second dose the same night.")
    if state == "skipped":
        return ("Tonight's dose is recorded as skipped. Take the next dose at the usual time "
                "tomorrow; never take two to make up.")
    if state == "no_prescription":
        return (f"No prescription is recorded yet, so medtrack cannot check a dose. Take "
                f"{mono.name.lower()} only as your prescriber told you. {mono.guidance['stopping']} "
                "Enter the prescription as your prescriber wrote it.")
    if state == "no_dose":
        if facts.regimen is None and upcoming is not None:
            return (f"Nothing is scheduled tonight: your prescription starts on the night of "
                    f"{upcoming}. Take no dose tonight.")
        if facts.regimen is not None and facts.regimen.kind == "plan":
            since = facts.regimen.steps[-1].start
            if facts.regimen.steps[-1].dose_ug == 0 and facts.night >= since:
                return (f"Taper complete: no {mono.name.lower()} since the night of {since}. "
                        "Nothing is scheduled: take no dose. Keep noting how you feel in the "
                        "symptom journal.")
            return "Your taper plan schedules no dose tonight: take no dose."
        return "Nothing is scheduled tonight: take no dose."
    if state == "not_yet":
        return (f"Tonight: {dose} at bedtime ({window.bedtime:%H:%M}). The window opens at "
                f"{window.opens:%H:%M}; the latest time is {window.latest:%H:%M}.")
    if state == "due":
        return (f"Take {dose} now, just before you go to bed. Latest time tonight: "
                f"{window.latest:%H:%M}. Do not drive or use machines afterwards.")
    return (f"Too late tonight: after {window.latest:%H:%M} there is no time left for "
            f"{profile.min_sleep_min / 60:g} hours of sleep. Skip tonight's dose and take the next "
            "one at the usual time; never take two to make up.")


def excess_advice(mono: Monograph) -> str:
    """What to watch for after too much was taken, in the monograph's words."""
    names = ", ".join(e.name.lower() + (f" ({e.text.rstrip('.').lower()})" if 0 < len(e.text) <= 30 else "")
                      for e in mono.side_effects if e.urgent)
    return (f"More than the scheduled dose was taken tonight. Take no more. Watch for the serious "
            f"side effects ({names}): if you notice any, contact your doctor now, or emergency "
            f"services if it is severe. {mono.guidance['call_doctor']}")


def warnings(mono: Monograph, profile: Profile, facts: NightFacts, state: str) -> list[str]:
    found: list[str] = []
    for record in facts.records:
        if record.kind == "dose" and record.voided and record.not_taken:
            found.append(f"A {format_mg(record.dose_ug or 0)} dose recorded at "
                         f"{record.at.astimezone(profile.tz):%H:%M} was voided as not taken: "
                         f"{record.void_reason}")
    for dose in facts.doses:
        if dose.already_taken:
            broke = f", against the rule '{dose.rule}'" if dose.rule else ""
            found.append(f"A dose of {format_mg(dose.dose_ug or 0)} was recorded as already taken "
                         f"at {dose.at.astimezone(profile.tz):%H:%M}{broke}. Take no more tonight.")
    if is_excess(facts):
        found.append(excess_advice(mono))
    regimen = facts.regimen
    if regimen and regimen.acknowledged:
        found.append(f"A contraindication was acknowledged by {regimen.prescriber}: "
                     f"{regimen.acknowledged}")
    scheduled = facts.scheduled
    limit = ceiling_ug(mono, profile, facts.night)
    if scheduled and scheduled > limit:
        found.append(f"The scheduled {format_mg(scheduled)} is above "
                     f"{ceiling_words(mono, profile, facts.night)}; only up to that can be "
                     "recorded. Ask your prescriber to review the prescription.")
    for rule in cautions(mono, profile, facts.night):
        found.append(f"Caution: {rule.text}")
    if state in ("not_yet", "due", "taken"):
        names = [i.name.lower() for i in mono.interactions]
        listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)
        found.append(f"Tonight: no {listed}; they add to the effect.")
    return found
