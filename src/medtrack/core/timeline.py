"""The plan timeline: which prescription or plan version is in force on each night, until when,
and what it schedules. Every view that speaks of the plan's past or future reads it from here.

A version is in force from its start night until the night before the first newer version (by
recording order) starts; a version replaced before its start is never in force. So the nights a
version governs are one unbroken run, and on any night exactly one version (or none) is in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from medtrack.core.model import Regimen, Step, step_end
from medtrack.core.units import format_mg, ug_to_mg
from medtrack.i18n import _, medium_date, ngettext

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class InForce:
    """The nights `first`..`last` (None: open-ended) on which `regimen` is the one in force."""

    regimen: Regimen
    first: dt.date
    last: dt.date | None

    def covers(self, night: dt.date) -> bool:
        return _within(night, self.first, self.last)

    def step_runs(self) -> list[StepRun]:
        """The nights each step of this version governs: from its start (or the version's first
        night) to the night before the next step starts or a newer version takes over. A step the
        version never reaches in force (restated by a hold, or replaced first) is left out."""
        runs: list[StepRun] = []
        steps = self.regimen.steps
        for i, step in enumerate(steps):
            first = max(step.start, self.first)
            last = step_end(steps, i)
            if self.last is not None:
                last = self.last if last is None else min(last, self.last)
            if last is None or last >= first:
                runs.append(StepRun(i + 1, step, first, last))
        return runs

    def step_on(self, night: dt.date) -> StepRun | None:
        """The step in force on `night` (None: the version schedules no step that night)."""
        return next((run for run in self.step_runs() if run.covers(night)), None)


@dataclass(frozen=True)
class StepRun:
    """Step `number` (from 1) of a version, in force on the nights `first`..`last` (None: open-ended)."""

    number: int
    step: Step
    first: dt.date
    last: dt.date | None

    def covers(self, night: dt.date) -> bool:
        return _within(night, self.first, self.last)


def _within(night: dt.date, first: dt.date, last: dt.date | None) -> bool:
    """Whether `night` is one of the nights `first`..`last` (None: open-ended)."""
    return first <= night and (last is None or night <= last)


@dataclass(frozen=True)
class Takeover:
    """A version replaced by a newer one: from `night` on, `successor` is in force. `began`:
    the replaced version governed some nights first (False: it was replaced before it started)."""

    night: dt.date
    successor: Regimen
    began: bool

    def words(self) -> str:
        """One line under the replaced plan, wherever its steps are listed as written (`taper show`,
        `taper history`, the profile screen, the PDF's plan page)."""
        newer = self.successor
        if newer.kind == "plan":
            said = (_("Plan version {version} replaced this plan from the night of {night}; its steps "
                      "from that night on no longer apply.") if self.began else
                    _("Plan version {version} replaced this plan from the night of {night}, before it "
                      "started: it was never in force."))
            return said.format(version=newer.version, night=medium_date(self.night))
        said = (_("A prescription by {prescriber} ({dose} a night) replaced this plan from the night of "
                  "{night}; its steps from that night on no longer apply.") if self.began else
                _("A prescription by {prescriber} ({dose} a night) from the night of {night} replaced this "
                  "plan before it started: it was never in force."))
        return said.format(prescriber=newer.prescriber, dose=format_mg(self.dose_ug), night=medium_date(self.night))

    @property
    def dose_ug(self) -> int:
        """What the newer version schedules on its first night here (0: nothing)."""
        return self.successor.dose_on(self.night) or 0

    def to_json(self) -> dict[str, object]:
        newer = self.successor
        return {"night": self.night.isoformat(), "by": newer.kind, "version": newer.version,
                "prescriber": newer.prescriber, "dose_mg": ug_to_mg(self.dose_ug), "plan_began": self.began}


@dataclass(frozen=True)
class Change:
    """A night on which the scheduled dose changes: from it on, `dose_ug` (None: nothing)."""

    night: dt.date
    dose_ug: int | None
    regimen: Regimen | None


@dataclass(frozen=True)
class Completion:
    """A taper that reached 0 mg: since which night, the last counted dose on or after it (a dose
    recorded after the end), and the drug-free nights since the later of the two."""

    since: dt.date
    last_dose: dt.date | None
    drug_free_nights: int

    def words(self, drug: str) -> str:
        """One line about the end of the taper, true also when a dose came after it."""
        count = self.drug_free_nights
        free = ngettext("{count} drug-free night", "{count} drug-free nights", count).format(count=count)
        if self.last_dose is None:
            return _("Taper complete: no {drug} since the night of {night} ({free}).").format(
                drug=drug.lower(), night=medium_date(self.since), free=free)
        return _("Taper complete since the night of {night}; the last dose was recorded on the night of "
                 "{last} ({free} since then).").format(night=medium_date(self.since),
                                                      last=medium_date(self.last_dose), free=free)


class Timeline:
    """The versions of a patient's prescriptions and taper plan, laid out night by night."""

    def __init__(self, regimens: Iterable[Regimen]) -> None:
        self.regimens: tuple[Regimen, ...] = tuple(sorted(regimens, key=lambda r: r.seq))
        self.periods: tuple[InForce, ...] = tuple(self._periods())

    def _periods(self) -> list[InForce]:
        out = []
        for i, regimen in enumerate(self.regimens):
            newer = [r.start for r in self.regimens[i + 1:]]
            end = min(newer, default=None)
            last = end - DAY if end is not None else None
            if last is None or last >= regimen.start:
                out.append(InForce(regimen, regimen.start, last))
        return sorted(out, key=lambda p: p.first)

    def __bool__(self) -> bool:
        return bool(self.regimens)

    def in_force(self, night: dt.date) -> InForce | None:
        for period in self.periods:
            if period.covers(night):
                return period
        return None

    def regimen_on(self, night: dt.date) -> Regimen | None:
        period = self.in_force(night)
        return period.regimen if period is not None else None

    def period_of(self, regimen: Regimen) -> InForce | None:
        """The nights `regimen` governs; None when it was replaced before it started."""
        return next((p for p in self.periods if p.regimen.id == regimen.id), None)

    def taken_over(self, regimen: Regimen) -> Takeover | None:
        """Where a newer version takes over from `regimen`: the first night it no longer governs
        and the version in force that night (None: `regimen` governs from its start onwards)."""
        period = self.period_of(regimen)
        if period is None:  # replaced before its first night: by the version in force on it
            successor = self.in_force(regimen.start)
            return Takeover(successor.first, successor.regimen, began=False) if successor else None
        if period.last is None:
            return None
        successor = self.in_force(period.last + DAY)
        return Takeover(period.last + DAY, successor.regimen, began=True) if successor else None

    def scheduled_ug(self, night: dt.date) -> int | None:
        """The night's scheduled dose now; None when nothing is scheduled (no regimen, or 0 mg)."""
        regimen = self.regimen_on(night)
        dose = regimen.dose_on(night) if regimen is not None else None
        return dose or None

    def change_nights(self) -> list[dt.date]:
        """Every night on which the schedule can change: where a version takes over, and each
        step start inside the nights a version governs."""
        found = set()
        for period in self.periods:
            found.add(period.first)
            found.update(s.start for s in period.regimen.steps if period.covers(s.start))
            if period.last is not None:
                found.add(period.last + DAY)
        return sorted(found)

    def changes(self, first: dt.date, last: dt.date | None = None) -> list[Change]:
        """The nights after `first` (up to `last`) where the scheduled dose differs from the night
        before, in order."""
        out = []
        before = self.scheduled_ug(first)
        for night in self.change_nights():
            if night <= first or (last is not None and night > last):
                continue
            dose = self.scheduled_ug(night)
            if dose != before:
                out.append(Change(night, dose, self.regimen_on(night)))
            before = dose
        return out

    def next_change(self, night: dt.date) -> Change | None:
        """The first night after `night` whose scheduled dose differs from `night`'s."""
        found = self.changes(night)
        return found[0] if found else None

    def completed_since(self, night: dt.date) -> dt.date | None:
        """When the plan in force on `night` has reached its final 0 mg step: the first night
        from which nothing more is scheduled (None: not a completed taper)."""
        period = self.in_force(night)
        if period is None or period.regimen.kind != "plan" or period.regimen.steps[-1].dose_ug != 0:
            return None
        stop = max(period.regimen.steps[-1].start, period.first)
        return stop if night >= stop else None


def completion(timeline: Timeline, night: dt.date, dose_nights: Sequence[dt.date]) -> Completion | None:
    """The taper's end as seen on `night`: `dose_nights` are the nights with a counted dose."""
    since = timeline.completed_since(night)
    if since is None:
        return None
    after = [n for n in dose_nights if since <= n <= night]
    last = max(after, default=None)
    start = last + DAY if last is not None else since
    return Completion(since, last, max(0, (night - start).days + 1))
