"""The profile's language setting: the codes it may hold, and reading one from what a person types."""

from __future__ import annotations

import re

from medtrack.core.parse import MAX_INPUT_CHARS
from medtrack.core.units import show_input
from medtrack.errors import BadInput
from medtrack.i18n import N_, SUPPORTED, _

# The languages a profile may ask medtrack to speak: the ones it has catalogs for. The schema's
# CHECK on profile_version.language lists them too (migration 0010).
LANGUAGES = SUPPORTED
FOLLOW_ENVIRONMENT = ""  # no language asked for: the environment's, else English

# Names people write for a language, in English and in the language itself (casefolded).
_NAMES = {"auto": FOLLOW_ENVIRONMENT, "english": "en", "englisch": "en", "英語": "en",
          "deutsch": "de", "german": "de", "ドイツ語": "de",
          "japanese": "ja", "japanisch": "ja", "日本語": "ja"}
# A code with a region and a code set, as LANG writes it: de, de_DE, de-DE, de_DE.UTF-8.
_CODE_RE = re.compile(r"([a-z]{2,3})(?:[_-][a-z0-9]{2,3})?(?:\.[a-z0-9-]+)?")


def _accepted() -> str:
    """'en, de, ja, or auto', in the chosen language."""
    return _("{codes}, or auto").format(codes=", ".join(LANGUAGES))


def parse_language(text: str, *, what: str = N_("language")) -> str:
    """The language code a profile keeps, from a code ('de', 'DE', 'de_DE', 'de-DE') or a
    name ('deutsch', 'German', '日本語'); 'auto' or nothing follows the environment
    (FOLLOW_ENVIRONMENT). Any other language is refused, saying which are accepted."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    stripped = text.strip()
    if len(stripped) > MAX_INPUT_CHARS:
        raise BadInput(_("{what} {value} is too long (accepted: {accepted})").format(
            what=what, value=show_input(stripped), accepted=_accepted()))
    word = stripped.casefold()
    if not word:
        return FOLLOW_ENVIRONMENT
    if word in _NAMES:
        return _NAMES[word]
    match = _CODE_RE.fullmatch(word)
    if match is not None and match.group(1) in LANGUAGES:
        return match.group(1)
    raise BadInput(_("{what} {value} is not one medtrack speaks (accepted: {accepted})").format(
        what=what, value=show_input(stripped), accepted=_accepted()))
