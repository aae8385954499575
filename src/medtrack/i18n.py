"""The patient's language: gettext catalogs for words, Babel (CLDR) for numbers, dates and times.

One language per process, chosen before anything is shown: the profile's setting, else the
environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, the first that is set, as gettext reads them),
else English. An unsupported language gives English. `use()` sets it; `_()` translates.

English needs neither a catalog nor Babel, and loads neither: `status` in English starts as fast
as before. Messages are written with named placeholders, `_("Take {dose} now").format(dose=...)`,
never an f-string inside `_()`, so a translation can move the words around the numbers.

Safety text (limits, warnings, missed-dose words, red flags) is not in these catalogs: it comes
from the monograph's per-language files (medtrack.monograph_translations), with its review state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext as _gettext
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

SUPPORTED = ("en", "de", "ja")  # English, German, Japanese; the first is the source language
NAMES = {"en": "English", "de": "Deutsch", "ja": "日本語"}
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "medtrack"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")



class Speech(NamedTuple):
    """A language as it is spoken: its code, the CLDR locale for numbers and dates (de_DE, ja_JP,
    es_MX, ...) and its catalog."""

    language: str
    locale: str
    catalog: _gettext.NullTranslations


_process = Speech("en", "en", _gettext.NullTranslations())  # the process's language (use())
# A block's own language (speaking()), in the thread that runs the block only: a report written
# in the doctor's language never changes what the screen's other threads say meanwhile.
_block = threading.local()


def _speech() -> Speech:
    block: Speech | None = getattr(_block, "speech", None)
    return block if block is not None else _process


def _made(language: str, locale: str | None = None) -> Speech:
    if language not in SUPPORTED:
        language = "en"
    # English is written as medtrack always wrote it (22:30, 2026-11-25), whatever the region.
    if language == "en":
        return Speech("en", "en", _gettext.NullTranslations())
    return Speech(language, locale or _default_locale(language),
                  _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True))


def _split(value: str) -> tuple[str, str]:
    """('de', 'de_DE') from 'de_DE.UTF-8@euro'; ('', '') for C and POSIX."""
    name = value.split(".", 1)[0].split("@", 1)[0].strip()
    if name in ("C", "POSIX", ""):
        return "", ""
    return name.split("_", 1)[0].split("-", 1)[0].lower(), name.replace("-", "_")


def from_environment(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(language, locale) the environment asks for: the first of LANGUAGE (a colon list, its
    first supported entry), LC_ALL, LC_MESSAGES, LANG that is set; English when that one names
    no supported language (LANG=fr_FR.UTF-8 gives English, not a later variable's language)."""
    env = os.environ if env is None else env
    for variable in ENVIRONMENT:
        value = env.get(variable, "").strip()
        if not value:
            continue
        for entry in value.split(":") if variable == "LANGUAGE" else [value]:
            language, locale = _split(entry)
            if language in SUPPORTED:
                return language, locale if "_" in locale else _default_locale(language)
        if variable != "LANGUAGE" or any(_split(e)[0] for e in value.split(":")):
            return "en", "en"
    return "en", "en"


def _default_locale(language: str) -> str:
    return {"de": "de_DE", "ja": "ja_JP"}.get(language, "en")


def choose(setting: str | None, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The profile's setting (a language code, '' or None: none) beats the environment."""
    if setting:
        language = setting.lower()
        if language in SUPPORTED:
            env_language, env_locale = from_environment(env)
            return language, env_locale if env_language == language else _default_locale(language)
    return from_environment(env)


def use(language: str, locale: str | None = None) -> None:
    """Make `language` the one every later message is in (English when unsupported)."""
    global _process
    _process = _made(language, locale)
    _bind_argparse()


def use_catalog(catalog: _gettext.NullTranslations, language: str = "xx") -> None:
    """Speak from a catalog of one's own (the tests' pseudo-language: every message bracketed and
    longer, to show a word that is not translated or a label cut short). Numbers stay English."""
    global _process
    _process = Speech(language, "en", catalog)
    _bind_argparse()


def language() -> str:
    return _speech().language


def locale() -> str:
    return _speech().locale


def _(message: str) -> str:
    """The message in the chosen language (itself in English or when not translated)."""
    return _speech().catalog.gettext(message)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; `_()` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, count: int) -> str:
    return _speech().catalog.ngettext(singular, plural, count)


def _bind_argparse() -> None:
    """argparse's own words ("usage:", "show this help message and exit"...) are marked with the
    stdlib's gettext; they are in medtrack's catalogs and take its language too."""
    import argparse

    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


# -- numbers, dates and times -----------------------------------------------------------------

def decimal(text: str) -> str:
    """A decimal written with a point ('0.5') in the locale's form ('0,5' in German)."""
    if locale() == "en" or "." not in text:
        return text
    from babel.numbers import get_decimal_symbol

    return text.replace(".", get_decimal_symbol(locale()))


def short_time(moment: dt.time | dt.datetime) -> str:
    """'22:30' (the 24-hour clock medtrack has always shown; CLDR's short form elsewhere)."""
    if locale() == "en":
        return f"{moment:%H:%M}"
    from babel.dates import format_time

    return format_time(moment, format="short", locale=locale())


def medium_date(day: dt.date) -> str:
    """'2026-11-25' in English (ISO, as before); the locale's medium date elsewhere."""
    if locale() == "en":
        return day.isoformat()
    from babel.dates import format_date

    return format_date(day, format="medium", locale=locale())



def date_time(moment: dt.datetime) -> str:
    """'2026-11-25 22:30' in English; the locale's medium date and short time elsewhere."""
    return f"{medium_date(moment.date())} {short_time(moment)}"


def long_date(day: dt.date) -> str:
    """'25 November 2026' in English; the locale's long date elsewhere ('25. November 2026')."""
    if locale() == "en":
        return f"{day:%d %B %Y}"
    from babel.dates import format_date

    return format_date(day, format="long", locale=locale())


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Speak `language` for a block, in this thread only (a report written in the doctor's
    language in a worker, while the screen's other threads keep the patient's), then the language
    before it again. None, or the language already spoken, changes nothing (a catalog of one's
    own, use_catalog(), stays)."""
    if language is None or language == _speech().language:
        yield
        return
    saved = getattr(_block, "speech", None)
    _block.speech = _made(language)
    try:
        yield
    finally:
        _block.speech = saved
