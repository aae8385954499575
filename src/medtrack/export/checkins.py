"""The withdrawal check-ins as every exporter words them: the items, the steps and their trends."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from medtrack.core.checkin import SCALE_WORDS, SEVERE
from medtrack.core.units import format_mg
from medtrack.i18n import _, decimal, locale, medium_date, ngettext

if TYPE_CHECKING:
    from medtrack.core.checkin import CheckIn, StepTrend
    from medtrack.export.data import ExportData

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(night: dt.date) -> str:
    """29 Nov 2026 in English (the same words whatever the machine's locale); the report
    language's medium date otherwise (29.11.2026, 2026/11/29)."""
    if locale() != "en":
        return medium_date(night)
    return f"{night.day} {MONTHS[night.month - 1]} {night.year}"


def item_ids(data: ExportData) -> list[str]:
    """The check-in list's items in its order, then any item a check-in of the period rated
    that the list no longer has (kept, so no rating is lost)."""
    listed = [i.id for i in data.withdrawal.items] if data.withdrawal is not None else []
    rated = dict.fromkeys(item for c in data.checkins for item, _rating in c.ratings)
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
    return format_mg(ug) if ug else _("0 mg (stop)")


def step_title(data: ExportData, trend: StepTrend) -> str:
    if is_start(data, trend):
        return _("Start on {night} at {dose}").format(night=day(trend.step_night), dose=dose_words(trend.dose_ug))
    return _("Step of {night} to {dose}").format(night=day(trend.step_night), dose=dose_words(trend.dose_ug))


def mean_words(mean: float | None, count: int) -> str:
    if mean is None:
        return _("no check-ins")
    return ngettext("{mean} ({count} check-in)", "{mean} ({count} check-ins)", count).format(
        mean=decimal(f"{mean:.1f}"), count=count)


def verdict(data: ExportData, trend: StepTrend) -> str:
    """What the step's trend says: higher, not clearly higher, or too few check-ins to judge."""
    if trend.rises:
        return _("higher")
    rule = data.checkin_rule
    if rule is not None and (len(trend.baseline) < rule.min_checkins or len(trend.after) < rule.min_checkins):
        return _("too few check-ins to judge ({count} needed on each side)").format(count=rule.min_checkins)
    return _("not clearly higher")


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
                else _("{count} nights, the last {night}").format(count=len(found), night=day(found[-1])))
        phrases.append(_("{item} on {nights}").format(item=item_name(data, item), nights=when))
    return "; ".join(phrases)


def trend_line(data: ExportData, trend: StepTrend) -> str:
    """Step of 29 Nov 2026 to 0.75 mg: baseline 1.0 (2 check-ins), after 6.0 (2 check-ins) — higher;
    rated severe: Anxiety on 2 Dec 2026."""
    after = mean_words(trend.after_mean, len(trend.after))
    if is_start(data, trend) and not trend.baseline:  # nothing comes before the first dose to compare with
        line = _("{step}: after {after}; no baseline before the first dose").format(
            step=step_title(data, trend), after=after)
    else:
        line = _("{step}: baseline {baseline}, after {after} — {verdict}").format(
            step=step_title(data, trend), baseline=mean_words(trend.baseline_mean, len(trend.baseline)),
            after=after, verdict=verdict(data, trend))
    severe = severe_words(data, trend)
    return line + (_("; rated severe: {items}").format(items=severe) if severe else "")
