"""Unit and property tests for medtrack.core.rules: what is scheduled, the verdict on a dose
(each rule, its message and the order the rules are checked in), the state of a night, and the
invariants that hold over any sequence of proposed doses.

Uses the real flunitrazepam monograph. Nothing reads the clock or the machine's zone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from medtrack.core.decide import Decider, ProfileHistory, as_recorded
from medtrack.core.model import Profile, Record, RecordKind, Regimen, Step, Verdict
from medtrack.core.nights import dose_window, hours_apart, local_instant, night_of
from medtrack.core.rules import (
    STATES,
    NightFacts,
    altered_nights,
    cautions,
    ceiling_ug,
    check_dose,
    contraindications,
    is_excess,
    night_state,
    regimen_on,
    scheduled_ug,
)
from medtrack.core.timeline import Timeline
from medtrack.monograph import load_monograph

MONO = load_monograph()
UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
ZONES = (BERLIN, NEW_YORK, SYDNEY)

NIGHT = dt.date(2026, 6, 10)  # an ordinary night: no DST change anywhere near
CREATED = dt.datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
Minute = tuple[int, int, int, int]  # month, day, hour, minute (of 2026)


# --- builders -------------------------------------------------------------------------------


def person(**changes: Any) -> Profile:
    base = Profile(name="Ada Muster", born=dt.date(1970, 5, 5), zone="Europe/Berlin",
                   bedtime=dt.time(22, 30), wake=dt.time(7, 0), min_sleep_min=7 * 60)
    return dataclasses.replace(base, **changes)


def rx(start: dt.date, dose_ug: int, seq: int = 1, **extra: Any) -> Regimen:
    return Regimen(kind="prescription", id=seq, seq=seq, prescriber="Dr. Weiss",
                   steps=(Step(start, dose_ug),), created_at=CREATED, **extra)


def plan(*steps: tuple[dt.date, int], seq: int = 1, version: int = 1) -> Regimen:
    return Regimen(kind="plan", id=100 + seq, seq=seq, prescriber="Dr. Weiss",
                   steps=tuple(Step(s, d) for s, d in steps), created_at=CREATED,
                   round_ug=250, version=version)


def local(zone: ZoneInfo, y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, fold=fold, tzinfo=zone)


def dose_rec(rid: int, at: dt.datetime, dose_ug: int = 1000, *, zone: ZoneInfo | None = None,
             voided: bool = False, already_taken: bool = False) -> Record:
    if zone is None:
        assert isinstance(at.tzinfo, ZoneInfo), at
        zone = at.tzinfo
    return Record(id=rid, kind=RecordKind.DOSE, night=night_of(at, zone), at=at, zone=zone.key,
                  dose_ug=dose_ug, scheduled_ug=1000, already_taken=already_taken, voided=voided)


def skip_rec(rid: int, at: dt.datetime, *, voided: bool = False) -> Record:
    zone = at.tzinfo
    assert isinstance(zone, ZoneInfo), at
    return Record(id=rid, kind=RecordKind.SKIP, night=night_of(at, zone), at=at, zone=zone.key,
                  voided=voided)


def facts(profile: Profile, night: dt.date, regimens: tuple[Regimen, ...] | Regimen | None = None,
          records: tuple[Record, ...] = (), nearby: tuple[Record, ...] = ()) -> NightFacts:
    if regimens is None:
        regimens = (rx(dt.date(2026, 1, 1), 1000),)
    if isinstance(regimens, Regimen):
        regimens = (regimens,)
    window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
    return NightFacts(night=night, window=window, regimen=regimen_on(regimens, night),
                      records=records, nearby_doses=nearby)


def check(profile: Profile, f: NightFacts, at: dt.datetime, dose_ug: int = 1000,
          ack: tuple[str, ...] = ()) -> Verdict:
    return check_dose(MONO, profile, f, at, dose_ug, ack)


EVENING = local(BERLIN, 2026, 6, 10, 22, 0)  # inside the night's window (20:30 .. 00:00)


# --- regimen_on / scheduled_ug ----------------------------------------------------------------


def test_no_regimen_before_the_first_start_night() -> None:
    first = rx(dt.date(2026, 6, 10), 1000)
    assert regimen_on([], NIGHT) is None
    assert regimen_on([first], dt.date(2026, 6, 9)) is None
    assert regimen_on([first], dt.date(2026, 6, 10)) is first
    assert regimen_on([first], dt.date(2027, 1, 1)) is first


def test_a_later_prescription_takes_over_from_its_start_night() -> None:
    old = rx(dt.date(2026, 6, 1), 1000, seq=1)
    new = rx(dt.date(2026, 6, 15), 500, seq=2)
    for regs in ([old, new], [new, old]):
        assert regimen_on(regs, dt.date(2026, 6, 14)) is old
        assert regimen_on(regs, dt.date(2026, 6, 15)) is new
        assert regimen_on(regs, dt.date(2026, 7, 1)) is new
    assert scheduled_ug(regimen_on([old, new], dt.date(2026, 6, 14)), dt.date(2026, 6, 14)) == 1000
    assert scheduled_ug(regimen_on([old, new], dt.date(2026, 6, 15)), dt.date(2026, 6, 15)) == 500


def test_prescription_written_in_advance_starts_on_its_night() -> None:
    current = rx(dt.date(2026, 6, 1), 1000, seq=1)
    future = rx(dt.date(2026, 6, 15), 500, seq=2)  # recorded later, starts later
    assert regimen_on([future, current], dt.date(2026, 6, 10)) is current
    assert regimen_on([future, current], dt.date(2026, 6, 15)) is future


def test_the_newest_version_wins_from_its_start_whatever_the_start_dates() -> None:
    """A version recorded later replaces every older one from its own start night on: a
    prescription written after one dated in advance, or a plan that starts before the
    prescription it follows, is followed (issue 9)."""
    future = rx(dt.date(2026, 6, 15), 500, seq=1)  # recorded first, starts later
    newer = rx(dt.date(2026, 6, 1), 1000, seq=2)
    assert regimen_on([future, newer], dt.date(2026, 6, 15)) is newer
    pres = rx(dt.date(2026, 11, 25), 1000, seq=1)
    taper = plan((dt.date(2026, 11, 1), 1000), (dt.date(2026, 11, 15), 750),
                 (dt.date(2027, 1, 10), 250), seq=2)
    assert regimen_on([pres, taper], dt.date(2026, 11, 10)) is taper
    january = dt.date(2027, 1, 12)
    assert regimen_on([pres, taper], january) is taper
    assert scheduled_ug(regimen_on([pres, taper], january), january) == 250


def test_a_version_in_force_from_a_later_night_keeps_the_older_one_before_it() -> None:
    v1 = plan((dt.date(2026, 6, 1), 1000), (dt.date(2026, 6, 8), 750), seq=1)
    held = dataclasses.replace(plan((dt.date(2026, 6, 1), 1000), (dt.date(2026, 6, 15), 750),
                                    seq=2, version=2), in_force_from=dt.date(2026, 6, 5))
    assert held.start == dt.date(2026, 6, 5)
    assert held.dose_on(dt.date(2026, 6, 4)) is None  # not in force before its start
    assert regimen_on([v1, held], dt.date(2026, 6, 4)) is v1
    assert regimen_on([v1, held], dt.date(2026, 6, 10)) is held
    assert scheduled_ug(regimen_on([v1, held], dt.date(2026, 6, 10)), dt.date(2026, 6, 10)) == 1000


def test_altered_nights_are_the_recorded_nights_whose_dose_would_change() -> None:
    pres = rx(dt.date(2026, 11, 1), 1000, seq=1)
    backdated = plan((dt.date(2026, 11, 19), 500), seq=2)
    recorded = [dt.date(2026, 11, d) for d in (18, 19, 20, 25)]
    assert altered_nights([pres], backdated, recorded) == recorded[1:]
    same_dose = plan((dt.date(2026, 11, 19), 1000), (dt.date(2026, 12, 1), 500), seq=2)
    assert altered_nights([pres], same_dose, recorded) == []
    assert altered_nights([], rx(dt.date(2026, 11, 19), 1000), recorded) == recorded[1:]


def test_equal_start_newest_recording_wins() -> None:
    first = rx(NIGHT, 1000, seq=1)
    correction = rx(NIGHT, 500, seq=2)
    for regs in ([first, correction], [correction, first]):
        assert regimen_on(regs, NIGHT) is correction
        assert regimen_on(regs, NIGHT + dt.timedelta(days=3)) is correction


def test_plan_version_supersedes_prescription_and_older_version() -> None:
    pres = rx(dt.date(2026, 5, 1), 1000, seq=1)
    v1 = plan((dt.date(2026, 6, 1), 1000), (dt.date(2026, 6, 8), 750), seq=2, version=1)
    v2 = plan((dt.date(2026, 6, 1), 1000), (dt.date(2026, 6, 8), 500), seq=3, version=2)
    regs = [v2, pres, v1]
    assert regimen_on(regs, dt.date(2026, 5, 31)) is pres
    assert regimen_on(regs, dt.date(2026, 6, 9)) is v2
    assert scheduled_ug(regimen_on(regs, dt.date(2026, 6, 9)), dt.date(2026, 6, 9)) == 500


def test_taper_plan_steps_and_the_stop_step() -> None:
    taper = plan((dt.date(2026, 6, 1), 1000), (dt.date(2026, 6, 8), 500), (dt.date(2026, 6, 15), 0))
    assert scheduled_ug(taper, dt.date(2026, 5, 31)) is None  # before the plan
    assert scheduled_ug(taper, dt.date(2026, 6, 1)) == 1000
    assert scheduled_ug(taper, dt.date(2026, 6, 7)) == 1000
    assert scheduled_ug(taper, dt.date(2026, 6, 8)) == 500
    assert scheduled_ug(taper, dt.date(2026, 6, 14)) == 500
    assert scheduled_ug(taper, dt.date(2026, 6, 15)) is None  # 0 mg: nothing scheduled
    assert scheduled_ug(taper, dt.date(2026, 12, 31)) is None


def test_scheduled_nothing_without_regimen_or_with_a_zero_prescription() -> None:
    assert scheduled_ug(None, NIGHT) is None
    assert scheduled_ug(rx(NIGHT, 0), NIGHT) is None
    assert scheduled_ug(rx(NIGHT, 250), NIGHT) == 250


# --- contraindications and cautions ---------------------------------------------------------


def _text(rule_id: str) -> str:
    return next(r.text for r in (*MONO.contraindications, *MONO.cautions) if r.id == rule_id)


CONTRA_CASES = [
    *((dict(conditions=(c,)), c) for c in MONO.conditions),
    (dict(liver="severe"), "severe-liver-impairment"),
    (dict(pregnant=True), "pregnancy"),
    (dict(breastfeeding=True), "breastfeeding"),
    (dict(born=dt.date(2010, 1, 1)), "children"),
]


@pytest.mark.parametrize(("changes", "rule_id"), CONTRA_CASES, ids=[c[1] for c in CONTRA_CASES])
def test_contraindication_refuses_and_names_it(changes: dict[str, Any], rule_id: str) -> None:
    p = person(**changes)
    assert [r.id for r in contraindications(MONO, p, NIGHT)] == [rule_id]
    v = check(p, facts(p, NIGHT), EVENING)
    assert not v.allowed
    assert v.rule == "contraindication"
    assert _text(rule_id).rstrip(".") in v.message
    assert "Do not take Flunitrazepam" in v.message
    assert "talk to your doctor" in v.message
    assert night_state(MONO, p, facts(p, NIGHT), EVENING) == "contraindicated"


@pytest.mark.parametrize(("changes", "rule_id"), CONTRA_CASES, ids=[c[1] for c in CONTRA_CASES])
def test_acknowledged_contraindication_no_longer_refuses(changes: dict[str, Any], rule_id: str) -> None:
    p = person(**changes)
    f = facts(p, NIGHT)
    if rule_id == "children":
        # Acknowledged, but the monograph gives no dose below 18: still never allowed.
        v = check(p, f, EVENING, 500, ack=(rule_id,))
        assert not v.allowed and v.rule == "monograph-ceiling"
        return
    assert check(p, f, EVENING, 1000, ack=(rule_id,)).allowed
    assert night_state(MONO, p, f, EVENING, (rule_id,)) == "due"


def test_acknowledging_one_contraindication_does_not_cover_another() -> None:
    p = person(conditions=("glaucoma", "myasthenia-gravis"), pregnant=True)
    f = facts(p, NIGHT)
    v = check(p, f, EVENING, ack=("glaucoma",))
    assert v.rule == "contraindication"
    assert "Glaucoma" not in v.message
    assert "Myasthenia gravis" in v.message and "Pregnancy" in v.message
    assert check(p, f, EVENING, ack=("glaucoma", "myasthenia-gravis", "pregnancy")).allowed
    # an acknowledgement of something the patient does not have changes nothing
    assert check(p, f, EVENING, ack=("coma", "breastfeeding")).rule == "contraindication"


def test_contraindication_message_reads_cleanly() -> None:
    p = person(conditions=("glaucoma",))
    v = check(p, facts(p, NIGHT), EVENING)
    assert ".." not in v.message


@pytest.mark.parametrize(
    ("changes", "ids"),
    [
        (dict(liver="mild"), ["mild-moderate-liver-impairment"]),
        (dict(liver="moderate"), ["mild-moderate-liver-impairment"]),
        (dict(renal=True), ["renal-impairment"]),
        (dict(liver="moderate", renal=True), ["mild-moderate-liver-impairment", "renal-impairment"]),
        (dict(), []),
        (dict(liver="severe"), []),  # severe is a contraindication, not a caution
    ],
)
def test_cautions_warn_but_never_refuse(changes: dict[str, Any], ids: list[str]) -> None:
    p = person(**changes)
    assert [r.id for r in cautions(MONO, p, NIGHT)] == ids
    if changes.get("liver") != "severe":
        assert contraindications(MONO, p, NIGHT) == ()
        assert check(p, facts(p, NIGHT), EVENING).allowed


def test_leap_day_birthday_turns_18_on_1_march_in_common_years() -> None:
    p = person(born=dt.date(2008, 2, 29))
    assert p.age_on(dt.date(2026, 2, 28)) == 17
    assert p.age_on(dt.date(2026, 3, 1)) == 18
    assert p.age_on(dt.date(2028, 2, 28)) == 19
    assert p.age_on(dt.date(2028, 2, 29)) == 20  # a leap year: the birthday itself
    late = dataclasses.replace(p, wake=dt.time(7, 30))  # latest 00:30
    feb28 = facts(late, dt.date(2026, 2, 28))
    v = check(late, feb28, local(BERLIN, 2026, 2, 28, 22, 0))
    assert v.rule == "contraindication" and "under 18" in v.message
    # 00:15 on 1 March still belongs to the night of 28 February: still under 18
    assert check(late, feb28, local(BERLIN, 2026, 3, 1, 0, 15)).rule == "contraindication"
    assert check(late, facts(late, dt.date(2026, 3, 1)), local(BERLIN, 2026, 3, 1, 22, 0)).allowed


def test_18th_birthday_in_a_leap_year() -> None:
    p = person(born=dt.date(2010, 2, 28))
    assert [r.id for r in contraindications(MONO, p, dt.date(2028, 2, 27))] == ["children"]
    assert contraindications(MONO, p, dt.date(2028, 2, 28)) == ()


# --- the dose checks, one by one ------------------------------------------------------------


def test_scheduled_dose_in_the_window_is_allowed() -> None:
    p = person()
    v = check(p, facts(p, NIGHT), EVENING)
    assert v.allowed and v.rule == "" and v.message == ""


def test_nothing_scheduled_without_a_prescription() -> None:
    p = person()
    v = check(p, facts(p, NIGHT, regimens=()), EVENING)
    assert not v.allowed and v.rule == "nothing-scheduled"
    assert "nothing is scheduled for the night of 2026-06-10" in v.message


def test_nothing_scheduled_before_the_first_prescription_starts() -> None:
    p = person()
    f = facts(p, NIGHT, regimens=rx(NIGHT + dt.timedelta(days=1), 1000))
    assert check(p, f, EVENING).rule == "nothing-scheduled"


def test_nothing_scheduled_on_a_0_mg_step() -> None:
    p = person()
    taper = plan((dt.date(2026, 6, 1), 500), (NIGHT, 0))
    assert check(p, facts(p, NIGHT, regimens=taper), EVENING, 250).rule == "nothing-scheduled"
    assert check(p, facts(p, NIGHT - dt.timedelta(days=1), regimens=taper),
                 EVENING - dt.timedelta(days=1), 250).allowed


def test_skipped_night_refuses_a_dose() -> None:
    p = person()
    f = facts(p, NIGHT, records=(skip_rec(1, local(BERLIN, 2026, 6, 10, 21, 0)),))
    v = check(p, f, EVENING)
    assert not v.allowed and v.rule == "skipped-night"
    assert "night of 2026-06-10 is recorded as skipped" in v.message
    assert "never two to make up" in v.message


def test_a_voided_skip_no_longer_blocks() -> None:
    p = person()
    f = facts(p, NIGHT, records=(skip_rec(1, local(BERLIN, 2026, 6, 10, 21, 0), voided=True),))
    assert check(p, f, EVENING).allowed


@pytest.mark.parametrize("already_taken", [False, True])
def test_one_dose_per_night(already_taken: bool) -> None:
    p = person()
    first = dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 5), 500, already_taken=already_taken)
    f = facts(p, NIGHT, records=(first,), nearby=(first,))
    for amount in (1000, 500, 1):
        v = check(p, f, EVENING, amount)
        assert not v.allowed and v.rule == "one-dose-per-night"
        assert "0.5 mg is already recorded for the night of 2026-06-10 at 21:05" in v.message
        assert "Never take a second dose" in v.message


def test_a_voided_dose_does_not_count() -> None:
    p = person()
    wrong = dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 0), voided=True)
    f = facts(p, NIGHT, records=(wrong,))
    assert check(p, f, EVENING).allowed


def test_one_dose_per_night_reports_the_first_counted_dose() -> None:
    p = person()
    voided = dose_rec(1, local(BERLIN, 2026, 6, 10, 20, 45), 2000, voided=True)
    counted = dose_rec(2, local(BERLIN, 2026, 6, 10, 21, 10), 750)
    v = check(p, facts(p, NIGHT, records=(voided, counted)), EVENING)
    assert v.rule == "one-dose-per-night"
    assert "0.75 mg" in v.message and "21:10" in v.message


def test_12_hour_gap_after_a_late_already_taken_dose() -> None:
    # Taken (and recorded after the fact) at 11:00 on 10 June: last night's dose, 10 h before 21:00.
    p = person()
    late = dose_rec(1, local(BERLIN, 2026, 6, 10, 11, 0), already_taken=True)
    assert late.night == dt.date(2026, 6, 9)
    f = facts(p, NIGHT, nearby=(late,))
    v = check(p, f, local(BERLIN, 2026, 6, 10, 21, 0))
    assert not v.allowed and v.rule == "12-hour-gap"
    assert "at least 12 hours apart" in v.message
    assert "2026-06-10 11:00" in v.message
    # 12 hours after it, 23:00, is fine
    assert check(p, f, local(BERLIN, 2026, 6, 10, 23, 0)).allowed


def test_12_hour_gap_boundary_is_exactly_12_hours() -> None:
    p = person()
    opens = local(BERLIN, 2026, 6, 10, 20, 30)
    exactly = dose_rec(1, opens - dt.timedelta(hours=12), already_taken=True)
    assert check(p, facts(p, NIGHT, nearby=(exactly,)), opens).allowed
    short = dose_rec(1, opens - dt.timedelta(hours=12) + dt.timedelta(minutes=1), already_taken=True)
    assert check(p, facts(p, NIGHT, nearby=(short,)), opens).rule == "12-hour-gap"
    shorter_by_a_second = dose_rec(1, opens - dt.timedelta(hours=11, minutes=59, seconds=59))
    assert check(p, facts(p, NIGHT, nearby=(shorter_by_a_second,)), opens).rule == "12-hour-gap"


def test_12_hour_gap_counts_a_dose_recorded_later_in_time_too() -> None:
    p = person()
    after = dose_rec(1, local(BERLIN, 2026, 6, 11, 8, 0), already_taken=True)  # 10 h after 22:00
    assert check(p, facts(p, NIGHT, nearby=(after,)), EVENING).rule == "12-hour-gap"


def test_12_hour_gap_across_zones() -> None:
    # 23:30 in New York on 10 June (03:30 UTC on the 11th), then the patient flies to Sydney.
    ny_dose = dose_rec(1, local(NEW_YORK, 2026, 6, 10, 23, 30))
    assert ny_dose.night == dt.date(2026, 6, 10)
    p = person(zone="Australia/Sydney", wake=dt.time(9, 0))  # latest 02:00
    sydney_night = dt.date(2026, 6, 11)
    f = facts(p, sydney_night, nearby=(ny_dose,))
    v = check(p, f, local(SYDNEY, 2026, 6, 11, 20, 30))  # 10:30 UTC: only 7 h later
    assert v.rule == "12-hour-gap"
    assert "2026-06-11 13:30" in v.message  # the New York dose, on the Sydney clock
    # 01:29 Sydney (15:29 UTC) is 11 h 59 min after; 01:30 is 12 h after.
    assert check(p, f, local(SYDNEY, 2026, 6, 12, 1, 29)).rule == "12-hour-gap"
    assert check(p, f, local(SYDNEY, 2026, 6, 12, 1, 30)).allowed
    # the same instants carried in UTC give the same verdicts
    assert check(p, f, local(SYDNEY, 2026, 6, 12, 1, 29).astimezone(UTC)).rule == "12-hour-gap"
    assert check(p, f, local(SYDNEY, 2026, 6, 12, 1, 30).astimezone(UTC)).allowed


def test_too_early_before_the_window_opens() -> None:
    p = person()
    f = facts(p, NIGHT)
    v = check(p, f, local(BERLIN, 2026, 6, 10, 20, 29))
    assert not v.allowed and v.rule == "dose-window"
    assert v.message.startswith("too early")
    assert "opens at 20:30 (2 hours before bedtime)" in v.message
    assert check(p, f, local(BERLIN, 2026, 6, 10, 20, 30)).allowed  # opens is inclusive
    assert check(p, f, local(BERLIN, 2026, 6, 10, 12, 0)).rule == "dose-window"


def test_too_late_after_the_latest_time() -> None:
    p = person()
    f = facts(p, NIGHT)
    assert check(p, f, local(BERLIN, 2026, 6, 11, 0, 0)).allowed  # latest is inclusive
    v = check(p, f, local(BERLIN, 2026, 6, 11, 0, 1))
    assert not v.allowed and v.rule == "dose-window"
    assert v.message.startswith("too late")
    assert "latest time for the night of 2026-06-10 was 00:00" in v.message
    assert "to leave 7 hours of sleep" in v.message
    assert "Skip tonight's dose" in v.message and "never two" in v.message
    assert check(p, f, local(BERLIN, 2026, 6, 11, 11, 59)).rule == "dose-window"


def test_too_late_message_with_fractional_min_sleep() -> None:
    p = person(min_sleep_min=7 * 60 + 30)
    v = check(p, facts(p, NIGHT), local(BERLIN, 2026, 6, 10, 23, 45))
    assert v.rule == "dose-window" and "was 23:30" in v.message and "7.5 hours" in v.message


@pytest.mark.parametrize(
    ("zone", "night", "last_ok", "first_late"),
    [
        (BERLIN, dt.date(2026, 3, 28), (3, 28, 23, 0), (3, 28, 23, 1)),
        (BERLIN, dt.date(2026, 10, 24), (10, 25, 1, 0), (10, 25, 1, 1)),
        (NEW_YORK, dt.date(2026, 3, 7), (3, 7, 23, 0), (3, 7, 23, 1)),
        (SYDNEY, dt.date(2026, 4, 4), (4, 5, 1, 0), (4, 5, 1, 1)),
        (SYDNEY, dt.date(2026, 10, 3), (10, 3, 23, 0), (10, 3, 23, 1)),
    ],
    ids=["berlin-spring", "berlin-fall", "ny-spring", "sydney-dst-ends", "sydney-dst-starts"],
)
def test_window_on_dst_nights(zone: ZoneInfo, night: dt.date, last_ok: Minute, first_late: Minute) -> None:
    p = person(zone=zone.key)
    f = facts(p, night)
    ok = local(zone, 2026, *last_ok)
    late = local(zone, 2026, *first_late)
    for carrier in (zone, UTC):
        assert check(p, f, ok.astimezone(carrier)).allowed
        v = check(p, f, late.astimezone(carrier))
        assert v.rule == "dose-window" and f"was {last_ok[2]:02d}:{last_ok[3]:02d}" in v.message


# The fall-back night: Python compares two datetimes that share a tzinfo by their wall clock,
# ignoring fold/UTC offset. `now` in the profile's zone (datetime.now(zone), or the service's
# parsed --at) shares the ZoneInfo object with the window, so during the repeated hour the
# window is judged on the wall clock, not in real time.
FALL_BACK = [
    # zone, night, wake, min_sleep, latest (wall, fold 0 = first pass), a dose 45 min after it
    (BERLIN, dt.date(2026, 10, 24), dt.time(7, 0), 330, (10, 25, 2, 30), (10, 25, 2, 15)),
    (NEW_YORK, dt.date(2026, 10, 31), dt.time(7, 30), 420, (11, 1, 1, 30), (11, 1, 1, 15)),
    (SYDNEY, dt.date(2026, 4, 4), dt.time(7, 0), 330, (4, 5, 2, 30), (4, 5, 2, 15)),
]
FALL_IDS = ["berlin", "new-york", "sydney"]


@pytest.mark.parametrize(("zone", "night", "wake", "min_sleep", "latest", "late"), FALL_BACK, ids=FALL_IDS)
def test_fall_back_dose_after_latest_is_refused_when_carried_in_utc(
    zone: ZoneInfo, night: dt.date, wake: dt.time, min_sleep: int, latest: Minute, late: Minute
) -> None:
    p = person(zone=zone.key, wake=wake, min_sleep_min=min_sleep)
    f = facts(p, night)
    assert f.window.latest.replace(tzinfo=None) == dt.datetime(2026, *latest) and f.window.latest.fold == 0
    dose_at = local(zone, 2026, *late, fold=1)  # the second pass of the repeated hour
    assert dose_at.astimezone(UTC) - f.window.latest.astimezone(UTC) == dt.timedelta(minutes=45)
    assert check(p, f, dose_at.astimezone(UTC)).rule == "dose-window"
    assert night_state(MONO, p, f, dose_at.astimezone(UTC)) == "skip"


@pytest.mark.parametrize(("zone", "night", "wake", "min_sleep", "latest", "late"), FALL_BACK, ids=FALL_IDS)
def test_fall_back_dose_after_latest_is_refused_in_local_time(
    zone: ZoneInfo, night: dt.date, wake: dt.time, min_sleep: int, latest: Minute, late: Minute
) -> None:
    p = person(zone=zone.key, wake=wake, min_sleep_min=min_sleep)
    f = facts(p, night)
    dose_at = local(zone, 2026, *late, fold=1)
    # this is exactly what datetime.now(zone) returns at that instant
    assert dose_at == dose_at.astimezone(UTC).astimezone(zone) and dose_at.astimezone(UTC).astimezone(zone).fold == 1
    v = check(p, f, dose_at)
    assert not v.allowed and v.rule == "dose-window"


@pytest.mark.parametrize(("zone", "night", "wake", "min_sleep", "latest", "late"), FALL_BACK, ids=FALL_IDS)
def test_fall_back_status_after_latest_is_skip_in_local_time(
    zone: ZoneInfo, night: dt.date, wake: dt.time, min_sleep: int, latest: Minute, late: Minute
) -> None:
    p = person(zone=zone.key, wake=wake, min_sleep_min=min_sleep)
    now = local(zone, 2026, *late, fold=1)
    assert night_state(MONO, p, facts(p, night), now) == "skip"


def test_fall_back_dose_before_latest_is_allowed_in_local_time() -> None:
    p = person(zone="America/New_York", wake=dt.time(7, 0), min_sleep_min=6 * 60)
    f = facts(p, dt.date(2026, 10, 31))
    assert f.window.latest.astimezone(UTC) == dt.datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # 01:00 EST
    dose_at = local(NEW_YORK, 2026, 11, 1, 1, 30, fold=0)  # 01:30 EDT = 05:30 UTC
    assert check(p, f, dose_at.astimezone(UTC)).allowed  # correct when carried in UTC
    assert check(p, f, dose_at).allowed


def test_adult_ceiling_is_2_mg() -> None:
    p = person()
    f = facts(p, NIGHT, regimens=rx(dt.date(2026, 1, 1), 2000))
    assert ceiling_ug(MONO, p, NIGHT) == 2000
    assert check(p, f, EVENING, 2000).allowed
    v = check(p, f, EVENING, 2500)
    assert not v.allowed and v.rule == "monograph-ceiling"
    assert v.message == "2.5 mg is above the monograph's 2 mg nightly limit for adults."
    assert check(p, f, EVENING, 2001).rule == "monograph-ceiling"


def test_ceiling_is_checked_before_the_scheduled_dose() -> None:
    p = person()
    v = check(p, facts(p, NIGHT, regimens=rx(dt.date(2026, 1, 1), 500)), EVENING, 3000)
    assert v.rule == "monograph-ceiling"


def test_65th_birthday_lowers_the_ceiling_from_that_night_even_for_an_older_prescription() -> None:
    p = person(born=dt.date(1961, 6, 11), wake=dt.time(7, 30))  # latest 00:30
    two_mg = rx(dt.date(2026, 1, 1), 2000)  # prescribed while 64
    eve = facts(p, dt.date(2026, 6, 10), regimens=two_mg)
    assert ceiling_ug(MONO, p, dt.date(2026, 6, 10)) == 2000
    assert check(p, eve, local(BERLIN, 2026, 6, 10, 22, 0), 2000).allowed
    # 00:15 on the birthday still belongs to the night before: 2 mg still allowed
    assert check(p, eve, local(BERLIN, 2026, 6, 11, 0, 15), 2000).allowed

    birthday = facts(p, dt.date(2026, 6, 11), regimens=two_mg)
    assert ceiling_ug(MONO, p, dt.date(2026, 6, 11)) == 1000
    v = check(p, birthday, local(BERLIN, 2026, 6, 11, 22, 0), 2000)
    assert not v.allowed and v.rule == "monograph-ceiling"
    assert v.message == "2 mg is above the monograph's 1 mg nightly limit from age 65."
    assert check(p, birthday, local(BERLIN, 2026, 6, 11, 22, 0), 1001).rule == "monograph-ceiling"
    assert check(p, birthday, local(BERLIN, 2026, 6, 11, 22, 0), 1000).allowed
    later = facts(p, dt.date(2027, 1, 5), regimens=two_mg)
    assert check(p, later, local(BERLIN, 2027, 1, 5, 22, 0), 1500).rule == "monograph-ceiling"


def test_scheduled_dose_is_the_limit() -> None:
    p = person()
    f = facts(p, NIGHT, regimens=rx(dt.date(2026, 1, 1), 1000))
    v = check(p, f, EVENING, 1500)
    assert not v.allowed and v.rule == "scheduled-dose"
    assert v.message == "1.5 mg is above the 1 mg scheduled for the night of 2026-06-10."
    assert check(p, f, EVENING, 1001).rule == "scheduled-dose"
    assert check(p, f, EVENING, 1000).allowed
    assert check(p, f, EVENING, 500).allowed  # less than scheduled is fine


def test_scheduled_dose_follows_the_taper_step_of_the_night() -> None:
    p = person()
    taper = plan((dt.date(2026, 6, 1), 1000), (NIGHT, 500))
    assert check(p, facts(p, NIGHT, regimens=taper), EVENING, 1000).message == (
        "1 mg is above the 0.5 mg scheduled for the night of 2026-06-10.")
    assert check(p, facts(p, NIGHT - dt.timedelta(days=1), regimens=taper),
                 EVENING - dt.timedelta(days=1), 1000).allowed


def test_rules_are_checked_in_order_first_refusal_wins() -> None:
    """Start with everything wrong; fix one thing at a time and the next rule speaks."""
    p = person(conditions=("glaucoma",))
    skip = skip_rec(1, local(BERLIN, 2026, 6, 10, 19, 0))
    taken = dose_rec(2, local(BERLIN, 2026, 6, 10, 20, 40), already_taken=True)
    morning = dose_rec(3, local(BERLIN, 2026, 6, 10, 11, 30), already_taken=True)  # last night's
    too_early = local(BERLIN, 2026, 6, 10, 19, 0)
    in_window = local(BERLIN, 2026, 6, 10, 23, 30)
    one_mg = rx(dt.date(2026, 1, 1), 1000)
    ack = ("glaucoma",)
    steps = [
        (check(p, facts(p, NIGHT, (), (skip, taken), (taken, morning)), too_early, 2500), "contraindication"),
        (check(p, facts(p, NIGHT, (), (skip, taken), (taken, morning)), too_early, 2500, ack), "nothing-scheduled"),
        # a second dose breaks one dose a night, also on a night recorded as skipped
        (check(p, facts(p, NIGHT, one_mg, (skip, taken), (taken, morning)), too_early, 2500, ack),
         "one-dose-per-night"),
        (check(p, facts(p, NIGHT, one_mg, (skip,), (taken, morning)), too_early, 2500, ack), "skipped-night"),
        (check(p, facts(p, NIGHT, one_mg, (), (morning,)), too_early, 2500, ack), "12-hour-gap"),
        (check(p, facts(p, NIGHT, one_mg), too_early, 2500, ack), "dose-window"),
        (check(p, facts(p, NIGHT, one_mg), in_window, 2500, ack), "monograph-ceiling"),
        (check(p, facts(p, NIGHT, one_mg), in_window, 1500, ack), "scheduled-dose"),
    ]
    assert [v.rule for v, _ in steps] == [rule for _, rule in steps]
    assert all(not v.allowed for v, _ in steps)
    assert check(p, facts(p, NIGHT, one_mg), in_window, 1000, ack).allowed


# --- night_state ------------------------------------------------------------------------------


def _state(p: Profile, f: NightFacts, now: dt.datetime, ack: tuple[str, ...] = ()) -> str:
    state = night_state(MONO, p, f, now, ack)
    assert state in STATES
    return state


def test_states_are_listed_in_priority_order() -> None:
    assert STATES == ("contraindicated", "taken", "skipped", "no_prescription", "no_dose",
                      "not_yet", "due", "skip")


def test_night_state_through_the_evening() -> None:
    p = person()
    f = facts(p, NIGHT)
    assert _state(p, f, local(BERLIN, 2026, 6, 10, 12, 0)) == "not_yet"
    assert _state(p, f, local(BERLIN, 2026, 6, 10, 20, 29)) == "not_yet"
    assert _state(p, f, local(BERLIN, 2026, 6, 10, 20, 30)) == "due"
    assert _state(p, f, local(BERLIN, 2026, 6, 10, 23, 0)) == "due"
    assert _state(p, f, local(BERLIN, 2026, 6, 11, 0, 0)) == "due"
    assert _state(p, f, local(BERLIN, 2026, 6, 11, 0, 1)) == "skip"
    assert _state(p, f, local(BERLIN, 2026, 6, 11, 9, 0)) == "skip"


def test_night_state_on_dst_nights() -> None:
    p = person()
    spring = facts(p, dt.date(2026, 3, 28))
    assert _state(p, spring, local(BERLIN, 2026, 3, 28, 23, 0)) == "due"
    assert _state(p, spring, local(BERLIN, 2026, 3, 28, 23, 30)) == "skip"
    fall = facts(p, dt.date(2026, 10, 24))
    assert _state(p, fall, local(BERLIN, 2026, 10, 25, 0, 30)) == "due"
    assert _state(p, fall, local(BERLIN, 2026, 10, 25, 1, 1)) == "skip"


def test_night_state_first_match_wins() -> None:
    p_contra = person(pregnant=True)
    taken = dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 0))
    skip = skip_rec(2, local(BERLIN, 2026, 6, 10, 21, 30))
    early = local(BERLIN, 2026, 6, 10, 14, 0)
    late = local(BERLIN, 2026, 6, 11, 3, 0)
    # contraindicated beats everything
    assert _state(p_contra, facts(p_contra, NIGHT, records=(taken, skip)), late) == "contraindicated"
    assert _state(p_contra, facts(p_contra, NIGHT, records=(taken,)), late, ("pregnancy",)) == "taken"
    p = person()
    # taken beats skipped, and holds with nothing scheduled or outside the window
    assert _state(p, facts(p, NIGHT, records=(skip, taken)), late) == "taken"
    assert _state(p, facts(p, NIGHT, regimens=(), records=(taken,)), early) == "taken"
    # skipped beats no_dose / not_yet / skip
    assert _state(p, facts(p, NIGHT, records=(skip,)), early) == "skipped"
    assert _state(p, facts(p, NIGHT, regimens=(), records=(skip,)), late) == "skipped"
    # no_dose beats not_yet / due / skip
    assert _state(p, facts(p, NIGHT, regimens=()), early) == "no_dose"
    assert _state(p, facts(p, NIGHT, regimens=rx(dt.date(2026, 1, 1), 0)), EVENING) == "no_dose"
    assert _state(p, facts(p, NIGHT, regimens=()), late) == "no_dose"


def test_night_state_voided_records_do_not_count() -> None:
    p = person()
    f = facts(p, NIGHT, records=(dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 0), voided=True),
                                 skip_rec(2, local(BERLIN, 2026, 6, 10, 21, 30), voided=True)))
    assert _state(p, f, EVENING) == "due"


def test_night_state_already_taken_counts_as_taken() -> None:
    p = person()
    f = facts(p, NIGHT, records=(dose_rec(1, local(BERLIN, 2026, 6, 10, 19, 0), already_taken=True),))
    assert _state(p, f, EVENING) == "taken"


def test_night_state_under_18_is_contraindicated_until_the_birthday_night() -> None:
    p = person(born=dt.date(2008, 2, 29))
    assert _state(p, facts(p, dt.date(2026, 2, 28)), local(BERLIN, 2026, 2, 28, 22, 0)) == "contraindicated"
    assert _state(p, facts(p, dt.date(2026, 3, 1)), local(BERLIN, 2026, 3, 1, 22, 0)) == "due"


# --- how a past night reads, and is_excess ---------------------------------------------------------


def outcome(p: Profile, regimens: tuple[Regimen, ...] | Regimen | None = None,
            records: tuple[Record, ...] = ()) -> str:
    """How NIGHT reads on the calendar the morning after, as core.decide decides it."""
    if regimens is None:
        regimens = (rx(dt.date(2026, 1, 1), 1000),)
    if isinstance(regimens, Regimen):
        regimens = (regimens,)
    morning = local(BERLIN, 2026, 6, 11, 9, 0)
    return str(Decider(MONO, ProfileHistory.of(p), Timeline(regimens), morning).decide(NIGHT, records).outcome)


def test_how_a_past_night_reads() -> None:
    p = person()
    d = dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 0))
    s = skip_rec(2, local(BERLIN, 2026, 6, 10, 21, 30))
    assert outcome(p, records=(d,)) == "taken"
    assert outcome(p, records=(s, d)) == "taken"
    assert outcome(p, records=(s,)) == "skipped"
    assert outcome(p) == "missed"
    assert outcome(p, regimens=()) == "none"
    assert outcome(p, regimens=rx(dt.date(2026, 1, 1), 0)) == "none"
    # a night keeps what it was recorded against, whatever is scheduled now
    assert outcome(p, regimens=(), records=(d,)) == "taken"
    # voided records do not count
    voided = (dataclasses.replace(d, voided=True), dataclasses.replace(s, voided=True))
    assert outcome(p, records=voided) == "missed"
    assert outcome(p, regimens=(), records=voided) == "none"


def test_is_excess() -> None:
    p = person()
    one = rx(dt.date(2026, 1, 1), 1000)
    a = dose_rec(1, local(BERLIN, 2026, 6, 10, 21, 0), 1000)
    b = dose_rec(2, local(BERLIN, 2026, 6, 10, 23, 0), 250, already_taken=True)
    assert not is_excess(facts(p, NIGHT, one))
    assert not is_excess(facts(p, NIGHT, one, (a,)))
    assert not is_excess(facts(p, NIGHT, one, (dataclasses.replace(a, dose_ug=500),)))
    assert is_excess(facts(p, NIGHT, one, (a, b)))  # two counted doses, whatever the total
    assert is_excess(facts(p, NIGHT, rx(dt.date(2026, 1, 1), 2000), (dataclasses.replace(a, dose_ug=250), b)))
    assert not is_excess(facts(p, NIGHT, one, (a, dataclasses.replace(b, voided=True))))
    assert is_excess(facts(p, NIGHT, one, (dataclasses.replace(a, dose_ug=1500, already_taken=True),)))
    unscheduled = dataclasses.replace(a, scheduled_ug=None, already_taken=True)
    assert is_excess(facts(p, NIGHT, (), (unscheduled,)))  # a dose when nothing was scheduled
    assert is_excess(facts(p, NIGHT, rx(dt.date(2026, 1, 1), 0), (unscheduled,)))
    assert not is_excess(facts(p, NIGHT, (), ()))


def test_a_dose_is_judged_by_what_was_scheduled_when_it_was_recorded() -> None:
    """A later plan that lowers the night (or removes it) never turns a correct dose into an
    excess; the night keeps the dose it was recorded with (issue 9)."""
    p = person()
    taken = dose_rec(1, local(BERLIN, 2026, 6, 10, 22, 0), 1000)  # 1 mg scheduled and taken
    lowered = plan((dt.date(2026, 6, 1), 500), seq=2)
    assert not is_excess(facts(p, NIGHT, (rx(dt.date(2026, 1, 1), 1000), lowered), (taken,)))
    assert not is_excess(facts(p, NIGHT, (), (taken,)))
    f = facts(p, NIGHT, (rx(dt.date(2026, 1, 1), 1000), lowered), (taken,))
    assert f.scheduled == 500 and as_recorded(f.records, f.scheduled) == 1000
    assert as_recorded((), facts(p, NIGHT, lowered).scheduled) == 500  # nothing recorded: the plan
    voided = dataclasses.replace(taken, voided=True)
    assert as_recorded((voided,), 500) == 500


def test_no_prescription_at_all_is_its_own_state() -> None:
    p = person()
    none_yet = dataclasses.replace(facts(p, NIGHT, ()), prescribed=False)
    assert night_state(MONO, p, none_yet, EVENING) == "no_prescription"
    assert night_state(MONO, p, facts(p, NIGHT, rx(dt.date(2026, 7, 1), 1000)), EVENING) == "no_dose"
    taken = dataclasses.replace(none_yet, records=(dose_rec(1, EVENING),))
    assert night_state(MONO, p, taken, EVENING) == "taken"


# --- property: any sequence of proposals keeps the record safe -----------------------------


BASE_NIGHTS = (dt.date(2026, 3, 20), dt.date(2026, 6, 1), dt.date(2026, 10, 20))  # 2 of 3 cross DST


# base night, born, the regimens, the proposals: (kind, zone, when or which record, amount)
Scenario = tuple[dt.date, dt.date, tuple[Regimen, ...], list[tuple[str, ZoneInfo, Any, int]]]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    base = draw(st.sampled_from(BASE_NIGHTS))
    born = draw(st.one_of(
        st.just(dt.date(1975, 8, 1)),
        # the 65th birthday falls within the few weeks simulated
        st.dates(dt.date(base.year - 65, base.month, base.day),
                 dt.date(base.year - 65, base.month, base.day) + dt.timedelta(days=25)),
    ))
    # something is in force from the first night (a dose the patient may take), then changes
    regimens = [rx(base - dt.timedelta(days=draw(st.integers(0, 3))),
                   draw(st.sampled_from([500, 1000, 1500, 2000])), seq=1)]
    for seq in range(2, draw(st.integers(1, 4)) + 1):
        start = base + dt.timedelta(days=draw(st.integers(-3, 20)))
        if draw(st.booleans()):
            regimens.append(rx(start, draw(st.sampled_from([0, 250, 500, 1000, 1500, 2000])), seq=seq))
        else:
            doses = draw(st.lists(st.sampled_from([0, 500, 1000, 2000]), min_size=1, max_size=3))
            regimens.append(plan(*((start + dt.timedelta(days=7 * i), d) for i, d in enumerate(doses)), seq=seq))
    zone_choice = st.sampled_from(ZONES)
    amounts = st.one_of(st.integers(1, 3000), st.sampled_from([250, 500, 1000, 1500, 2000]))
    evening = st.tuples(st.integers(0, 23), st.integers(20 * 60, 25 * 60)).map(lambda t: ("evening", t))
    proposal = st.one_of(
        # anywhere in the weeks, to the minute
        st.tuples(st.just("dose"), zone_choice, st.integers(0, 24 * 60 * 24).map(lambda m: ("utc", m)), amounts),
        # in the evening of a night, local time, where the window usually is
        st.tuples(st.just("dose"), zone_choice, evening, amounts),
        st.tuples(st.just("dose"), zone_choice, evening, amounts),
        st.tuples(st.just("skip"), zone_choice, evening, st.just(0)),
        st.tuples(st.just("void"), zone_choice, st.integers(0, 50), st.just(0)),
    )
    actions = draw(st.lists(proposal, min_size=15, max_size=60))
    return base, born, tuple(regimens), actions


def _instant(base: dt.date, zone: ZoneInfo, spec: tuple[str, Any]) -> dt.datetime:
    kind, value = spec
    if kind == "utc":
        start = dt.datetime.combine(base, dt.time(12, 0), tzinfo=UTC)
        # as datetime.now(zone) would give it: the profile's zone, fold set right
        return (start + dt.timedelta(minutes=value)).astimezone(zone)
    day, minutes = value
    start = local_instant(base + dt.timedelta(days=day), dt.time(0, 0), zone)
    return (start.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(zone)


@pytest.mark.slow
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_property_stored_doses_never_break_the_limits(scenario: Scenario) -> None:
    base, born, regimens, actions = scenario
    store: list[Record] = []
    allowed_count = 0
    for kind, zone, spec, amount in actions:
        if kind == "void":
            if store:
                target = store[spec % len(store)]
                store[store.index(target)] = dataclasses.replace(target, voided=True)
            continue
        profile = person(born=born, zone=zone.key)  # the patient may travel between proposals
        at = _instant(base, zone, spec)
        night = night_of(at, zone)
        window = dose_window(night, zone, profile.bedtime, profile.wake, profile.min_sleep_min)
        f = NightFacts(
            night=night, window=window, regimen=regimen_on(regimens, night),
            records=tuple(r for r in store if r.night == night and r.kind in ("dose", "skip")),
            nearby_doses=tuple(r for r in store if r.counted and hours_apart(r.at, at) <= dt.timedelta(days=1)),
        )
        if kind == "skip":
            if not f.doses and not f.skips:
                store.append(Record(id=len(store) + 1, kind=RecordKind.SKIP, night=night, at=at, zone=zone.key))
            continue
        verdict = check_dose(MONO, profile, f, at, amount)
        event(f"verdict: {verdict.rule or 'allowed'}")
        assert verdict.allowed == (verdict.rule == "")
        if verdict.allowed:
            allowed_count += 1
            store.append(Record(id=len(store) + 1, kind=RecordKind.DOSE, night=night, at=at, zone=zone.key,
                                dose_ug=amount, scheduled_ug=f.scheduled))

    counted = [r for r in store if r.counted]
    event(f"allowed doses: {min(allowed_count, 5)}{'+' if allowed_count >= 5 else ''}")
    event(f"counted at the end: {min(len(counted), 5)}{'+' if len(counted) >= 5 else ''}")
    nights = [r.night for r in counted]
    assert len(nights) == len(set(nights)), "two counted doses in one night"
    for i, a in enumerate(counted):
        for b in counted[i + 1:]:
            assert hours_apart(a.at, b.at) >= dt.timedelta(hours=12), "two doses less than 12 h apart"
    for r in counted:
        p = person(born=born, zone=r.zone)
        assert r.dose_ug is not None
        assert r.dose_ug <= ceiling_ug(MONO, p, r.night), "above the monograph ceiling"
        scheduled = scheduled_ug(regimen_on(regimens, r.night), r.night)
        assert scheduled is not None and r.dose_ug <= scheduled, "above the scheduled dose"
        # never on a night recorded as skipped
        assert not any(s.kind == "skip" and not s.voided and s.night == r.night and s.id < r.id for s in store)
