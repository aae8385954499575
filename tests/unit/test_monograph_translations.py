"""The per-language safety text: every field translated from today's English, numbers kept, and
localize() showing a field translated only while its English is unchanged, with the English
beside it until a clinician reviews it."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from medtrack.core.drug import Monograph, Withdrawal
from medtrack.monograph import MonographError, load_monograph, parse_monograph
from medtrack.monograph_translations import (
    UNREVIEWED,
    FieldTranslation,
    load_translations,
    localize,
    safety_fields,
    sha256_text,
)
from medtrack.withdrawal import load_withdrawal, parse_withdrawal

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "monographs"
LANGUAGES = ("de", "ja")
FILES = ("flunitrazepam", "benzodiazepine-withdrawal")
# A number as it stands in the text, with its unit when it is an amount: "18", "30", "0.5 mg"
NUMBER = re.compile(r"(?<![0-9.,])[0-9]+(?:[.,][0-9]+)?(?:\s*(?:mg|µg|μg|mcg|micrograms?)\b)?")


@pytest.fixture(scope="module")
def mono() -> Monograph:
    return load_monograph()


@pytest.fixture(scope="module")
def withdrawal() -> Withdrawal:
    return load_withdrawal()


@pytest.fixture(scope="module")
def english(mono: Monograph, withdrawal: Withdrawal) -> dict[str, str]:
    return safety_fields(mono, withdrawal)


def write_file(folder: Path, file_id: str, language: str, fields: list[FieldTranslation]) -> Path:
    """A translation file in the shipped layout."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    lines = ["[meta]", f"language = {q(language)}", 'translator = "test"', 'reviewer = ""']
    for f in fields:
        lines += ["", "[[field]]", f"path = {q(f.path)}", f"source_sha256 = {q(f.source_sha256)}",
                  f"text = {q(f.text)}", f"translator = {q(f.translator)}", f"reviewer = {q(f.reviewer)}",
                  f"reviewed_on = {q(f.reviewed_on)}"]
    path = folder / f"{file_id}.{language}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def copy_shipped(folder: Path, language: str, change: dict[str, FieldTranslation] | None = None) -> None:
    """The shipped files of `language` written again into `folder`, with some fields changed."""
    shipped = load_translations(language)
    shipped.update(change or {})
    for file_id in FILES:
        ours = [f for p, f in shipped.items() if p.startswith(("red_flags.", "checkin_items."))
                == (file_id == "benzodiazepine-withdrawal")]
        write_file(folder, file_id, language, ours)


# --- the shipped files -------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_safety_field_is_translated_from_todays_english(language: str, english: dict[str, str]) -> None:
    """Fails when someone edits the English and forgets the translation: translate the new
    English again and record the hash (sha256_text) of the text as it is now."""
    translations = load_translations(language)
    assert sorted(set(english) - set(translations)) == [], "safety fields without a translation"
    assert sorted(set(translations) - set(english)) == [], "translations of fields the English does not have"
    stale = [p for p, t in translations.items() if t.source_sha256 != sha256_text(english[p])]
    assert stale == [], f"{language}: the English changed since these were translated"
    for path, t in translations.items():
        assert t.path == path and t.text.strip() and t.translator.strip(), path


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_translations_record_no_reviewer(language: str) -> None:
    """Nobody has clinically reviewed them: the app must say so."""
    assert {(t.reviewer, t.reviewed_on) for t in load_translations(language).values()} == {("", "")}


def numbers(text: str) -> Counter[str]:
    return Counter(re.sub(r"\s+", " ", n).replace(",", ".") for n in NUMBER.findall(text))


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_and_amounts_are_kept(language: str, english: dict[str, str]) -> None:
    """Every number and mg amount of the English is in the translation as written (German may
    write a decimal comma), and the translation adds none: no dose is ever translated."""
    for path, t in load_translations(language).items():
        assert not re.search(r"[^\x00-\x7f]", "".join(re.findall(r"\d", t.text))), f"{path}: non-ASCII digits"
        assert numbers(t.text) == numbers(english[path]), path


def test_number_check_sees_amounts() -> None:
    assert numbers("Take 0.5 mg, at most 2 mg; from 65.") == Counter({"0.5 mg": 1, "2 mg": 1, "65": 1})
    assert numbers("0,5 mg") == numbers("0.5 mg") != numbers("0.5mg")
    assert numbers("小児（18歳未満）30～60分") == Counter({"18": 1, "30": 1, "60": 1})


@pytest.mark.parametrize("language", LANGUAGES)
def test_shipped_state_is_translated_but_not_reviewed(language: str, mono: Monograph,
                                                     withdrawal: Withdrawal, english: dict[str, str]) -> None:
    shown_mono, shown_withdrawal, state = localize(mono, withdrawal, language)
    assert (state.language, state.fields, state.translated, state.reviewed) == (
        language, len(english), len(english), 0)
    assert state.stale == state.missing == ()
    assert not state.fully_reviewed
    translations = load_translations(language)
    shown = safety_fields(shown_mono, shown_withdrawal)
    assert all(shown[p] == UNREVIEWED.format(translation=translations[p].text, english=english[p]) for p in english)


