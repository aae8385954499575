"""The doctor's visit: which nights a report covers when none are asked for, and why.

A report for the doctor (the PDF) covers, by default, the nights since the previous one was
written, or the last 90 nights when none was; `--from`/`--to` choose any other nights. Each
report written is remembered (storage keeps when, for which nights and why), so the next one
knows where the last visit left off. A report written earlier on the same day is this visit's,
not the previous one: writing it again gives the same nights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from medtrack.core.nights import night_of
from medtrack.i18n import _, medium_date

RECENT_NIGHTS = 90  # the default period when no earlier report to the doctor is recorded
LAST_MONTH = 30  # nights: the recent adherence page one gives beside the whole period's


class PeriodBasis(StrEnum):
    """Why a report covers the nights it covers."""

    SINCE_REPORT = "since_report"  # from the night the previous report to the doctor was written
    RECENT = "recent"  # the last 90 nights (no earlier report), or the whole record when shorter
    ASKED = "asked"  # --from / --to
    WHOLE = "whole"  # the whole record: every other format's default


@dataclass(frozen=True)
class ReportWritten:
    """A report to the doctor that was written: when (in the zone of the profile then), the nights
    it covered and why."""

    at: dt.datetime
    zone: str
    first: dt.date
    last: dt.date
    basis: PeriodBasis
    format: str = "pdf"
    id: int = 0
    recorded_by: str | None = None
    entered_by: str | None = None

    @property
    def written_on(self) -> dt.date:
        """The day it was written, on the clock of the zone it was written in."""
        return self.at.astimezone(ZoneInfo(self.zone)).date()


@dataclass(frozen=True)
class Period:
    """The nights a report covers, first..last, and why those (`basis`)."""

    first: dt.date
    last: dt.date
    basis: PeriodBasis
    previous: ReportWritten | None = None  # SINCE_REPORT: the report the period starts from
    asked_first: dt.date | None = None  # ASKED: the ends given (None: that end was left open)
    asked_last: dt.date | None = None

    @property
    def nights(self) -> int:
        return (self.last - self.first).days + 1

    def words(self) -> str:
        """Why these nights, for the report's reader."""
        if self.basis == PeriodBasis.SINCE_REPORT and self.previous is not None:
            return _("since the last report to the doctor, written on {day}").format(
                day=medium_date(self.previous.written_on))
        if self.basis == PeriodBasis.RECENT:
            if self.nights < RECENT_NIGHTS:
                return _("the whole record, shorter than {count} nights (no earlier report to the doctor "
                         "is recorded)").format(count=RECENT_NIGHTS)
            return _("the last {count} nights (no earlier report to the doctor is recorded)").format(
                count=RECENT_NIGHTS)
        if self.basis == PeriodBasis.ASKED:
            if self.asked_first is not None and self.asked_last is not None:
                return _("as asked: {first} to {last}").format(
                    first=medium_date(self.asked_first), last=medium_date(self.asked_last))
            if self.asked_first is not None:
                return _("as asked: from {first}").format(first=medium_date(self.asked_first))
            if self.asked_last is not None:
                return _("as asked: up to {last}").format(last=medium_date(self.asked_last))
        return _("the whole record")


def previous_report(reports: Sequence[ReportWritten], today: dt.date) -> ReportWritten | None:
    """The newest report to the doctor written before `today` (one written today is this visit's)."""
    earlier = [r for r in reports if r.format == "pdf" and r.written_on < today]
    return max(earlier, key=lambda r: (r.at, r.id), default=None)


def report_period(tonight: dt.date, today: dt.date, earliest: dt.date | None, latest: dt.date | None,
                  reports: Sequence[ReportWritten] = (), first: dt.date | None = None,
                  last: dt.date | None = None, *, visit: bool = True) -> Period:
    """The nights a report covers. `earliest` is the record's first night (its first prescription
    or record) and `latest` its last recorded night, None when there is none; `tonight` is the
    night the report is made in and `today` its date.

    --from/--to (`first`, `last`) decide when given, an end left open reaching the record's
    start, or tonight (its last record, if later). Otherwise a visit's report (`visit`: the PDF)
    covers the nights since the previous report to the doctor, or the last 90 nights, never
    reaching before the record's start; any other report covers the whole record."""
    start = earliest if earliest is not None else tonight
    end = max(tonight, latest) if latest is not None else tonight
    if first is not None or last is not None:
        chosen = first or start
        return Period(chosen, max(last or end, chosen), PeriodBasis.ASKED, asked_first=first, asked_last=last)
    if not visit:
        return Period(start, max(end, start), PeriodBasis.WHOLE)
    previous = previous_report(reports, today)
    if previous is not None:
        since = night_of(previous.at, ZoneInfo(previous.zone))
        return Period(min(since, end), end, PeriodBasis.SINCE_REPORT, previous=previous)
    recent = tonight - dt.timedelta(days=RECENT_NIGHTS - 1)
    return Period(min(max(recent, start), end), end, PeriodBasis.RECENT)
