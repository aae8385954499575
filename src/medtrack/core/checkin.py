"""The withdrawal check-in as pure values: how the patient is today, item by item (0 none, 1 mild,
2 moderate, 3 severe), and the trend from one taper step to the next.

The items, the scale and the default trend rule are data with their sources
(data/monographs/*withdrawal*.toml); this module only reads ratings and compares totals.

A step's **baseline** is the check-ins of the nights before its step night, back to the step
before it; its **after** is the check-ins from the step night on, up to the next step. The step
in force tonight "rises clearly" when it has at least `min_checkins` check-ins on both sides and
the mean total after is at least `rise_points` above the baseline's mean total, or when any
check-in since the step rates an item severe. medtrack never holds a step by itself: it says so,
and the prescriber decides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from medtrack.core.timeline import Timeline
from medtrack.errors import BadInput
from medtrack.i18n import N_, _, long_date

NONE, MILD, MODERATE, SEVERE = 0, 1, 2, 3
# The words stay English where a rating is typed (`anxiety=mild`); screens show them with _().
SCALE_WORDS = (N_("none"), N_("mild"), N_("moderate"), N_("severe"))
_RATING = re.compile(r"\s*([A-Za-z][A-Za-z_-]*)\s*=\s*([0-9]+|[A-Za-z]+)\s*")


@dataclass(frozen=True)
class TrendRule:
    """When the check-ins since a step rise clearly above its baseline (the prescriber may set
    `rise_points` with the plan; the default is data, not a clinical cut-off)."""

    rise_points: int
    min_checkins: int
    severe_item: int = SEVERE


@dataclass(frozen=True)
class CheckIn:
    """One check-in: each item's rating, the night it belongs to, and the plan step in force
    then (its start night and dose, as recorded)."""

    id: int
    night: dt.date
    at: dt.datetime
    zone: str
    ratings: tuple[tuple[str, int], ...]
    step_night: dt.date | None = None
    step_ug: int | None = None
    note: str | None = None
    voided: bool = False
    void_reason: str | None = None
    recorded_by: str | None = None
    entered_by: str | None = None
    voided_at: dt.datetime | None = None  # when the void was entered, in its own zone

    @property
    def total(self) -> int:
        return sum(r for _item, r in self.ratings)

    @property
    def worst(self) -> int:
        return max((r for _item, r in self.ratings), default=NONE)

    def rating(self, item: str) -> int:
        return dict(self.ratings).get(item, NONE)


def parse_ratings(words: Sequence[str], items: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """`anxiety=2 tremor=mild ...` -> every item's rating, in the list's order (an item not
    named is 0, none). Each word names a listed item once, rated 0-3 or none/mild/moderate/severe."""
    given: dict[str, int] = {}
    known = {i.casefold(): i for i in items}
    for word in words:
        match = _RATING.fullmatch(word)
        if match is None:
            raise BadInput(_("'{word}' is not a rating: give ITEM=N, e.g. anxiety=2 (0 none, 1 mild, "
                             "2 moderate, 3 severe)").format(
                               word=word))
        name, value = match.group(1).casefold().replace("-", "_"), match.group(2).casefold()
        item = known.get(name)
        if item is None:
            raise BadInput(_("'{item}' is not on the check-in list: the items are {names}").format(
                               item=match.group(1), names=", ".join(items)))
        if item in given:
            raise BadInput(_("'{item}' is rated twice: rate each item once").format(
                               item=item))
        if value.isdigit():
            rating = int(value)
            if rating > SEVERE:
                raise BadInput(_("'{word}': a rating is 0 none, 1 mild, 2 moderate or 3 severe").format(
                                   word=word))
        elif value in SCALE_WORDS:
            rating = SCALE_WORDS.index(value)
        else:
            raise BadInput(_("'{word}': a rating is 0 none, 1 mild, 2 moderate or 3 severe").format(
                               word=word))
        given[item] = rating
    return tuple((item, given.get(item, NONE)) for item in items)


def ratings_of(stored: Mapping[str, int], items: Sequence[str]) -> tuple[tuple[str, int], ...]:
    """Stored ratings in the list's order; an item the list no longer has is kept after it."""
    listed = [(i, int(stored.get(i, NONE))) for i in items]
    return (*listed, *((k, int(v)) for k, v in stored.items() if k not in items))


@dataclass(frozen=True)
class StepTrend:
    """How the check-ins since a step compare with those before it."""

    step_night: dt.date
    dose_ug: int | None
    baseline: tuple[CheckIn, ...]
    after: tuple[CheckIn, ...]
    rises: bool
    severe: bool

    @property
    def baseline_mean(self) -> float | None:
        return _mean(self.baseline)

    @property
    def after_mean(self) -> float | None:
        return _mean(self.after)

    def words(self) -> str:
        """The line status and Tonight show when the step's check-ins rise (or one is severe)."""
        night = long_date(self.step_night)
        if self.rises:
            return _("Your check-ins are higher since the step on {night}: talk to your prescriber about "
                     "holding this step.").format(night=night)
        return _("A check-in since the step on {night} rated a symptom severe: talk to your prescriber "
                 "about holding this step.").format(night=night)


def _mean(checkins: Sequence[CheckIn]) -> float | None:
    return sum(c.total for c in checkins) / len(checkins) if checkins else None


def counted(checkins: Iterable[CheckIn]) -> list[CheckIn]:
    """The check-ins that stand (voided ones are kept but never compared), oldest first."""
    return sorted((c for c in checkins if not c.voided), key=lambda c: (c.night, c.at, c.id))


def step_nights(timeline: Timeline, last: dt.date) -> list[tuple[dt.date, int | None]]:
    """The nights up to `last` on which the scheduled dose changed (the first prescription, a
    taper step, a hold's end), with the dose from then on."""
    if not timeline.periods:
        return []
    before_all = timeline.periods[0].first - dt.timedelta(days=1)
    return [(c.night, c.dose_ug) for c in timeline.changes(before_all, last)]


def trends(checkins: Sequence[CheckIn], timeline: Timeline, tonight: dt.date,
           rule: TrendRule) -> list[StepTrend]:
    """Each step up to tonight with its baseline and after, oldest first."""
    standing = counted(checkins)
    if not standing:
        return []
    steps = step_nights(timeline, tonight)
    out = []
    for i, (night, dose) in enumerate(steps):
        before = steps[i - 1][0] if i else dt.date.min
        following = steps[i + 1][0] if i + 1 < len(steps) else dt.date.max
        baseline = tuple(c for c in standing if before <= c.night < night)
        after = tuple(c for c in standing if night <= c.night < following and c.night <= tonight)
        severe = any(c.worst >= rule.severe_item for c in after)
        enough = len(baseline) >= rule.min_checkins and len(after) >= rule.min_checkins
        base, since = _mean(baseline), _mean(after)
        rises = enough and base is not None and since is not None and since - base >= rule.rise_points
        out.append(StepTrend(night, dose, baseline, after, rises, severe))
    return out


def current_trend(checkins: Sequence[CheckIn], timeline: Timeline, tonight: dt.date,
                  rule: TrendRule) -> StepTrend | None:
    """The step in force tonight, when its check-ins rise clearly or one is severe (else None)."""
    found = trends(checkins, timeline, tonight, rule)
    if not found:
        return None
    latest = found[-1]
    return latest if latest.rises or latest.severe else None
