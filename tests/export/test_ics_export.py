"""The iCalendar export, read back with independent libraries (icalendar, recurring-ical-events,
vobject, dateutil's tzical), and imported over older exports the way a calendar client does.

The 0.75 mg step (2026-10-22 .. 2026-11-11 after the hold) spans the end of summer time in
Berlin (2026-10-25): its bedtime reminders must stay at 22:30 local time, so their UTC time moves.
The history is exported on 2026-10-30: past nights are left out unless --from asks for them.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from dateutil import tz as dtz
from exporthist import END_OF_TAPER, PRESCRIBER, PRESCRIPTION, SETUP, STEPS, ZONE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, vDDDTypes

from medtrack.core.model import Profile, Regimen, Step
from medtrack.core.nights import night_of
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.schedule import segments
from medtrack.core.taper import hold, step_back
from medtrack.errors import BadInput
from medtrack.export.data import ExportData

DAY = dt.timedelta(days=1)
BEDTIME = dt.time(22, 30)
SUMMARY = re.compile(r"Flunitrazepam (\d+(?:\.\d+)?) mg")
PATIENT_ID = "5f0c7d1e-9a4b-4c2d-8e6f-0123456789ab"
EXPORTED = dt.date(2026, 10, 30)  # the night the history is exported in
CREATED = dt.datetime(2026, 9, 1, tzinfo=dt.UTC)
DOSE_TEXT = ("Take {} mg of Flunitrazepam at bedtime. Only one dose a night; never two to make "
             "up. Do not drive afterwards.")
_names = itertools.count()


def export_raw(run: Any, tmp_path: Path, *extra: str, now: str | None = None) -> bytes:
    out = tmp_path / f"plan-{next(_names)}.ics"
    run.ok("export", "--format", "ics", "-o", str(out), *extra, now=now)
    return out.read_bytes()


def export_ics(run: Any, tmp_path: Path, *extra: str, now: str | None = None) -> Calendar:
    return Calendar.from_ical(export_raw(run, tmp_path, *extra, now=now))


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


def cancelled(component: Any) -> bool:
    return str(component.get("STATUS", "")).upper() == "CANCELLED"


def start_of(event: Component) -> dt.date:
    """An event's DTSTART: a datetime (a bedtime reminder) or a date (an all-day note)."""
    start = event["DTSTART"]
    assert isinstance(start, vDDDTypes) and isinstance(start.dt, dt.date), start
    return start.dt


def sequence_of(event: Component) -> int:
    sequence = event["SEQUENCE"]
    assert isinstance(sequence, int), sequence  # a vInt
    return int(sequence)


def timed(cal: Calendar) -> list[Any]:
    return [e for e in cal.walk("VEVENT") if type(start_of(e)) is dt.datetime]


def notes(cal: Calendar, *, active: bool = True) -> dict[dt.date, str]:
    """The all-day notes (active, or cancelled) by night."""
    return {start_of(e): str(e["SUMMARY"]) for e in cal.walk("VEVENT")
            if type(start_of(e)) is dt.date and cancelled(e) != active}


def expanded(cal: Calendar, first: dt.date = dt.date(2026, 1, 1),
             last: dt.date = dt.date(2027, 12, 31)) -> dict[dt.date, list[float]]:
    """Night -> doses of the active bedtime reminders, series expanded by recurring-ical-events."""
    live = Calendar()
    for component in cal.subcomponents:
        if not cancelled(component):
            live.add_component(component)
    out: dict[dt.date, list[float]] = {}
    for event in recurring_ical_events.of(live).between(first, last + DAY):
        start = event["DTSTART"].dt
        if type(start) is dt.datetime:
            match = SUMMARY.fullmatch(str(event["SUMMARY"]))
            assert match, event["SUMMARY"]
            out.setdefault(start.date(), []).append(float(match.group(1)))
    return out


