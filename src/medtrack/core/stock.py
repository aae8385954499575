"""The stock as pure arithmetic: what each dose uses, the level after adds, counts and doses,
what each count was expected to find since the last delivery and whether it is off (judged here
when read, never taken from storage), how many nights it lasts from the next dose due, and what
the coming nights need that was never stocked.

How a count is judged (a controlled drug: a loss must show, even taken half a tablet at a time):
- the level of a kind is what the adds, the counts and the doses leave: an add adds to it, a
  count sets it (what is there is what was counted), a dose takes what it uses;
- a count is judged against what is expected since the delivery: the level right after the
  last add of its kind (the delivery, plus whatever the level was just before it), less what
  each dose since used. A count sets the level but not that expectation, so a shortfall of
  half a tablet, then another quarter, is 0.75 tablet off the delivery and flagged;
- a new add starts a new expectation from the level as it then is (a flagged count is not
  carried past the next delivery);
- before any add of its kind, the first count is judged against nothing delivered (0) and is
  where the expectation runs from until the first add.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from medtrack.core.decide import DOSE_STATES, NightDecision
from medtrack.core.formulation import Formulation
from medtrack.core.model import Record, Regimen, StockEntry
from medtrack.core.rules import regimen_on, scheduled_ug
from medtrack.core.units import format_mg, parse_dose, show_input
from medtrack.errors import BadInput
from medtrack.i18n import _, decimal, medium_date, speaking

DAY = dt.timedelta(days=1)
HALF_TABLET = 2  # quarters: a count further off than this is flagged
HALF_ML = 500  # µl, for a liquid
HORIZON = 3650  # nights looked ahead for "lasts N nights"
_TABLETS_RE = re.compile(r"\s*([0-9]{1,4})(?:\.(25|5|50|75))?\s*[x×]\s*(.+?)\s*", re.IGNORECASE)
_ML_RE = re.compile(r"\s*([0-9]{1,5})(?:\.([0-9]{1,3}))?\s*ml\s*", re.IGNORECASE)
Key = tuple[str, int]  # ("tablet", strength µg) or ("liquid", µg per ml)


def parse_quantity(text: str, formulation: Formulation) -> tuple[Key, int]:
    """`30x1mg` (tablets; quarters allowed: `12.5x1mg`) or `100ml` (the liquid in use) ->
    (what, amount in quarter tablets or µl)."""
    match = _TABLETS_RE.fullmatch(text)
    if match:
        quarters = int(match.group(1)) * 4 + {"25": 1, "5": 2, "50": 2, "75": 3, None: 0}[match.group(2)]
        strength = parse_dose(match.group(3), what="tablet strength")
        return ("tablet", strength), quarters
    found = _ML_RE.fullmatch(text)
    if found:
        if formulation.liquid is None:
            raise BadInput(_("ml of liquid can be counted only when the prescription or plan is an "
                           "oral liquid; for tablets give how many and their strength, e.g. 30x1mg"))
        ul = int(found.group(1)) * 1000 + int((found.group(2) or "0").ljust(3, "0"))
        return ("liquid", formulation.liquid.ug_per_ml), ul
    raise BadInput(_("stock {value} is not a number of tablets and their strength (e.g. "
                     "30x1mg, 12.5x0.5mg) or a volume of the liquid (e.g. 100ml)").format(
                       value=show_input(text)))


def amount_text(key: Key, amount: int) -> str:
    if key[0] == "liquid":
        return _("{ml} ml of {strength} mg/ml").format(ml=decimal(f"{amount / 1000:g}"),
                                                        strength=format_mg(key[1]).removesuffix(" mg"))
    tablets = amount / 4
    # Two messages, not a plural rule: a count of 2.5 tablets is no CLDR plural category's.
    words = _("{count} × {strength} tablet") if tablets == 1 else _("{count} × {strength} tablets")
    return words.format(count=decimal(f"{tablets:g}"), strength=format_mg(key[1]))


def unit_words(key: Key) -> str:
    """What a kind of stock is counted in: '1 mg tablets', 'ml of 0.1 mg/ml'."""
    if key[0] == "liquid":
        return _("ml of {strength} mg/ml").format(strength=format_mg(key[1]).removesuffix(" mg"))
    return _("{strength} tablets").format(strength=format_mg(key[1]))


def used_by(dose_ug: int, formulation: Formulation) -> dict[Key, int]:
    """What one dose takes from the stock: quarter tablets per strength, or µl of liquid."""
    if formulation.liquid is not None:
        return {("liquid", formulation.liquid.ug_per_ml): dose_ug * 1000 // formulation.liquid.ug_per_ml}
    return {("tablet", s): q for s, (q, _four) in formulation.tablets_used(dose_ug).items()}


@dataclass(frozen=True)
class Level:
    """What is left of one kind of stock now, and whether its last count was off."""

    key: Key
    amount: int
    last_count: StockEntry | None

    def to_json(self) -> dict[str, Any]:
        count = self.last_count
        with speaking("en"):  # for programs: English, with a point in every number
            what = unit_words(self.key)
        return {"what": what, "left": self.amount / (1000 if self.key[0] == "liquid" else 4),
                "unit": "ml" if self.key[0] == "liquid" else "tablets",
                "last_count_flagged": bool(count and count.flagged)}


def off_count(key: Key, counted: int, expected: int) -> bool:
    """Whether a count is off: further than half a tablet (0.5 ml of a liquid) from what is
    expected since the delivery (a controlled drug: loss shows)."""
    return abs(counted - expected) > (HALF_ML if key[0] == "liquid" else HALF_TABLET)


@dataclass(frozen=True)
class _Replay:
    amount: dict[Key, int]  # the level of each kind
    counted: dict[Key, StockEntry]  # its last count, judged
    judged: list[StockEntry]  # every entry, in the order given, each count judged
    since: list[StockEntry | None]  # ... and what each count's expectation runs from


def _replay(entries: Sequence[StockEntry], doses: Sequence[Record], regimens: Sequence[Regimen],
            until: dt.datetime | None) -> _Replay:
    """Adds, counts and the doses taken, in time order (up to `until`), by the rules in this
    module's docstring (an entry at the same instant as a dose comes first; entries at one
    instant keep their order)."""
    events: list[tuple[dt.datetime, int, int, StockEntry | Record]] = [
        (e.at, 0, i, e) for i, e in enumerate(entries) if until is None or e.at <= until]
    events += [(d.at, 1, i, d) for i, d in enumerate(doses) if (until is None or d.at <= until) and d.dose_ug]
    events.sort(key=lambda e: (e[0].astimezone(dt.UTC), e[1], e[2]))
    amount: dict[Key, int] = {}
    expected: dict[Key, int] = {}  # what is expected since the delivery, as doses are taken
    baseline: dict[Key, int] = {}  # the position of the entry that expectation runs from
    counted: dict[Key, StockEntry] = {}
    judged = list(entries)
    since: list[StockEntry | None] = [None] * len(entries)
    for _moment, _order, index, item in events:
        if isinstance(item, StockEntry):
            key = item.key
            if item.kind == "add":
                judged[index] = replace(item, expected=None, flagged=False)
                amount[key] = expected[key] = amount.get(key, 0) + item.amount
                baseline[key] = index
            else:
                wanted = expected.get(key, 0)
                judged[index] = counted[key] = replace(
                    item, expected=wanted, flagged=off_count(key, item.amount, wanted))
                if key in baseline:
                    since[index] = judged[baseline[key]]
                else:  # nothing delivered yet: the first count is what is known of this stock
                    baseline[key], expected[key] = index, item.amount
                amount[key] = item.amount
            continue
        regimen = regimen_on(regimens, item.night)
        for key, used in used_by(item.dose_ug or 0, regimen.form if regimen else Formulation()).items():
            if key in amount:  # only what is tracked
                amount[key] -= used
                expected[key] -= used
    return _Replay(amount, counted, judged, since)


def judged_entries(entries: Sequence[StockEntry], doses: Sequence[Record],
                   regimens: Sequence[Regimen]) -> list[StockEntry]:
    """The entries, each count with what was expected since the delivery and whether it is off,
    worked out from the entries themselves, the doses and the regimens: whatever `expected` and
    `flagged` the entries carry in (a stored judgement can be forged) is replaced; an addition
    has neither."""
    return _replay(entries, doses, regimens, None).judged


def judged_since(entries: Sequence[StockEntry], doses: Sequence[Record],
                 regimens: Sequence[Regimen]) -> list[tuple[StockEntry, StockEntry | None]]:
    """`judged_entries`, each with the entry its count's expectation runs from: the last add of
    its kind (judged), else the first count of it; None for an add and for a count before any."""
    replayed = _replay(entries, doses, regimens, None)
    return list(zip(replayed.judged, replayed.since, strict=True))


def baseline_words(since: StockEntry | None) -> str | None:
    """What a count's expectation runs from: 'the delivery on 2026-11-01', or before any
    delivery 'the count on 2026-11-03'; None for the first count before any delivery."""
    if since is None:
        return None
    if since.kind == "add":
        return _("the delivery on {date}").format(date=medium_date(since.at.date()))
    return _("the count on {date}").format(date=medium_date(since.at.date()))


def since_words(since: StockEntry | None) -> str:
    """'since the delivery on 2026-11-01', or 'with no delivery before it'."""
    words = baseline_words(since)
    return _("since {what}").format(what=words) if words is not None else _("with no delivery before it")


def expected_words(count: StockEntry, since: StockEntry | None) -> str:
    """'17 × 1 mg tablets expected since the delivery on 2026-11-01'."""
    return _("{amount} expected {since}").format(amount=amount_text(count.key, count.expected or 0),
                                                 since=since_words(since))


def levels(entries: Sequence[StockEntry], doses: Sequence[Record], regimens: Sequence[Regimen],
           until: dt.datetime) -> dict[Key, Level]:
    """Adds, counts and the doses taken, in time order up to `until`; a count sets the level."""
    replayed = _replay(entries, doses, regimens, until)
    return {k: Level(k, v, replayed.counted.get(k)) for k, v in replayed.amount.items()}


def first_night(tonight: NightDecision) -> dt.date:
    """The night the coming nights count from (how many the stock lasts, what to dispense for
    the next N): the next dose due. That is tonight while its dose is still to come (not yet, or
    due now: core.decide.DOSE_STATES); once it is taken or skipped, its window has closed, or
    nothing may be taken tonight, it is the next night."""
    return tonight.night if tonight.state in DOSE_STATES else tonight.night + DAY


def nights_left(stock: dict[Key, Level], regimens: Sequence[Regimen],
                first: dt.date) -> tuple[int | None, bool]:
    """How many nights from `first` the stock covers at the plan's doses, and whether that is
    to the end of the plan (None: nothing scheduled uses the tracked stock)."""
    left = {k: level.amount for k, level in stock.items()}
    used_any = False
    for offset in range(HORIZON):
        night = first + offset * DAY
        regimen = regimen_on(regimens, night)
        dose = scheduled_ug(regimen, night)
        if regimen is not None and regimen.kind == "plan" and regimen.steps[-1].dose_ug == 0 \
                and night >= regimen.steps[-1].start:
            return (offset if used_any else None), True  # the plan has ended before the stock
        if not dose or regimen is None:
            continue
        for key, used in used_by(dose, regimen.form).items():
            if key not in left:
                continue
            used_any = True
            left[key] -= used
            if left[key] < 0:
                return offset, False
    return (HORIZON if used_any else None), False


@dataclass(frozen=True)
class StockReport:
    levels: tuple[Level, ...]
    nights: int | None  # how many nights from `first` (the next dose due) the stock lasts
    to_end: bool  # ... which is to the end of the plan
    entries: tuple[StockEntry, ...]  # judged (judged_since)
    missing: tuple[Key, ...] = ()  # what the coming nights need that was never stocked
    since: tuple[StockEntry | None, ...] = ()  # what each entry's expectation runs from (judged_since)
    first: dt.date | None = None  # the night `nights` counts from (first_night)

    def __post_init__(self) -> None:
        if len(self.since) != len(self.entries):
            raise ValueError("a stock report needs what each entry is judged from (judged_since)")

    def flagged(self) -> list[tuple[StockEntry, StockEntry | None]]:
        """The counts off by more than half a tablet (0.5 ml), each with what it is judged from."""
        return [(e, s) for e, s in zip(self.entries, self.since, strict=True)
                if e.kind == "count" and e.flagged and e.expected is not None]

    def within(self, keep: Callable[[StockEntry], bool]) -> StockReport:
        """The same report with only the entries `keep` keeps (an export's period); each keeps
        what it is judged from, even when that is outside the period."""
        kept = [(e, s) for e, s in zip(self.entries, self.since, strict=True) if keep(e)]
        return replace(self, entries=tuple(e for e, _since in kept), since=tuple(s for _entry, s in kept))

    def lines(self) -> list[str]:
        found = [_("Stock: {amount} left").format(amount=amount_text(level.key, max(level.amount, 0)))
                 for level in self.levels]
        found += [_("Not in stock: {what} (the plan needs them; add what you have)").format(
                      what=unit_words(key)) for key in self.missing]
        start = (_(", from the night of {date}").format(date=medium_date(self.first))
                 if self.first is not None else "")
        if self.nights is not None:
            found.append(_("It lasts to the end of the plan ({nights} more night(s){start}).").format(
                             nights=self.nights, start=start) if self.to_end else
                         _("It lasts {nights} more night(s) at the plan's doses{start}.").format(
                             nights=self.nights, start=start))
        for entry, since in self.flagged():
            found.append(_("The count of {date} ({amount}) differs from the {expected}: tell your prescriber "
                           "or pharmacist.").format(date=medium_date(entry.at.date()),
                                                    amount=amount_text(entry.key, entry.amount),
                                                    expected=expected_words(entry, since)))
        return found

    def to_json(self) -> dict[str, Any]:
        with speaking("en"):  # for programs: English, with a point in every number
            return self._json()

    def _json(self) -> dict[str, Any]:
        return {"levels": [lv.to_json() for lv in self.levels], "nights_left": self.nights,
                "nights_from": self.first.isoformat() if self.first is not None else None,
                "lasts_to_the_end_of_the_plan": self.to_end,
                "flagged_counts": [{"at": e.at.isoformat(timespec="seconds"),
                                    "counted": amount_text(e.key, e.amount),
                                    "expected": amount_text(e.key, e.expected or 0),
                                    "since": baseline_words(since),
                                    "since_at": since.at.isoformat(timespec="seconds") if since else None}
                                   for e, since in self.flagged()]}


def needed_but_missing(stock: dict[Key, Level], regimens: Sequence[Regimen],
                       first: dt.date, days: int = 28) -> tuple[Key, ...]:
    """Tablet strengths (or a liquid) the next `days` nights use that were never stocked."""
    missing: set[Key] = set()
    for offset in range(days):
        night = first + offset * DAY
        regimen = regimen_on(regimens, night)
        dose = scheduled_ug(regimen, night)
        if regimen is not None and dose:
            missing |= {k for k in used_by(dose, regimen.form) if k not in stock}
    return tuple(sorted(missing))
