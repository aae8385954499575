"""What the command parsers share: the parser class, the sub-command maker, and the option
groups several commands take (the profile, a plan change, a formulation, who and for whom)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from medtrack.errors import BadInput
from medtrack.i18n import _


class Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr and exit 2 through BadInput."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(_("{message} (see `{command} --help`)").format(message=message, command=self.prog))


def profile_options(p: argparse.ArgumentParser, *, new: bool) -> None:
    """The profile's fields; `new` (init) makes name and birth date required and names the defaults."""
    from medtrack.monograph import load_monograph  # init and profile set only

    mono = load_monograph()
    p.add_argument("--name", required=new, help=_("the patient's name"))
    p.add_argument("--born", required=new, metavar="YYYY-MM-DD", help=_("date of birth"))
    p.add_argument("--tz", metavar="ZONE", help=_("IANA time zone, e.g. Europe/Berlin")
                   + (_(" (default: the system's)") if new else ""))
    p.add_argument("--bedtime", metavar="HH:MM", help=_("usual bedtime") + (_(" (default {value})").format(
        value="22:30") if new else ""))
    p.add_argument("--wake", metavar="HH:MM", help=_("usual wake time") + (_(" (default {value})").format(
        value="06:30") if new else ""))
    p.add_argument("--liver", metavar="LEVEL", help=_("liver impairment: {levels}").format(
        levels=", ".join(mono.liver_levels)) + (_(" (default {value})").format(
        value=mono.liver_levels[0]) if new else ""))
    p.add_argument("--renal", action=argparse.BooleanOptionalAction, default=None, help=_("renal impairment"))
    p.add_argument("--pregnant", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--breastfeeding", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--condition", action="append", metavar="NAME",
                   help=_("a condition (repeatable): {conditions}").format(conditions=", ".join(mono.conditions)))
    p.add_argument("--language", metavar="LANG", help=(
        _("the language medtrack speaks to this patient: en, de, ja, or auto (as the environment "
          "says: LANGUAGE, LC_ALL, LC_MESSAGES, LANG), e.g. --language de")
        + (_(" (default {value})").format(value="auto") if new else "")))
    if not new:
        p.add_argument("--no-conditions", action="store_true", help=_("clear all conditions"))
        p.add_argument("--pin", help=_("the prescriber's PIN, when a lock is set"))


def change_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True, metavar="TEXT")
    p.add_argument("--at", metavar="DATE", help=_("the night the change starts (default tonight)"))
    p.add_argument("--prescriber", metavar="NAME", help=_("default: the plan's prescriber"))
    p.add_argument("--pin")
    p.add_argument("--json", action="store_true")


def formulation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tablet", action="append", metavar="STRENGTH[:SPLIT]",
                   help=_("a tablet strength and how it may be split: whole, half or quarter "
                        "(repeatable), e.g. --tablet 1mg:half --tablet 0.5mg:quarter"))
    p.add_argument("--liquid", metavar="D/ml", help=_("an oral liquid's strength, e.g. 0.1mg/ml"))
    p.add_argument("--measure", metavar="ML", help=_("the liquid's measuring step (default 0.1ml)"))


if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]
else:  # not subscriptable at run time; the commands' modules resolve their hints to this
    Subparsers = argparse._SubParsersAction


def who_options(p: argparse.ArgumentParser, default: object) -> None:
    """Which patient, and who is entering: before the command or after it."""
    p.add_argument("--patient", metavar="NUMBER|NAME", default=default, help=(
        _("the patient, when the database holds several (else MEDTRACK_PATIENT, or the only one)")))
    p.add_argument("--by", metavar="NAME", default=default, help=(
        _("who is entering this (else MEDTRACK_USER, or the database user)")))


def sub(subs: Subparsers, name: str, help_text: str, example: str, handler: str | None) -> Parser:
    p = subs.add_parser(name, help=help_text,
                        description=help_text + "\n\n" + _("Example: {example}").format(example=example),
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=handler)
    who_options(p, argparse.SUPPRESS)  # SUPPRESS: a value given before the command stays
    return p
