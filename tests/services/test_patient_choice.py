"""Choosing a patient from what was typed (--patient / MEDTRACK_PATIENT): whatever the text, the
answer is one patient or one clear bad-input message, never another patient by accident."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.core.model import Patient
from medtrack.errors import BadInput
from medtrack.storage.database import choose_patient

WARD = [Patient(1, "5f0c7d1e-9a4b-4c2d-8e6f-000000000001", "Ada Muster"),
        Patient(2, "5f0c7d1e-9a4b-4c2d-8e6f-000000000002", "Bruno Beispiel"),
        Patient(3, "5f0c7d1e-9a4b-4c2d-8e6f-000000000003", "ada  muster"),
        Patient(4, "5f0c7d1e-9a4b-4c2d-8e6f-000000000004", None)]


@given(st.text(max_size=40))
@pytest.mark.slow
def test_any_text_gives_one_patient_or_bad_input(text):
    try:
        chosen = choose_patient(WARD, text)
    except BadInput as error:
        assert "patient" in error.message
        return
    assert chosen in WARD
    wanted = text.strip()
    assert (str(chosen.id) == wanted.lstrip("0") or chosen.uuid == wanted.lower()
            or " ".join((chosen.name or "").split()).casefold() == " ".join(wanted.split()).casefold())


@given(st.sampled_from(WARD), st.sampled_from(["{}", " {} ", "{:03d}"]))
def test_a_number_always_finds_its_patient(patient, shape):
    assert choose_patient(WARD, shape.format(patient.id)) == patient


def test_two_patients_of_one_name_need_the_number():
    with pytest.raises(BadInput, match=r"2 patients are named 'ADA MUSTER' \(numbers 1, 3\)"):
        choose_patient(WARD, "ADA MUSTER")


@pytest.mark.parametrize("count", [0, 1])
def test_no_choice_is_the_only_patient_or_none(count):
    assert choose_patient(WARD[:count], None) == (WARD[0] if count else None)
    with pytest.raises(BadInput, match="holds 4 patients"):
        choose_patient(WARD, None)