def once(cal: Calendar, **period: dt.date) -> dict[dt.date, float]:
    found = expanded(cal, **period)
    assert all(len(doses) == 1 for doses in found.values()), "two bedtime reminders on a night"
    return {night: doses[0] for night, doses in found.items()}


class Client:
    """A calendar that imports files the way clients do (RFC 5546): an event replaces the one
    with its UID only with a higher SEQUENCE; a cancelled one removes it."""

    def __init__(self) -> None:
        self.events: dict[str, Component] = {}
        self.zones: dict[str, Any] = {}

    def load(self, cal: Calendar) -> None:
        for zone in cal.walk("VTIMEZONE"):
            self.zones[str(zone["TZID"])] = zone
        for event in cal.walk("VEVENT"):
            uid = str(event["UID"])
            known = self.events.get(uid)
            if known is None or int(event.get("SEQUENCE", 0)) > int(known.get("SEQUENCE", 0)):
                self.events[uid] = event

    def calendar(self) -> Calendar:
        cal = Calendar()
        for zone in self.zones.values():
            cal.add_component(zone)
        for event in self.events.values():
            if not cancelled(event):
                cal.add_component(event)
        return cal


def blocks(text: bytes) -> dict[str, tuple[int, bytes]]:
    """UID -> (SEQUENCE, the event's lines but DTSTAMP), read from the file's text."""
    out = {}
    unfolded = text.replace(b"\r\n ", b"")
    for block in unfolded.split(b"BEGIN:VEVENT\r\n")[1:]:
        lines = block.split(b"END:VEVENT")[0].split(b"\r\n")
        fields = dict(line.split(b":", 1) for line in lines if line and b":" in line)
        kept = b"\n".join(line for line in lines if not line.startswith(b"DTSTAMP"))
        out[fields[b"UID"].decode()] = (int(fields.get(b"SEQUENCE", b"0")), kept)
    return out


def check_sequences(older: bytes, newer: bytes) -> None:
    """A later export never lowers a SEQUENCE, and raises it wherever the event changed."""
    before = blocks(older)
    for uid, (sequence, text) in blocks(newer).items():
        if uid in before:
            was, old = before[uid]
            assert sequence == was if old == text else sequence > was, (uid, old, text)


@pytest.fixture
def cal(history, tmp_path: Path) -> Calendar:
    return export_ics(history, tmp_path)


