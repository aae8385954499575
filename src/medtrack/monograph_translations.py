"""The monograph's safety text in the patient's language: per-language files beside the English
ones (flunitrazepam.<lang>.toml, benzodiazepine-withdrawal.<lang>.toml), each field recording the
hash of the English it was translated from, its translator and its clinical reviewer.

Only words are translated. Ids, the names a symptom is recognised and stored by (side effects, red
flags), doses, limits and every other value stay the English data's, so the rules enforce the same
numbers in every language. A field is shown translated only while its English is unchanged; without
a reviewer the English original stands beside it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from medtrack.core.drug import Monograph, Withdrawal
from medtrack.monograph import MonographError, _monograph_dir

SOURCE_LANGUAGE = "en"
UNREVIEWED = "{translation} [English: {english}]"  # an unreviewed field keeps the English beside it

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Z]{2})?")  # "de", "ja", "pt-BR": also keeps the path in the folder
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MONOGRAPH_SECTIONS = ("indication", "contraindications", "cautions", "interactions", "side_effects", "guidance")
_WITHDRAWAL_SECTIONS = ("red_flags", "checkin_items")
_FIELD_KEYS = ("path", "source_sha256", "text", "translator", "reviewer", "reviewed_on")


@dataclass(frozen=True)
class FieldTranslation:
    path: str  # "contraindications.pregnancy.text", "guidance.missed_dose": by ids, never by position
    text: str
    source_sha256: str  # of the English text it was translated from (sha256_text)
    translator: str
    reviewer: str  # "" when no clinical reviewer is recorded
    reviewed_on: str  # "" or YYYY-MM-DD


@dataclass(frozen=True)
class TranslationState:
    language: str
    fields: int  # safety fields in the English monograph and withdrawal data
    translated: int  # with a translation of today's English text
    reviewed: int  # of those, with a clinical reviewer
    stale: tuple[str, ...]  # paths whose English changed since they were translated (shown in English)
    missing: tuple[str, ...]  # paths with no translation (shown in English)

    @property
    def fully_reviewed(self) -> bool:
        """Every safety field is shown in a reviewed translation (always so for English, the source)."""
        return self.language == SOURCE_LANGUAGE or (self.fields > 0 and self.reviewed == self.fields)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rebuild(mono: Monograph, withdrawal: Withdrawal,
             word: Callable[[str, str], str]) -> tuple[Monograph, Withdrawal]:
    """The one list of safety fields: `word(path, english)` gives each field's text."""
    mono = replace(
        mono,
        indication=word("indication.text", mono.indication),
        timing=word("indication.timing", mono.timing),
        route=word("indication.route", mono.route),
        onset=word("indication.onset", mono.onset),
        contraindications=tuple(replace(r, text=word(f"contraindications.{r.id}.text", r.text))
                                for r in mono.contraindications),
        cautions=tuple(replace(r, text=word(f"cautions.{r.id}.text", r.text)) for r in mono.cautions),
        interactions=tuple(replace(i, name=word(f"interactions.{i.id}.name", i.name),
                                   text=word(f"interactions.{i.id}.text", i.text)) for i in mono.interactions),
        # an effect's name is how a logged symptom is recognised and stored: it stays English
        side_effects=tuple(replace(e, text=word(f"side_effects.{e.id}.text", e.text)) if e.text else e
                           for e in mono.side_effects),
        guidance=MappingProxyType({key: word(f"guidance.{key}", text) for key, text in mono.guidance.items()}))
    withdrawal = replace(
        withdrawal,
        # a red flag's name is stored with a journal entry and judged urgent by it: it stays English
        red_flags=tuple(replace(f, advice=word(f"red_flags.{f.id}.advice", f.advice)) for f in withdrawal.red_flags),
        items=tuple(replace(i, name=word(f"checkin_items.{i.id}.name", i.name),
                            description=word(f"checkin_items.{i.id}.description", i.description))
                    for i in withdrawal.items))
    return mono, withdrawal


def safety_fields(mono: Monograph, withdrawal: Withdrawal) -> dict[str, str]:
    """Every safety field's path and its text, in file order."""
    found: dict[str, str] = {}

    def record(path: str, text: str) -> str:
        found[path] = text
        return text

    _rebuild(mono, withdrawal, record)
    return found


