"""Formulations: parsing, the unit, which doses they make, and each dose as the patient takes it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.formulation import (
    Formulation,
    Liquid,
    Tablet,
    cannot_make,
    decode,
    parse_formulation,
    parse_liquid,
    parse_tablet,
)
from medtrack.errors import BadInput

SPLIT = Formulation(tablets=(Tablet(1000, 2), Tablet(500, 4)))
LIQUID = Formulation(liquid=Liquid(100, 100))  # 0.1 mg/ml, measured in 0.1 ml


def test_tablets_parse_with_their_split():
    assert parse_tablet("1mg:half") == Tablet(1000, 2)
    assert parse_tablet("0.5 mg : quarter") == Tablet(500, 4)
    assert parse_tablet("2mg") == Tablet(2000, 1)
    for bad in ("1mg:third", "half", "", "1mg:half:quarter", "0.001mg:quarter"):
        with pytest.raises(BadInput):
            parse_tablet(bad)


def test_a_liquid_parses_with_its_measuring_step():
    assert parse_liquid("0.1mg/ml") == Liquid(100, 100)
    assert parse_liquid("0.1 mg / ml", "0.05ml") == Liquid(100, 50)
    for bad, measure in (("0.1mg", None), ("0.1mg/l", None), ("0.1mg/ml", "0ml"),
                         ("0.1mg/ml", "abc"), ("0.001mg/ml", "0.1ml")):
        with pytest.raises(BadInput):
            parse_liquid(bad, measure)


def test_one_kind_of_formulation_at_a_time():
    with pytest.raises(BadInput, match="not more than one"):
        parse_formulation(["1mg"], "0.1mg/ml", None, None)
    with pytest.raises(BadInput, match="measuring step goes with a liquid"):
        parse_formulation([], None, "0.1ml", None)
    assert parse_formulation([], None, None, None) is None
    measured = parse_formulation([], None, None, "0.125mg")
    assert measured is not None and measured.unit_ug == 125


def test_the_unit_is_the_finest_step():
    assert SPLIT.unit_ug == 125
    assert LIQUID.unit_ug == 10
    assert Formulation(tablets=(Tablet(1000, 1), Tablet(250, 1))).unit_ug == 250
    assert Formulation(plain_ug=250).unit_ug == 250


@pytest.mark.parametrize(("dose", "words"), [
    (1000, "1 tablet of 1 mg"),
    (875, "½ tablet of 1 mg + ¾ tablet of 0.5 mg"),
    (500, "½ tablet of 1 mg"),
    (375, "¾ tablet of 0.5 mg"),
    (250, "½ tablet of 0.5 mg"),
    (125, "¼ tablet of 0.5 mg"),
    (1500, "1½ tablets of 1 mg"),
])
def test_each_dose_as_the_patient_takes_it(dose, words):
    assert SPLIT.as_taken(dose) == words


def test_a_liquid_dose_is_a_volume():
    assert LIQUID.as_taken(250) == "2.5 ml of 0.1 mg/ml"
    assert LIQUID.as_taken(1000) == "10 ml of 0.1 mg/ml"
    assert LIQUID.as_taken(50) == "0.5 ml of 0.1 mg/ml"


def test_a_dose_it_cannot_make_names_the_nearest_ones():
    whole = Formulation(tablets=(Tablet(1000, 1),))
    assert not whole.can_make(500)
    assert whole.nearest(500) == (None, 1000)
    message = cannot_make(SPLIT, 1060).message
    assert "1 mg or 1.125 mg" in message and "cannot be made" in message
    assert not LIQUID.can_make(15) and LIQUID.nearest(15) == (10, 20)


def test_tablets_used_counts_quarters():
    assert SPLIT.tablets_used(875) == {1000: (2, 4), 500: (3, 4)}
    assert SPLIT.tablets_used(500) == {1000: (2, 4)}


@given(st.sampled_from([SPLIT, LIQUID, Formulation(plain_ug=250),
                        Formulation(tablets=(Tablet(2000, 2), Tablet(1000, 4), Tablet(250, 1)))]))
def test_the_stored_text_decodes_to_the_same_formulation(formulation):
    assert decode(formulation.encode()) == formulation


@given(st.integers(1, 80).map(lambda n: n * 125))
def test_every_multiple_of_the_unit_is_made_from_the_pieces_it_names(dose):
    pieces = SPLIT.pieces(dose)
    assert sum(t.piece_ug * n for t, n in pieces) == dose
    assert SPLIT.can_make(dose)
