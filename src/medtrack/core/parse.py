"""Strict parsers for dates, months, clock times, zones, instants, counts and sleep hours."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from medtrack.core.nights import NIGHT_STARTS, night_of
from medtrack.core.units import show_input
from medtrack.errors import BadInput
from medtrack.i18n import N_, _

MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_INPUT_CHARS = 64
MIN_SLEEP_MINUTES = 4 * 60
MAX_SLEEP_MINUTES = 12 * 60

_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
_CLOCK_RE = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_ZONE_RE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9][A-Za-z0-9_+\-]*)*")
_WHEN_RE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{2})-(?P<d>[0-9]{2})[ Tt](?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})"
    r"(?::(?P<s>[0-9]{2})(?:\.(?P<f>[0-9]{1,6}))?)?"
    r"(?P<off>[Zz]|(?P<sign>[+-])(?P<oh>[0-9]{2})(?::?(?P<om>[0-9]{2}))?)?"
)
_HOURS_RE = re.compile(r"([0-9]{1,2})(?:\.([0-9]{1,6}))?\s*(h|hr|hrs|hour|hours)?", re.IGNORECASE)


@contextmanager
def given_as(option: str) -> Iterator[None]:
    """Bad input raised inside names, as its `hint`, the command-line option the value was given
    with (e.g. "--from D"): the message names the value in words, as the screen's form does, and
    only the CLI prints the hint. A hint the error already has is kept."""
    try:
        yield
    except BadInput as error:
        if error.hint is None:
            error.hint = option
        raise


def _clean(text: str, what: str, hint: str) -> str:
    """Strip *text*; refuse it if empty or absurdly long, with *hint* saying what is accepted."""
    stripped = text.strip()
    if not stripped:
        raise BadInput(_("{what} is empty: {hint}").format(what=what, hint=hint))
    if len(stripped) > MAX_INPUT_CHARS:
        raise BadInput(_("{what} {value} is too long: {hint}").format(what=what, value=show_input(stripped), hint=hint))
    return stripped


def _check_year(year: int, what: str, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadInput(_("{what} {value}: the year must be from {first} to {last}").format(
            what=what, value=show_input(text), first=MIN_YEAR, last=MAX_YEAR))


def parse_date(text: str, *, what: str = N_("date")) -> dt.date:
    """Parse a strict YYYY-MM-DD calendar date."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    stripped = _clean(text, what, _("use YYYY-MM-DD, e.g. 2026-03-28"))
    match = _DATE_RE.fullmatch(stripped)
    if match is None:
        raise BadInput(_("{what} {value}: use YYYY-MM-DD, e.g. 2026-03-28").format(
            what=what, value=show_input(stripped)))
    year, month, day = (int(g) for g in match.groups())
    _check_year(year, what, stripped)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadInput(_("{what} {value}: no such day in the calendar (use YYYY-MM-DD)").format(
            what=what, value=show_input(stripped))) from None


def parse_month(text: str, *, what: str = N_("month")) -> tuple[int, int]:
    """Parse a strict YYYY-MM month into (year, month)."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    stripped = _clean(text, what, _("use YYYY-MM, e.g. 2026-03"))
    match = _MONTH_RE.fullmatch(stripped)
    if match is None:
        raise BadInput(_("{what} {value}: use YYYY-MM, e.g. 2026-03").format(what=what, value=show_input(stripped)))
    year, month = int(match.group(1)), int(match.group(2))
    _check_year(year, what, stripped)
    if not 1 <= month <= 12:
        raise BadInput(_("{what} {value}: the month must be 01 to 12 (use YYYY-MM)").format(
            what=what, value=show_input(stripped)))
    return year, month


def parse_clock(text: str, *, what: str = N_("time")) -> dt.time:
    """Parse a 24-hour HH:MM clock time from 00:00 to 23:59 ('7:00' is read as 07:00)."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    stripped = _clean(text, what, _("use 24-hour HH:MM, e.g. 22:30"))
    match = _CLOCK_RE.fullmatch(stripped)
    if match is None:
        raise BadInput(_("{what} {value}: use 24-hour HH:MM, e.g. 22:30").format(what=what, value=show_input(stripped)))
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise BadInput(_("{what} {value}: no such time; use 24-hour HH:MM from 00:00 to 23:59").format(
            what=what, value=show_input(stripped)))
    return dt.time(hour, minute)


