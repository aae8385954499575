"""Use case: the bedtime reminder. It asks tonight's decision (the one Tonight and `status` show)
on every run and shows, replaces or closes one desktop notification; it never records anything.

The desktop (a notification service) and the memory of what is showing are handed in by the
caller, so this module imports no D-Bus library and is tested with plain fakes.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from medtrack.core.reminder import Shown, Step, next_step, replaces
from medtrack.core.tonight_state import TonightState
from medtrack.i18n import _, medium_date
from medtrack.services.status import Status, status
from medtrack.storage.database import Database
from medtrack.storage.work import Work

POLL = 60.0  # seconds between two looks at the night while a reminder waits for its button


@dataclass(frozen=True)
class Reminder:
    """Tonight's reminder, in medtrack's own words for the night."""

    night: dt.date
    state: TonightState
    headline: str  # the night in a few words, as `status` and Tonight show it
    summary: str
    body: str
    latest: dt.datetime  # the night's latest time for the dose


class Desktop(Protocol):
    """A notification service (notify.desktop.DesktopNotifier; fakes in the tests)."""

    def send(self, summary: str, body: str, replaces_id: int, button: bool) -> int: ...
    def close(self, notification_id: int) -> None: ...
    def wait(self, notification_id: int, seconds: float) -> tuple[Literal["action", "closed"], str] | None: ...


class Memory(Protocol):
    def load(self) -> Shown | None: ...
    def save(self, shown: Shown | None) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    """What a run did, for the command to report (and the journal to keep)."""

    step: Step
    reminder: Reminder
    notification_id: int | None = None
    opened: bool = False  # the patient pressed the button: the screen was opened
    remembered: bool = True  # False: the state file could not be written

    def words(self) -> str:
        night, reminder = medium_date(self.reminder.night), self.reminder
        if self.step in (Step.SEND, Step.REPEAT):
            if self.opened:
                return _("reminder shown for the night of {night}: {summary}; the screen was opened from "
                         "it").format(night=night, summary=reminder.summary)
            return _("reminder shown for the night of {night}: {summary}").format(night=night,
                                                                                  summary=reminder.summary)
        if self.step == Step.CLOSE:
            return _("reminder closed (night of {night}: {headline})").format(night=night, headline=reminder.headline)
        return _("no reminder (night of {night}: {headline})").format(night=night, headline=reminder.headline)


def reminder_of(report: Status) -> Reminder:
    """The words of tonight's reminder: the headline and guidance `status` shows (the dose as
    taken, the latest time), with the urgent warnings first."""
    body = "\n".join([*report.urgent, report.guidance, _("Open medtrack to record the dose.")])
    summary = _("{drug}: {headline}").format(drug=report.drug, headline=report.headline)
    return Reminder(report.night, report.state, report.headline, summary, body, report.latest_dose_at)


def whose(db: Database) -> str:
    """The id of the patient the reminder is for (the database's one, or --patient's)."""
    with db.unit_of_work(Work.READ) as repo:
        return repo.patient_id() or ""


def remind_now(db: Database, clock: Callable[[], dt.datetime], desktop: Desktop, memory: Memory, *,
               repeat: dt.timedelta | None = None, wait: bool = False,
               open_screen: Callable[[], None] | None = None, poll: float = POLL) -> Outcome:
    """One run: show, replace or close tonight's reminder as the night's decision says.

    With `wait`, the reminder has a button and the run stays to answer it, looking at the night
    every `poll` seconds: it closes the reminder once the dose is recorded (or the night no
    longer due), repeats it when `repeat` has passed, and ends when the patient closes it or
    presses its button (which opens the screen), or at the night's latest time.
    """
    now = clock()
    reminder = reminder_of(status(db, now))
    outcome = _step(reminder, now, desktop, memory, repeat, button=wait)
    if not wait or outcome.step not in (Step.SEND, Step.REPEAT) or outcome.notification_id is None:
        return outcome  # only a reminder this run sent has a button it can answer
    showing = outcome.notification_id
    deadline = time.monotonic() + max(0.0, (reminder.latest - now).total_seconds())
    while (left := deadline - time.monotonic()) > 0:
        event = desktop.wait(showing, min(poll, left))
        if event is not None:
            shown = memory.load()
            if shown is not None:
                memory.save(shown.closed())  # an answered or dismissed reminder is gone
            if event[0] == "action" and open_screen is not None:
                open_screen()
                return Outcome(outcome.step, outcome.reminder, showing, opened=True)
            return outcome
        now = clock()
        reminder = reminder_of(status(db, now))
        again = _step(reminder, now, desktop, memory, repeat, button=True)
        if again.step == Step.CLOSE:
            return again
        if again.step == Step.REPEAT and again.notification_id is not None:
            showing = again.notification_id
    # The latest time has come: close the reminder now rather than at the timer's next run.
    now = clock()
    last = _step(reminder_of(status(db, now)), now, desktop, memory, repeat, button=True)
    return last if last.step == Step.CLOSE else outcome


def _step(reminder: Reminder, now: dt.datetime, desktop: Desktop, memory: Memory,
          repeat: dt.timedelta | None, *, button: bool) -> Outcome:
    shown = memory.load()
    step = next_step(reminder.state, reminder.night, shown, now, repeat)
    if step == Step.CLOSE:
        assert shown is not None
        desktop.close(shown.notification_id)
        return Outcome(step, reminder, shown.notification_id, remembered=memory.save(None))
    if step == Step.NOTHING:
        return Outcome(step, reminder, shown.notification_id if shown and shown.showing else None)
    number = desktop.send(reminder.summary, reminder.body, replaces(shown), button)
    kept = memory.save(Shown(reminder.night, number, now))
    return Outcome(step, reminder, number, remembered=kept)
