"""The withdrawal data file, read and checked into values (core/drug.py): the sources, red flags,
check-in items and scale, the trend rule."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from typing import Any

from medtrack.core.drug import CheckinItem, RedFlag, SideEffect, Source, TrendRule, Withdrawal, norm_term
from medtrack.monograph import _SLUG, MonographError, Table, _Checker, _monograph_dir, load_monograph

_DOI = re.compile(r"10\.\d{4,9}/\S+")


def _one_line(c: _Checker, table: Table, key: str, where: str, default: Any = None) -> str:
    value = c.text(table, key, where) if default is None else c.text(table, key, where, default=default)
    if "\n" in value:
        c.fail(f"{where}.{key}", "must be one line")
    return value


def _sources(c: _Checker, doc: Table) -> tuple[Source, ...]:
    fields = ("id", "title", "publisher", "year", "date", "url", "doi", "public_domain", "quote", "note")
    found: list[Source] = []
    seen: set[str] = set()
    for where, entry in c.entries(doc, "sources", "", fields):
        source_id = c.text(entry, "id", where, seen=seen)
        year = c.get(entry, "year", where, int)
        if not 1900 <= year <= 2100:
            c.fail(f"{where}.year", f"{year} is not a year")
        date = None
        if "date" in entry:
            text = c.text(entry, "date", where)
            try:
                date = dt.date.fromisoformat(text)
            except ValueError:
                c.fail(f"{where}.date", f"{text!r} is not a date like '2020-09-23'")
            if date.year != year:
                c.fail(f"{where}.date", f"{text} is not in the year {year}")
        url, doi = c.text(entry, "url", where, default=""), c.text(entry, "doi", where, default="")
        if not url and not doi:
            c.fail(where, "needs a url or a doi")
        if url and not url.startswith("https://"):
            c.fail(f"{where}.url", f"{url!r} is not an https:// address")
        if doi and not _DOI.fullmatch(doi):
            c.fail(f"{where}.doi", f"{doi!r} is not a DOI like '10.1000/xyz' (without https://doi.org/)")
        public = c.get(entry, "public_domain", where, bool, default=False)
        quote = _one_line(c, entry, "quote", where, default="")
        if quote and not public:
            c.fail(f"{where}.quote", "only a public-domain source is quoted (set public_domain = true if it is; "
                                     "otherwise write medtrack's own words)")
        found.append(Source(source_id, _one_line(c, entry, "title", where), _one_line(c, entry, "publisher", where),
                            year, url, doi, date, public, quote, c.text(entry, "note", where, default="")))
    if not found:
        c.fail("sources", "must list at least one source")
    return tuple(found)


def _cited(c: _Checker, entry: Table, where: str, sources: tuple[Source, ...]) -> str:
    source_id = c.text(entry, "source", where)
    known = [s.id for s in sources]
    if source_id not in known:
        c.fail(f"{where}.source", f"unknown source {source_id!r} (expected one of: {', '.join(known)})")
    return source_id


def _red_flags(c: _Checker, doc: Table, sources: tuple[Source, ...]) -> tuple[RedFlag, ...]:
    flags: list[RedFlag] = []
    seen: set[str] = set()
    terms: dict[str, str] = {}  # normalised term -> the red flag id it names
    for where, entry in c.entries(doc, "red_flags", "", ("id", "name", "aliases", "source", "basis", "advice")):
        aliases = c.get(entry, "aliases", where, list, "an array of strings", default=[])
        if not all(isinstance(a, str) and a.strip() for a in aliases):
            c.fail(f"{where}.aliases", f"expected an array of non-empty strings, got {aliases!r}")
        flag = RedFlag(c.text(entry, "id", where, seen=seen), _one_line(c, entry, "name", where),
                       tuple(a.strip() for a in aliases), _cited(c, entry, where, sources),
                       _one_line(c, entry, "advice", where), c.text(entry, "basis", where, default=""))
        for term in (flag.id, flag.name, *flag.aliases):
            if terms.setdefault(norm_term(term), flag.id) != flag.id:
                c.fail(where, f"{term!r} already names red flag {terms[norm_term(term)]!r}")
        flags.append(flag)
    if not flags:
        c.fail("red_flags", "must list at least one red flag")
    return tuple(flags)


def _items(c: _Checker, doc: Table, sources: tuple[Source, ...]) -> tuple[CheckinItem, ...]:
    seen: set[str] = set()
    items = tuple(
        CheckinItem(c.text(entry, "id", where, seen=seen), _one_line(c, entry, "name", where),
                    _one_line(c, entry, "description", where), _cited(c, entry, where, sources),
                    c.text(entry, "basis", where, default=""))
        for where, entry in c.entries(doc, "checkin_items", "", ("id", "name", "description", "source", "basis")))
    if not items:
        c.fail("checkin_items", "must list at least one item")
    return items


def _scale(c: _Checker, doc: Table) -> tuple[str, ...]:
    table = c.get(doc, "checkin", "", dict)
    c.only(table, ("scale",), "checkin")
    scale = c.get(table, "scale", "checkin", list, "an array of rating words, none first")
    if len(scale) < 2 or not all(isinstance(w, str) and w.strip() for w in scale) or len(set(scale)) != len(scale):
        c.fail("checkin.scale", f"expected at least two distinct rating words, got {scale!r}")
    return tuple(w.strip() for w in scale)


def _trend(c: _Checker, doc: Table, items: int, scale: tuple[str, ...]) -> TrendRule:
    table = c.get(doc, "trend", "", dict)
    c.only(table, ("rise_points", "min_checkins", "severe_item"), "trend")
    rise, least, severe = (c.get(table, k, "trend", int) for k in ("rise_points", "min_checkins", "severe_item"))
    top = len(scale) - 1
    if not 1 <= rise <= items * top:
        c.fail("trend.rise_points", f"{rise} is not between 1 and {items * top} (every item rated {top})")
    if least < 1:
        c.fail("trend.min_checkins", f"must be at least 1, got {least}")
    if not 1 <= severe <= top:
        c.fail("trend.severe_item", f"{severe} is not a rating from 1 to {top} ({', '.join(scale[1:])})")
    return TrendRule(rise, least, severe)


def parse_withdrawal(text: str, source: str) -> Withdrawal:
    """Parse and check one withdrawal file's text; `source` (the file name) starts every error message."""
    c = _Checker(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MonographError(f"{source}: not valid TOML ({exc})") from None
    c.only(doc, ("sources", "red_flags", "checkin", "checkin_items", "trend"), "")
    sources = _sources(c, doc)
    red_flags, items = _red_flags(c, doc, sources), _items(c, doc, sources)
    scale = _scale(c, doc)
    cited = {flag.source for flag in red_flags} | {item.source for item in items}
    for unused in (s.id for s in sources if s.id not in cited):
        c.fail(f"sources[{unused}]", "is cited by no red flag or check-in item")
    return Withdrawal(sources, red_flags, items, scale, _trend(c, doc, len(items), scale))


def check_against(withdrawal: Withdrawal, effects: tuple[SideEffect, ...], source: str) -> None:
    """A red flag word may not also name a monograph side effect: what a word means (and the
    name it is stored under) must not depend on which list is read first."""
    names = {norm_term(term): effect.id for effect in effects for term in (effect.id, effect.name, *effect.aliases)}
    for flag in withdrawal.red_flags:
        for term in (flag.id, flag.name, *flag.aliases):
            if norm_term(term) in names:
                raise MonographError(f"{source}: red_flags[{flag.id}]: {term!r} already names side effect "
                                     f"{names[norm_term(term)]!r} of the monograph")


@functools.cache
def load_withdrawal(drug_id: str = "flunitrazepam") -> Withdrawal:
    """The withdrawal data the monograph of `drug_id` names (its [drug] withdrawal), checked once and cached."""
    monograph = load_monograph(drug_id)
    file_id = monograph.withdrawal
    if not _SLUG.fullmatch(file_id):  # parse_monograph checks it; this keeps the path inside the data
        raise MonographError(f"{drug_id}.toml: drug.withdrawal: {file_id!r} is not a file id")
    name = f"{file_id}.toml"
    path = _monograph_dir() / name
    if not path.is_file():
        raise MonographError(f"{drug_id}.toml: drug.withdrawal: {name} is not in the medtrack data")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MonographError(f"{name}: cannot be read ({exc})") from None
    withdrawal = parse_withdrawal(text, name)
    check_against(withdrawal, monograph.side_effects, name)
    return withdrawal
