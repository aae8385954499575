"""The flunitrazepam monograph data, pinned to the monograph, and the loader's checks on broken files."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medtrack import monograph as monograph_module
from medtrack.core.drug import GUIDANCE_KEYS, Monograph, ProfileMatch
from medtrack.errors import MedtrackError
from medtrack.monograph import MonographError, load_monograph, parse_monograph

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "monographs"
TEXT = (DATA / "flunitrazepam.toml").read_text(encoding="utf-8")
SOURCE = "flunitrazepam.toml"


@pytest.fixture(scope="module")
def mono() -> Monograph:
    return load_monograph()


# --- the data, pinned to the monograph ---------------------------------------------------------


def test_identity(mono: Monograph) -> None:
    assert (mono.id, mono.name, mono.atc, mono.drug_class) == (
        "flunitrazepam", "Flunitrazepam", "N05CD03", "benzodiazepine")


def test_indication(mono: Monograph) -> None:
    assert "short-term management of severe insomnia" in mono.indication.lower()
    assert "bedtime" in mono.timing
    assert mono.route == "oral"
    assert mono.onset == "30-60 minutes"


def test_dosing_numbers(mono: Monograph) -> None:
    d = mono.dosing
    assert d.adult_start_ug == (500, 1000)
    assert d.adult_max_ug == 2000
    assert d.elderly_from_age == 65
    assert d.elderly_start_ug == (500, 1000)
    assert d.elderly_max_ug == 1000
    assert d.min_age == 18


@pytest.mark.parametrize(
    ("age", "expected"), [(0, 0), (17, 0), (18, 2000), (40, 2000), (64, 2000), (65, 1000), (99, 1000)])
def test_max_for_age(mono: Monograph, age: int, expected: int) -> None:
    assert mono.dosing.max_ug_for_age(age) == expected


def test_contraindications(mono: Monograph) -> None:
    assert {r.id: r.match for r in mono.contraindications} == {
        "benzodiazepine-hypersensitivity": ProfileMatch("condition", "benzodiazepine-hypersensitivity"),
        "severe-liver-impairment": ProfileMatch("liver", ("severe",)),
        "severe-respiratory-insufficiency": ProfileMatch("condition", "severe-respiratory-insufficiency"),
        "acute-pulmonary-insufficiency": ProfileMatch("condition", "acute-pulmonary-insufficiency"),
        "myasthenia-gravis": ProfileMatch("condition", "myasthenia-gravis"),
        "glaucoma": ProfileMatch("condition", "glaucoma"),
        "coma": ProfileMatch("unmatched", None),
        "children": ProfileMatch("age_below", 18),
        "pregnancy": ProfileMatch("pregnant", True),
        "breastfeeding": ProfileMatch("breastfeeding", True),
    }
    assert len(mono.contraindications) == 10
    assert all(r.text for r in mono.contraindications)


def test_children_age_matches_min_age(mono: Monograph) -> None:
    (children,) = [r for r in mono.contraindications if r.match.kind == "age_below"]
    assert children.match.value == mono.dosing.min_age == 18


def test_cautions(mono: Monograph) -> None:
    assert {r.id: r.match for r in mono.cautions} == {
        "mild-moderate-liver-impairment": ProfileMatch("liver", ("mild", "moderate")),
        "renal-impairment": ProfileMatch("renal", True),
    }
    liver, renal = mono.cautions
    assert "lower doses may be needed, used with caution" in liver.text
    assert "lower doses might be considered" in renal.text


def test_interactions(mono: Monograph) -> None:
    assert [(i.id, i.name) for i in mono.interactions] == [
        ("alcohol", "Alcohol"), ("opioids", "Opioids"), ("antihistamines", "Antihistamines"),
        ("other-sedatives", "Other sedatives")]
    assert all("intensify" in i.text for i in mono.interactions)
    assert "all the medicines you are taking" in mono.guidance["interactions_general"]


def test_side_effects_in_monograph_order(mono: Monograph) -> None:
    common = [e.name for e in mono.side_effects if not e.serious]
    serious = [e.name for e in mono.side_effects if e.serious]
    assert common == ["Drowsiness", "Dizziness", "Confusion", "Ataxia", "Memory impairment", "Headache",
                      "Nausea", "Weakness", "Fatigue"]
    assert serious == ["Respiratory depression", "Hypotension", "Paradoxical reactions",
                       "Suicidal thoughts or behaviour", "Dependence", "Withdrawal symptoms"]
    assert [e.serious for e in mono.side_effects] == sorted(e.serious for e in mono.side_effects)  # common first


def test_urgent_flags(mono: Monograph) -> None:
    assert {e.id: e.urgent for e in mono.side_effects if e.serious} == {
        "respiratory-depression": True,
        "hypotension": True,
        "paradoxical-reactions": True,
        "suicidal-thoughts-or-behaviour": True,
        "dependence": False,
        "withdrawal-symptoms": False,
    }
    assert not any(e.urgent for e in mono.side_effects if not e.serious)


def test_aliases(mono: Monograph) -> None:
    aliases = {e.id: e.aliases for e in mono.side_effects}
    assert "low blood pressure" in aliases["hypotension"]
    suicidal = set(aliases["suicidal-thoughts-or-behaviour"])
    assert {"suicidal thoughts", "suicidal behaviour", "suicidal behavior"} <= suicidal
    assert "withdrawal" in aliases["withdrawal-symptoms"]
    assert "lack of muscle coordination" in aliases["ataxia"]
    assert "anterograde amnesia" in aliases["memory-impairment"]


@pytest.mark.parametrize(("asked", "found"), [
    ("Respiratory depression", "respiratory-depression"),
    ("respiratory-depression", "respiratory-depression"),
    ("RESPIRATORY_DEPRESSION", "respiratory-depression"),
    ("  respiratory   depression ", "respiratory-depression"),
    ("hypotension", "hypotension"),
    ("Low-Blood-Pressure", "hypotension"),
    ("suicidal behavior", "suicidal-thoughts-or-behaviour"),
    ("Suicidal Behaviour", "suicidal-thoughts-or-behaviour"),
    ("suicidal_thoughts", "suicidal-thoughts-or-behaviour"),
    ("withdrawal", "withdrawal-symptoms"),
    ("Anterograde amnesia", "memory-impairment"),
    ("headache", "headache"),
])
def test_side_effect_lookup(mono: Monograph, asked: str, found: str) -> None:
    effect = mono.side_effect(asked)
    assert effect is not None and effect.id == found


@pytest.mark.parametrize("asked", ["", "   ", "I feel weird", "respiratory", "depression", "blood pressure", "-"])
def test_side_effect_lookup_free_text(mono: Monograph, asked: str) -> None:
    assert mono.side_effect(asked) is None


def test_guidance(mono: Monograph) -> None:
    g = mono.guidance
    assert set(g) == set(GUIDANCE_KEYS)
    assert all(g[key].strip() for key in GUIDANCE_KEYS)
    assert "as soon as you remember" in g["missed_dose"] and "Never double the dose." in g["missed_dose"]
    assert "abruptly" in g["stopping"] and "taper" in g["stopping"] and "doctor" in g["stopping"]
    assert "driv" in g["driving"] and "machinery" in g["driving"]
    assert "room temperature" in g["storage"] and "out of reach of children" in g["storage"]
    assert "dependence" in g["dependence"]
    assert "lower doses and close monitoring" in g["elderly"]
    assert g["call_doctor"] == ("If you experience any adverse effects, particularly those listed as serious, "
                                "consult your doctor immediately.")
    assert g["disclaimer"] == (
        "This information is intended for educational purposes only and should not be considered medical advice. "
        "Always consult with a healthcare professional before starting or stopping any medication, including "
        "flunitrazepam. The information provided here does not cover all possible uses, side effects, precautions, "
        "or interactions. Individual responses to medication can vary.")


def test_frozen(mono: Monograph) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        mono.atc = "X"  # type: ignore[misc]  # frozen: mypy refuses it too, the point here
    with pytest.raises(TypeError):
        mono.guidance["disclaimer"] = "x"  # type: ignore[index]  # read-only: the point here
    assert isinstance(mono.contraindications, tuple) and isinstance(mono.side_effects[0].aliases, tuple)


# --- the loader ---------------------------------------------------------------------------------


def test_load_is_cached() -> None:
    assert load_monograph() is load_monograph()
    assert load_monograph("flunitrazepam") == load_monograph()


def test_parse_equals_load() -> None:
    assert parse_monograph(TEXT, SOURCE) == load_monograph()


# Not the withdrawal files (tests/unit/test_withdrawal.py), nor the translations (flunitrazepam.de.toml:
# tests/unit/test_monograph_translations.py).
@pytest.mark.parametrize("path", sorted(p for p in DATA.glob("*.toml")
                                        if not p.stem.endswith("-withdrawal") and "." not in p.stem),
                         ids=lambda p: p.name)
def test_every_packaged_monograph_loads(path: Path) -> None:  # *-withdrawal.toml: tests/unit/test_withdrawal.py
    assert load_monograph(path.stem).id == path.stem


@pytest.mark.parametrize("drug_id", ["diazepam", "../flunitrazepam", "Flunitrazepam", ""])
def test_unknown_drug(drug_id: str) -> None:
    with pytest.raises(MonographError) as info:
        load_monograph(drug_id)
    assert repr(drug_id) in info.value.message
    assert info.value.exit_code == 4
    assert isinstance(info.value, MedtrackError)


def test_loader_reports_broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "other.toml").write_text(TEXT, encoding="utf-8")
    (tmp_path / "broken.toml").write_text(TEXT.replace('adult_max = "2 mg"', 'adult_max = "2 kg"'), encoding="utf-8")
    monkeypatch.setattr(monograph_module, "_monograph_dir", lambda: tmp_path)
    load_monograph.cache_clear()
    try:
        with pytest.raises(MonographError, match=r"^other\.toml: drug\.id: 'flunitrazepam' does not match"):
            load_monograph("other")
        with pytest.raises(MonographError, match=r"^broken\.toml: dosing\.adult_max: '2 kg' is not a dose"):
            load_monograph("broken")
    finally:
        load_monograph.cache_clear()


def test_import_is_light() -> None:
    code = ("import sys, medtrack.monograph; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlmodel', 'sqlalchemy', 'textual', 'alembic'}))")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- broken files -------------------------------------------------------------------------------


def broken(old: str, new: str, count: int = 1) -> str:
    assert old in TEXT, f"test is stale: {old!r} is no longer in the monograph file"
    return TEXT.replace(old, new, count)


def replace_line(start: str, new: str) -> str:
    lines = TEXT.splitlines()
    assert sum(line.startswith(start) for line in lines) == 1, f"test is stale: no single line {start!r}"
    return "\n".join(new if line.startswith(start) else line for line in lines)


BROKEN = {
    "missing section": (TEXT[: TEXT.index("[guidance]")], "guidance: missing section"),
    "unknown side effect group": (broken("[[side_effects.common]]", "[[side_effects.usual]]", -1),
                                  "side_effects.usual: unknown field"),
    "missing field": (broken("min_age = 18\n", ""), "dosing.min_age: missing field"),
    "missing atc": (broken('atc = "N05CD03"\n', ""), "drug.atc: missing field"),
    "missing match": (broken("match = { unmatched = true }\n", ""), "contraindications[coma].match: missing field"),
    "missing urgent": (broken("urgent = false\naliases = [\"withdrawal\"]", 'aliases = ["withdrawal"]'),
                       "side_effects.serious[withdrawal-symptoms].urgent: missing field"),
    "empty guidance": (replace_line("call_doctor = ", 'call_doctor = ""'), "guidance.call_doctor: must not be empty"),
    "wrong type int": (broken("min_age = 18", 'min_age = "18"'), "dosing.min_age: expected an integer, got string"),
    "wrong type bool as int": (broken("min_age = 18", "min_age = true"), "dosing.min_age: expected an integer"),
    "wrong type bool": (broken("\nurgent = true\n", '\nurgent = "yes"\n'),
                        "side_effects.serious[respiratory-depression].urgent: expected true or false"),
    "wrong type section": ('guidance = "ask"\n' + TEXT[: TEXT.index("[guidance]")],
                           "guidance: expected a table, got string 'ask'"),
    "wrong type match": (broken("match = { renal = true }", 'match = "renal"'),
                         "cautions[renal-impairment].match: expected a table, got string"),
    "wrong type aliases": (broken('aliases = ["withdrawal"]', 'aliases = "withdrawal"'),
                           "side_effects.serious[withdrawal-symptoms].aliases: expected an array of strings"),
    "dose as number": (broken('adult_max = "2 mg"', "adult_max = 2"), "dosing.adult_max: expected a dose string"),
    "dose bad unit": (broken('adult_max = "2 mg"', 'adult_max = "2 kg"'), "dosing.adult_max: '2 kg' is not a dose ("),
    "dose no unit": (broken('adult_max = "2 mg"', 'adult_max = "2"'), "dosing.adult_max: '2' is not a dose"),
    "dose zero": (broken('elderly_max = "1 mg"', 'elderly_max = "0 mg"'), "dosing.elderly_max: '0 mg' is not a dose"),
    "dose in range": (broken('adult_start = ["0.5 mg", "1 mg"]', 'adult_start = ["0.5 mg", "lots"]'),
                      "dosing.adult_start: 'lots' is not a dose"),
    "range length": (broken('adult_start = ["0.5 mg", "1 mg"]', 'adult_start = ["1 mg"]'),
                     "dosing.adult_start: expected two dose strings"),
    "range above max": (broken('adult_start = ["0.5 mg", "1 mg"]', 'adult_start = ["0.5 mg", "3 mg"]'),
                        "dosing.adult_start: range 0.5 mg-3 mg is not within adult_max 2 mg"),
    "range reversed": (broken('adult_start = ["0.5 mg", "1 mg"]', 'adult_start = ["1 mg", "0.5 mg"]'),
                       "dosing.adult_start: range 1 mg-0.5 mg is reversed"),
    "elderly range above elderly max": (
        broken('elderly_start = ["0.5 mg", "1 mg"]', 'elderly_start = ["0.5 mg", "2 mg"]'),
        "dosing.elderly_start: range 0.5 mg-2 mg is not within elderly_max 1 mg"),
    "elderly max above adult max": (broken('elderly_max = "1 mg"', 'elderly_max = "3 mg"'),
                                    "dosing.elderly_max: 3 mg is more than adult_max 2 mg"),
    "elderly age below min age": (broken("elderly_from_age = 65", "elderly_from_age = 12"),
                                  "dosing.elderly_from_age: 12 is not above min_age 18"),
    "bad atc": (broken('atc = "N05CD03"', 'atc = "N05-CD03"'), "drug.atc: 'N05-CD03' is not an ATC code"),
    "bad drug id": (broken('id = "flunitrazepam"', 'id = "Flunitrazepam"'), "drug.id: 'Flunitrazepam' is not an id"),
    "unknown match kind": (broken("match = { unmatched = true }", "match = { coma = true }"),
                           "contraindications[coma].match.coma: unknown match kind"),
    "match with zero keys": (broken("match = { unmatched = true }", "match = {}"),
                             "contraindications[coma].match: needs exactly one of"),
    "match with two keys": (broken("match = { unmatched = true }", "match = { unmatched = true, renal = true }"),
                            "contraindications[coma].match: needs exactly one of"),
    "match false": (broken("match = { renal = true }", "match = { renal = false }"),
                    "cautions[renal-impairment].match.renal: must be true"),
    "match bad liver level": (broken('match = { liver = ["severe"] }', 'match = { liver = ["sever"] }'),
                              "contraindications[severe-liver-impairment].match.liver: expected distinct levels"),
    "liver scale without none": (broken('liver_levels = ["none", ', 'liver_levels = ['),
                                 "profile.liver_levels: expected distinct levels starting with 'none'"),
    "match a level the scale lacks": (broken('liver_levels = ["none", "mild", "moderate", "severe"]',
                                             'liver_levels = ["none", "mild", "moderate"]'),
                                      "contraindications[severe-liver-impairment].match.liver: expected distinct"),
    "match empty liver": (broken('match = { liver = ["severe"] }', "match = { liver = [] }"),
                          "contraindications[severe-liver-impairment].match.liver: expected distinct levels"),
    "match age as string": (broken("match = { age_below = 18 }", 'match = { age_below = "18" }'),
                            "contraindications[children].match.age_below: expected an integer"),
    "match age zero": (broken("match = { age_below = 18 }", "match = { age_below = 0 }"),
                       "contraindications[children].match.age_below: must be a positive age"),
    "match bad condition id": (broken('match = { condition = "glaucoma" }', 'match = { condition = "Glaucoma!" }'),
                               "contraindications[glaucoma].match.condition: 'Glaucoma!' is not an id"),
    "duplicate contraindication id": (broken('id = "glaucoma"', 'id = "coma"'),
                                      "contraindications[coma].id: duplicate id 'coma'"),
    "duplicate id across rules": (broken('id = "renal-impairment"', 'id = "pregnancy"'),
                                  "cautions[pregnancy].id: duplicate id 'pregnancy'"),
    "duplicate interaction id": (broken('id = "opioids"', 'id = "alcohol"'),
                                 "interactions[alcohol].id: duplicate id 'alcohol'"),
    "duplicate side effect id": (broken('id = "nausea"', 'id = "headache"'),
                                 "side_effects.common[headache].id: duplicate id 'headache'"),
    "alias names another effect": (broken('aliases = ["withdrawal"]', 'aliases = ["Dependence"]'),
                                   "side_effects.serious[withdrawal-symptoms]: 'Dependence' already names side effect"),
    "urgent on a common effect": (broken('id = "nausea"\n', 'id = "nausea"\nurgent = true\n'),
                                  "side_effects.common[nausea].urgent: unknown field"),
    "typo in a field": (broken('aliases = ["withdrawal"]', 'alias = ["withdrawal"]'),
                        "side_effects.serious[withdrawal-symptoms].alias: unknown field"),
    "unknown section": (broken("[guidance]", "[guidence]"), "guidence: unknown section"),
    "empty text": (broken('text = "Glaucoma."', 'text = "  "'), "contraindications[glaucoma].text: must not be empty"),
    "not toml": (broken("[dosing]", "[dosing"), "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file(case: str) -> None:
    text, expected = BROKEN[case]
    with pytest.raises(MonographError) as info:
        parse_monograph(text, SOURCE)
    message = info.value.message
    assert message.startswith(f"{SOURCE}: "), message
    assert expected in message, message
    assert info.value.exit_code == 4


def test_missing_guidance_key() -> None:
    text = broken('storage = "Store', 'x_storage = "Store')
    with pytest.raises(MonographError, match=r"guidance\.x_storage: unknown field"):
        parse_monograph(text, SOURCE)
    text = replace_line("storage = ", "")
    with pytest.raises(MonographError, match=r"^flunitrazepam\.toml: guidance\.storage: missing field$"):
        parse_monograph(text, SOURCE)


def test_the_profile_vocabulary_comes_from_the_monograph() -> None:
    mono = load_monograph()
    assert mono.liver_levels == ("none", "mild", "moderate", "severe")
    assert mono.conditions == ("benzodiazepine-hypersensitivity", "severe-respiratory-insufficiency",
                               "acute-pulmonary-insufficiency", "myasthenia-gravis", "glaucoma")
