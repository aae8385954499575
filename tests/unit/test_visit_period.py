"""The nights a report covers by default (core.visit): since the previous report to the doctor,
else the last 90 nights, never before the record's start; --from/--to as asked."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from medtrack.core.visit import Period, PeriodBasis, ReportWritten, previous_report, report_period

BERLIN = ZoneInfo("Europe/Berlin")
TONIGHT = dt.date(2026, 11, 25)
TODAY = dt.date(2026, 11, 25)
EARLIEST = dt.date(2016, 11, 27)


def written(day: dt.date, hour: int = 10, *, first: dt.date = EARLIEST, fmt: str = "pdf") -> ReportWritten:
    at = dt.datetime.combine(day, dt.time(hour), BERLIN)
    return ReportWritten(at=at, zone="Europe/Berlin", first=first, last=day, basis=PeriodBasis.RECENT, format=fmt)


def period(*reports: ReportWritten, first: dt.date | None = None, last: dt.date | None = None,
           earliest: dt.date | None = EARLIEST, latest: dt.date | None = TONIGHT - dt.timedelta(days=1),
           today: dt.date = TODAY, visit: bool = True) -> Period:
    return report_period(TONIGHT, today, earliest, latest, reports, first, last, visit=visit)


def test_without_an_earlier_report_the_last_90_nights() -> None:
    found = period()
    assert (found.first, found.last, found.nights) == (dt.date(2026, 8, 28), TONIGHT, 90)
    assert found.basis == PeriodBasis.RECENT
    assert found.words() == "the last 90 nights (no earlier report to the doctor is recorded)"


def test_a_record_shorter_than_90_nights_is_given_whole_and_says_so() -> None:
    found = period(earliest=dt.date(2026, 11, 1))
    assert (found.first, found.last) == (dt.date(2026, 11, 1), TONIGHT)
    assert found.words().startswith("the whole record, shorter than 90 nights")


def test_since_the_previous_report_from_the_night_it_was_written_in() -> None:
    found = period(written(dt.date(2026, 9, 1), 10), written(dt.date(2026, 10, 20), 15))
    assert found.basis == PeriodBasis.SINCE_REPORT
    assert (found.first, found.last) == (dt.date(2026, 10, 20), TONIGHT)  # 15:00 belongs to that night
    assert found.words() == "since the last report to the doctor, written on 2026-10-20"
    morning = period(written(dt.date(2026, 10, 20), 9))  # 09:00 belongs to the night before
    assert morning.first == dt.date(2026, 10, 19)
    assert morning.words() == "since the last report to the doctor, written on 2026-10-20"


def test_a_report_written_earlier_today_is_this_visits_and_gives_the_same_nights() -> None:
    before = period(written(dt.date(2026, 10, 20), 15))
    again = period(written(dt.date(2026, 10, 20), 15), written(TODAY, 9, first=before.first))
    assert again == before
    assert previous_report([written(TODAY, 9)], TODAY) is None
    assert period(written(TODAY, 9)).basis == PeriodBasis.RECENT
    assert period(written(TODAY, 9), today=TODAY + dt.timedelta(days=1)).basis == PeriodBasis.SINCE_REPORT


def test_only_the_pdf_counts_as_the_doctors_report() -> None:
    assert period(written(dt.date(2026, 10, 20), fmt="csv")).basis == PeriodBasis.RECENT


def test_from_and_to_as_asked_an_open_end_reaching_the_record_or_tonight() -> None:
    both = period(written(dt.date(2026, 10, 20)), first=dt.date(2025, 1, 1), last=dt.date(2025, 3, 31))
    assert (both.first, both.last, both.basis) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31), PeriodBasis.ASKED)
    assert both.words() == "as asked: 2025-01-01 to 2025-03-31"
    since = period(first=dt.date(2025, 1, 1))
    assert (since.first, since.last) == (dt.date(2025, 1, 1), TONIGHT)
    assert since.words() == "as asked: from 2025-01-01"
    up_to = period(last=dt.date(2020, 1, 1))
    assert (up_to.first, up_to.last) == (EARLIEST, dt.date(2020, 1, 1))
    assert up_to.words() == "as asked: up to 2020-01-01"


def test_other_reports_cover_the_whole_record_as_before() -> None:
    found = period(written(dt.date(2026, 10, 20)), visit=False)
    assert (found.first, found.last, found.basis) == (EARLIEST, TONIGHT, PeriodBasis.WHOLE)
    assert period(earliest=None, latest=None, visit=False) == Period(TONIGHT, TONIGHT, PeriodBasis.WHOLE)
