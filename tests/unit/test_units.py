"""Unit and property tests for medtrack.core.units: dose parsing and mg formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.units import MAX_DOSE_UG, format_mg, parse_dose, ug_to_mg
from medtrack.errors import BadInput


@pytest.mark.parametrize(
    ("text", "ug"),
    [
        ("1", 1000),
        ("1mg", 1000),
        ("1 mg", 1000),
        ("1 MG", 1000),
        ("1Mg", 1000),
        ("0.5 mg", 500),
        ("0.25", 250),
        ("0.5000 mg", 500),
        ("0.001 mg", 1),
        ("  2  ", 2000),
        ("\t1.5 mg\n", 1500),
        ("500mcg", 500),
        ("500 MCG", 500),
        ("500 ug", 500),
        ("500 UG", 500),
        ("500 \u00b5g", 500),  # micro sign
        ("500 \u03bcg", 500),  # greek small mu
        ("500\u00b5g", 500),
        ("500.0 ug", 500),
        ("1 ug", 1),
        ("100", 100_000),
        ("100 mg", 100_000),
        ("100000 ug", 100_000),
        ("007 mg", 7000),
    ],
)
def test_accepted_doses(text: str, ug: int) -> None:
    assert parse_dose(text) == ug


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0", "more than 0"),
        ("0 mg", "more than 0"),
        ("0.0", "more than 0"),
        ("0 ug", "more than 0"),
        ("-1", "negative"),
        ("-0", "negative"),
        ("-0.5 mg", "negative"),
        ("\u22121", "negative"),
        ("+1", "sign"),
        ("NaN", "number"),
        ("nan", "number"),
        ("inf", "number"),
        ("Infinity", "number"),
        ("-inf", "negative"),
        ("1e3", "exponent"),
        ("1E-3 mg", "exponent"),
        ("1_0", "separators"),
        ("1 000 ug", "separators"),
        ("1'000 ug", "separators"),
        ("1,000 ug", "no thousands separators"),
        ("1,500", "no thousands separators"),
        ("1,5,5", "one point or comma"),
        ("1,5.5 mg", "one point or comma"),
        ("1 g", "unknown unit 'g'"),
        ("1 kg", "unknown unit 'kg'"),
        ("1 tablet", "unknown unit 'tablet'"),
        ("1 mg mg", "unknown unit"),
        ("1 ng", "unknown unit"),
        ("0.0005 mg", "finer than 1"),
        ("0.0015", "finer than 1"),
        ("0.5 ug", "finer than 1"),
        ("1.5 mcg", "finer than 1"),
        ("101 mg", "maximum"),
        ("100.001 mg", "maximum"),
        ("100001 ug", "maximum"),
        ("1" * 10, "too many digits"),
        ("0." + "1" * 13, "too many digits"),
        ("1" * 500, "too long"),
        ("9" * 10_000 + " mg", "too long"),
        ("\u0661.\u0665", "digits 0-9"),  # Arabic-Indic 1.5
        ("\uff11", "digits 0-9"),  # fullwidth 1
        ("\uff11 mg", "digits 0-9"),
        ("\u00b2", "digits 0-9"),  # superscript two
        (".5", "both sides"),
        ("5.", "both sides"),
        ("1.5.5 mg", "more than one decimal point"),
        ("mg", "not a dose"),
        ("abc", "not a dose"),
    ],
)
def test_rejected_doses(text: str, fragment: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_dose(text)
    message = info.value.message
    assert fragment in message
    assert "\n" not in message
    assert "accepted" in message or "empty" in message


def test_decimal_comma_message_matches_house_style() -> None:
    with pytest.raises(BadInput) as info:
        parse_dose("1,5,5")
    assert info.value.message == (
        "dose '1,5,5': write decimals with one point or comma, e.g. 1.5 mg or 1,5 mg (accepted: 1, 1mg, "
        "0.5 mg, 0,5 mg, 500mcg, 500 ug)"
    )


@pytest.mark.parametrize(("text", "ug"), [("0,5mg", 500), ("0,5 mg", 500), ("1,5", 1500), ("0,25 MG", 250),
                                          ("0,500 mg", 500), ("15,0", 15000), ("0,125", 125)])
def test_a_decimal_comma_is_read_as_a_german_reader_writes_it(text: str, ug: int) -> None:
    assert parse_dose(text) == ug


def test_comma_is_never_read_as_thousands() -> None:
    """'1,500' is 1.5 to a German reader and 1500 to an English one: refused, never guessed."""
    for text in ("1,500", "2,000 ug", "1,000"):
        with pytest.raises(BadInput, match="thousands"):
            parse_dose(text)


def test_allow_zero() -> None:
    assert parse_dose("0", allow_zero=True) == 0
    assert parse_dose("0 mg", allow_zero=True) == 0
    assert parse_dose("0.000 ug", allow_zero=True) == 0
    with pytest.raises(BadInput):
        parse_dose("-0", allow_zero=True)


def test_what_names_the_field() -> None:
    with pytest.raises(BadInput) as info:
        parse_dose("x", what="nightly limit")
    assert info.value.message.startswith("nightly limit 'x':")


def test_message_escapes_control_characters_and_stays_one_line() -> None:
    with pytest.raises(BadInput) as info:
        parse_dose("1\nmg\x00")
    assert "\n" not in info.value.message
    assert "\x00" not in info.value.message


@pytest.mark.parametrize(
    ("ug", "text"),
    [(1000, "1 mg"), (750, "0.75 mg"), (500, "0.5 mg"), (1, "0.001 mg"), (0, "0 mg"),
     (1500, "1.5 mg"), (100_000, "100 mg"), (10, "0.01 mg"), (2250, "2.25 mg"), (-500, "-0.5 mg")],
)
def test_format_mg(ug: int, text: str) -> None:
    assert format_mg(ug) == text


@pytest.mark.parametrize(("ug", "mg"), [(1000, 1), (750, 0.75), (2000, 2), (0, 0), (1, 0.001), (1500, 1.5)])
def test_ug_to_mg(ug: int, mg: float) -> None:
    value = ug_to_mg(ug)
    assert value == mg
    assert isinstance(value, int) == (ug % 1000 == 0)


@given(st.text())
def test_parse_dose_only_raises_bad_input(text: str) -> None:
    try:
        value = parse_dose(text)
    except BadInput as error:
        assert "\n" not in error.message
    else:
        assert 1 <= value <= MAX_DOSE_UG


NEAR_MISS_DOSE = (
    r"\A[ \t]?[-+]?[0-9\u0661\uff11,._' ]{0,12}(e[0-9])?[ ]?"
    r"(mg|MCG|ug|\u00b5g|\u03bcg|g|kg|nan|inf|)[ ]?\Z"
)


@given(st.from_regex(NEAR_MISS_DOSE))
def test_parse_dose_near_misses_only_raise_bad_input(text: str) -> None:
    try:
        value = parse_dose(text, allow_zero=True)
    except BadInput as error:
        assert "\n" not in error.message
    else:
        assert 0 <= value <= MAX_DOSE_UG


@given(st.integers(min_value=1, max_value=MAX_DOSE_UG))
def test_round_trip(n: int) -> None:
    assert parse_dose(f"{n} ug") == n
    assert parse_dose(f"{n}mcg") == n
    assert parse_dose(format_mg(n)) == n
    assert parse_dose(str(ug_to_mg(n))) == n


@given(st.integers(min_value=MAX_DOSE_UG + 1, max_value=10**9 - 1))
def test_above_maximum_is_refused(n: int) -> None:
    with pytest.raises(BadInput):
        parse_dose(f"{n} ug")