def test_values_and_keys_stay_english(mono: Monograph, withdrawal: Withdrawal) -> None:
    """Ids, names a symptom is stored by, doses and limits are the English data's in every language."""
    shown_mono, shown_withdrawal, _ = localize(mono, withdrawal, "ja")
    assert shown_mono.dosing == mono.dosing and shown_mono.liver_levels == mono.liver_levels
    assert [(r.id, r.match) for r in shown_mono.contraindications] == [(r.id, r.match) for r in mono.contraindications]
    assert [(e.id, e.name, e.aliases, e.urgent) for e in shown_mono.side_effects] == [
        (e.id, e.name, e.aliases, e.urgent) for e in mono.side_effects]
    assert [(f.id, f.name, f.aliases) for f in shown_withdrawal.red_flags] == [
        (f.id, f.name, f.aliases) for f in withdrawal.red_flags]
    assert (shown_withdrawal.sources, shown_withdrawal.scale, shown_withdrawal.trend) == (
        withdrawal.sources, withdrawal.scale, withdrawal.trend)
    assert [i.id for i in shown_withdrawal.items] == [i.id for i in withdrawal.items]
    assert shown_withdrawal.red_flag("fit") is not None and shown_mono.side_effect("Respiratory depression")


# --- localize() --------------------------------------------------------------------------------


def test_a_reviewed_field_shows_the_translation_alone(tmp_path: Path, mono: Monograph, withdrawal: Withdrawal,
                                                      english: dict[str, str]) -> None:
    shipped = load_translations("de")["guidance.missed_dose"]
    reviewed = dataclasses.replace(shipped, reviewer="Dr. Test", reviewed_on="2026-01-31")
    copy_shipped(tmp_path, "de", {reviewed.path: reviewed})
    shown_mono, _, state = localize(mono, withdrawal, "de", tmp_path)
    assert shown_mono.guidance["missed_dose"] == shipped.text
    assert shown_mono.guidance["stopping"] == UNREVIEWED.format(
        translation=load_translations("de")["guidance.stopping"].text, english=english["guidance.stopping"])
    assert "[English: " in shown_mono.guidance["stopping"]
    assert (state.translated, state.reviewed, state.fully_reviewed) == (state.fields, 1, False)


def test_fully_reviewed_when_every_field_has_a_reviewer(tmp_path: Path, mono: Monograph,
                                                        withdrawal: Withdrawal) -> None:
    everything = {p: dataclasses.replace(t, reviewer="Dr. Test", reviewed_on="2026-01-31")
                  for p, t in load_translations("ja").items()}
    copy_shipped(tmp_path, "ja", everything)
    shown_mono, shown_withdrawal, state = localize(mono, withdrawal, "ja", tmp_path)
    assert state.fully_reviewed and state.reviewed == state.fields
    assert safety_fields(shown_mono, shown_withdrawal) == {p: t.text for p, t in everything.items()}


def test_an_unreviewed_field_shows_the_english_beside_it(tmp_path: Path, mono: Monograph,
                                                         withdrawal: Withdrawal) -> None:
    path = "contraindications.pregnancy.text"
    english = next(r.text for r in mono.contraindications if r.id == "pregnancy")
    write_file(tmp_path, "flunitrazepam", "de", [
        FieldTranslation(path, "Schwangerschaft (Test).", sha256_text(english), "t", "", "")])
    shown_mono, _, state = localize(mono, withdrawal, "de", tmp_path)
    rule = next(r for r in shown_mono.contraindications if r.id == "pregnancy")
    assert rule.text == ("Schwangerschaft (Test). [English: Pregnancy: flunitrazepam is Pregnancy Category D, "
                         "a risk to the developing fetus.]")
    assert (state.translated, state.reviewed) == (1, 0)
    assert path not in state.missing and len(state.missing) == state.fields - 1


def test_a_stale_field_falls_back_to_english(tmp_path: Path, mono: Monograph, withdrawal: Withdrawal) -> None:
    old = load_translations("de")["red_flags.seizures.advice"]
    copy_shipped(tmp_path, "de", {old.path: dataclasses.replace(old, source_sha256=sha256_text("older English"))})
    _, shown_withdrawal, state = localize(mono, withdrawal, "de", tmp_path)
    flag = shown_withdrawal.red_flag("seizures")
    assert flag is not None and flag.advice == withdrawal.red_flags[0].advice  # the English alone
    assert state.stale == ("red_flags.seizures.advice",)
    assert state.translated == state.fields - 1 and state.missing == ()


@pytest.mark.parametrize("language", ["en", "de"])
def test_english_or_no_file_gives_the_english_data(tmp_path: Path, language: str, mono: Monograph,
                                                   withdrawal: Withdrawal, english: dict[str, str]) -> None:
    shown_mono, shown_withdrawal, state = localize(mono, withdrawal, language, tmp_path)  # an empty folder
    assert (shown_mono, shown_withdrawal) == (mono, withdrawal)
    assert (state.fields, state.translated, state.reviewed, state.stale) == (len(english), 0, 0, ())
    assert state.missing == (() if language == "en" else tuple(english))
    assert state.fully_reviewed == (language == "en")
    assert load_translations("en") == {}