def test_one_vtimezone_with_rrule_based_rules_for_the_profile_zone(cal):
    assert cal["VERSION"] == "2.0"
    assert cal["PRODID"]
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == ZONE
    rules = {(part.name, part["RRULE"].to_ical().decode()) for part in zone.subcomponents}
    assert rules == {("DAYLIGHT", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"),
                     ("STANDARD", "FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10")}
    assert all("RDATE" not in part for part in zone.subcomponents)
    # the VTIMEZONE itself (not the zone database) says CEST before and CET after 2026-10-25
    tz = zone.to_tz(lookup_tzid=False)
    assert tz.utcoffset(dt.datetime(2026, 10, 24, 22, 30)) == dt.timedelta(hours=2)
    assert tz.utcoffset(dt.datetime(2026, 10, 25, 22, 30)) == dt.timedelta(hours=1)
    assert tz.utcoffset(dt.datetime(2027, 7, 1, 22, 30)) == dt.timedelta(hours=2)


@pytest.mark.parametrize("name", ["Europe/Berlin", "America/New_York", "America/Santiago",
                                  "Asia/Jerusalem", "Europe/Dublin", "Australia/Lord_Howe",
                                  "Africa/Casablanca", "Asia/Kolkata", "UTC"])
@pytest.mark.slow
def test_the_vtimezone_gives_the_zone_databases_offsets(name: str):
    """Read back by dateutil's tzical (what vobject uses): every hour from 2026 to 2028."""
    from medtrack.export.ics_tz import vtimezone

    zone = ZoneInfo(name)
    text = vtimezone(zone, dt.date(2026, 10, 1), dt.date(2027, 12, 31)).to_ical().decode()
    assert "RDATE" not in text
    read = dtz.tzical(io.StringIO(text)).get(name)
    assert read is not None, name
    instant = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    while instant.year < 2029:
        local = instant.astimezone(zone).replace(tzinfo=None)
        if zone.utcoffset(local.replace(fold=1)) == zone.utcoffset(local):  # not ambiguous
            assert read.utcoffset(local) == zone.utcoffset(local), (name, local)
        instant += dt.timedelta(hours=1)


def vobject_bedtimes(text: str) -> dict[dt.date, dt.datetime]:
    """Night -> bedtime of the active reminders as vobject reads them (series expanded)."""
    out: dict[dt.date, dt.datetime] = {}
    for event in vobject.readOne(text).vevent_list:
        start = event.dtstart.value
        if (not isinstance(start, dt.datetime)
                or getattr(getattr(event, "status", None), "value", "") == "CANCELLED"):
            continue
        recurring = hasattr(event, "rrule")
        for when in itertools.islice(event.getrruleset(), 400) if recurring else [start]:
            out[when.date()] = when
    return out


def test_vobject_reads_summer_and_winter_bedtimes_right(history, tmp_path: Path):
    out = tmp_path / "plan.ics"
    history.ok("export", "--format", "ics", "-o", str(out), "--from", "2026-10-20")
    starts = vobject_bedtimes(out.read_text(encoding="utf-8"))
    summer, winter = starts[dt.date(2026, 10, 24)], starts[dt.date(2026, 11, 20)]
    assert summer.isoformat() == "2026-10-24T22:30:00+02:00"
    assert summer.astimezone(dt.UTC).time() == dt.time(20, 30)
    assert winter.isoformat() == "2026-11-20T22:30:00+01:00"
    assert winter.astimezone(dt.UTC).time() == dt.time(21, 30)


def test_vobject_expands_an_open_ended_series_across_the_dst_change(run, tmp_path: Path):
    for now, argv in SETUP[:2]:
        run.ok(*argv, now=now)
    out = tmp_path / "plan.ics"
    run.ok("export", "--format", "ics", "-o", str(out), now="2026-10-05T12:00+02:00")
    dates = vobject_bedtimes(out.read_text(encoding="utf-8"))
    assert min(dates) == dt.date(2026, 10, 5)  # from tonight, open-ended
    assert dates[dt.date(2026, 10, 5)].isoformat() == "2026-10-05T22:30:00+02:00"
    assert dates[dt.date(2026, 10, 24)].utcoffset() == dt.timedelta(hours=2)
    assert dates[dt.date(2026, 10, 25)].utcoffset() == dt.timedelta(hours=1)
    assert dates[dt.date(2027, 4, 1)].isoformat() == "2027-04-01T22:30:00+02:00"


def test_one_reminder_per_night_with_tzid_the_dose_and_an_alarm(cal):
    events = [e for e in timed(cal) if not cancelled(e)]
    for event in events:
        start = event["DTSTART"]
        assert start.params["TZID"] == ZONE
        assert start.dt.time() == BEDTIME and str(start.dt.tzinfo) == ZONE
        assert str(event["UID"]) == f"{start.dt:%Y%m%d}-{PATIENT_ID}@medtrack"
        summary = SUMMARY.fullmatch(str(event["SUMMARY"]))
        assert summary is not None, event["SUMMARY"]
        dose = summary.group(1)
        assert str(event["DESCRIPTION"]) == DOSE_TEXT.format(dose)
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt < dt.timedelta(0)  # before bedtime
        assert event["DTSTAMP"].dt == dt.datetime(2026, 10, 30, 11, 0, tzinfo=dt.UTC)
    assert len({str(e["UID"]) for e in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))
    assert once(cal) == scheduled(EXPORTED)  # every night from tonight once, nothing after


def test_past_nights_are_left_out_by_default_and_included_with_from(history, cal, tmp_path: Path):
    assert min(e["DTSTART"].dt.date() for e in timed(cal)) == EXPORTED
    assert min(notes(cal)) >= EXPORTED
    everything = export_ics(history, tmp_path, "--from", PRESCRIPTION[0])
    assert once(everything) == scheduled()  # the prescription's nights too, as a series
    assert notes(everything)[dt.date(2026, 10, 22)].startswith("Taper step")
    until = export_ics(history, tmp_path, "--to", "2026-11-30")  # --to alone: still from tonight
    assert min(e["DTSTART"].dt.date() for e in timed(until)) == EXPORTED


def test_bedtime_stays_2230_local_across_the_dst_change(history, tmp_path: Path):
    cal = export_ics(history, tmp_path, "--from", "2026-10-20")
    by_night = {e["DTSTART"].dt.date(): e["DTSTART"].dt for e in timed(cal) if not cancelled(e)}
    assert {w.time() for w in by_night.values()} == {BEDTIME}
    before, after = by_night[dt.date(2026, 10, 24)], by_night[dt.date(2026, 10, 25)]
    assert before.utcoffset() == dt.timedelta(hours=2) and after.utcoffset() == dt.timedelta(hours=1)
    assert before.astimezone(dt.UTC).time() == dt.time(20, 30)
    assert after.astimezone(dt.UTC).time() == dt.time(21, 30)


def test_step_changes_and_the_end_of_the_taper_are_all_day_notes(cal):
    days = notes(cal)
    assert sorted(days) == [dt.date(2026, 11, 12), dt.date(2026, 11, 26),
                            dt.date.fromisoformat(END_OF_TAPER)]
    assert days[dt.date(2026, 11, 12)] == "Taper step: Flunitrazepam 0.5 mg from tonight"
    assert days[dt.date(2026, 11, 26)] == "Taper step: Flunitrazepam 0.25 mg from tonight"
    assert days[dt.date.fromisoformat(END_OF_TAPER)].startswith("End of taper")
    # the notes plan v1 put on other nights (before the hold) are cancelled
    assert sorted(notes(cal, active=False)) == [dt.date(2026, 11, 5), dt.date(2026, 11, 19),
                                                dt.date(2026, 12, 3)]
    for event in cal.walk("VEVENT"):
        if type(event["DTSTART"].dt) is dt.date:
            assert event["DTEND"].dt == event["DTSTART"].dt + DAY
            assert "RRULE" not in event and not event.walk("VALARM")


@pytest.mark.parametrize("first,last", [("2026-10-24", "2026-11-15"), ("2026-10-05", "2026-10-27"),
                                        ("2026-11-20", "2026-12-31")])
def test_from_and_to_clip_the_reminders(history, tmp_path: Path, first: str, last: str):
    cal = export_ics(history, tmp_path, "--from", first, "--to", last)
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    assert once(cal) == scheduled(start, end)
    assert all(start <= day <= end for day in [*notes(cal), *notes(cal, active=False)])
    ends = [d for d, text in notes(cal).items() if text.startswith("End of taper")]
    assert len(ends) == (1 if start <= dt.date.fromisoformat(END_OF_TAPER) <= end else 0)


@pytest.mark.parametrize("first,day", [("2026-10-22", "2026-10-22"), (END_OF_TAPER, END_OF_TAPER)])
def test_a_step_change_on_the_from_night_is_still_a_note(history, tmp_path: Path, first: str, day: str):
    cal = export_ics(history, tmp_path, "--from", first, "--to", "2026-12-31")
    assert dt.date.fromisoformat(day) in notes(cal)


def test_from_alone_keeps_an_open_ended_prescription_open(patient, tmp_path: Path):
    cal = export_ics(patient, tmp_path, "--from", "2026-11-10")
    (event,) = timed(cal)
    assert event["DTSTART"].dt.date() == dt.date(2026, 11, 10)
    assert "COUNT" not in event["RRULE"] and "UNTIL" not in event["RRULE"]


def test_without_a_plan_the_prescription_recurs_from_tonight_without_end(patient, tmp_path: Path):
    cal = export_ics(patient, tmp_path)  # on 2026-11-25; the prescription runs from 11-01
    (event,) = timed(cal)
    assert str(event["SUMMARY"]) == "Flunitrazepam 1 mg"
    assert "COUNT" not in event["RRULE"] and "UNTIL" not in event["RRULE"]
    assert event["DTSTART"].dt == dt.datetime(2026, 11, 25, 22, 30, tzinfo=event["DTSTART"].dt.tzinfo)
    (alarm,) = event.walk("VALARM")
    assert notes(cal) == {}


@pytest.mark.slow
def test_an_empty_calendar_is_refused_with_a_plain_message(run, patient, tmp_path: Path):
    result = patient("export", "--format", "ics", "-o", str(tmp_path / "a.ics"),
                     "--from", "2026-10-01", "--to", "2026-10-20")
    assert result.code == 2
    assert "nothing is scheduled from 2026-10-01 to 2026-10-20: the calendar would be empty" in result.err
    assert not [p for p in tmp_path.iterdir() if "a.ics" in p.name]  # nor a temporary file
    run.ok(*SETUP[0][1], now=SETUP[0][0], db=tmp_path / "bare.db")  # a profile, no prescription
    result = run("export", "--format", "ics", "-o", str(tmp_path / "b.ics"),
                 now="2026-10-05T12:00+02:00", db=tmp_path / "bare.db")
    assert result.code == 2 and "nothing is scheduled from 2026-10-05 on" in result.err


# The replays: exports made as the plan changes, imported one over the other.
PLAN_V1 = SETUP[2]
CHANGES = {
    "hold": ("2026-10-28T10:00+01:00", ("taper", "hold", "--days", "7", "--at", "2026-10-28",
                                        "--reason", "withdrawal symptoms")),
    "step-back": ("2026-11-10T12:00+01:00", ("taper", "step-back", "--at", "2026-11-10",
                                             "--reason", "could not sleep")),
    "shortened": ("2026-10-20T12:00+02:00", ("taper", "set", "--steps",
                                             "2026-10-15=1mg,2026-10-22=0.75mg,2026-11-05=0.5mg,"
                                             "2026-11-12=0", "--prescriber", PRESCRIBER,
                                             "--reason", "faster, as agreed")),
    "pause": ("2026-11-20T12:00+01:00", ("taper", "step-back", "--at", "2026-12-06",
                                         "--reason", "a week without, then one more step")),
}


def expected(run: Any, now: str) -> dict[dt.date, float]:
    """What `taper show --json` says for each night (the prescription before the plan; nothing
    after the last night of a plan that ends), cross-checked with `status --json` on the nights
    the dose changes and the nights before."""
    shown = run("taper", "show", "--json", now=now)
    out: dict[dt.date, float] = {}
    last = dt.date(2027, 3, 31)
    assert shown.code == 0, shown.err
    steps = shown.json()["steps"]  # empty before any plan
    if steps:
        first = dt.date.fromisoformat(steps[0]["start"])
        out = {n: PRESCRIPTION[2] for n in nights(PRESCRIPTION[0], first - DAY)}
        for step in steps:
            for night in nights(step["start"], step["end"] or last):
                if step["dose_mg"]:
                    out[night] = step["dose_mg"]
        boundaries = {dt.date.fromisoformat(s["start"]) + d for s in steps for d in (-DAY, 0 * DAY)}
    else:  # no plan yet: the 1 mg prescription, open-ended
        out = {n: PRESCRIPTION[2] for n in nights(PRESCRIPTION[0], last)}
        boundaries = {dt.date.fromisoformat(PRESCRIPTION[0]), last}
    for night in sorted(boundaries):
        status = run("status", "--json", now=f"{night}T21:00:00+00:00").json()
        assert status["night"] == night.isoformat()
        assert status["scheduled_mg"] == out.get(night), night
    return out


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.slow
def test_importing_each_new_export_over_the_old_leaves_one_right_reminder_a_night(
        run, tmp_path: Path, change: str):
    """Export before the plan, after plan v1, after the change; import each over the last."""
    stages = [*SETUP[:2], ("2026-10-05T12:00+02:00", None), PLAN_V1,
              ("2026-10-12T12:00+02:00", None), CHANGES[change], (CHANGES[change][0], None)]
    client, previous = Client(), None
    for now, argv in stages:
        if argv is not None:
            run.ok(*argv, now=now)
            continue
        raw = export_raw(run, tmp_path, now=now)
        if previous is not None:
            check_sequences(previous, raw)
        client.load(Calendar.from_ical(raw))
        previous = raw
        tonight = night_of(dt.datetime.fromisoformat(now), ZoneInfo(ZONE))
        want = {n: d for n, d in expected(run, now).items() if n >= tonight}
        assert once(client.calendar(), first=tonight, last=dt.date(2027, 3, 31)) == want, now


def test_a_changed_night_gets_a_higher_sequence_and_removed_nights_are_cancelled(run, tmp_path: Path):
    for now, argv in SETUP:
        run.ok(*argv, now=now)
    v1 = export_ics(run, tmp_path, now="2026-10-12T12:00+02:00")
    now, argv = CHANGES["shortened"]
    run.ok(*argv, now=now)
    v2 = export_ics(run, tmp_path, now=now)
    old = {str(e["UID"]): e for e in v1.walk("VEVENT")}
    removed = nights("2026-11-12", "2026-12-02")  # 0.5 and 0.25 mg in v1, nothing in v2
    for night in removed:
        uid = f"{night:%Y%m%d}-{PATIENT_ID}@medtrack"
        (event,) = [e for e in v2.walk("VEVENT") if str(e["UID"]) == uid]
        assert cancelled(event) and not event.walk("VALARM")
        assert sequence_of(event) > sequence_of(old[uid])
        assert start_of(event) == start_of(old[uid])
    assert notes(v2, active=False) == {
        dt.date(2026, 11, 19): "Cancelled: Flunitrazepam plan note (the plan changed)",
        dt.date(2026, 12, 3): "Cancelled: Flunitrazepam plan note (the plan changed)"}
    assert notes(v2)[dt.date(2026, 11, 12)].startswith("End of taper")
    unchanged = f"20261104-{PATIENT_ID}@medtrack"  # 0.75 mg in both
    (event,) = [e for e in v2.walk("VEVENT") if str(e["UID"]) == unchanged]
    assert sequence_of(event) == sequence_of(old[unchanged]) and not cancelled(event)


def test_a_mid_plan_pause_is_not_the_end_and_the_resume_is_marked(run, tmp_path: Path):
    for now, argv in [*SETUP, CHANGES["pause"]]:
        run.ok(*argv, now=now)
    cal = export_ics(run, tmp_path, now=CHANGES["pause"][0])
    days = notes(cal)
    assert days[dt.date(2026, 12, 3)] == "Taper pause: no Flunitrazepam from tonight"
    assert days[dt.date(2026, 12, 6)] == "Taper resumes: Flunitrazepam 0.25 mg from tonight"
    assert [d for d, text in days.items() if text.startswith("End of taper")] == [dt.date(2026, 12, 20)]
    reminders = once(cal)
    assert [n for n in nights("2026-12-01", "2026-12-21") if n not in reminders] == [
        *nights("2026-12-03", "2026-12-05"), *nights("2026-12-20", "2026-12-21")]


# Any history of changes, replayed on the exporter itself (plain data, as services/export gives it).
START = dt.date(2026, 10, 1)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Regimen], list[dt.date]]:
    """A prescription, then new plan versions, holds, step backs and new prescriptions in any
    order, each followed by an export on a night no earlier than the one before."""
    regimens: list[Regimen] = []

    def add(kind: str, steps: list[Step], start: dt.date | None = None) -> None:
        regimens.append(Regimen(kind=kind, id=len(regimens) + 1, seq=len(regimens) + 1,
                                prescriber="Dr. Weiß", steps=tuple(steps), created_at=CREATED,
                                in_force_from=start))

    def night(low: int = 0, high: int = 120) -> dt.date:
        return START + draw(st.integers(low, high)) * DAY

    add("prescription", [Step(START, draw(st.sampled_from([500, 1000])))])
    exports = [night(-5, 10)]
    for _ in range(draw(st.integers(1, 4))):
        plans = [r for r in regimens if r.kind == "plan"]
        action = draw(st.sampled_from(["plan", "hold", "step-back", "prescription"]))
        at = night(0, 100)
        try:
            if action == "plan" or not plans:
                first, dose, steps = night(0, 60), 1000, []
                for _ in range(draw(st.integers(1, 4))):
                    steps.append(Step(first, dose))
                    first += draw(st.integers(1, 15)) * DAY
                    dose = max(250, dose - draw(st.sampled_from([0, 250, 250, 500])))
                steps.append(Step(first, draw(st.sampled_from([0, 0, 250]))))
                add("plan", steps)
            elif action == "hold":
                add("plan", hold(list(plans[-1].steps), at, draw(st.integers(1, 14))), at)
            elif action == "step-back":
                add("plan", step_back(list(plans[-1].steps), at), at)
            else:
                add("prescription", [Step(at, draw(st.sampled_from([250, 500])))])
        except BadInput:
            continue
        exports.append(exports[-1] + draw(st.integers(0, 30)) * DAY)
    return regimens, exports


