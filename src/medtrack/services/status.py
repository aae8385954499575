"""Use case: what to do tonight, in one state with plain guidance and warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from medtrack.core import night_words
from medtrack.core.calendar import NightState
from medtrack.core.checkin import StepTrend
from medtrack.core.decide import Decider, NightDecision
from medtrack.core.model import Profile, Record
from medtrack.core.parse import parse_when
from medtrack.core.rules import NightFacts, TonightState
from medtrack.core.timeline import Completion
from medtrack.services.checkin import trend_json, trend_tonight
from medtrack.services.common import monograph, require_profile
from medtrack.services.nights import DAY, decider
from medtrack.services.stock import StockReport, stock_report
from medtrack.services.symptoms import hold_warning, urgent_tonight
from medtrack.services.text import iso, mg
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work


@dataclass(frozen=True)
class Status:
    """Tonight at a glance, rendered from the night's decision; `to_json()` is the `status
    --json` shape."""

    decision: NightDecision
    drug: str
    previous_night: NightState  # how last night reads on the calendar (taken, missed, skipped, ...)
    guidance: str
    warnings: tuple[str, ...] = field(default_factory=tuple)  # the urgent ones first
    urgent: tuple[str, ...] = field(default_factory=tuple)  # urgent symptoms of tonight and last night
    as_taken: str | None = None  # the dose to take as the patient takes it (a formulation)
    stock: StockReport | None = None
    checkin_trend: StepTrend | None = None  # the step in force, when its check-ins rise

    @property
    def night(self) -> dt.date:
        return self.decision.night

    @property
    def state(self) -> TonightState:
        return self.decision.state

    @property
    def scheduled_ug(self) -> int | None:  # as recorded, once recorded
        return self.decision.scheduled_ug

    @property
    def may_take_ug(self) -> int | None:
        return self.decision.may_take_ug

    @property
    def taken_ug(self) -> int | None:
        return self.decision.taken_ug

    @property
    def taken_at(self) -> dt.datetime | None:
        return self.decision.taken_at

    @property
    def max_ug(self) -> int:
        return self.decision.ceiling_ug

    @property
    def window_opens(self) -> dt.datetime:
        return self.decision.window.opens

    @property
    def latest_dose_at(self) -> dt.datetime:
        return self.decision.window.latest

    @property
    def bedtime(self) -> dt.datetime:
        return self.decision.window.bedtime

    @property
    def zone(self) -> str:
        return self.decision.profile.zone

    @property
    def excess(self) -> bool:
        return self.decision.excess

    @property
    def completion(self) -> Completion | None:
        return self.decision.completion


    @property
    def headline(self) -> str:
        return night_words.headline(self.decision, self.as_taken)

    @property
    def dose_change(self) -> str | None:
        return night_words.dose_change_words(self.decision)

    @property
    def window_line(self) -> str | None:
        return night_words.window_line(self.decision, self.zone)

    def to_json(self) -> dict[str, Any]:
        d = self.decision
        change, following, done = d.dose_change, d.next_change, d.completion
        return {
            "night": d.night.isoformat(),
            "state": str(d.state),
            "drug": self.drug,
            "scheduled_mg": mg(d.scheduled_ug),
            "may_take_mg": mg(d.may_take_ug),
            "over_ceiling": d.over_ceiling,
            "taken_mg": mg(d.taken_ug),
            "taken_at": iso(d.taken_at) if d.taken_at else None,
            "excess": d.excess,
            "max_mg": mg(d.ceiling_ug),
            "window_opens": iso(d.window.opens),
            "latest_dose_at": iso(d.window.latest),
            "previous_night": self.previous_night,
            "dose_change": {"from_mg": mg(change[0]), "to_mg": mg(change[1]) or 0} if change else None,
            "next_change": ({"night": following.night.isoformat(), "dose_mg": mg(following.dose_ug) or 0}
                            if following is not None else None),
            "as_taken": self.as_taken,
            "stock": self.stock.to_json() if self.stock else None,
            "taper_complete_since": done.since.isoformat() if done else None,
            "last_dose_night": done.last_dose.isoformat() if done and done.last_dose else None,
            "drug_free_nights": done.drug_free_nights if done else 0,
            "guidance": self.guidance,
            "warnings": list(self.warnings),
            "checkin_trend": trend_json(self.checkin_trend) if self.checkin_trend else None,
            "zone": self.zone,
        }


def status(db: Database, now: dt.datetime, at: str | None = None) -> Status:
    with db.unit_of_work(Work.READ) as repo:
        profile = require_profile(repo)
        when = (parse_when(at, profile.tz, now) if at is not None else now).astimezone(profile.tz)
        return night_status(repo, profile, when)


def _tonight_records(repo: Repository, decide: Decider) -> list[Record]:
    """Tonight's and last night's records, and every one since the taper could have ended (its
    drug-free nights): one read serves tonight's decision and last night's."""
    night = decide.tonight
    since = decide.timeline.completed_since(night)
    first = min(since, night - DAY) if since is not None else night - DAY
    return repo.records_for_nights(first, night)


def decide_tonight(repo: Repository, when: dt.datetime, decide: Decider | None = None,
                   records: list[Record] | None = None) -> NightDecision:
    """The decision for the night `when` falls in, with the next change and the taper's end."""
    decide = decide or decider(repo, when)
    records = _tonight_records(repo, decide) if records is None else records
    return decide.decide(decide.tonight, records, records,
                         dose_nights=sorted({r.night for r in records if r.counted}))


def night_status(repo: Repository, profile: Profile, when: dt.datetime) -> Status:
    mono = monograph()
    decide = decider(repo, when)
    records = _tonight_records(repo, decide)
    d = decide_tonight(repo, when, decide, records)
    upcoming = min((r.start for r in repo.regimens() if r.start > d.night), default=None)
    facts = NightFacts(d.night, d.window, d.regimen, d.records, ())
    last_night = decide.decide(d.night - DAY, records)  # decide() keeps that night's own records
    shown = d.may_take_ug
    urgent = urgent_tonight(repo, d.night)
    trend = trend_tonight(repo, d.night)
    made_with = d.regimen.formulation if d.regimen is not None else None
    return Status(
        decision=d, drug=mono.name, previous_night=last_night.outcome,
        guidance=night_words.guidance(mono, d, upcoming),
        warnings=tuple(urgent + night_words.warnings(mono, d) + hold_warning(repo, facts)
                       + ([trend.words()] if trend is not None else [])),
        as_taken=(made_with.as_taken(shown) if made_with is not None and not made_with.is_plain
                  and shown else None),
        stock=stock_report(repo, profile, when, d),
        checkin_trend=trend,
        urgent=tuple(urgent),
    )
