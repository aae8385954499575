"""Unit and property tests for medtrack.core.language: the profile's language setting read from
what a person types, its codes the same as the language machinery's, and no PIN for it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack import i18n
from medtrack.core.language import FOLLOW_ENVIRONMENT, LANGUAGES, parse_language
from medtrack.core.model import Profile
from medtrack.core.profile_change import loosened_limits
from medtrack.errors import BadInput
from medtrack.monograph import load_monograph

BASE = Profile(name="Ada", born=dt.date(1970, 5, 1), zone="Europe/Berlin")


def test_the_codes_are_the_language_machinerys() -> None:
    """core cannot import medtrack.i18n: its list is kept by hand, and must not drift."""
    assert LANGUAGES == i18n.SUPPORTED
    assert set(i18n.NAMES) == set(LANGUAGES)


@pytest.mark.parametrize(("text", "code"), [
    ("de", "de"), ("DE", "de"), ("de_DE", "de"), ("de-DE", "de"), ("de_AT.UTF-8", "de"),
    ("deutsch", "de"), ("Deutsch", "de"), ("german", "de"), ("GERMAN", "de"),
    ("ja", "ja"), ("ja_JP", "ja"), ("japanese", "ja"), ("日本語", "ja"),
    ("en", "en"), ("en_GB", "en"), ("English", "en"), ("english", "en"),
    ("auto", FOLLOW_ENVIRONMENT), ("AUTO", FOLLOW_ENVIRONMENT), ("", FOLLOW_ENVIRONMENT),
    ("  ", FOLLOW_ENVIRONMENT), (" de ", "de"),
])
def test_codes_and_names_are_read(text: str, code: str) -> None:
    assert parse_language(text) == code


@pytest.mark.parametrize("text", ["fr", "fr_FR", "french", "deu", "d", "de_", "de__DE", "C", "POSIX",
                                  "en:de", "de DE", "x" * 100, "de\x1b[31m"])
def test_any_other_language_is_refused_naming_what_is_accepted(text: str) -> None:
    with pytest.raises(BadInput) as info:
        parse_language(text)
    message = info.value.message
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith("language ") and "en, de, ja, or auto" in message


@given(st.text(max_size=80))
def test_property_any_text_gives_a_code_or_bad_input(text: str) -> None:
    try:
        code = parse_language(text)
    except BadInput as error:
        assert "\n" not in error.message
    else:
        assert code in (FOLLOW_ENVIRONMENT, *LANGUAGES)


@given(st.sampled_from(LANGUAGES), st.sampled_from(["", "_", "-"]), st.sampled_from(["", "XX", "jp", "419"]))
def test_property_a_supported_code_with_any_region_is_that_code(code: str, sep: str, region: str) -> None:
    text = f"{code}{sep}{region}" if sep and region else code
    assert parse_language(text.upper()) == code == parse_language(text)


@pytest.mark.parametrize("language", (FOLLOW_ENVIRONMENT, *LANGUAGES))
def test_a_language_change_loosens_no_limit(language: str) -> None:
    """Not clinical: on a locked plan it never asks for the prescriber's PIN."""
    levels = load_monograph().liver_levels
    for before in (FOLLOW_ENVIRONMENT, *LANGUAGES):
        old = dataclasses.replace(BASE, language=before)
        assert loosened_limits(old, dataclasses.replace(old, language=language), levels,
                               dt.date(2026, 11, 25)) == ()
