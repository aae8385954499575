"""What a taper plan means before it is saved: each step with its cut, the warnings a
prescriber should see, and what to dispense. Advice only: nothing here refuses a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from medtrack.core.formulation import Formulation
from medtrack.core.model import Regimen, Step
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.units import format_mg, ug_to_mg

BIG_CUT = Fraction(25)
SHORT_INTERVAL_DAYS = 7
QUICK_STOP_DAYS = 28
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class PreviewStep:
    """One step of a plan as the prescriber previews it."""

    number: int
    start: dt.date
    end: dt.date | None  # None: open-ended (the last step)
    dose_ug: int
    as_taken: str
    cut_ug: int | None  # from the step before (None for the first)
    cut_percent: Fraction | None

    @property
    def days(self) -> int | None:
        return (self.end - self.start).days + 1 if self.end else None

    def to_json(self) -> dict[str, Any]:
        return {"step": self.number, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "dose_mg": ug_to_mg(self.dose_ug), "as_taken": self.as_taken,
                "cut_mg": ug_to_mg(self.cut_ug) if self.cut_ug is not None else None,
                "cut_percent": percent_number(self.cut_percent), "days": self.days}


def percent_number(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 1)


def percent_text(value: Fraction) -> str:
    return f"{float(value):.1f}".rstrip("0").rstrip(".") + " %"


def preview(steps: Sequence[Step], formulation: Formulation) -> list[PreviewStep]:
    rows = []
    for i, step in enumerate(steps):
        end = steps[i + 1].start - DAY if i + 1 < len(steps) else None
        before = steps[i - 1].dose_ug if i else None
        cut = before - step.dose_ug if before is not None else None
        percent = Fraction(cut * 100, before) if cut is not None and before else None
        rows.append(PreviewStep(i + 1, step.start, end, step.dose_ug,
                                formulation.as_taken(step.dose_ug), cut, percent))
    return rows


def finer(formulation: Formulation) -> str:
    """What would allow smaller cuts than this formulation's unit."""
    if formulation.liquid is not None:
        return "a finer measuring step or a weaker liquid"
    if formulation.tablets:
        return "quarter tablets of a lower strength, or the oral liquid"
    return "quarter tablets or the oral liquid"


def warnings(steps: Sequence[Step], formulation: Formulation, *,
             asked_percent: Fraction | None = None, max_cut: Fraction | None = None,
             final_from: int | None = None) -> list[str]:
    """What the prescriber should know about a plan, in plain sentences."""
    rows = preview(steps, formulation)
    found: list[str] = []
    cuts = [r for r in rows if r.cut_percent is not None and r.cut_ug and r.cut_ug > 0]
    last = rows[-1] if rows else None
    planned_stop = (final_from is not None and last is not None and last.dose_ug == 0
                    and len(rows) > 1 and rows[-2].dose_ug <= final_from)
    if planned_stop:  # the stop to 0 was set with --final-from: not a cut to warn about
        cuts = [r for r in cuts if r is not last]
    for row in cuts:
        assert row.cut_percent is not None and row.cut_ug is not None
        words = (f"{row.start}: the cut from {format_mg(row.dose_ug + row.cut_ug)} to "
                 f"{format_mg(row.dose_ug)} is {percent_text(row.cut_percent)}")
        if max_cut is not None and row.cut_percent > max_cut and row.dose_ug != 0:
            found.append(f"{words}, more than the {percent_text(max_cut)} cap: it is one "
                         f"{format_mg(formulation.unit_ug)} unit, the smallest cut this "
                         f"formulation makes ({finer(formulation)} would allow less)")
        elif row.cut_percent > BIG_CUT:
            found.append(f"{words}, over 25 %")
    for row in rows[:-1]:
        if row.days is not None and row.days < SHORT_INTERVAL_DAYS:
            found.append(f"{row.start}: the step of {format_mg(row.dose_ug)} lasts {row.days} "
                         f"day(s), under {SHORT_INTERVAL_DAYS}")
    if final_from is not None and last is not None and last.dose_ug == 0 and len(rows) > 1:
        stop_from = rows[-2].dose_ug
        if stop_from > final_from:
            found.append(f"{last.start}: the stop to 0 comes from {format_mg(stop_from)}, above "
                         f"the final-from dose of {format_mg(final_from)}")
    if asked_percent is not None and cuts:
        low = min(r.cut_percent for r in cuts if r.cut_percent is not None)
        high = max(r.cut_percent for r in cuts if r.cut_percent is not None)
        if high > 2 * asked_percent:
            found.append(f"{percent_text(asked_percent)} asked, {percent_text(low).removesuffix(' %')}"
                         f"-{percent_text(high)} per step with {formulation.describe()}: consider "
                         f"{finer(formulation)}")
    if last is not None and last.dose_ug == 0 and rows:
        span = (last.start - rows[0].start).days
        if span < QUICK_STOP_DAYS:
            found.append(f"the plan stops the drug within {span} days of its start at "
                         f"{format_mg(rows[0].dose_ug)} (under 4 weeks)")
    return found