GOOD_HASH = "0" * 64
BROKEN = {
    "toml": ("[meta\n", "not valid TOML"),
    "meta": ('[[field]]\npath = "guidance.missed_dose"\n', "meta: missing table"),
    "language": ('[meta]\nlanguage = "ja"\ntranslator = "t"\nreviewer = ""\n', "does not match"),
    "hash": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n[[field]]\npath = "guidance.stopping"\n'
             'source_sha256 = "abc"\ntext = "x"\ntranslator = "t"\nreviewer = ""\nreviewed_on = ""\n',
             "field[guidance.stopping].source_sha256: 'abc' is not a sha256"),
    "duplicate": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n'
                  + 2 * f'[[field]]\npath = "guidance.stopping"\nsource_sha256 = "{GOOD_HASH}"\ntext = "x"\n'
                        'translator = "t"\nreviewer = ""\nreviewed_on = ""\n', "duplicate path"),
    "unknown key": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n[[field]]\npath = "guidance.stopping"\n'
                    f'source_sha256 = "{GOOD_HASH}"\ntext = "x"\ntranslator = "t"\nreviewer = ""\n'
                    'reviewed_on = ""\nreviwer = "Dr. Typo"\n', "reviwer: unknown key"),
    "empty text": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n[[field]]\npath = "guidance.stopping"\n'
                   f'source_sha256 = "{GOOD_HASH}"\ntext = " "\ntranslator = "t"\nreviewer = ""\n'
                   'reviewed_on = ""\n', "text: must not be empty"),
    "review date": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n[[field]]\n'
                    f'path = "guidance.stopping"\nsource_sha256 = "{GOOD_HASH}"\ntext = "x"\ntranslator = "t"\n'
                    'reviewer = "Dr. Test"\nreviewed_on = ""\n', "both the reviewer and reviewed_on"),
    "wrong file": ('[meta]\nlanguage = "de"\ntranslator = "t"\nreviewer = ""\n[[field]]\n'
                   f'path = "red_flags.seizures.advice"\nsource_sha256 = "{GOOD_HASH}"\ntext = "x"\n'
                   'translator = "t"\nreviewer = ""\nreviewed_on = ""\n', "not a field of this file"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_file_gives_one_line_naming_it(tmp_path: Path, case: str, mono: Monograph,
                                                withdrawal: Withdrawal) -> None:
    text, problem = BROKEN[case]
    (tmp_path / "flunitrazepam.de.toml").write_text(text, encoding="utf-8")
    with pytest.raises(MonographError) as caught:
        localize(mono, withdrawal, "de", tmp_path)
    message = str(caught.value)
    assert message.startswith("flunitrazepam.de.toml: ") and problem in message
    assert "\n" not in message and message == caught.value.message


def test_a_language_code_cannot_leave_the_folder(tmp_path: Path) -> None:
    with pytest.raises(MonographError, match="not a language code"):
        load_translations("../de", tmp_path)


# --- a changed English field, whichever it is --------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly `text`."""
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08X}" for c in text) + '"'


ENGLISH_FILES = {"flunitrazepam": (DATA / "flunitrazepam.toml").read_text(encoding="utf-8"),
                 "benzodiazepine-withdrawal": (DATA / "benzodiazepine-withdrawal.toml").read_text(encoding="utf-8")}
PATHS = sorted(safety_fields(load_monograph(), load_withdrawal()))


@settings(max_examples=60, deadline=None)
@given(path=st.sampled_from(PATHS),
       new=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_an_edited_english_field_is_shown_in_english(path: str, new: str, english: dict[str, str]) -> None:
    """Edit one field of the English data file; only that field falls back to English."""
    old = english[path]
    new = new.strip()
    assume(new and new != old)
    in_withdrawal = path.startswith(("red_flags.", "checkin_items."))
    files = dict(ENGLISH_FILES)
    file_id = "benzodiazepine-withdrawal" if in_withdrawal else "flunitrazepam"
    literal = f"= {toml_string(old)}\n"
    assert files[file_id].count(literal) == 1, f"{path}: its English is not one unique line of the file"
    files[file_id] = files[file_id].replace(literal, f"= {toml_string(new)}\n")
    mono = parse_monograph(files["flunitrazepam"], "flunitrazepam.toml")
    withdrawal = parse_withdrawal(files["benzodiazepine-withdrawal"], "benzodiazepine-withdrawal.toml")
    assert safety_fields(mono, withdrawal)[path] == new

    shown_mono, shown_withdrawal, state = localize(mono, withdrawal, "de")
    translations = load_translations("de")
    shown = safety_fields(shown_mono, shown_withdrawal)
    assert shown[path] == new
    assert state.stale == (path,) and state.translated == state.fields - 1
    assert all(shown[p] == UNREVIEWED.format(translation=translations[p].text, english=english[p])
               for p in shown if p != path)
