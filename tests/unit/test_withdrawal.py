"""The withdrawal data (sources, red flags, check-in items and scale, trend rule), its loader's
checks on broken files, matching a typed word to a red flag, and red flags judged urgent when read."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from medtrack import withdrawal as withdrawal_module
from medtrack.core.drug import RedFlag, TrendRule, Withdrawal
from medtrack.core.model import Symptom
from medtrack.core.symptoms import is_urgent, shown_urgent
from medtrack.monograph import MonographError, load_monograph, parse_monograph
from medtrack.withdrawal import load_withdrawal, parse_withdrawal

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "monographs"
SOURCE = "benzodiazepine-withdrawal.toml"
TEXT = (DATA / SOURCE).read_text(encoding="utf-8")
MONOGRAPH = load_monograph()
DATA_ = load_withdrawal()

RED_FLAG_TERMS = {
    "seizures": ("seizure", "seizures", "fit", "fits", "convulsion", "convulsions"),
    "hallucinations": ("hallucinations", "hallucination", "seeing things", "hearing voices"),
    "delirium": ("delirium", "delirious", "severe confusion", "Delirium or severe confusion"),
    "self-harm": ("self-harm", "self harm", "suicidal", "thoughts of suicide", "suicide",
                  "Thoughts of self-harm or suicide"),
}


# --- the data --------------------------------------------------------------------------------------


def test_the_monograph_names_the_class_file() -> None:
    assert MONOGRAPH.withdrawal == "benzodiazepine-withdrawal"
    assert load_withdrawal() is load_withdrawal()  # read and checked once
    assert load_withdrawal("flunitrazepam") == load_withdrawal()


def test_sources() -> None:
    by_id = {s.id: s for s in DATA_.sources}
    assert set(by_id) == {"fda-dsc-2020", "asam-2025"}
    fda, asam = by_id["fda-dsc-2020"], by_id["asam-2025"]
    assert (fda.year, fda.date, fda.public_domain) == (2020, dt.date(2020, 9, 23), True)
    assert fda.url.startswith("https://www.fda.gov/") and "seizures" in fda.quote
    assert (asam.year, asam.doi, asam.public_domain, asam.quote) == (2025, "10.1007/s11606-025-09499-2", False, "")


@pytest.mark.parametrize("flag_id,terms", list(RED_FLAG_TERMS.items()))
def test_red_flags_and_their_words(flag_id: str, terms: tuple[str, ...]) -> None:
    for term in terms:
        flag = DATA_.red_flag(term)
        assert flag is not None and flag.id == flag_id, term
    named = DATA_.red_flag(flag_id)
    assert named is not None and named.source in {s.id for s in DATA_.sources}


def test_every_red_flag_says_who_to_contact_and_how_soon() -> None:
    assert [f.id for f in DATA_.red_flags] == list(RED_FLAG_TERMS)
    for flag in DATA_.red_flags:
        advice = flag.advice.lower()
        assert "contact your doctor now" in advice and "emergency services" in advice, flag.id


def test_the_checkin_list_scale_and_trend() -> None:
    assert [i.id for i in DATA_.items] == [
        "anxiety", "irritability", "sleep", "restlessness", "tremor", "sweating", "palpitations", "nausea",
        "muscles", "headache", "concentration", "senses", "perception", "unreal"]
    assert all(re.fullmatch(r"[a-z]+", i.id) for i in DATA_.items)  # typed as `anxiety=2`
    assert all(i.name and i.description and "\n" not in i.description for i in DATA_.items)
    assert {i.source for i in DATA_.items} <= {s.id for s in DATA_.sources}
    tremor = DATA_.item("tremor")
    assert tremor is not None and tremor.name == "Tremor"
    assert DATA_.item("Tremor") is None
    assert DATA_.scale == ("none", "mild", "moderate", "severe") and DATA_.max_rating == 3
    assert DATA_.trend == TrendRule(rise_points=4, min_checkins=2, severe_item=3)


def test_no_rating_scale_item_is_copied() -> None:
    """The names and descriptions are medtrack's words: none carries a scale's name."""
    words = " ".join(f"{i.name} {i.description}" for i in DATA_.items).lower()
    assert "ciwa" not in words and "bwsq" not in words


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DATA_.trend.rise_points = 1  # type: ignore[misc]  # frozen: mypy refuses it too, the point here
    assert isinstance(DATA_.red_flags[0].aliases, tuple) and isinstance(DATA_.items, tuple)


def test_parse_equals_load() -> None:
    assert parse_withdrawal(TEXT, SOURCE) == load_withdrawal()


# --- matching a typed word ---------------------------------------------------------------------------

TERMS = [(flag, term) for flag in DATA_.red_flags for term in (flag.id, flag.name, *flag.aliases)]
EFFECT_TERMS = [term for e in MONOGRAPH.side_effects for term in (e.id, e.name, *e.aliases)]


def respell(term: str, draw: Callable[[st.SearchStrategy[str]], str]) -> str:
    """The same words as a person might type them: any case, spaces, - or _ between words."""
    words = re.split(r"[\s_-]+", term.strip())
    cased = [draw(st.sampled_from((w, w.upper(), w.lower(), w.title()))) for w in words]
    glue = [draw(st.sampled_from((" ", "  ", "-", "_", " - "))) for _ in words[1:]]
    spelled = cased[0] + "".join(g + w for g, w in zip(glue, cased[1:], strict=True))
    return draw(st.sampled_from(("", " ", "\t"))) + spelled + draw(st.sampled_from(("", "  ")))


@given(st.sampled_from(TERMS), st.data())
def test_any_spelling_of_a_red_flag_word_finds_it(pair: tuple[RedFlag, str], data: st.DataObject) -> None:
    flag, term = pair
    assert DATA_.red_flag(respell(term, data.draw)) == flag


def norm(text: str) -> str:
    """Case, spaces, hyphens and underscores ignored, as Monograph.side_effect matches."""
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


@given(st.text(max_size=30))
def test_other_words_find_no_red_flag(text: str) -> None:
    assume(norm(text) not in {norm(t) for _, t in TERMS})
    assert DATA_.red_flag(text) is None


@pytest.mark.parametrize("text", ["wobbly", "confusion", "suicidal thoughts", "fitness", "seizure-free", ""])
def test_near_words_are_not_red_flags(text: str) -> None:
    assert DATA_.red_flag(text) is None


def test_no_red_flag_word_names_a_monograph_side_effect() -> None:
    effects = {norm(t) for t in EFFECT_TERMS}
    assert not [t for _, t in TERMS if norm(t) in effects]


# --- urgent when read ------------------------------------------------------------------------------


@given(st.sampled_from(TERMS), st.data())
def test_a_red_flag_is_urgent_whatever_is_stored_beside_it(pair: tuple[RedFlag, str], data: st.DataObject) -> None:
    _, term = pair
    spelled = respell(term, data.draw)
    effect_id = data.draw(st.sampled_from((None, "headache", "no-such-effect")))
    assert is_urgent(MONOGRAPH, DATA_, effect_id, spelled)


@pytest.mark.parametrize("name", ["wobbly", "Withdrawal symptoms", "Confusion", "Headache", "a bad fit of shoes"])
def test_other_entries_stay_ordinary(name: str) -> None:
    assert not is_urgent(MONOGRAPH, DATA_, None, name)


TZ = ZoneInfo("Europe/Berlin")


def entry(number: int, night: dt.date, name: str, urgent: bool) -> Symptom:
    at = dt.datetime.combine(night, dt.time(21, number), TZ)
    return Symptom(number, name, None, None, at, "Europe/Berlin", night, None, urgent)


def test_urgent_entries_show_on_their_night_and_the_next() -> None:
    night = dt.date(2026, 11, 25)
    day = dt.timedelta(days=1)
    found = [entry(1, night - 2 * day, "Seizures", True), entry(2, night - day, "Seizures", True),
             entry(3, night, "wobbly", False), entry(4, night, "Hallucinations", True),
             entry(5, night + day, "Seizures", True)]
    assert [s.id for s in shown_urgent(reversed(found), night)] == [2, 4]


# --- broken files ----------------------------------------------------------------------------------


def broken(old: str, new: str, count: int = 1) -> str:
    assert old in TEXT, f"test is stale: {old!r} is no longer in the withdrawal file"
    return TEXT.replace(old, new, count)


BROKEN = {
    "missing section": (TEXT[: TEXT.index("[trend]")], "trend: missing section"),
    "unknown section": (broken("[trend]", "[trends]"), "trends: unknown section"),
    "typo in a field": (broken('advice = "Hallucinations', 'advise = "Hallucinations'),
                        "red_flags[hallucinations].advise: unknown field"),
    "empty advice": (re.sub(r'advice = "Seizures[^"]*"', 'advice = " "', TEXT),
                     "red_flags[seizures].advice: must not be empty"),
    "no advice": (re.sub(r'advice = "Seizures[^"]*"\n', "", TEXT), "red_flags[seizures].advice: missing field"),
    "unknown source": (broken('source = "fda-dsc-2020"', 'source = "fda"'),
                       "red_flags[seizures].source: unknown source 'fda' (expected one of: fda-dsc-2020, asam-2025)"),
    "uncited source": (broken('source = "fda-dsc-2020"', 'source = "asam-2025"'),
                       "sources[fda-dsc-2020]: is cited by no red flag or check-in item"),
    "alias as a string": (broken('aliases = ["delirium"', 'aliases = "delirium" #['),
                          "red_flags[delirium].aliases: expected an array of strings, got string"),
    "alias of another flag": (broken('"hearing voices"]', '"hearing voices", "fit"]'),
                              "red_flags[hallucinations]: 'fit' already names red flag 'seizures'"),
    "duplicate item": (broken('id = "tremor"', 'id = "anxiety"'),
                       "checkin_items[anxiety].id: duplicate id 'anxiety'"),
    "item id not an id": (broken('id = "tremor"', 'id = "Tremor!"'),
                          "checkin_items[Tremor!].id: 'Tremor!' is not an id"),
    "item without source": (broken('hands."\nsource = "asam-2025"', 'hands."'),
                            "checkin_items[tremor].source: missing field"),
    "item description two lines": (broken('description = "Shaking or trembling, for example of the hands."',
                                          'description = """Shaking or\ntrembling."""'),
                                   "checkin_items[tremor].description: must be one line"),
    "scale of one": (broken('scale = ["none", "mild", "moderate", "severe"]', 'scale = ["none"]'),
                     "checkin.scale: expected at least two distinct rating words"),
    "scale as a string": (broken('scale = ["none", "mild", "moderate", "severe"]', 'scale = "0-3"'),
                          "checkin.scale: expected an array of rating words, none first, got string '0-3'"),
    "rise as a string": (broken("rise_points = 4", 'rise_points = "4"'),
                         "trend.rise_points: expected an integer, got string '4'"),
    "rise zero": (broken("rise_points = 4", "rise_points = 0"), "trend.rise_points: 0 is not between 1 and 42"),
    "rise above every item severe": (broken("rise_points = 4", "rise_points = 43"),
                                     "trend.rise_points: 43 is not between 1 and 42"),
    "no check-ins": (broken("min_checkins = 2", "min_checkins = 0"), "trend.min_checkins: must be at least 1, got 0"),
    "severe item off the scale": (broken("severe_item = 3", "severe_item = 4"),
                                  "trend.severe_item: 4 is not a rating from 1 to 3 (mild, moderate, severe)"),
    "unknown trend field": (broken("severe_item = 3", "severe_item = 3\nrise_percent = 10"),
                            "trend.rise_percent: unknown field"),
    "quote from a copyrighted source": (broken('note = "Table 3', 'quote = "Clinicians should"\nnote = "Table 3'),
                                        "sources[asam-2025].quote: only a public-domain source is quoted"),
    "source without url or doi": (re.sub(r'url = "https://www.fda.gov[^"]*"\n', "", TEXT),
                                  "sources[fda-dsc-2020]: needs a url or a doi"),
    "source url not https": (broken('url = "https://www.fda.gov', 'url = "http://www.fda.gov'),
                             "sources[fda-dsc-2020].url: 'http://www.fda.gov"),
    "doi with its address": (broken('doi = "10.1007', 'doi = "https://doi.org/10.1007'),
                             "sources[asam-2025].doi: 'https://doi.org/10.1007/s11606-025-09499-2' is not a DOI"),
    "date outside its year": (broken('date = "2020-09-23"', 'date = "2021-09-23"'),
                              "sources[fda-dsc-2020].date: 2021-09-23 is not in the year 2020"),
    "year as a string": (broken("year = 2020", 'year = "2020"'),
                         "sources[fda-dsc-2020].year: expected an integer, got string '2020'"),
    "not toml": (broken("[checkin]", "[checkin"), "not valid TOML"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_file(case: str) -> None:
    text, expected = BROKEN[case]
    with pytest.raises(MonographError) as info:
        parse_withdrawal(text, SOURCE)
    message = info.value.message
    assert message.startswith(f"{SOURCE}: "), message
    assert expected in message, message
    assert info.value.exit_code == 4


MONOGRAPH_TEXT = (DATA / "flunitrazepam.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old,new,expected", [
    ('withdrawal = "benzodiazepine-withdrawal"\n', "", "drug.withdrawal: missing field"),
    ('withdrawal = "benzodiazepine-withdrawal"', 'withdrawal = "../benzo"',
     "drug.withdrawal: '../benzo' is not a file id"),
])
def test_the_monograph_must_name_its_withdrawal_file(old: str, new: str, expected: str) -> None:
    assert old in MONOGRAPH_TEXT
    with pytest.raises(MonographError, match=re.escape(expected)):
        parse_monograph(MONOGRAPH_TEXT.replace(old, new), "flunitrazepam.toml")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A data folder of its own; the loaders' caches are emptied before and after."""
    from medtrack import monograph as monograph_module

    (tmp_path / "flunitrazepam.toml").write_text(MONOGRAPH_TEXT, encoding="utf-8")
    monkeypatch.setattr(monograph_module, "_monograph_dir", lambda: tmp_path)
    monkeypatch.setattr(withdrawal_module, "_monograph_dir", lambda: tmp_path)
    load_monograph.cache_clear()
    load_withdrawal.cache_clear()
    yield tmp_path
    load_monograph.cache_clear()
    load_withdrawal.cache_clear()