@dataclass(frozen=True)
class Need:
    """What to dispense: whole tablets of each strength (splits rounded up) or ml of liquid."""

    tablets: dict[int, int]  # strength µg -> whole tablets
    liquid_ul: int

    def text(self, formulation: Formulation) -> str:
        if formulation.liquid is not None:
            ml = self.liquid_ul / 1000
            return f"{ml:g} ml of {formulation.liquid.strength()}"
        if not self.tablets:
            return "nothing"
        return " + ".join(f"{n} × {format_mg(s)} tablet{'s' if n != 1 else ''}"
                          for s, n in sorted(self.tablets.items(), reverse=True))

    def to_json(self) -> dict[str, Any]:
        return {"tablets": {format_mg(s): n for s, n in sorted(self.tablets.items(), reverse=True)},
                "liquid_ml": self.liquid_ul / 1000 if self.liquid_ul else None}


def need(doses: Sequence[int], formulation: Formulation) -> Need:
    """What a run of nightly doses uses, split tablets rounded up to whole ones."""
    return need_of([(dose, formulation) for dose in doses])


def need_of(nights: Sequence[tuple[int, Formulation]]) -> Need:
    """The same for nights that may each be made from another formulation."""
    quarters: dict[int, int] = {}
    liquid = 0
    for dose, formulation in nights:
        if not dose:
            continue
        if formulation.liquid is not None:
            liquid += dose * 1000 // formulation.liquid.ug_per_ml
        for strength, (numerator, _) in formulation.tablets_used(dose).items():
            quarters[strength] = quarters.get(strength, 0) + numerator
    return Need({s: -(-q // 4) for s, q in quarters.items()}, liquid)


@dataclass(frozen=True)
class Dispense:
    """What a plan needs: per step, and for the next `days` nights from `first`."""

    plan: Regimen
    per_step: tuple[tuple[PreviewStep, Need | None], ...]  # None: an open-ended step
    days: int
    first: dt.date
    upcoming: Need

    def to_json(self) -> dict[str, Any]:
        return {"per_step": [n.to_json() if n else None for _, n in self.per_step],
                "next_days": self.days, "from_night": self.first.isoformat(),
                "next": self.upcoming.to_json()}


def dispense_of(regimens: Sequence[Regimen], first: dt.date, days: int) -> Dispense | None:
    """What the newest plan version (else the newest prescription) needs per step, and what
    the regimens in force need for `days` nights from `first` (each with its formulation)."""
    plans = [r for r in regimens if r.kind == "plan"]
    regimen = plans[-1] if plans else (regimens[-1] if regimens else None)
    if regimen is None:
        return None
    rows = preview(regimen.steps, regimen.form)
    per_step = tuple((r, need([r.dose_ug] * r.days, regimen.form) if r.days else None) for r in rows)
    nights = []
    for offset in range(days):
        night = first + dt.timedelta(days=offset)
        in_force = regimen_on(regimens, night)
        if in_force is not None:
            nights.append((scheduled_ug(in_force, night) or 0, in_force.form))
    return Dispense(regimen, per_step, days, first, need_of(nights))
