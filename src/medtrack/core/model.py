"""The domain's plain values: profile, regimens (prescriptions and taper plans) and records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from zoneinfo import ZoneInfo

from medtrack.core.formulation import Formulation
from medtrack.core.language import FOLLOW_ENVIRONMENT
from medtrack.core.rule_words import against_rule
from medtrack.i18n import N_, _

DEFAULT_BEDTIME = dt.time(22, 30)
DEFAULT_WAKE = dt.time(6, 30)
DEFAULT_MIN_SLEEP_MIN = 7 * 60


@dataclass(frozen=True)
class Profile:
    """The patient, as the latest profile version says."""

    name: str
    born: dt.date
    zone: str
    bedtime: dt.time = DEFAULT_BEDTIME
    wake: dt.time = DEFAULT_WAKE
    liver: str = "none"
    renal: bool = False
    pregnant: bool = False
    breastfeeding: bool = False
    conditions: tuple[str, ...] = ()
    min_sleep_min: int = DEFAULT_MIN_SLEEP_MIN
    language: str = FOLLOW_ENVIRONMENT  # one of core.language.LANGUAGES; not clinical: it limits no dose

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on a calendar day (a 29 February birthday counts on 1 March)."""
        years = day.year - self.born.year
        if (day.month, day.day) < (self.born.month, self.born.day):
            years -= 1
        return years


NOT_KNOWN = N_("not known")  # who entered an entry made before medtrack kept it (shown as _(NOT_KNOWN))


def entered_by(name: str | None) -> str:
    """Who entered an entry, in words: the name, or "not known" in the chosen language (never
    blank, never a guess)."""
    return name or _(NOT_KNOWN)


@dataclass(frozen=True)
class Patient:
    """A patient in the database: the short number shown to users, the stable UUID, and the
    name of the newest profile (None: added but no profile yet)."""

    id: int
    uuid: str
    name: str | None


LEGACY_WARNING = "legacy"  # the kind of a warning stored before warnings had kinds (text only)


@dataclass(frozen=True)
class PlanWarning:
    """One piece of advice the preview gave about a plan: a stable kind (for programs) and its
    words (for people). Advice only: a warning never blocks a plan."""

    kind: str
    text: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class Step:
    """From `start` night on, `dose_ug` each night (0 = stopped) until the next step starts."""

    start: dt.date
    dose_ug: int


def step_end(steps: Sequence[Step], index: int) -> dt.date | None:
    """A step's last night as written: the night before the next one starts (None for the
    open-ended last step)."""
    return steps[index + 1].start - dt.timedelta(days=1) if index + 1 < len(steps) else None


@dataclass(frozen=True)
class Regimen:
    """A prescription (one step) or a taper plan version: what the doctor set, from its start night."""

    kind: str  # "prescription" | "plan"
    id: int
    seq: int  # recording order across prescriptions and plan versions
    prescriber: str
    steps: tuple[Step, ...]
    created_at: dt.datetime
    acknowledged: str | None = None  # contraindication acknowledged by the prescriber
    acknowledged_ids: tuple[str, ...] = ()  # the contraindications that acknowledgement covers
    round_ug: int | None = None  # a plan's dispensable unit
    version: int | None = None  # plan version number
    change: str | None = None
    reason: str | None = None
    in_force_from: dt.date | None = None  # later than the first step for a hold or step back
    trend_rise: int | None = None  # the check-in rise the prescriber asks to hear of (None: default)
    formulation: Formulation | None = None  # None: recorded before formulations (plain unit)
    warnings: tuple[PlanWarning, ...] = ()  # what the preview said when the version was saved

    @property
    def form(self) -> Formulation:
        """How the doses are made: the recorded formulation, else the plain dispensable unit."""
        return self.formulation or Formulation(plain_ug=self.round_ug or 250)

    @property
    def start(self) -> dt.date:
        """The first night this version is in force (from then on it replaces every older one)."""
        return self.in_force_from or self.steps[0].start

    def dose_on(self, night: dt.date) -> int | None:
        """The dose this regimen sets for a night at or after its start (None before it)."""
        return self.step_dose(night) if night >= self.start else None

    def step_dose(self, night: dt.date) -> int | None:
        """What the steps say for a night, even before this version is in force."""
        dose = None
        for step in self.steps:
            if step.start > night:
                break
            dose = step.dose_ug
        return dose


