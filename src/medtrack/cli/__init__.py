"""The command line: parse, call one service, print; every error class maps to one exit code here."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from medtrack import i18n
from medtrack.cli.context import Context, Handler
from medtrack.cli.parser import build_parser
from medtrack.clock import REAL_CLOCK, Clock, fixed_clock
from medtrack.errors import BadInput, MedtrackError
from medtrack.i18n import _
from medtrack.location import parse_location
from medtrack.services.text import printable


def environment(name: str) -> str | None:
    """An environment variable as text; one that is not valid UTF-8 is bad input (its bytes
    would otherwise reach the database or a file name as they came)."""
    value = os.environ.get(name)
    if value is not None and not is_utf8(value):
        raise BadInput(_("the environment variable {name} is not valid UTF-8 text: set it again in UTF-8, "
                         "or unset it").format(name=name))
    return value


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, as Python keeps them (surrogate escapes)
        return False
    return True


def clock_from_environment() -> Clock:
    """The real clock; MEDTRACK_NOW (ISO 8601 with offset) fixes it for demos and tests, and
    only a database made under a fixed clock accepts one (the database says so when opened)."""
    fixed = environment("MEDTRACK_NOW")
    if fixed:
        from medtrack.core.parse import MAX_YEAR, MIN_YEAR  # the parsers (and dateutil): only now

        try:
            value = dt.datetime.fromisoformat(fixed)
        except ValueError:
            value = None
        if value is None or value.tzinfo is None:
            raise BadInput(_("MEDTRACK_NOW '{value}' is not an ISO 8601 time with an offset "
                             "(e.g. 2026-11-25T22:40+01:00)").format(value=fixed))
        if not MIN_YEAR <= value.year <= MAX_YEAR:  # the calendar's ends overflow any night's maths
            raise BadInput(_("MEDTRACK_NOW '{value}': the year must be from {first} to {last}").format(
                value=fixed, first=MIN_YEAR, last=MAX_YEAR))
        return fixed_clock(value)
    return REAL_CLOCK


def default_db_path() -> Path:
    from platformdirs import user_data_path  # only when no --db or MEDTRACK_DB names the file

    return user_data_path("medtrack", appauthor=False) / "medtrack.db"


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        i18n.use(*i18n.from_environment())  # the profile's language, once read, may change it
        check_text(args_list)
        args = build_parser(args_list).parse_args(args_list)
        db_text = args.db if args.db is not None else environment("MEDTRACK_DB")
        if db_text is not None and not db_text.strip():
            raise BadInput(_("--db needs a file path, e.g. --db ~/medtrack.db"))
        clock = clock_from_environment()
        ctx = Context(now=clock.now(), db_path=parse_location(db_text) if db_text else default_db_path(),
                      patient=_option(args.patient, "MEDTRACK_PATIENT", _("--patient needs a number or a name")),
                      by=_option(args.by, "MEDTRACK_USER", _("--by needs the name of who is entering this")),
                      clock=clock)
        handler = getattr(args, "handler", None)
        if handler is None or args.demo:
            from medtrack.cli.tui_cmd import (
                run_tui,  # textual: never on a command's path
            )

            return run_tui(args, ctx)
        return handler_of(handler)(args, ctx)
    except MedtrackError as error:
        return report(error)
    except KeyboardInterrupt:
        sys.stderr.write("medtrack: " + _("interrupted; nothing more was written") + "\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # the last line of defence: never a traceback for a user
        if os.environ.get("MEDTRACK_DEBUG"):
            raise
        sys.stderr.write("medtrack: " + _("internal error ({kind}: {error}); nothing was written. Set "
                                          "MEDTRACK_DEBUG=1 to see details.").format(
            kind=type(error).__name__, error=error) + "\n")
        return 1


def handler_of(name: str) -> Handler:
    """The function a command's "module:function" (parser.py) names in medtrack.cli, its module
    imported only now: a command loads its own libraries and no other command's."""
    module, function = name.split(":")
    run: Handler = getattr(importlib.import_module(f"medtrack.cli.{module}"), function)
    return run


def _option(given: str | None, variable: str, empty: str) -> str | None:
    """An option, else its environment variable; an empty one is bad input, not 'the default'."""
    value = given if given is not None else environment(variable)
    if value is not None and not value.strip():
        raise BadInput(_("{problem} (it is empty)").format(problem=empty) if given is not None
                       else _("{problem} ({variable} is empty)").format(problem=empty, variable=variable))
    return " ".join(value.split()) if value is not None else None


def check_text(args: list[str]) -> None:
    """Arguments that are not valid UTF-8 (e.g. typed in a Latin-1 terminal) are bad input."""
    for arg in args:
        if not is_utf8(arg):
            shown = arg.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
            raise BadInput(_("the argument {value} is not valid UTF-8 text: set your terminal to UTF-8 and "
                             "type it again").format(value=repr(shown[:40])))


def report(error: MedtrackError) -> int:
    message = " ".join(printable(error.message).split())
    if error.hint:
        message += f" ({error.hint})"
    sys.stderr.write(f"medtrack: {message}\n")
    return error.exit_code