def parse_zone(text: str) -> ZoneInfo:
    """Look up an IANA time zone name such as Europe/Berlin."""
    stripped = text.strip()
    hint = _("give an IANA time zone name, e.g. Europe/Berlin")
    if not stripped:
        raise BadInput(_("time zone is empty: {hint}").format(hint=hint))
    if len(stripped) > MAX_INPUT_CHARS or not _ZONE_RE.fullmatch(stripped):
        raise BadInput(_("time zone {value} is not a zone name: {hint}").format(value=show_input(stripped), hint=hint))
    try:
        return ZoneInfo(stripped)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput(_("unknown time zone {value}: {hint}").format(value=show_input(stripped), hint=hint)) from None


def _format_local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def _with_offset(naive: dt.datetime, offset: dt.timedelta | None) -> str:
    """A wall time as ISO 8601 with its UTC offset, e.g. 2026-10-25T02:30+01:00."""
    spec = "auto" if naive.second or naive.microsecond else "minutes"
    return naive.replace(tzinfo=dt.timezone(offset or dt.timedelta(0))).isoformat(timespec=spec)


def parse_when(text: str, zone: ZoneInfo, now: dt.datetime, *, what: str = N_("time")) -> dt.datetime:
    """Parse a past instant: local 'YYYY-MM-DD HH:MM' in *zone*, ISO 8601 with an offset (kept as
    given), or a bare 'HH:MM' meaning that time tonight (12:00-23:59 on the night's date,
    00:00-11:59 on the morning after).

    The result always carries a fixed ``datetime.timezone`` offset: the given one, or for local input
    the offset *zone* had at that wall time. A local time skipped by a DST change is refused, and
    so is one that came twice (the message gives both with their offsets): it is never guessed.
    Anything later than *now* (an aware datetime) is refused.
    """
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    hint = _("use HH:MM for tonight, YYYY-MM-DD HH:MM (local time in {zone}), e.g. 2026-03-28"
             " 22:30, or ISO 8601 with an offset, e.g. 2026-03-28T22:30+01:00").format(zone=zone.key)
    stripped = _clean(text, what, hint)
    if _CLOCK_RE.fullmatch(stripped):
        clock = parse_clock(stripped, what=what)
        night = night_of(now, zone)
        day = night if clock >= NIGHT_STARTS else night + dt.timedelta(days=1)
        stripped = f"{day.isoformat()} {clock:%H:%M}"
    shown = show_input(stripped)
    match = _WHEN_RE.fullmatch(stripped)
    if match is None:
        raise BadInput(_("{what} {value}: {hint}").format(what=what, value=shown, hint=hint))
    year = int(match["y"])
    _check_year(year, what, stripped)
    hour, minute, second = int(match["h"]), int(match["mi"]), int(match["s"] or 0)
    micro = int((match["f"] or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise BadInput(_("{what} {value}: no such clock time; use 24-hour HH:MM from 00:00 to 23:59").format(
            what=what, value=shown))
    try:
        naive = dt.datetime(year, int(match["mo"]), int(match["d"]), hour, minute, second, micro)
    except ValueError:
        raise BadInput(_("{what} {value}: no such day in the calendar (use YYYY-MM-DD HH:MM)").format(
            what=what, value=shown)) from None
    future = BadInput(_("{what} {value} is in the future (now is {now} {zone}); give a time up to now").format(
        what=what, value=shown, now=_format_local(now.astimezone(zone)), zone=zone.key))
    if year > now.year + 1:
        raise future  # certainly later than now; avoids offset arithmetic near the calendar's end
    if match["off"] is not None:
        if match["off"] in "Zz":
            offset = dt.timedelta(0)
        else:
            oh, om = int(match["oh"]), int(match["om"] or 0)
            if oh > 23 or om > 59:
                raise BadInput(_("{what} {value}: the UTC offset must be from -23:59 to +23:59, e.g. +01:00").format(
                    what=what, value=shown))
            offset = dt.timedelta(hours=oh, minutes=om) * (-1 if match["sign"] == "-" else 1)
        moment = naive.replace(tzinfo=dt.timezone(offset))
    else:
        local = naive.replace(tzinfo=zone)
        round_trip = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != naive:
            raise BadInput(_("{what} {value} does not exist in {zone}: the clocks skipped it for the"
                             " daylight-saving change; give a time before or after the change").format(
                what=what, value=shown, zone=zone.key))
        later = local.replace(fold=1).utcoffset()
        if later != local.utcoffset():  # the clocks went back: this wall time occurs twice
            once, again = (_with_offset(naive, o) for o in (local.utcoffset(), later))
            raise BadInput(_("{what} {value} occurs twice in {zone} (the clocks went back for the"
                             " daylight-saving change): give it with its offset, {once} for the first time or"
                             " {again} for the second").format(
                what=what, value=shown, zone=zone.key, once=once, again=again))
        # A fixed offset, not the ZoneInfo: fold-free, so ==, - and < compare instants exactly.
        local_offset = local.utcoffset()
        assert local_offset is not None  # a ZoneInfo always gives one
        moment = naive.replace(tzinfo=dt.timezone(local_offset))
    if moment.astimezone(dt.UTC) > now.astimezone(dt.UTC):
        raise future
    return moment


def parse_positive_int(text: str, *, what: str, maximum: int) -> int:
    """Parse a whole number from 1 to *maximum*, written in the digits 0-9."""
    expected = _("give a whole number from 1 to {maximum}").format(maximum=maximum)
    stripped = _clean(text, what, expected)
    if not re.fullmatch(r"[0-9]{1,18}", stripped):
        raise BadInput(_("{what} {value}: {expected}, in the digits 0-9").format(
            what=what, value=show_input(stripped), expected=expected))
    value = int(stripped)
    if not 1 <= value <= maximum:
        raise BadInput(_("{what} {value}: {expected}").format(what=what, value=show_input(stripped), expected=expected))
    return value


def parse_hours(text: str, *, what: str = N_("hours")) -> int:
    """Parse a sleep duration in hours ('7', '7.5', '7h', '7.5h') into whole minutes, 4 to 12 hours."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    accepted = _("accepted: 7, 7.5, 7h, 7.5h")
    stripped = _clean(text, what, _("give hours of sleep ({accepted})").format(accepted=accepted))
    match = _HOURS_RE.fullmatch(stripped)
    if match is None:
        hint = _("use a point for decimals") if "," in stripped else _("give a number of hours")
        if ":" in stripped:
            hint = _("give decimal hours, e.g. 7.5 for seven and a half hours")
        raise BadInput(_("{what} {value}: {hint} ({accepted})").format(
            what=what, value=show_input(stripped), hint=hint, accepted=accepted))
    frac = (match.group(2) or "").rstrip("0")
    scale: int = 10 ** len(frac)
    frac_minutes, rest = divmod((int(frac) if frac else 0) * 60, scale)
    if rest:
        raise BadInput(_("{what} {value}: must come to a whole number of minutes ({accepted})").format(
            what=what, value=show_input(stripped), accepted=accepted))
    minutes = int(match.group(1)) * 60 + frac_minutes
    if not MIN_SLEEP_MINUTES <= minutes <= MAX_SLEEP_MINUTES:
        raise BadInput(_("{what} {value}: must be from 4 to 12 hours ({accepted})").format(
            what=what, value=show_input(stripped), accepted=accepted))
    return minutes


_EVERY_RE = re.compile(r"([0-9]{1,4})\s*(m|min|mins|minute|minutes|h|hr|hrs|hour|hours)", re.IGNORECASE)
MIN_REPEAT = dt.timedelta(minutes=5)
MAX_REPEAT = dt.timedelta(hours=6)


def parse_every(text: str, *, what: str = N_("repeat")) -> dt.timedelta:
    """Parse how often a reminder repeats ('10m', '10 min', '1h'): whole minutes or hours, from
    5 minutes (the reminder timer's step) to 6 hours."""
    what = _(what)  # a word marked N_() where it is given, in the chosen language
    accepted = _("accepted: 10m, 30 min, 1h; from 5 minutes to 6 hours")
    stripped = _clean(text, what, _("give minutes or hours ({accepted})").format(accepted=accepted))
    match = _EVERY_RE.fullmatch(stripped)
    if match is None:
        raise BadInput(_("{what} {value}: give a whole number of minutes or hours ({accepted})").format(
            what=what, value=show_input(stripped), accepted=accepted))
    count, unit = int(match.group(1)), match.group(2).lower()
    every = dt.timedelta(hours=count) if unit.startswith("h") else dt.timedelta(minutes=count)
    if not MIN_REPEAT <= every <= MAX_REPEAT:
        raise BadInput(_("{what} {value}: must be from 5 minutes to 6 hours ({accepted})").format(
            what=what, value=show_input(stripped), accepted=accepted))
    return every