class _File:
    """One translation file being read; every failure names the file and the field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, message: str) -> MonographError:
        return MonographError(f"{self.name}: {where}: {message}")

    def text(self, table: dict[str, Any], key: str, where: str, *, empty: bool = False) -> str:
        value = table.get(key)
        if not isinstance(value, str):
            problem = "missing field" if value is None else f"expected a string, got {type(value).__name__}"
            raise self.fail(f"{where}.{key}", problem)
        if not empty and not value.strip():
            raise self.fail(f"{where}.{key}", "must not be empty")
        return value.strip()

    def only(self, table: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{where}.{key}" if where else key,
                                f"unknown key (expected one of: {', '.join(allowed)})")


def parse_translations(text: str, name: str, language: str,
                       sections: tuple[str, ...]) -> dict[str, FieldTranslation]:
    """Parse and check one translation file's text; `name` starts every error message."""
    f = _File(name)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MonographError(f"{name}: not valid TOML ({exc})") from None
    f.only(doc, ("meta", "field"), "")
    meta = doc.get("meta")
    if not isinstance(meta, dict):
        raise f.fail("meta", "missing table")
    f.only(meta, ("language", "translator", "reviewer", "note"), "meta")
    if (found := f.text(meta, "language", "meta")) != language:
        raise f.fail("meta.language", f"{found!r} does not match the file name's {language!r}")
    f.text(meta, "translator", "meta")
    f.text(meta, "reviewer", "meta", empty=True)  # the file's as a whole; a field counts its own
    if "note" in meta:
        f.text(meta, "note", "meta", empty=True)
    entries = doc.get("field", [])
    if not isinstance(entries, list):
        raise f.fail("field", "expected an array of tables ([[field]])")
    fields: dict[str, FieldTranslation] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise f.fail(f"field[{i}]", "expected a table")
        path = f.text(entry, "path", f"field[{i}]")
        where = f"field[{path}]"
        f.only(entry, _FIELD_KEYS, where)
        if path.split(".", 1)[0] not in sections:
            raise f.fail(f"{where}.path", f"not a field of this file (its sections: {', '.join(sections)})")
        if path in fields:
            raise f.fail(f"{where}.path", "duplicate path")
        digest = f.text(entry, "source_sha256", where)
        if not _SHA256.fullmatch(digest):
            raise f.fail(f"{where}.source_sha256", f"{digest!r} is not a sha256 hex digest")
        reviewer = f.text(entry, "reviewer", where, empty=True)
        reviewed_on = f.text(entry, "reviewed_on", where, empty=True)
        if reviewed_on:
            try:
                dt.date.fromisoformat(reviewed_on)
            except ValueError:
                raise f.fail(f"{where}.reviewed_on", f"{reviewed_on!r} is not a date like '2026-01-31'") from None
        if bool(reviewer) != bool(reviewed_on):
            raise f.fail(where, "a review records both the reviewer and reviewed_on, or neither")
        fields[path] = FieldTranslation(path, f.text(entry, "text", where), digest,
                                        f.text(entry, "translator", where), reviewer, reviewed_on)
    return fields


def load_translations(language: str, folder: Path | None = None, *, drug_id: str = "flunitrazepam",
                      withdrawal_id: str = "benzodiazepine-withdrawal") -> dict[str, FieldTranslation]:
    """The translated safety fields for `language` by path: {} for English or when there is no file."""
    if language == SOURCE_LANGUAGE:
        return {}
    if not _LANGUAGE.fullmatch(language):
        raise MonographError(f"{language!r} is not a language code like 'de'")
    base: Traversable = _monograph_dir() if folder is None else folder
    found: dict[str, FieldTranslation] = {}
    for file_id, sections in ((drug_id, _MONOGRAPH_SECTIONS), (withdrawal_id, _WITHDRAWAL_SECTIONS)):
        name = f"{file_id}.{language}.toml"
        path = base / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise MonographError(f"{name}: cannot be read ({exc})") from None
        found.update(parse_translations(text, name, language, sections))  # the sections keep the paths apart
    return found


def localize(mono: Monograph, withdrawal: Withdrawal, language: str,
             folder: Path | None = None) -> tuple[Monograph, Withdrawal, TranslationState]:
    """The monograph and withdrawal data with their safety text in `language` where a translation
    of today's English exists (with the English beside it until reviewed), else in English."""
    english = safety_fields(mono, withdrawal)
    translations = load_translations(language, folder, drug_id=mono.id, withdrawal_id=mono.withdrawal)
    if not translations:
        missing = () if language == SOURCE_LANGUAGE else tuple(english)
        return mono, withdrawal, TranslationState(language, len(english), 0, 0, (), missing)
    shown: dict[str, str] = {}
    stale: list[str] = []
    missing_paths: list[str] = []
    reviewed = 0
    for path, source in english.items():
        t = translations.get(path)
        if t is None:
            missing_paths.append(path)
        elif t.source_sha256 != sha256_text(source):
            stale.append(path)
        elif t.reviewer:
            shown[path] = t.text
            reviewed += 1
        else:
            shown[path] = UNREVIEWED.format(translation=t.text, english=source)
    local_mono, local_withdrawal = _rebuild(mono, withdrawal, lambda path, source: shown.get(path, source))
    state = TranslationState(language, len(english), len(shown), reviewed, tuple(stale), tuple(missing_paths))
    return local_mono, local_withdrawal, state
