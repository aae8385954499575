"""Formulations: which doses tablets (whole, half, quarter) or an oral liquid can make, and how.

Amounts are integers: micrograms for doses, microlitres for liquid volumes, and for tablets a
count of pieces (a half tablet of 1 mg is one piece of 500 µg). A formulation's *unit* is the
finest step between doses it can make.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from medtrack.core.parse import given_as
from medtrack.core.units import MAX_DOSE_UG, format_mg, parse_dose, show_input
from medtrack.errors import BadInput
from medtrack.i18n import N_, _, decimal

SPLITS = {"whole": 1, "half": 2, "quarter": 4}
_TABLET_RE = re.compile(r"\s*([^:]+?)\s*(?::\s*([a-z]+)\s*)?", re.IGNORECASE)
_LIQUID_RE = re.compile(r"\s*(.+?)\s*/\s*ml\s*", re.IGNORECASE)
_ML_RE = re.compile(r"\s*([0-9]{1,4})(?:\.([0-9]{1,3}))?\s*ml\s*", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Tablet:
    """A tablet strength and the finest split allowed (1 whole, 2 half, 4 quarter)."""

    strength_ug: int
    split: int = 1

    @property
    def piece_ug(self) -> int:
        return self.strength_ug // self.split

    def label(self) -> str:
        strength = format_mg(self.strength_ug)
        if self.split == 1:
            return _("{strength} tablet").format(strength=strength)
        if self.split == 2:
            return _("{strength} tablet (halves allowed)").format(strength=strength)
        return _("{strength} tablet (quarters allowed)").format(strength=strength)


@dataclass(frozen=True)
class Liquid:
    """An oral liquid: its strength (µg per ml) and the measuring step (µl)."""

    ug_per_ml: int
    step_ul: int = 100

    @property
    def unit_ug(self) -> int:
        return self.ug_per_ml * self.step_ul // 1000

    def strength(self) -> str:
        return f"{format_mg(self.ug_per_ml).removesuffix(' mg')} mg/ml"


@dataclass(frozen=True)
class Formulation:
    """Tablets of one or more strengths, an oral liquid, or a plain dispensable unit."""

    tablets: tuple[Tablet, ...] = ()
    liquid: Liquid | None = None
    plain_ug: int | None = None  # today's `--round`: any multiple of this amount

    @property
    def unit_ug(self) -> int:
        if self.liquid is not None:
            return self.liquid.unit_ug
        if self.tablets:
            return math.gcd(*(t.piece_ug for t in self.tablets))
        return self.plain_ug or 250

    @property
    def is_plain(self) -> bool:
        return not self.tablets and self.liquid is None

    def can_make(self, dose_ug: int) -> bool:
        if dose_ug == 0:
            return True
        if self.tablets:
            return _pieces(self.tablets, dose_ug) is not None
        return dose_ug % self.unit_ug == 0

    def nearest(self, dose_ug: int) -> tuple[int | None, int | None]:
        """The makeable doses just below and just above `dose_ug` (None: there is none)."""
        unit = self.unit_ug
        below = next((d for d in range(dose_ug - dose_ug % unit, 0, -unit) if self.can_make(d)
                      and d < dose_ug), None)
        above = next((d for d in range(dose_ug + unit - dose_ug % unit, MAX_DOSE_UG + 1, unit)
                      if self.can_make(d)), None)
        return below, above

    def pieces(self, dose_ug: int) -> tuple[tuple[Tablet, int], ...]:
        """How to make a dose from tablets: (tablet, number of pieces), fewest pieces first."""
        found = _pieces(self.tablets, dose_ug) if self.tablets else None
        return found or ()

    def as_taken(self, dose_ug: int) -> str:
        """The dose as the patient takes it: '1 tablet of 1 mg + ½ tablet of 0.5 mg', '2.5 ml of
        0.1 mg/ml'; for the plain form just the amount."""
        if dose_ug == 0:
            return _("no dose")
        if self.liquid is not None:
            ml = dose_ug * 1000 // self.liquid.ug_per_ml  # µl
            return _("{ml} ml of {strength}").format(ml=_ml(ml), strength=self.liquid.strength())
        if self.tablets:
            parts = [_tablets_text(t, n) for t, n in self.pieces(dose_ug)]
            return " + ".join(parts) if parts else format_mg(dose_ug)
        return format_mg(dose_ug)

    def tablets_used(self, dose_ug: int) -> dict[int, tuple[int, int]]:
        """Tablets of each strength one dose uses, as a fraction (numerator, 4): quarters."""
        used: dict[int, int] = {}
        for tablet, count in self.pieces(dose_ug):
            used[tablet.strength_ug] = used.get(tablet.strength_ug, 0) + count * 4 // tablet.split
        return {strength: (quarters, 4) for strength, quarters in used.items()}

    def describe(self) -> str:
        if self.liquid is not None:
            return _("oral liquid {strength}, measured in {ml} ml steps").format(
                strength=self.liquid.strength(), ml=_ml(self.liquid.step_ul))
        if self.tablets:
            return ", ".join(t.label() for t in self.tablets)
        return _("doses in steps of {dose}").format(dose=format_mg(self.unit_ug))

    def encode(self) -> str:
        """A compact text for storage: 'tablet:1000:2;tablet:500:4', 'liquid:100:100', 'plain:250'."""
        if self.liquid is not None:
            return f"liquid:{self.liquid.ug_per_ml}:{self.liquid.step_ul}"
        if self.tablets:
            return ";".join(f"tablet:{t.strength_ug}:{t.split}" for t in self.tablets)
        return f"plain:{self.unit_ug}"


