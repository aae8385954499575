"""The withdrawal check-ins as every exporter words them: the items, the steps and their trends."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from medtrack.core.checkin import SCALE_WORDS, SEVERE
from medtrack.core.units import format_mg

if TYPE_CHECKING:
    from medtrack.core.checkin import CheckIn, StepTrend
    from medtrack.export.data import ExportData

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(night: dt.date) -> str:
    """29 Nov 2026 (the same words whatever the machine's locale)."""
    return f"{night.day} {MONTHS[night.month - 1]} {night.year}"


def item_ids(data: ExportData) -> list[str]:
    """The check-in list's items in its order, then any item a check-in of the period rated
    that the list no longer has (kept, so no rating is lost)."""
    listed = [i.id for i in data.withdrawal.items] if data.withdrawal is not None else []
    rated = dict.fromkeys(item for c in data.checkins for item, _ in c.ratings)
    return [*listed, *(i for i in rated if i not in listed)]


def item_name(data: ExportData, item_id: str) -> str:
    item = data.withdrawal.item(item_id) if data.withdrawal is not None else None
    return item.name if item is not None else item_id


def scale(data: ExportData) -> tuple[str, ...]:
    return data.withdrawal.scale if data.withdrawal is not None else SCALE_WORDS


def severe_from(data: ExportData) -> int:
    """The rating from which one item alone counts as a clear rise (the trend rule's)."""
    return data.checkin_rule.severe_item if data.checkin_rule is not None else SEVERE


def severe_items(data: ExportData, checkin: CheckIn) -> list[str]:
    """The names of the items a check-in rated severe (or as high as the rule's severe rating)."""
    return [item_name(data, item) for item, rating in checkin.ratings if rating >= severe_from(data)]


def is_start(data: ExportData, trend: StepTrend) -> bool:
    """The first dose of the treatment, not a taper step: it has no step before it."""
    periods = data.timeline.periods
    return bool(periods) and trend.step_night == periods[0].first


def dose_words(ug: int | None) -> str:
    return format_mg(ug) if ug else "0 mg (stop)"


def step_title(data: ExportData, trend: StepTrend) -> str:
    if is_start(data, trend):
        return f"Start on {day(trend.step_night)} at {dose_words(trend.dose_ug)}"
    return f"Step of {day(trend.step_night)} to {dose_words(trend.dose_ug)}"


def mean_words(mean: float | None, count: int) -> str:
    if mean is None:
        return "no check-ins"
    return f"{mean:.1f} ({count} check-in{'' if count == 1 else 's'})"


def verdict(data: ExportData, trend: StepTrend) -> str:
    """What the step's trend says: higher, not clearly higher, or too few check-ins to judge."""
    if trend.rises:
        return "higher"
    rule = data.checkin_rule
    if rule is not None and (len(trend.baseline) < rule.min_checkins or len(trend.after) < rule.min_checkins):
        return f"too few check-ins to judge ({rule.min_checkins} needed on each side)"
    return "not clearly higher"


def severe_words(data: ExportData, trend: StepTrend) -> str:
    """The items a check-in since the step rated severe, each with its nights: "Anxiety on 2 Dec
    2026", "Tremor on 5 nights, the last 9 Dec 2026" (a long run stays one short phrase)."""
    nights: dict[str, list[dt.date]] = {}
    for checkin in trend.after:
        for item, rating in checkin.ratings:
            if rating >= severe_from(data):
                nights.setdefault(item, []).append(checkin.night)
    phrases = []
    listed = item_ids(data)
    for item in sorted(nights, key=lambda i: listed.index(i) if i in listed else len(listed)):
        found = sorted(set(nights[item]))
        when = (", ".join(day(n) for n in found) if len(found) <= 3
                else f"{len(found)} nights, the last {day(found[-1])}")
        phrases.append(f"{item_name(data, item)} on {when}")
    return "; ".join(phrases)


def trend_line(data: ExportData, trend: StepTrend) -> str:
    """Step of 29 Nov 2026 to 0.75 mg: baseline 1.0 (2 check-ins), after 6.0 (2 check-ins) — higher;
    rated severe: Anxiety on 2 Dec 2026."""
    after = f"after {mean_words(trend.after_mean, len(trend.after))}"
    if is_start(data, trend) and not trend.baseline:  # nothing comes before the first dose to compare with
        line = f"{step_title(data, trend)}: {after}; no baseline before the first dose"
    else:
        line = (f"{step_title(data, trend)}: baseline {mean_words(trend.baseline_mean, len(trend.baseline))}, "
                f"{after} — {verdict(data, trend)}")
    severe = severe_words(data, trend)
    return line + (f"; rated severe: {severe}" if severe else "")
