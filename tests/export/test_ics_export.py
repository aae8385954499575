"""The iCalendar export, read back with independent libraries (icalendar, dateutil's rrulestr).

The 0.75 mg step (2026-10-22 .. 2026-11-11 after the hold) spans the end of summer time in
Berlin (2026-10-25): its bedtime events must stay at 22:30 local time, so their UTC time moves.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar

from exporthist import END_OF_TAPER, PRESCRIPTION, STEPS, ZONE

DAY = dt.timedelta(days=1)
BEDTIME = dt.time(22, 30)
SUMMARY = re.compile(r"Flunitrazepam (\d+(?:\.\d+)?) mg")


def export_ics(run: Any, tmp_path: Path, *extra: str) -> Calendar:
    out = tmp_path / "plan.ics"
    run.ok("export", "--format", "ics", "-o", str(out), *extra)
    return Calendar.from_ical(out.read_bytes())


def nights(first: str | dt.date, last: str | dt.date) -> list[dt.date]:
    start = dt.date.fromisoformat(first) if isinstance(first, str) else first
    end = dt.date.fromisoformat(last) if isinstance(last, str) else last
    return [start + i * DAY for i in range((end - start).days + 1)]


def scheduled(first: dt.date | None = None, last: dt.date | None = None) -> dict[dt.date, float]:
    """Night -> scheduled mg, from the prescription and the plan (after its hold)."""
    out: dict[dt.date, float] = {}
    for start, end, dose in [PRESCRIPTION, *STEPS]:
        for night in nights(start, end):
            if (first is None or night >= first) and (last is None or night <= last):
                out[night] = dose
    return out


def dose_events(cal: Calendar) -> list[Any]:
    return [e for e in cal.walk("VEVENT") if "RRULE" in e]


def all_day_events(cal: Calendar) -> list[Any]:
    return [e for e in cal.walk("VEVENT") if type(e["DTSTART"].dt) is dt.date]


def occurrences(event: Any) -> list[dt.datetime]:
    rule = event["RRULE"]
    assert "COUNT" in rule or "UNTIL" in rule, "a step of a finite plan must end"
    return list(rrulestr(rule.to_ical().decode(), dtstart=event["DTSTART"].dt))


def expanded(cal: Calendar) -> dict[dt.date, float]:
    """Night -> dose of every bedtime occurrence; a night may appear only once."""
    out: dict[dt.date, float] = {}
    for event in dose_events(cal):
        dose = float(SUMMARY.fullmatch(str(event["SUMMARY"])).group(1))
        for when in occurrences(event):
            assert when.date() not in out, f"two bedtime events on {when.date()}"
            out[when.date()] = dose
    return out


@pytest.fixture
def cal(history, tmp_path: Path) -> Calendar:
    return export_ics(history, tmp_path)


def test_it_is_a_calendar_with_a_vtimezone_for_the_profile_zone(cal):
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    zones = cal.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == [ZONE]
    # the VTIMEZONE itself (not the zone database) says CEST before and CET after 2026-10-25
    tz = zones[0].to_tz(lookup_tzid=False)
    assert tz.utcoffset(dt.datetime(2026, 10, 24, 22, 30)) == dt.timedelta(hours=2)
    assert tz.utcoffset(dt.datetime(2026, 10, 25, 22, 30)) == dt.timedelta(hours=1)


def test_bedtime_events_have_tzid_the_dose_in_the_summary_and_an_alarm(cal):
    events = dose_events(cal)
    assert [str(e["SUMMARY"]) for e in events] == [
        "Flunitrazepam 1 mg", "Flunitrazepam 1 mg", "Flunitrazepam 0.75 mg",
        "Flunitrazepam 0.5 mg", "Flunitrazepam 0.25 mg"]
    for event in events:
        start = event["DTSTART"]
        assert start.params["TZID"] == ZONE
        assert start.dt.time() == BEDTIME and str(start.dt.tzinfo) == ZONE
        alarms = event.walk("VALARM")
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY"
        assert alarms[0]["TRIGGER"].dt < dt.timedelta(0)  # before bedtime
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))


def test_each_rrule_expands_to_exactly_its_steps_nights(cal):
    events = dose_events(cal)
    for event, (start, end, dose) in zip(events, [PRESCRIPTION, *STEPS]):
        assert [w.date() for w in occurrences(event)] == nights(start, end)
        assert str(event["SUMMARY"]) == f"Flunitrazepam {dose:g} mg"
    assert expanded(cal) == scheduled()  # every scheduled night once, nothing after the taper


def test_bedtime_stays_2230_local_across_the_dst_change(cal):
    (step,) = [e for e in dose_events(cal) if str(e["SUMMARY"]) == "Flunitrazepam 0.75 mg"]
    by_night = {w.date(): w for w in occurrences(step)}
    assert {w.time() for w in by_night.values()} == {BEDTIME}
    before, after = by_night[dt.date(2026, 10, 24)], by_night[dt.date(2026, 10, 25)]
    assert before.utcoffset() == dt.timedelta(hours=2) and after.utcoffset() == dt.timedelta(hours=1)
    assert before.astimezone(dt.timezone.utc).time() == dt.time(20, 30)
    assert after.astimezone(dt.timezone.utc).time() == dt.time(21, 30)


def test_step_changes_and_the_end_of_the_taper_are_all_day_events(cal):
    days = {e["DTSTART"].dt: str(e["SUMMARY"]) for e in all_day_events(cal)}
    assert sorted(days) == [dt.date(2026, 10, 22), dt.date(2026, 11, 12), dt.date(2026, 11, 26),
                            dt.date.fromisoformat(END_OF_TAPER)]
    assert "0.75 mg" in days[dt.date(2026, 10, 22)]
    assert "0.5 mg" in days[dt.date(2026, 11, 12)]
    assert "0.25 mg" in days[dt.date(2026, 11, 26)]
    assert days[dt.date.fromisoformat(END_OF_TAPER)].startswith("End of taper")
    for event in all_day_events(cal):
        assert event["DTEND"].dt == event["DTSTART"].dt + DAY
        assert "RRULE" not in event


@pytest.mark.parametrize("first,last", [("2026-10-24", "2026-11-15"), ("2026-10-05", "2026-10-27"),
                                        ("2026-11-20", "2026-12-31")])
def test_from_and_to_clip_the_recurrences(history, tmp_path: Path, first: str, last: str):
    cal = export_ics(history, tmp_path, "--from", first, "--to", last)
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    assert expanded(cal) == scheduled(start, end)
    for event in all_day_events(cal):
        assert start <= event["DTSTART"].dt <= end
    ends = [e for e in all_day_events(cal) if str(e["SUMMARY"]).startswith("End of taper")]
    assert len(ends) == (1 if start <= dt.date.fromisoformat(END_OF_TAPER) <= end else 0)


@pytest.mark.parametrize("first,day", [("2026-10-22", "2026-10-22"), (END_OF_TAPER, END_OF_TAPER)])
def test_a_step_change_on_the_from_night_is_still_an_event(history, tmp_path: Path, first: str, day: str):
    cal = export_ics(history, tmp_path, "--from", first, "--to", "2026-12-31")
    assert dt.date.fromisoformat(day) in {e["DTSTART"].dt for e in all_day_events(cal)}


def test_from_alone_keeps_an_open_ended_prescription_open(patient, tmp_path: Path):
    cal = export_ics(patient, tmp_path, "--from", "2026-11-10")
    (event,) = dose_events(cal)
    assert event["DTSTART"].dt.date() == dt.date(2026, 11, 10)
    assert "COUNT" not in event["RRULE"] and "UNTIL" not in event["RRULE"]


def test_without_a_plan_the_prescription_recurs_without_end(patient, tmp_path: Path):
    cal = export_ics(patient, tmp_path)
    (event,) = dose_events(cal)
    assert str(event["SUMMARY"]) == "Flunitrazepam 1 mg"
    assert "COUNT" not in event["RRULE"] and "UNTIL" not in event["RRULE"]
    assert event["DTSTART"].dt == dt.datetime(2026, 11, 1, 22, 30, tzinfo=event["DTSTART"].dt.tzinfo)
    assert all_day_events(cal) == []
