"""Dates with the names of days and months, as the screens show them: in English the forms
medtrack has always shown ("Wednesday 30 December"), elsewhere the locale's own (CLDR, through
Babel, loaded only then). Times and numbers are in medtrack.i18n (short_time, decimal).

Also the words Textual shows for keys, in English only: the names of keys ("esc", "pgup") in the
footer and the `?` panel, and the descriptions of Textual's own keys, which that panel lists under
"Other keys". They are marked here so that the catalogs hold them; the app translates them.
"""

from __future__ import annotations

import datetime as dt
import re

from medtrack.i18n import N_, locale


def _skeleton(day: dt.date, skeleton: str, *, full_weekday: bool = False) -> str:
    """`day` in the locale's pattern for a CLDR skeleton; with the weekday's full name when asked
    (CLDR's skeletons name it short, and Babel does not widen a field as ICU does)."""
    from babel.core import Locale
    from babel.dates import format_date, match_skeleton

    chosen = Locale.parse(locale())
    pattern = chosen.datetime_skeletons[match_skeleton(skeleton, chosen.datetime_skeletons)].pattern
    if full_weekday:
        pattern = re.sub("E+", "EEEE", pattern)
    return format_date(day, pattern, locale=chosen)


def long_date(day: dt.date) -> str:
    """'Wednesday 30 December' (no year): the night in Tonight's title ('Mittwoch, 30. Dezember')."""
    if locale() == "en":
        return f"{day:%A %d %B}"
    return _skeleton(day, "MMMMEd", full_weekday=True)


def day_date(day: dt.date) -> str:
    """'Wed 30 Dec 2026': the night in a screen's subtitle ('Mi., 30. Dez. 2026')."""
    if locale() == "en":
        return f"{day:%a %d %b %Y}"
    return _skeleton(day, "yMMMEd")


def month_year(day: dt.date) -> str:
    """'December 2026': the month the Calendar shows ('Dezember 2026', '2026年12月')."""
    if locale() == "en":
        return f"{day:%B %Y}"
    return _skeleton(day, "yMMMM")


def weekday(day: dt.date) -> str:
    """'Wed': a night in the week strip ('Mi.')."""
    if locale() == "en":
        return f"{day:%a}"
    from babel.dates import format_date

    return format_date(day, "EEE", locale=locale())


# Textual's own key descriptions (Textual 8.2: App, Screen, the scrolling containers and the
# widgets medtrack uses), listed by the `?` panel under "Other keys"; KeysTable translates them
# with _() as it draws them. A description missing here stays in English.
TEXTUAL_KEYS = (
    N_("Bottom"),
    N_("Copy selected text"),
    N_("Cursor down"),
    N_("Cursor left"),
    N_("Cursor right"),
    N_("Cursor up"),
    N_("Cut selected text"),
    N_("Delete all to the left"),
    N_("Delete all to the right"),
    N_("Delete character left"),
    N_("Delete character right"),
    N_("Delete left to start of word"),
    N_("Delete right to start of word"),
    N_("Dismiss menu"),
    N_("Down"),
    N_("End"),
    N_("First"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Go to end"),
    N_("Go to start"),
    N_("Home"),
    N_("Last"),
    N_("Move cursor left"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor left and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Move cursor right and select"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Next option"),
    N_("Page Down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Page Up"),
    N_("Page down"),
    N_("Page up"),
    N_("Paste text from the clipboard"),
    N_("Press button"),
    N_("Previous option"),
    N_("Quit"),
    N_("Scroll Down"),
    N_("Scroll End"),
    N_("Scroll Home"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Up"),
    N_("Select"),
    N_("Select all"),
    N_("Select line end"),
    N_("Select line start"),
    N_("Show menu"),
    N_("Submit"),
    N_("Toggle"),
    N_("Top"),
    N_("Up"),
    N_("palette"),
)

# The names Textual gives keys (textual.keys.format_key, and the modifiers), as the footer and the
# `?` panel show them; MedtrackApp.get_key_display translates them with _().
KEY_NAMES = frozenset((
    N_("esc"), N_("tab"), N_("shift"), N_("alt"), N_("super"), N_("meta"), N_("hyper"), N_("space"),
    N_("home"), N_("end"), N_("pgup"), N_("pgdn"), N_("del"), N_("insert"),
))
