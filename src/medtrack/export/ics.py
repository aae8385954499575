"""iCalendar export (RFC 5545): bedtime doses per step in the profile's zone, step changes, the end."""

from __future__ import annotations

import datetime as dt
from typing import IO

from icalendar import Alarm, Calendar, Event

from medtrack.core.nights import bedtime_day
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.units import format_mg

DAY = dt.timedelta(days=1)
REMINDER = dt.timedelta(minutes=15)


def _uid(*parts: object) -> str:
    return "-".join(str(p) for p in parts) + "@medtrack"


def _all_day(summary: str, night: dt.date, uid: str, stamp: dt.datetime, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    event.add("dtstart", night)
    event.add("dtend", night + DAY)
    event.add("transp", "TRANSPARENT")
    event.add("description", description)
    return event


def write_ics(data, stream: IO[bytes]) -> None:  # type: ignore[no-untyped-def]
    profile, drug = data.profile, data.drug
    zone = profile.tz
    stamp = data.generated_at.astimezone(dt.timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", "-//medtrack//flunitrazepam taper//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{drug.name} plan")
    cal.add("x-wr-timezone", profile.zone)
    before = data.first - DAY  # a step that starts on the first night still shows as a change
    previous = scheduled_ug(regimen_on(data.regimens, before), before)
    for segment in data.schedule:
        last = segment.end  # open-ended unless --to ended the period
        if segment.dose_ug:
            dose = format_mg(segment.dose_ug)
            first_day = bedtime_day(segment.start, profile.bedtime)
            event = Event()
            event.add("uid", _uid("dose", segment.start, segment.dose_ug))
            event.add("dtstamp", stamp)
            event.add("summary", f"{drug.name} {dose}")
            event.add("description", f"Take {dose} of {drug.name} at bedtime. Only one dose a "
                      "night; never two to make up. Do not drive afterwards.")
            event.add("dtstart", dt.datetime.combine(first_day, profile.bedtime, zone))
            event.add("duration", dt.timedelta(minutes=15))
            rule: dict[str, object] = {"freq": "daily"}
            if last is not None:
                rule["count"] = (last - segment.start).days + 1
            event.add("rrule", rule)
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Bedtime: {drug.name} {dose}")
            alarm.add("trigger", -REMINDER)
            event.add_component(alarm)
            cal.add_component(event)
        if previous is not None and segment.dose_ug != previous:
            if segment.dose_ug:
                cal.add_component(_all_day(
                    f"Taper step: {drug.name} {format_mg(segment.dose_ug)} from tonight",
                    segment.start, _uid("step", segment.start, segment.dose_ug), stamp,
                    f"The nightly dose changes from {format_mg(previous or 0)} to "
                    f"{format_mg(segment.dose_ug)}, as the prescriber set."))
            elif previous:
                cal.add_component(_all_day(
                    f"End of taper: no more {drug.name} from tonight", segment.start,
                    _uid("end", segment.start), stamp,
                    "The plan ends here. If withdrawal symptoms trouble you, contact your doctor."))
        previous = segment.dose_ug
    cal.add_missing_timezones()
    stream.write(cal.to_ical())