def written(regimens: list[Regimen], tonight: dt.date) -> bytes | None:
    """The default export (no --from/--to) made in the evening of `tonight`."""
    from medtrack.export.ics import write_ics

    profile = Profile(name="Zoë", born=dt.date(1961, 11, 10), zone=ZONE)
    at = dt.datetime.combine(tonight, dt.time(20, 0), ZoneInfo(ZONE))
    first = min(r.start for r in regimens)
    data = SimpleNamespace(
        generated_at=at, patient_id=PATIENT_ID, tonight=tonight, first=first,
        last=max(first, tonight), clipped=False, from_given=False, profile=profile,
        drug=SimpleNamespace(name="Flunitrazepam"), regimens=tuple(regimens),
        schedule=tuple(segments(regimens, first, None)),
        ceiling_on=lambda night: 2000, ceiling_drop=lambda first, last: None,  # about UIDs, not limits
        forbidden_on=lambda night: False, profiles=None)
    stream = io.BytesIO()
    try:
        write_ics(cast(ExportData, data), stream)  # a stand-in: only what write_ics reads
    except BadInput:
        return None
    return stream.getvalue()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
@pytest.mark.slow
def test_any_history_of_changes_imports_to_one_right_reminder_a_night(history_of):
    regimens, exports = history_of
    client, previous = Client(), None
    for count, tonight in enumerate(exports, start=1):
        known = regimens[:count] if count <= len(regimens) else regimens
        raw = written(known, tonight)
        last = tonight + 150 * DAY
        ug = {n: scheduled_ug(regimen_on(known, n), n) for n in nights(tonight, last)}
        want = {n: dose / 1000 for n, dose in ug.items() if dose}
        if raw is None:  # refused as empty: nothing is scheduled from tonight on
            assert want == {}
            continue
        if previous is not None:
            check_sequences(previous, raw)
        client.load(Calendar.from_ical(raw))
        previous = raw
        assert once(client.calendar(), first=tonight, last=last) == want
