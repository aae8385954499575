"""ExportData: everything an exporter may show, as plain values (the services gather it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from medtrack.core.calendar import CalendarNight, NightState
from medtrack.core.checkin import CheckIn, StepTrend, TrendRule
from medtrack.core.decide import Decider, NightDecision, ProfileHistory
from medtrack.core.drug import Monograph, Withdrawal
from medtrack.core.model import Profile, Record, Regimen, StockEntry, Symptom
from medtrack.core.nights import Window, dose_window
from medtrack.core.rules import TonightState
from medtrack.core.schedule import Segment
from medtrack.core.stock import StockReport
from medtrack.core.taper_preview import Dispense
from medtrack.core.timeline import Completion, Timeline
from medtrack.core.visit import LAST_MONTH, Period


@dataclass(frozen=True)
class ExportData:
    """Everything an exporter may show: plain values, no database."""

    generated_at: dt.datetime
    patient_id: str  # the stable UUID made at init (survives renames)
    tonight: dt.date  # the night `generated_at` falls in
    first: dt.date
    last: dt.date
    clipped: bool  # True when --from/--to limited the period
    profile: Profile
    drug: Monograph
    regimens: tuple[Regimen, ...]
    records: tuple[Record, ...]  # doses, skips and voids of the period, in recording order
    nights: tuple[CalendarNight, ...]
    symptoms: tuple[Symptom, ...]
    schedule: tuple[Segment, ...]
    from_given: bool = False  # --from chose the first night (a calendar then includes the past)
    # The stock now (levels from every entry and dose up to generated_at) and the entries of
    # the period (every entry unless --from/--to limited it); None: nothing ever added or counted.
    stock: StockReport | None = None
    # What the plan (else the prescription) needs, as `taper show`: None without a formulation.
    dispensing: Dispense | None = None
    # Tonight as decided (core.decide): the step in force, what may be taken, the next change,
    # the taper's end. None only for data made without a database (tests of one exporter).
    decision: NightDecision | None = None
    profiles: ProfileHistory | None = None  # every profile version: each night keeps its own
    # Decides any night as status would (core.decide): the nights to come of the ICS, say.
    decider: Decider | None = None
    # The withdrawal check-ins of the period by night (voided ones kept, marked), and each taper
    # step's baseline and after as core.checkin judged them with `checkin_rule` (services).
    checkins: tuple[CheckIn, ...] = ()
    trends: tuple[StepTrend, ...] = ()
    withdrawal: Withdrawal | None = None  # the check-in items, their scale and sources
    checkin_rule: TrendRule | None = None
    # The nights first..last and why those (core.visit): the PDF says so on page one. None only
    # for data made without a database (tests of one exporter).
    period: Period | None = None

    @property
    def completion(self) -> Completion | None:
        return self.decision.completion if self.decision is not None else None

    @property
    def stock_entries(self) -> tuple[StockEntry, ...]:
        return self.stock.entries if self.stock is not None else ()

    @property
    def plan_versions(self) -> tuple[Regimen, ...]:
        return tuple(r for r in self.regimens if r.kind == "plan")

    @property
    def plan(self) -> Regimen | None:
        versions = self.plan_versions
        return versions[-1] if versions else None

    @property
    def prescriber(self) -> str | None:
        return self.regimens[-1].prescriber if self.regimens else None

    @property
    def ceiling_ug(self) -> int:
        """Tonight's nightly ceiling, as decided (the monograph's, for the age tonight)."""
        if self.decision is not None:
            return self.decision.ceiling_ug
        return self.ceiling_on(self.tonight)

    def window_on(self, night: dt.date) -> Window:
        """A night's dose window under the profile in force for that night (core.decide)."""
        p = self.profiles.for_night(night) if self.profiles is not None else self.profile
        return dose_window(night, p.tz, p.bedtime, p.wake, p.min_sleep_min)

    def ceiling_on(self, night: dt.date) -> int:
        """The monograph's nightly ceiling for the patient's age on a night to come."""
        if self.decider is not None:
            return self.decider.decide(night).ceiling_ug
        return self.drug.dosing.max_ug_for_age(self.profile.age_on(night))

    def forbidden_on(self, night: dt.date) -> bool:
        """A contraindication the prescriber has not acknowledged allows no dose that night."""
        return self.decider is not None and self.decider.decide(night).state == TonightState.CONTRAINDICATED

    def ceiling_drop(self, first: dt.date, last: dt.date | None) -> dt.date | None:
        """The night within first..last (None: open-ended) from which the ceiling is lower than on
        `first` (the night the patient turns the monograph's elderly age), else None."""
        born, age = self.profile.born, self.drug.dosing.elderly_from_age
        try:
            birthday = born.replace(year=born.year + age)
        except ValueError:  # born on 29 February: the birthday counts on 1 March (Profile.age_on)
            birthday = dt.date(born.year + age, 3, 1)
        if first < birthday and (last is None or birthday <= last) and \
                self.ceiling_on(birthday) < self.ceiling_on(first):
            return birthday
        return None

    @cached_property
    def timeline(self) -> Timeline:
        """Which version is in force on each night (core.timeline): every exporter asks it."""
        return Timeline(self.regimens)

    @property
    def closed_nights(self) -> tuple[CalendarNight, ...]:
        """The nights of the period whose latest dose time has passed: tonight counts only once
        its window has closed (a report made the morning after includes it)."""
        d = self.decision
        tonight_closed = d is not None and d.window.latest.astimezone(dt.UTC) < self.generated_at.astimezone(dt.UTC)
        return tuple(n for n in self.nights if n.night < self.tonight or (n.night == self.tonight and tonight_closed))

    def recent_first(self, nights: int = LAST_MONTH) -> dt.date | None:
        """The first of the period's last `nights` closed nights, None when the period has no more
        closed nights than that (then the recent nights are the whole period)."""
        closed = self.closed_nights
        return closed[-nights].night if len(closed) > nights else None

    def adherence(self, since: dt.date | None = None) -> dict[str, int]:
        """Closed nights by outcome and flagged records, of the period or of its nights from `since`."""
        nights = [n for n in self.closed_nights if since is None or n.night >= since]
        records = [r for r in self.records if since is None or r.night >= since]
        counts = {str(s): sum(1 for n in nights if n.state == s)
                  for s in (NightState.TAKEN, NightState.MISSED, NightState.SKIPPED,
                            NightState.EXCESS)}
        counts["already_taken"] = sum(1 for r in records if r.kind == "dose" and r.already_taken and not r.voided)
        counts["voided"] = sum(1 for r in records if r.kind == "void")
        return counts
