"""The drug monograph's data file, read and checked into values (core/drug.py): dosing limits, profile
rules, interactions, side effects, guidance; every error names the file and the field."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from medtrack.core.drug import (
    GUIDANCE_KEYS,
    MATCH_KINDS,
    Dosing,
    Interaction,
    Monograph,
    ProfileMatch,
    Rule,
    SideEffect,
    norm_term,
)
from medtrack.core.units import format_mg, parse_dose
from medtrack.errors import BadInput, MedtrackError

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ATC = re.compile(r"[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}")
_MISSING: Any = object()

Table = dict[str, Any]  # a TOML table as tomllib parses it


class MonographError(MedtrackError):
    """A monograph data file is missing or broken: a packaging/storage problem, not the user's."""

    exit_code = 4


def _describe(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array", dict: "table"}.get(
        type(value), type(value).__name__)
    return kind if kind in ("array", "table") else f"{kind} {value!r}"


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


class _Checker:
    """Reads one parsed file; every failure names the file and the field."""

    def __init__(self, source: str) -> None:
        self.liver_levels: tuple[str, ...] = ()  # set from [profile] before the rules are read
        self.source = source

    def fail(self, path: str, message: str) -> NoReturn:
        raise MonographError(f"{self.source}: {path}: {message}")

    def get(self, table: Table, key: str, where: str, typ: type, what: str = "", default: Any = _MISSING) -> Any:
        if key not in table:
            if default is not _MISSING:
                return default
            self.fail(_at(where, key), "missing section" if typ is list or not where else "missing field")
        value = table[key]
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            names = {str: "a string", int: "an integer", bool: "true or false", list: "an array", dict: "a table"}
            self.fail(_at(where, key), f"expected {what or names[typ]}, got {_describe(value)}")
        return value

    def text(self, table: Table, key: str, where: str, default: Any = _MISSING, seen: set[str] | None = None) -> str:
        """A string field; with `seen`, an id: a slug not used before in its group."""
        value: str = self.get(table, key, where, str, default=default).strip()
        if default is _MISSING and not value:
            self.fail(_at(where, key), "must not be empty")
        if seen is not None:
            if not _SLUG.fullmatch(value):
                self.fail(_at(where, key), f"{value!r} is not an id (lowercase words joined by '-')")
            if value in seen:
                self.fail(_at(where, key), f"duplicate id {value!r}")
            seen.add(value)
        return value

    def only(self, table: Table, allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                what = "field" if where else "section"
                self.fail(_at(where, key), f"unknown {what} (expected one of: {', '.join(allowed)})")

    def dose(self, table: Table, key: str, where: str) -> int:
        text = self.get(table, key, where, str, what="a dose string like '1 mg'")
        try:
            if not re.search(r"[a-zµμ]", text, re.IGNORECASE):
                raise BadInput("write the unit, e.g. '1 mg'")
            return parse_dose(text)
        except BadInput as exc:
            self.fail(_at(where, key), f"{text!r} is not a dose ({exc.message})")

    def dose_range(self, table: Table, key: str, max_key: str, max_ug: int, where: str) -> tuple[int, int]:
        pair = self.get(table, key, where, list, what="two dose strings like ['0.5 mg', '1 mg']")
        if len(pair) != 2:
            self.fail(_at(where, key), f"expected two dose strings (low, high), got {len(pair)}")
        low, high = (self.dose({key: item}, key, where) for item in pair)
        shown = f"{format_mg(low)}-{format_mg(high)}"
        if low > high:
            self.fail(_at(where, key), f"range {shown} is reversed")
        if high > max_ug:
            self.fail(_at(where, key), f"range {shown} is not within {max_key} {format_mg(max_ug)}")
        return low, high

    def entries(self, table: Table, key: str, where: str, allowed: tuple[str, ...]) -> list[tuple[str, Table]]:
        found: list[tuple[str, Table]] = []
        for i, item in enumerate(self.get(table, key, where, list, what="an array of tables")):
            if not isinstance(item, dict):
                self.fail(f"{_at(where, key)}[{i}]", f"expected a table, got {_describe(item)}")
            name = item.get("id") if isinstance(item.get("id"), str) and item["id"].strip() else i  # path by id
            found.append((f"{_at(where, key)}[{name}]", item))
            self.only(item, allowed, found[-1][0])
        return found

    def match(self, entry: Table, where: str) -> ProfileMatch:
        table, path = self.get(entry, "match", where, dict), f"{where}.match"
        if len(table) != 1:
            self.fail(path, f"needs exactly one of {', '.join(MATCH_KINDS)}; got {', '.join(table) or 'none'}")
        ((kind, value),) = table.items()
        if kind not in MATCH_KINDS:
            self.fail(f"{path}.{kind}", f"unknown match kind (expected one of: {', '.join(MATCH_KINDS)})")
        if kind == "condition":
            return ProfileMatch(kind, self.text(table, kind, path, seen=set()))
        if kind == "age_below":
            if self.get(table, kind, path, int) <= 0:
                self.fail(f"{path}.{kind}", f"must be a positive age, got {value}")
            return ProfileMatch(kind, value)
        if kind == "liver":
            levels = self.liver_levels[1:]  # "none" never matches a rule
            self.get(table, kind, path, list, what=f"an array of {', '.join(levels)}")
            if not value or len(set(value)) != len(value) or any(v not in levels for v in value):
                self.fail(f"{path}.{kind}", f"expected distinct levels from {', '.join(levels)}, got {value!r}")
            return ProfileMatch(kind, tuple(value))
        if self.get(table, kind, path, bool) is not True:
            self.fail(f"{path}.{kind}", "must be true (leave the rule out instead)")
        return ProfileMatch(kind, None if kind == "unmatched" else True)

    def rules(self, doc: Table, key: str, seen: set[str]) -> tuple[Rule, ...]:
        return tuple(Rule(self.text(e, "id", where, seen=seen), self.text(e, "text", where), self.match(e, where))
                     for where, e in self.entries(doc, key, "", ("id", "text", "match")))


def parse_monograph(text: str, source: str) -> Monograph:
    """Parse and check one monograph file's text; `source` (the file name) starts every error message.

    Each section has its own reader below, called in the file's order, so the first problem
    found is reported the same way whichever section it is in."""
    c = _Checker(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MonographError(f"{source}: not valid TOML ({exc})") from None
    c.only(doc, ("drug", "indication", "dosing", "profile", "contraindications", "cautions", "interactions",
                 "side_effects", "guidance"), "")
    drug = _drug(c, doc)
    dosing = _dosing(c, doc)
    c.liver_levels = _liver_levels(c, doc)
    rule_ids: set[str] = set()  # contraindication and caution ids share one namespace
    contraindications, cautions = c.rules(doc, "contraindications", rule_ids), c.rules(doc, "cautions", rule_ids)
    interactions = _interactions(c, doc)
    effects = _side_effects(c, doc)
    guidance = _guidance(c, doc)
    return Monograph(drug.id, drug.name, drug.atc, drug.drug_class, drug.indication, drug.timing, drug.route,
                     drug.onset, dosing, c.liver_levels, contraindications, cautions, interactions, effects,
                     drug.withdrawal, guidance)


@dataclass(frozen=True)
class _Drug:
    """The [drug] and [indication] tables, read."""

    id: str
    name: str
    atc: str
    drug_class: str
    withdrawal: str
    indication: str
    timing: str
    route: str
    onset: str


def _drug(c: _Checker, doc: Table) -> _Drug:
    drug, ind = c.get(doc, "drug", "", dict), c.get(doc, "indication", "", dict)
    c.only(drug, ("id", "name", "atc", "class", "withdrawal"), "drug")
    c.only(ind, ("text", "timing", "route", "onset"), "indication")
    drug_id = c.text(drug, "id", "drug", seen=set())
    name, atc, drug_class = (c.text(drug, k, "drug") for k in ("name", "atc", "class"))
    withdrawal = c.text(drug, "withdrawal", "drug")
    if not _SLUG.fullmatch(withdrawal):
        c.fail("drug.withdrawal", f"{withdrawal!r} is not a file id (the name of a .toml file beside it)")
    indication, timing, route, onset = (c.text(ind, k, "indication") for k in ("text", "timing", "route", "onset"))
    if not _ATC.fullmatch(atc):
        c.fail("drug.atc", f"{atc!r} is not an ATC code like 'N05CD03'")
    return _Drug(drug_id, name, atc, drug_class, withdrawal, indication, timing, route, onset)


def _dosing(c: _Checker, doc: Table) -> Dosing:
    d = c.get(doc, "dosing", "", dict)
    c.only(d, ("adult_start", "adult_max", "elderly_from_age", "elderly_start", "elderly_max", "min_age"), "dosing")
    adult_max, elderly_max = c.dose(d, "adult_max", "dosing"), c.dose(d, "elderly_max", "dosing")
    if elderly_max > adult_max:
        c.fail("dosing.elderly_max", f"{format_mg(elderly_max)} is more than adult_max {format_mg(adult_max)}")
    min_age, elderly_age = c.get(d, "min_age", "dosing", int), c.get(d, "elderly_from_age", "dosing", int)
    if min_age < 0:
        c.fail("dosing.min_age", f"must not be negative, got {min_age}")
    if elderly_age <= min_age:
        c.fail("dosing.elderly_from_age", f"{elderly_age} is not above min_age {min_age}")
    return Dosing(c.dose_range(d, "adult_start", "adult_max", adult_max, "dosing"), adult_max, elderly_age,
                  c.dose_range(d, "elderly_start", "elderly_max", elderly_max, "dosing"), elderly_max, min_age)


def _liver_levels(c: _Checker, doc: Table) -> tuple[str, ...]:
    prof = c.get(doc, "profile", "", dict)
    c.only(prof, ("liver_levels",), "profile")
    levels = c.get(prof, "liver_levels", "profile", list, "an array of levels from none to the worst")
    if len(levels) < 2 or levels[0] != "none" or len(set(levels)) != len(levels) or not all(
            isinstance(v, str) and v.strip() for v in levels):
        c.fail("profile.liver_levels", f"expected distinct levels starting with 'none', got {levels!r}")
    return tuple(levels)


def _interactions(c: _Checker, doc: Table) -> tuple[Interaction, ...]:
    seen: set[str] = set()
    return tuple(
        Interaction(c.text(entry, "id", where, seen=seen), c.text(entry, "name", where), c.text(entry, "text", where))
        for where, entry in c.entries(doc, "interactions", "", ("id", "name", "text")))


def _side_effects(c: _Checker, doc: Table) -> tuple[SideEffect, ...]:
    table = c.get(doc, "side_effects", "", dict)
    c.only(table, ("common", "serious"), "side_effects")
    effects: list[SideEffect] = []
    seen: set[str] = set()
    terms: dict[str, str] = {}  # normalised term -> the side effect id it names
    for serious, group in ((False, "common"), (True, "serious")):
        fields = ("id", "name", "text", "aliases", "urgent")[: 5 if serious else 4]  # only serious ones can be urgent
        for where, entry in c.entries(table, group, "side_effects", fields):
            effect = _side_effect(c, entry, where, serious, seen)
            for term in (effect.id, effect.name, *effect.aliases):
                if terms.setdefault(norm_term(term), effect.id) != effect.id:
                    c.fail(where, f"{term!r} already names side effect {terms[norm_term(term)]!r}")
            effects.append(effect)
    return tuple(effects)


def _side_effect(c: _Checker, entry: Table, where: str, serious: bool, seen: set[str]) -> SideEffect:
    aliases = c.get(entry, "aliases", where, list, "an array of strings", default=[])
    if not all(isinstance(a, str) and a.strip() for a in aliases):
        c.fail(f"{where}.aliases", f"expected an array of non-empty strings, got {aliases!r}")
    return SideEffect(c.text(entry, "id", where, seen=seen), c.text(entry, "name", where), serious,
                      c.get(entry, "urgent", where, bool) if serious else False,
                      tuple(a.strip() for a in aliases), c.text(entry, "text", where, default=""))


def _guidance(c: _Checker, doc: Table) -> MappingProxyType[str, str]:
    g = c.get(doc, "guidance", "", dict)
    c.only(g, GUIDANCE_KEYS, "guidance")
    return MappingProxyType({key: c.text(g, key, "guidance") for key in GUIDANCE_KEYS})


def _monograph_dir() -> Any:
    try:
        return resources.files("medtrack.data") / "monographs"
    except ModuleNotFoundError:  # a source checkout run with PYTHONPATH=src: data/ sits beside src/
        return Path(__file__).resolve().parents[2] / "data" / "monographs"


@functools.cache
def load_monograph(drug_id: str = "flunitrazepam") -> Monograph:
    """The packaged monograph for `drug_id`, checked once and cached."""
    if not isinstance(drug_id, str) or not _SLUG.fullmatch(drug_id):
        raise MonographError(f"{drug_id!r} is not a drug id")
    name = f"{drug_id}.toml"
    path = _monograph_dir() / name
    if not path.is_file():
        raise MonographError(f"no monograph for drug {drug_id!r} ({name} is not in the medtrack data)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MonographError(f"{name}: cannot be read ({exc})") from None
    monograph = parse_monograph(text, name)
    if monograph.id != drug_id:
        raise MonographError(f"{name}: drug.id: {monograph.id!r} does not match the file name")
    return monograph
