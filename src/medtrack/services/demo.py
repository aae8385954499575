"""Use case: fill an empty database with a realistic made-up patient (for trying and benchmarks)."""

from __future__ import annotations

import datetime as dt
import random

from medtrack.clock import REAL_CLOCK, Clock
from medtrack.core.model import DoseEntry, Profile, Step, Symptom
from medtrack.core.nights import dose_window
from medtrack.core.parse import given_as, parse_positive_int
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.taper import hold, linear_steps
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location
from medtrack.services.dosing import add_dose, add_skip, add_void
from medtrack.services.nights import DAY, tonight
from medtrack.storage.database import Database
from medtrack.storage.repository import Repository
from medtrack.storage.work import Work

SYMPTOMS = [("Drowsiness", "drowsiness", 2), ("Headache", "headache", 2),
            ("Dizziness", "dizziness", 3), ("Withdrawal symptoms", "withdrawal-symptoms", 4),
            ("Anxious in the evening", None, 3)]


def demo_profile(now: dt.datetime) -> Profile:
    return Profile(name="Alex Demo", born=dt.date(now.year - 58, 4, 2), zone="Europe/Berlin")


def fill_demo(path: Location, now: dt.datetime, years: str | None = None, seed: int = 7, *,
              clock: Clock = REAL_CLOCK) -> Profile:
    """A prescription, a taper with a hold, nightly doses with misses, skips, a void, symptoms.
    A database made here under a fixed `clock` (MEDTRACK_NOW) keeps that mark."""
    count = 1
    if years is not None:
        with given_as("--years N"):
            count = parse_positive_int(years, what=_("the years of history"), maximum=50)
    return demo_database(path, now, count, seed, clock=clock)


def demo_database(path: Location, now: dt.datetime, years: int, seed: int = 7, *,
                  clock: Clock = REAL_CLOCK) -> Profile:
    """The demo patient with `years` of history (0: the same plan, no records yet), up to `now`."""
    db = Database(path, create=True, clock=clock)
    profile = demo_profile(now)
    with db.unit_of_work(Work.WRITE_DATABASE) as repo:
        if repo.patients():
            raise BadInput(_("{path} already holds data: the demo only fills an empty database").format(path=path))
        start_at = now - dt.timedelta(days=365 * years)
        repo.add_patient(at=start_at)
        repo.add_profile(profile, at=start_at, change="created (demo)")
        _fill(repo, profile, now, years, random.Random(seed))
    db.dispose()
    return profile


def _fill(repo: Repository, profile: Profile, now: dt.datetime, years: int, rng: random.Random) -> None:
    today = tonight(profile, now)
    plan_start = today - dt.timedelta(days=70)
    history_from = today - dt.timedelta(days=365 * years)
    first = min(history_from, plan_start - dt.timedelta(days=30))
    created = dt.datetime.combine(first, dt.time(10), profile.tz)
    repo.add_regimen(kind="prescription", prescriber="Dr. Demo Weiss", steps=[Step(first, 1000)],
                     at=created)
    steps = linear_steps(plan_start, 1000, 250, 21, 0, 250)
    repo.add_regimen(kind="plan", prescriber="Dr. Demo Weiss", steps=steps, version=1,
                     change="created", at=dt.datetime.combine(plan_start, dt.time(10), profile.tz),
                     round_ug=250)
    held_at = plan_start + dt.timedelta(days=30)
    repo.add_regimen(kind="plan", prescriber="Dr. Demo Weiss", steps=hold(steps, held_at, 7),
                     version=2, change=f"hold 7 day(s) at {held_at}",
                     reason="withdrawal symptoms at 0.75 mg", start=held_at,
                     at=dt.datetime.combine(held_at, dt.time(11), profile.tz), round_ug=250)
    regimens = repo.regimens()
    night, voided_once = history_from, False
    while night < today:
        dose = scheduled_ug(regimen_on(regimens, night), night)
        window = dose_window(night, profile.tz, profile.bedtime, profile.wake, profile.min_sleep_min)
        roll = rng.random()
        recorded = min(window.bedtime + dt.timedelta(minutes=rng.randint(-40, 50)), window.latest)
        if dose is None or roll < 0.05:
            pass  # nothing scheduled, or a missed night
        elif roll < 0.08:
            add_skip(repo, profile, recorded, night, recorded, "too late, skipped")
        else:
            note = "woke at 3, slept again" if rng.random() < 0.03 else None
            saved = add_dose(repo, profile, recorded, recorded, dose_ug=dose, note=note,
                             entry=DoseEntry.TO_TAKE)
            if not voided_once and night >= today - dt.timedelta(days=20):
                voided_once = True  # logged before swallowing it, then dropped the tablet
                dropped = recorded + dt.timedelta(minutes=5)
                add_void(repo, profile, dropped, saved.id, "dropped the tablet", dropped, not_taken=True)
                taken = recorded + dt.timedelta(minutes=6)
                add_dose(repo, profile, taken, taken, dose_ug=dose, note=None, entry=DoseEntry.TO_TAKE)
        if rng.random() < 0.04 or night == held_at - DAY:
            name, effect, severity = SYMPTOMS[3] if night == held_at - DAY else rng.choice(SYMPTOMS)
            at = window.wake + dt.timedelta(hours=1)
            repo.add_symptom(Symptom(0, name, effect, severity, at, profile.zone, night, None, False),
                             recorded_at=at)
        night += DAY
