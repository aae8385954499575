"""Use cases of the withdrawal check-in: record how the patient is today, list the check-ins,
void one entered in error, and the trend of the step in force (for status and Tonight).

The items, the scale and the default trend rule are data with their sources (the withdrawal
file beside the monograph); the step in force comes from the plan's one timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medtrack.core.checkin import SCALE_WORDS, CheckIn, StepTrend, TrendRule, current_trend, parse_ratings, step_nights
from medtrack.core.drug import Withdrawal
from medtrack.core.nights import night_of
from medtrack.core.timeline import Timeline
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.services.common import parse_period, require_profile, withdrawal_data
from medtrack.services.text import iso, optional_text, require_text
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work


@dataclass(frozen=True)
class Item:
    """A check-in item as a screen or a listing shows it."""

    id: str
    name: str
    description: str


def items() -> list[Item]:
    """The check-in list, in its order (from the withdrawal data)."""
    return [Item(i.id, i.name, i.description) for i in _data().items]


def _data() -> Withdrawal:
    return withdrawal_data()


def default_rule() -> TrendRule:
    rule = _data().trend
    return TrendRule(rise_points=rule.rise_points, min_checkins=rule.min_checkins, severe_item=rule.severe_item)


def rule_on(timeline: Timeline, night: dt.date) -> TrendRule:
    """The trend rule of the plan version in force that night: its prescriber's rise, if set
    (`taper set --trend-rise N`), else the data's default."""
    rule = default_rule()
    regimen = timeline.regimen_on(night)
    if regimen is not None and regimen.trend_rise is not None:
        return TrendRule(rise_points=regimen.trend_rise, min_checkins=rule.min_checkins,
                         severe_item=rule.severe_item)
    return rule


def _step_in_force(timeline: Timeline, night: dt.date) -> tuple[dt.date | None, int | None]:
    """The step in force on a night: the night its dose began, and the dose (None: none)."""
    started = [s for s in step_nights(timeline, night) if s[0] <= night]
    if not started:
        return None, None
    return started[-1][0], timeline.scheduled_ug(night) or 0


def record_checkin(db: Database, now: dt.datetime, words: Sequence[str], note: str | None = None,
                   *, all_none: bool = False) -> tuple[CheckIn, StepTrend | None]:
    """A check-in for tonight's night (the night `now` falls in), and the step's trend after it."""
    note = optional_text(note, _("the note"))
    listed = [i.id for i in _data().items]
    if not words and not all_none:
        raise BadInput(_("rate at least one item (0 none .. 3 severe; the items: {names}), or say "
                         "that all are none").format(
                           names=', '.join(listed)), hint=_("e.g. medtrack checkin anxiety=2 tremor=1, or --none"))
    if words and all_none:
        raise BadInput(_("give ratings or say that all are none, not both"), hint=_("ratings or --none"))
    ratings = parse_ratings(words, listed)
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        at = now.astimezone(profile.tz)
        night = night_of(at, profile.tz)
        timeline = Timeline(repo.regimens())
        step_night, step_ug = _step_in_force(timeline, night)
        made = repo.add_checkin(CheckIn(id=0, night=night, at=at, zone=profile.zone, ratings=ratings,
                                        step_night=step_night, step_ug=step_ug, note=note), recorded_at=now)
        return made, current_trend(repo.checkins(), timeline, night, rule_on(timeline, night))


def void_checkin(db: Database, now: dt.datetime, checkin_id: int, reason: str | None) -> CheckIn:
    """Cancel a check-in entered in error: a void with the reason; the check-in stays, marked."""
    reason = require_text(reason, _("the reason"))
    with db.unit_of_work(Work.WRITE_PATIENT) as repo:
        profile = require_profile(repo)
        target = next((c for c in repo.checkins() if c.id == checkin_id), None)
        if target is None:
            raise BadInput(_("there is no check-in with id {checkin_id}").format(
                               checkin_id=checkin_id), hint=_("see medtrack checkins"))
        if target.voided:
            raise BadInput(_("check-in {checkin_id} is already voided ({void_reason})").format(
                               checkin_id=checkin_id, void_reason=target.void_reason))
        at = now.astimezone(profile.tz)
        repo.void_checkin(checkin_id, reason=reason, at=at, night=night_of(at, profile.tz), zone=profile.zone,
                          recorded_at=now)
        return next(c for c in repo.checkins() if c.id == checkin_id)


def list_checkins(db: Database, first: str | None = None, last: str | None = None) -> list[CheckIn]:
    start, end = parse_period(first, last)
    with db.unit_of_work(Work.READ) as repo:
        require_profile(repo)
        return repo.checkins(start, end)


def trend_tonight(repo: Repository, tonight: dt.date) -> StepTrend | None:
    """The step in force tonight when its check-ins rise clearly above its baseline or one is
    severe (for status and Tonight), else None."""
    checkins = repo.checkins()
    if not checkins:
        return None
    timeline = Timeline(repo.regimens())
    return current_trend(checkins, timeline, tonight, rule_on(timeline, tonight))


def checkin_json(checkin: CheckIn) -> dict[str, Any]:
    return {
        "id": checkin.id,
        "night": checkin.night.isoformat(),
        "at": iso(checkin.at),
        "ratings": dict(checkin.ratings),
        "total": checkin.total,
        "step_night": checkin.step_night.isoformat() if checkin.step_night else None,
        "step_mg": checkin.step_ug / 1000 if checkin.step_ug is not None else None,
        "note": checkin.note,
        "voided": checkin.voided,
        "void_reason": checkin.void_reason,
        "recorded_by": checkin.recorded_by,
        "entered_by": checkin.entered_by,
    }


def trend_json(trend: StepTrend) -> dict[str, Any]:
    def mean(value: float | None) -> float | None:
        return round(value, 1) if value is not None else None

    return {"step_night": trend.step_night.isoformat(), "baseline_mean": mean(trend.baseline_mean),
            "after_mean": mean(trend.after_mean), "baseline_checkins": len(trend.baseline),
            "after_checkins": len(trend.after), "rises": trend.rises, "severe": trend.severe,
            "message": trend.words()}


def rating_words(rating: int) -> str:
    return _(SCALE_WORDS[rating]) if 0 <= rating < len(SCALE_WORDS) else str(rating)
