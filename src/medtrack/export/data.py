"""ExportData: everything an exporter may show, as plain values (the services gather it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medtrack.core.calendar import CalendarNight, NightState
from medtrack.core.model import Profile, Record, Regimen, StockEntry, Symptom
from medtrack.core.schedule import Segment
from medtrack.core.stock import StockReport
from medtrack.core.taper_preview import Dispense
from medtrack.monograph import Monograph


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
    complete_since: dt.date | None = None  # the plan in force tonight reached 0 on this night
    drug_free_nights: int = 0  # nights since then, tonight included, with no dose counted

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

    def adherence(self) -> dict[str, int]:
        counts = {str(s): sum(1 for n in self.nights if n.state == s)
                  for s in (NightState.TAKEN, NightState.MISSED, NightState.SKIPPED,
                            NightState.EXCESS)}
        counts["already_taken"] = sum(1 for r in self.records
                                      if r.kind == "dose" and r.already_taken and not r.voided)
        counts["voided"] = sum(1 for r in self.records if r.kind == "void")
        return counts