def decode(text: str | None, round_ug: int | None = None) -> Formulation:
    """The stored text back (an older row without one: the plain form of its unit)."""
    if not text:
        return Formulation(plain_ug=round_ug or 250)
    if text.startswith("liquid:"):
        _kind, strength, step = text.split(":")
        return Formulation(liquid=Liquid(int(strength), int(step)))
    if text.startswith("plain:"):
        return Formulation(plain_ug=int(text.split(":")[1]))
    tablets = tuple(Tablet(int(s), int(p)) for _kind, s, p in (part.split(":") for part in text.split(";")))
    return Formulation(tablets=tablets)


def _ml(ul: int) -> str:
    whole, rest = divmod(ul, 1000)
    return decimal(f"{whole}.{rest:03d}".rstrip("0").rstrip(".")) if rest else str(whole)


def _tablets_text(tablet: Tablet, pieces: int) -> str:
    whole, part = divmod(pieces, tablet.split)
    fraction = ""
    if part:
        fraction = {(1, 2): "½", (1, 4): "¼", (2, 4): "½", (3, 4): "¾"}[(part, tablet.split)]
    count = (str(whole) if whole else "") + fraction
    # Two messages, not a plural rule: CLDR's rules are for whole counts and would misread ½.
    if whole > 1 or (whole == 1 and part):
        return _("{count} tablets of {strength}").format(count=count, strength=format_mg(tablet.strength_ug))
    return _("{count} tablet of {strength}").format(count=count, strength=format_mg(tablet.strength_ug))


def _pieces(tablets: tuple[Tablet, ...], dose_ug: int) -> tuple[tuple[Tablet, int], ...] | None:
    return _best(tuple(sorted(tablets, key=lambda t: -t.piece_ug)), dose_ug)


