"""Dose amounts: parse what the user typed into integer micrograms, and format them back as mg."""

from __future__ import annotations

import re

from medtrack.errors import BadInput
from medtrack.i18n import N_, _, decimal

MAX_DOSE_UG = 100_000
"""The largest dose amount accepted anywhere (100 mg); anything above is a typo."""

MAX_INPUT_CHARS = 40
"""Longer input is refused before any matching, so absurd strings cannot hang or overflow."""

_ACCEPTED = N_("accepted: 1, 1mg, 0.5 mg, 0,5 mg, 500mcg, 500 ug")

_DOSE_RE = re.compile(
    r"(?P<int>[0-9]{1,9})(?:\.(?P<frac>[0-9]{1,12}))?\s*(?P<unit>[a-zµμ]+)?",
    re.IGNORECASE,
)
_MG_UNITS = frozenset({"mg"})
_UG_UNITS = frozenset({"mcg", "ug", "µg", "μg"})  # micro sign U+00B5 and greek mu U+03BC


def show_input(text: str, limit: int = 30) -> str:
    """Quote user input for a one-line message: control characters escaped, long text cut."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


def _bad(what: str, text: str, problem: str) -> BadInput:
    return BadInput(_("{what} {value}: {problem} ({accepted})").format(
        what=what, value=show_input(text), problem=problem, accepted=_(_ACCEPTED)))


def _diagnose(what: str, text: str) -> BadInput:
    """Explain why the stripped *text* is not a dose."""
    if any(c.isdigit() and c not in "0123456789" for c in text):
        return _bad(what, text, _("use the plain digits 0-9"))
    if text[0] in "-\u2212":
        return _bad(what, text, _("a dose cannot be negative"))
    if text[0] == "+":
        return _bad(what, text, _("write the number without a sign"))
    if re.match(r"(nan|inf)", text, re.IGNORECASE):
        return _bad(what, text, _("not a number; give an amount in mg or µg"))
    if re.fullmatch(r"[0-9]+,[0-9]{3}(,[0-9]{3})*.*", text, re.DOTALL):
        return _bad(what, text, _("no thousands separators (a comma before three digits could be one); "
                                  "write decimals as 1.5 mg or 1,5 mg"))
    if "," in text:
        return _bad(what, text, _("write decimals with one point or comma, e.g. 1.5 mg or 1,5 mg"))
    if "_" in text or "'" in text or re.search(r"[0-9]\s+[0-9]", text):
        return _bad(what, text, _("write the number as plain digits, with no separators"))
    if re.fullmatch(r"[0-9.]*[0-9][eE][-+]?[0-9]+.*", text, re.DOTALL):
        return _bad(what, text, _("write the number in full, without an exponent"))
    if re.match(r"[0-9]{10}|[0-9]*\.[0-9]{13}", text):
        return _bad(what, text, _("too many digits"))
    if text.count(".") > 1:
        return _bad(what, text, _("more than one decimal point"))
    if text[0] == "." or re.match(r"[0-9]+\.(?![0-9])", text):
        return _bad(what, text, _("write a digit on both sides of the point, e.g. 0.5 mg"))
    match = re.match(r"[0-9.]+\s*(.+)", text, re.DOTALL)
    if match:
        return _bad(what, text, _("unknown unit {unit}; use mg, mcg or ug").format(unit=show_input(match.group(1), 15)))
    return _bad(what, text, _("not a dose"))


def _decimal_comma(text: str) -> str:
    """'0,5mg' as '0.5mg': a comma is the decimal sign in German, Spanish, Italian, Portuguese...
    Never where it could be a thousands separator ('1,000 ug', '2,500'): that stays refused as
    ambiguous, since reading it the other way would record a dose a thousand times off."""
    match = re.fullmatch(r"([0-9]{1,9}),([0-9]{1,12})(\s*[a-zµμ]*)", text, re.IGNORECASE)
    if match is None or (match.group(1).lstrip("0") and len(match.group(2)) == 3):
        return text
    return f"{match.group(1)}.{match.group(2)}{match.group(3)}"


def parse_dose(text: str, *, allow_zero: bool = False, what: str = N_("dose")) -> int:
    """Parse a dose such as '1', '0.5 mg' or '500 ug' into integer micrograms (a bare number is mg)."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    stripped = text.strip()
    if not stripped:
        raise BadInput(_("{what} is empty: give an amount, e.g. 1 mg ({accepted})").format(
            what=what, accepted=_(_ACCEPTED)))
    if len(stripped) > MAX_INPUT_CHARS:
        raise _bad(what, stripped, _("too long (at most {count} characters)").format(count=MAX_INPUT_CHARS))
    match = _DOSE_RE.fullmatch(_decimal_comma(stripped))
    unit = (match.group("unit") or "mg").lower() if match else ""
    if match is None or unit not in _MG_UNITS | _UG_UNITS:
        raise _diagnose(what, stripped)
    whole = int(match.group("int"))
    frac = (match.group("frac") or "").rstrip("0")
    if unit in _MG_UNITS:
        if len(frac) > 3:
            raise _bad(what, stripped, _("finer than 1 µg (0.001 mg) is not accepted"))
        ug = whole * 1000 + (int(frac.ljust(3, "0")) if frac else 0)
    else:
        if frac:
            raise _bad(what, stripped, _("finer than 1 µg is not accepted; give whole µg"))
        ug = whole
    if ug == 0 and not allow_zero:
        raise _bad(what, stripped, _("must be more than 0"))
    if ug > MAX_DOSE_UG:
        raise _bad(what, stripped, _("above the maximum of {dose}").format(dose=format_mg(MAX_DOSE_UG)))
    return ug


def plain_mg(ug: int) -> str:
    """The mg number with a point whatever the language ('0.75'): for files that programs read."""
    mg, rest = divmod(abs(ug), 1000)
    return ("-" if ug < 0 else "") + (f"{mg}.{rest:03d}".rstrip("0") if rest else f"{mg}")


def format_mg(ug: int) -> str:
    """Format integer micrograms as mg with no trailing zeros: 750 -> '0.75 mg', 1000 -> '1 mg';
    with the decimal sign of the chosen language ('0,75 mg' in German). Always mg, never a count
    of tablets: a plural rule would misread 0.5."""
    sign = "-" if ug < 0 else ""
    mg, rest = divmod(abs(ug), 1000)
    if rest:
        return decimal(f"{sign}{mg}.{rest:03d}".rstrip("0")) + " mg"
    return f"{sign}{mg} mg"


def ug_to_mg(ug: int) -> float | int:
    """Micrograms as a JSON-friendly mg number: an int when whole (2000 -> 2), else a float (750 -> 0.75)."""
    mg, rest = divmod(ug, 1000)
    return mg if rest == 0 else ug / 1000
