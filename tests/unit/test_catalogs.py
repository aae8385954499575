"""The message catalogs (src/medtrack/locale) and choosing the language (medtrack.i18n)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from medtrack import i18n

LOCALE = Path(i18n.__file__).with_name("locale")
TRANSLATED = [language for language in i18n.SUPPORTED if language != "en"]
BRACES = re.compile(r"\{[a-z_]*\}")
PERCENT = re.compile(r"%(?:\([a-z_]+\))?[sdr%]")


def catalog(language: str) -> Catalog:
    with open(LOCALE / language / "LC_MESSAGES" / "medtrack.po", "rb") as file:
        return read_po(file, locale=language)


def messages(language: str) -> list[Message]:
    return [m for m in catalog(language) if m.id]


def forms(message: Message) -> list[str]:
    """The translation's forms (one, or one per plural form)."""
    text = message.string
    return [str(t) for t in text] if isinstance(text, (tuple, list)) else [str(text or "")]


def ids(message: Message) -> list[str]:
    """The message (and its plural)."""
    return [str(t) for t in message.id] if isinstance(message.id, (tuple, list)) else [str(message.id)]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_has_a_translation_that_is_not_fuzzy(language: str) -> None:
    missing = [ids(m)[0] for m in messages(language) if m.fuzzy or not all(form.strip() for form in forms(m))]
    assert not missing, f"{language}: {len(missing)} untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_message(language: str) -> None:
    wrong = []
    for message in messages(language):
        wanted = sorted(BRACES.findall(ids(message)[-1])), sorted(PERCENT.findall(ids(message)[-1]))
        for form in forms(message):
            if form and (sorted(BRACES.findall(form)), sorted(PERCENT.findall(form))) != wanted:
                wrong.append((ids(message)[0], form))
    assert not wrong, f"{language}: placeholders differ in {wrong[:3]}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_shipped_mo_file_is_the_po_file_compiled(language: str) -> None:
    """`bash tests/catalogs.sh compile` was run after the last change to the .po file."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog(language))
    shipped = (LOCALE / language / "LC_MESSAGES" / "medtrack.mo").read_bytes()
    assert shipped == compiled.getvalue(), f"run: bash tests/catalogs.sh compile ({language})"


def test_the_template_and_every_catalog_hold_the_same_messages() -> None:
    with open(LOCALE / "medtrack.pot", "rb") as file:
        template = {ids(m)[0] for m in read_po(file) if m.id}
    for language in TRANSLATED:
        assert {ids(m)[0] for m in messages(language)} == template, language


# -- choosing the language --------------------------------------------------------------------

@pytest.mark.parametrize(("env", "expected"), [
    ({}, ("en", "en")),
    ({"LANG": "de_DE.UTF-8"}, ("de", "de_DE")),
    ({"LANG": "de_AT.UTF-8"}, ("de", "de_AT")),
    ({"LANG": "ja_JP.UTF-8"}, ("ja", "ja_JP")),
    ({"LANG": "fr_FR.UTF-8"}, ("en", "en")),
    ({"LANG": "C.UTF-8"}, ("en", "en")),
    ({"LANG": "de_DE.UTF-8", "LC_ALL": "ja_JP.UTF-8"}, ("ja", "ja_JP")),
    ({"LANG": "ja_JP.UTF-8", "LC_MESSAGES": "de_DE.UTF-8"}, ("de", "de_DE")),
    ({"LANG": "de_DE.UTF-8", "LC_ALL": "fr_FR.UTF-8"}, ("en", "en")),  # the first set one decides
    ({"LANGUAGE": "fr:de", "LANG": "ja_JP.UTF-8"}, ("de", "de_DE")),
    ({"LANGUAGE": "de", "LANG": "en_US.UTF-8"}, ("de", "de_DE")),
    ({"LANGUAGE": "", "LANG": "de_DE"}, ("de", "de_DE")),
])
def test_the_environment_chooses_as_gettext_reads_it(env: dict[str, str], expected: tuple[str, str]) -> None:
    assert i18n.from_environment(env) == expected


def test_the_profiles_language_beats_the_environment() -> None:
    assert i18n.choose("de", {"LANG": "ja_JP.UTF-8"}) == ("de", "de_DE")
    assert i18n.choose("de", {"LANG": "de_AT.UTF-8"}) == ("de", "de_AT")  # the region still counts
    assert i18n.choose("", {"LANG": "ja_JP.UTF-8"}) == ("ja", "ja_JP")
    assert i18n.choose(None, {}) == ("en", "en")


@given(st.dictionaries(st.sampled_from(i18n.ENVIRONMENT), st.text(max_size=20)))
def test_property_any_environment_gives_a_supported_language(env: dict[str, str]) -> None:
    language, locale = i18n.from_environment(env)
    assert language in i18n.SUPPORTED
    assert locale == "en" or locale.split("_")[0].lower() == language


def test_numbers_take_the_languages_decimal_sign() -> None:
    from medtrack.core.units import format_mg

    try:
        i18n.use("de", "de_DE")
        assert format_mg(500) == "0,5 mg" and format_mg(1250) == "1,25 mg" and format_mg(2000) == "2 mg"
        i18n.use("ja", "ja_JP")
        assert format_mg(500) == "0.5 mg"
        i18n.use("de", "es_MX")  # a region's own sign (Mexico writes a point)
        assert format_mg(500) == "0.5 mg"
    finally:
        i18n.use("en")
    assert format_mg(500) == "0.5 mg"
