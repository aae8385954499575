"""The reminder service (services.remind) with a fake desktop: what it shows, replaces and closes
on the standard patient's nights, that it never writes the database, and its wait for the button.

The patient (tests/conftest.py): Berlin, bedtime 22:30, wake 06:30, 1 mg; on 25 November the
window opens at 20:30 and the latest time is 23:30.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pytest

from backends import location_of, query
from medtrack.clock import fixed_clock
from medtrack.core.reminder import Shown, Step
from medtrack.services.database import open_database
from medtrack.services.remind import remind_now, whose

Event = tuple[Literal["action", "closed"], str]


def berlin(hour: int, minute: int = 0, day: int = 25) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@dataclass
class FakeDesktop:
    """Records each call; `events` are what wait() hands out, one per call (None: a timeout)."""

    calls: list[tuple[str, ...]] = field(default_factory=list)
    events: list[Event | None] = field(default_factory=list)
    next_id: int = 1

    def send(self, summary: str, body: str, replaces_id: int, button: bool) -> int:
        number = replaces_id or self.next_id
        self.next_id += replaces_id == 0
        self.calls.append(("send", summary, body, str(replaces_id), str(button)))
        return number

    def close(self, notification_id: int) -> None:
        self.calls.append(("close", str(notification_id)))

    def wait(self, notification_id: int, seconds: float) -> Event | None:
        self.calls.append(("wait", str(notification_id)))
        return self.events.pop(0) if self.events else None


@dataclass
class FakeMemory:
    shown: Shown | None = None

    def load(self) -> Shown | None:
        return self.shown

    def save(self, shown: Shown | None) -> bool:
        self.shown = shown
        return True


@pytest.fixture
def records(patient):
    """A function giving the number of rows of every table that records something."""
    def count() -> tuple[int, ...]:
        return tuple(query(patient.db, f"SELECT count(*) FROM {table}")[0][0]
                     for table in ("record", "symptom", "checkin", "regimen", "profile_version"))
    return count


def run_at(patient, moment: dt.datetime, desktop: FakeDesktop, memory: FakeMemory, **options):
    db = open_database(location_of(patient.db), clock=fixed_clock(moment))
    try:
        return remind_now(db, lambda: moment, desktop, memory, **options)
    finally:
        db.dispose()


def test_before_the_window_nothing_is_shown(patient, records):
    desktop, memory, before = FakeDesktop(), FakeMemory(), records()
    outcome = run_at(patient, berlin(19, 0), desktop, memory)
    assert outcome.step == Step.NOTHING and desktop.calls == [] and memory.shown is None
    assert "not yet" in outcome.words()
    assert records() == before


def test_a_due_dose_is_shown_once_with_the_nights_own_words(patient, records):
    desktop, memory, before = FakeDesktop(), FakeMemory(), records()
    first = run_at(patient, berlin(22, 0), desktop, memory)
    assert first.step == Step.SEND
    (_, summary, body, replaces_id, button), = desktop.calls
    assert summary == "Flunitrazepam: 1 mg, due now"
    assert "Take 1 mg now, just before you go to bed. Latest time tonight: 23:30." in body
    assert body.endswith("Open medtrack to record the dose.")
    assert (replaces_id, button) == ("0", "False")
    assert memory.shown == Shown(dt.date(2026, 11, 25), 1, berlin(22, 0))
    again = run_at(patient, berlin(22, 10), desktop, memory)  # the timer's next runs
    assert again.step == Step.NOTHING and len(desktop.calls) == 1
    assert records() == before  # a reminder never records anything


def test_with_repeat_the_same_notification_is_replaced_not_stacked(patient):
    desktop, memory = FakeDesktop(), FakeMemory()
    every = dt.timedelta(minutes=10)
    run_at(patient, berlin(22, 0), desktop, memory, repeat=every)
    assert run_at(patient, berlin(22, 5), desktop, memory, repeat=every).step == Step.NOTHING
    repeated = run_at(patient, berlin(22, 10), desktop, memory, repeat=every)
    assert repeated.step == Step.REPEAT and repeated.notification_id == 1
    assert [c[3] for c in desktop.calls] == ["0", "1"]  # the second replaces the first


def test_after_the_dose_is_logged_the_reminder_is_closed_and_not_shown_again(patient):
    desktop, memory = FakeDesktop(), FakeMemory()
    run_at(patient, berlin(22, 0), desktop, memory, repeat=dt.timedelta(minutes=10))
    patient.ok("log", "1mg", now="2026-11-25T22:05+01:00")
    closed = run_at(patient, berlin(22, 10), desktop, memory, repeat=dt.timedelta(minutes=10))
    assert closed.step == Step.CLOSE and desktop.calls[-1] == ("close", "1")
    assert "taken" in closed.words() and memory.shown is None
    assert run_at(patient, berlin(22, 30), desktop, memory).step == Step.NOTHING
    assert len(desktop.calls) == 2


def test_past_the_latest_time_it_is_closed_and_nothing_new_is_shown(patient):
    desktop, memory = FakeDesktop(), FakeMemory()
    run_at(patient, berlin(22, 0), desktop, memory)
    late = run_at(patient, berlin(23, 45), desktop, memory)
    assert late.step == Step.CLOSE and "skip" in late.words()
    fresh = FakeDesktop()
    assert run_at(patient, berlin(23, 45), fresh, FakeMemory()).step == Step.NOTHING and fresh.calls == []


def test_a_skipped_night_is_not_reminded(patient):
    patient.ok("skip", "--note", "slept well", now="2026-11-25T21:00+01:00")
    desktop = FakeDesktop()
    assert run_at(patient, berlin(22, 0), desktop, FakeMemory()).step == Step.NOTHING
    assert desktop.calls == []


def test_waiting_the_button_opens_the_screen_and_the_reminder_counts_as_gone(patient, records):
    desktop, memory, opened = FakeDesktop(events=[None, ("action", "open")]), FakeMemory(), []
    before = records()
    outcome = run_at(patient, berlin(22, 0), desktop, memory, wait=True, poll=0.01,
                     open_screen=lambda: opened.append(1))
    assert outcome.opened and opened == [1]
    assert desktop.calls[0][4] == "True"  # a button only when the run stays to answer it
    assert memory.shown is not None and not memory.shown.showing
    assert records() == before  # the button records nothing: the screen's dialog asks first


def test_waiting_a_dose_logged_meanwhile_closes_the_reminder(patient):
    desktop, memory = FakeDesktop(), FakeMemory()
    moments = iter([berlin(22, 0), berlin(22, 1), berlin(22, 2)])

    def clock() -> dt.datetime:
        moment = next(moments)
        if moment == berlin(22, 2):
            patient.ok("log", "1mg", now="2026-11-25T22:01+01:00")
        return moment

    db = open_database(location_of(patient.db), clock=fixed_clock(berlin(22, 0)))
    try:
        outcome = remind_now(db, clock, desktop, memory, wait=True, poll=0.01)
    finally:
        db.dispose()
    assert outcome.step == Step.CLOSE
    assert [c[0] for c in desktop.calls] == ["send", "wait", "wait", "close"]


def test_the_reminder_belongs_to_the_patient(patient):
    db = open_database(location_of(patient.db), clock=fixed_clock(berlin(22, 0)))
    try:
        assert whose(db) == "5f0c7d1e-9a4b-4c2d-8e6f-0123456789ab"
    finally:
        db.dispose()


def test_waiting_ends_at_the_latest_time_and_closes_the_reminder(patient):
    """The wait lasts as long as the night's window in real time: here a minute before the
    latest time, with the clock then past it."""
    desktop, memory = FakeDesktop(), FakeMemory()
    moments = iter([berlin(23, 29).replace(second=59), berlin(23, 31), berlin(23, 31)])
    db = open_database(location_of(patient.db), clock=fixed_clock(berlin(22, 0)))
    try:
        outcome = remind_now(db, lambda: next(moments), desktop, memory, wait=True, poll=0.05)
    finally:
        db.dispose()
    assert outcome.step == Step.CLOSE and "skip" in outcome.words()
    assert [c[0] for c in desktop.calls][0] == "send" and desktop.calls[-1] == ("close", "1")