def test_a_missing_withdrawal_file_is_named(data_dir: Path) -> None:
    with pytest.raises(MonographError, match=r"^flunitrazepam\.toml: drug\.withdrawal: benzodiazepine-withdrawal"
                                             r"\.toml is not in the medtrack data$"):
        load_withdrawal()


def test_a_red_flag_word_that_names_a_side_effect_is_refused(data_dir: Path) -> None:
    (data_dir / SOURCE).write_text(broken('"hearing voices"]', '"hearing voices", "Low blood pressure"]'),
                                   encoding="utf-8")
    with pytest.raises(MonographError, match=r"^benzodiazepine-withdrawal\.toml: red_flags\[hallucinations\]: "
                                             r"'Low blood pressure' already names side effect 'hypotension'"):
        load_withdrawal()


def test_the_loader_reports_a_broken_file(data_dir: Path) -> None:
    (data_dir / SOURCE).write_text(broken("severe_item = 3", "severe_item = 9"), encoding="utf-8")
    with pytest.raises(MonographError, match=r"^benzodiazepine-withdrawal\.toml: trend\.severe_item: 9 "):
        load_withdrawal()


@pytest.mark.slow
def test_the_withdrawal_type_is_what_load_returns() -> None:
    assert isinstance(load_withdrawal(), Withdrawal)
