"""What the drug's data says, as values: the monograph (dosing limits, profile rules,
interactions, side effects, guidance) and its withdrawal data (sources, red flags, check-in items,
the trend rule). medtrack.monograph and medtrack.withdrawal read and check the data files into
these; the rules here only read them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

MATCH_KINDS = ("condition", "liver", "renal", "pregnant", "breastfeeding", "age_below", "unmatched")
GUIDANCE_KEYS = ("missed_dose", "stopping", "driving", "storage", "dependence", "elderly",
                 "call_doctor", "disclaimer", "interactions_general")


@dataclass(frozen=True)
class ProfileMatch:  # how a rule is checked against a profile
    kind: str  # one of MATCH_KINDS
    value: str | int | tuple[str, ...] | bool | None  # condition id, liver levels, age, True; None if unmatched


@dataclass(frozen=True)
class Rule:  # a contraindication or a caution
    id: str
    text: str
    match: ProfileMatch


@dataclass(frozen=True)
class Interaction:
    id: str
    name: str
    text: str


@dataclass(frozen=True)
class SideEffect:
    id: str
    name: str
    serious: bool
    urgent: bool  # serious and "consult your doctor immediately"; dependence/withdrawal are expected in a taper
    aliases: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Dosing:  # amounts in micrograms
    adult_start_ug: tuple[int, int]
    adult_max_ug: int
    elderly_from_age: int
    elderly_start_ug: tuple[int, int]
    elderly_max_ug: int
    min_age: int

    def max_ug_for_age(self, age: int) -> int:
        """The daily maximum at this age: 0 below min_age (contraindicated), the elderly one from elderly_from_age."""
        if age < self.min_age:
            return 0
        return self.elderly_max_ug if age >= self.elderly_from_age else self.adult_max_ug


def norm_term(text: str) -> str:
    """A name as matched: case, spaces, - and _ ignored."""
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Monograph:
    id: str
    name: str
    atc: str
    drug_class: str
    indication: str
    timing: str
    route: str
    onset: str
    dosing: Dosing
    liver_levels: tuple[str, ...]  # the profile's scale, "none" first
    contraindications: tuple[Rule, ...]
    cautions: tuple[Rule, ...]
    interactions: tuple[Interaction, ...]
    side_effects: tuple[SideEffect, ...]  # common first, then serious, each in monograph order
    withdrawal: str  # the id of the withdrawal data file beside it (medtrack.withdrawal reads it)
    guidance: Mapping[str, str] = field(hash=False)  # a read-only mapping with the GUIDANCE_KEYS

    @property
    def conditions(self) -> tuple[str, ...]:
        """The condition ids a profile may carry: those the rules match, in monograph order."""
        ids = (r.match.value for r in (*self.contraindications, *self.cautions) if r.match.kind == "condition")
        return tuple(dict.fromkeys(v for v in ids if isinstance(v, str)))

    def side_effect(self, name: str) -> SideEffect | None:
        """The side effect `name` means (its id, name or an alias; case, spaces, - and _ ignored), else None."""
        key = norm_term(name)
        for effect in self.side_effects:
            if key and key in {norm_term(n) for n in (effect.id, effect.name, *effect.aliases)}:
                return effect
        return None


# -- withdrawal during a taper (a file of its own, which the monograph names) -------------------


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str  # who issued it: an agency, a society, the authors and journal
    year: int
    url: str  # "" when only the doi is given
    doi: str  # "" when none
    date: dt.date | None = None  # the day it was issued, when the source gives one
    public_domain: bool = False  # only then may `quote` hold its words
    quote: str = ""
    note: str = ""  # where in the source, or what it is used for


@dataclass(frozen=True)
class RedFlag:  # urgent at any severity
    id: str
    name: str
    aliases: tuple[str, ...]
    source: str  # a Source id
    advice: str  # what medtrack says when one is logged: who to contact, how soon
    basis: str = ""  # what in the source it rests on


@dataclass(frozen=True)
class CheckinItem:
    id: str  # stable: stored with each check-in and typed on the command line ("anxiety=2")
    name: str
    description: str  # one plain line
    source: str  # a Source id
    basis: str = ""


@dataclass(frozen=True)
class TrendRule:
    """medtrack's default for "the step's check-ins rise clearly above the baseline" (not a
    clinical cut-off; the prescriber may set other numbers with the plan)."""

    rise_points: int  # mean total of the step's check-ins minus the baseline's mean total, at least
    min_checkins: int  # check-ins in the step before anything is judged
    severe_item: int  # one item rated this or more is a rise on its own


@dataclass(frozen=True)
class Withdrawal:
    sources: tuple[Source, ...]
    red_flags: tuple[RedFlag, ...]
    items: tuple[CheckinItem, ...]  # the check-in list, in file order
    scale: tuple[str, ...]  # the rating words: the rating is the position (0 none ... 3 severe)
    trend: TrendRule

    @property
    def max_rating(self) -> int:
        return len(self.scale) - 1

    def red_flag(self, term: str) -> RedFlag | None:
        """The red flag `term` names (its id, name or an alias; case, spaces, - and _ ignored), else None."""
        key = norm_term(term)
        for flag in self.red_flags:
            if key and key in {norm_term(n) for n in (flag.id, flag.name, *flag.aliases)}:
                return flag
        return None

    def item(self, item_id: str) -> CheckinItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def source(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)