@lru_cache(maxsize=4096)
def _best(tablets: tuple[Tablet, ...], dose_ug: int) -> tuple[tuple[Tablet, int], ...] | None:
    """Fewest pieces making exactly `dose_ug`, preferring larger pieces (a small search: a
    nightly dose is a few tablets)."""
    if dose_ug == 0:
        return ()
    if not tablets or dose_ug < 0:
        return None
    first, rest = tablets[0], tablets[1:]
    best: tuple[tuple[Tablet, int], ...] | None = None
    for count in range(dose_ug // first.piece_ug, -1, -1):
        tail = _best(rest, dose_ug - count * first.piece_ug)
        if tail is None:
            continue
        found = (((first, count),) if count else ()) + tail
        if best is None or sum(n for _piece, n in found) < sum(n for _piece, n in best):
            best = found
    return best


def parse_tablet(text: str) -> Tablet:
    """`1mg:half` -> Tablet(1000, 2); a bare strength is whole tablets only."""
    match = _TABLET_RE.fullmatch(text)
    if match is None or not text.strip():
        raise BadInput(_("tablet {value} is not a strength with how it may be split "
                         "(whole, half or quarter), e.g. 1mg:half").format(value=show_input(text)))
    strength = parse_dose(match.group(1), what=N_("tablet strength"))
    split_word = (match.group(2) or "whole").lower()
    if split_word not in SPLITS:
        raise BadInput(_("tablet {value}: the split must be whole, half or quarter").format(value=show_input(text)))
    split = SPLITS[split_word]
    if strength % split:
        raise BadInput(_("tablet {value}: a {split} of {strength} is not a whole number of micrograms").format(
            value=show_input(text), split=split_word, strength=format_mg(strength)))
    return Tablet(strength, split)


def parse_liquid(text: str, measure: str | None = None) -> Liquid:
    """`0.1mg/ml` with a measuring step such as `0.1ml` (default 0.1 ml)."""
    match = _LIQUID_RE.fullmatch(text)
    if match is None:
        raise BadInput(_("liquid {value} is not a strength per ml, e.g. 0.1mg/ml").format(value=show_input(text)))
    per_ml = parse_dose(match.group(1), what=N_("liquid strength"))
    step_ul = 100
    if measure is not None:
        found = _ML_RE.fullmatch(measure)
        if found is None:
            raise BadInput(_("measuring step {value} is not a volume in ml, e.g. 0.1ml").format(
                value=show_input(measure)))
        step_ul = int(found.group(1)) * 1000 + int((found.group(2) or "0").ljust(3, "0"))
        if step_ul == 0:
            raise BadInput(_("the measuring step must be more than 0 ml"))
    if per_ml * step_ul % 1000:
        raise BadInput(_("{ml} ml of {strength}/ml is not a whole number of micrograms: give another "
                         "measuring step").format(ml=_ml(step_ul), strength=format_mg(per_ml)))
    return Liquid(per_ml, step_ul)


def parse_formulation(tablets: list[str] | None, liquid: str | None, measure: str | None,
                      round_text: str | None) -> Formulation | None:
    """The formulation as typed (None: nothing typed, keep the current one or the default)."""
    given = [bool(tablets), liquid is not None, round_text is not None]
    if sum(given) > 1:
        raise BadInput(_("give tablets, a liquid or a dispensable unit, not more than one"),
                       hint="--tablet, --liquid or --round")
    if measure is not None and liquid is None:
        raise BadInput(_("a measuring step goes with a liquid (e.g. 0.1mg/ml)"), hint="--liquid D/ml")
    if tablets:
        with given_as("--tablet STRENGTH[:SPLIT]"):
            parsed = tuple(sorted({parse_tablet(t) for t in tablets}, reverse=True))
            if len({t.strength_ug for t in parsed}) != len(parsed):
                raise BadInput(_("each tablet strength may be given once, with its finest split"))
        return Formulation(tablets=parsed)
    if liquid is not None:
        with given_as("--liquid D/ml --measure ML"):
            return Formulation(liquid=parse_liquid(liquid, measure))
    if round_text is not None:
        with given_as("--round D"):
            return Formulation(plain_ug=parse_dose(round_text, what=N_("the dispensable unit")))
    return None


def cannot_make(formulation: Formulation, dose_ug: int, what: str = N_("dose")) -> BadInput:
    """Refusal of a dose the formulation cannot make, naming the nearest doses it can."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    below, above = formulation.nearest(dose_ug)
    if below is not None and above is not None:
        options = _("{lower} or {higher}").format(lower=format_mg(below), higher=format_mg(above))
    else:
        options = " ".join(format_mg(d) for d in (below, above) if d is not None)
    return BadInput(_("{what} {dose} cannot be made with {formulation}: the nearest doses are {options}").format(
        what=what, dose=format_mg(dose_ug), formulation=formulation.describe(), options=options))