class RecordKind(StrEnum):
    DOSE = "dose"
    SKIP = "skip"
    VOID = "void"  # cancels the dose or skip it names; nothing is deleted


class DoseEntry(StrEnum):
    """How a dose comes to be recorded, and so what the rules do with it."""

    TO_TAKE = "to-take"  # about to be taken: recorded only when every rule allows it
    # A dose that *was* taken although a rule refuses it: it needs a note, is kept with the
    # rule it broke (Record.already_taken, Record.rule), and is shown everywhere as such.
    ALREADY_TAKEN = "already-taken"


@dataclass(frozen=True)
class Record:
    """One line of the append-only log: a dose, a skip or a void."""

    id: int
    kind: RecordKind
    night: dt.date
    at: dt.datetime  # aware, in the zone it was recorded in
    zone: str
    dose_ug: int | None = None
    scheduled_ug: int | None = None
    already_taken: bool = False
    voided: bool = False
    void_reason: str | None = None
    voids: int | None = None
    note: str | None = None
    acknowledged: str | None = None
    rule: str | None = None  # the rule an already-taken dose broke, if any
    not_taken: bool = False  # a void stating the dose was never taken (mirrored on the dose)
    imported: bool = False  # history read from a CSV export, not checked against a schedule
    recorded_by: str | None = None  # the name it was recorded by (None: before medtrack kept it)
    entered_by: str | None = None  # the login that entered it (None: before medtrack kept it)

    @property
    def counted(self) -> bool:
        """Doses count towards the limits unless voided; skips and voids never do."""
        return self.kind == "dose" and not self.voided

    def flags(self) -> list[str]:
        """What a reader must notice about this record, in words (history, screen, report)."""
        found = []
        if self.voided:
            void = _("VOID, not taken") if self.not_taken else _("VOID")
            found.append(_("{void}: {reason}").format(void=void, reason=self.void_reason) if self.void_reason
                         else void)
        if self.kind == "void" and self.voids is not None:
            found.append(_("cancels #{number}, not taken").format(number=self.voids) if self.not_taken
                         else _("cancels #{number}").format(number=self.voids))
        if self.already_taken:
            found.append(_("already taken, {rule}").format(rule=against_rule(self.rule)) if self.rule
                         else _("already taken"))
        if self.acknowledged:
            found.append(_("contraindication acknowledged"))
        if self.imported:
            found.append(_("imported"))
        return found


@dataclass(frozen=True)
class Symptom:
    """A journal entry: a side effect or free text, with a severity."""

    id: int
    name: str
    effect_id: str | None
    severity: int | None
    at: dt.datetime
    zone: str
    night: dt.date
    note: str | None
    urgent: bool
    recorded_by: str | None = None
    entered_by: str | None = None


@dataclass(frozen=True)
class StockEntry:
    """Tablets of one strength (amount in quarter tablets) or liquid (amount in µl), added or
    counted; a count keeps what was expected then and whether the difference was flagged."""

    id: int
    kind: str  # "add" | "count"
    at: dt.datetime
    zone: str
    amount: int
    strength_ug: int | None = None
    ug_per_ml: int | None = None
    expected: int | None = None
    flagged: bool = False
    note: str | None = None
    recorded_by: str | None = None
    entered_by: str | None = None

    @property
    def key(self) -> tuple[str, int]:
        """What is counted: ("tablet", strength) or ("liquid", µg per ml)."""
        return ("tablet", self.strength_ug) if self.strength_ug else ("liquid", self.ug_per_ml or 0)


@dataclass(frozen=True)
class Verdict:
    """The answer of a rule check: allowed, or refused by a named rule with a message."""

    allowed: bool
    rule: str = ""
    message: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)


ALLOWED = Verdict(True)
