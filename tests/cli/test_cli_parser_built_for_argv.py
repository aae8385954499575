"""`build_parser(argv)` builds only the parser of the command `argv` names (none for the screen),
to start quicker; parsing `argv` with it must come out exactly as with every parser built: the
same values, the same help, the same error, for every command and for the ways of getting the
words around the command wrong."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from cli_commands import commands
from medtrack.cli.parser import COMMANDS, build_parser, commands_named
from medtrack.errors import BadInput

Outcome = tuple[str, object, str]


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> Outcome:
    """What parsing `argv` gives: the values, an error's message or an exit, and what was printed."""
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            values = parser.parse_args(argv)
        return "values", sorted(vars(values).items(), key=str), printed.getvalue()
    except BadInput as error:
        return "error", error.message, printed.getvalue()
    except SystemExit as done:
        return "exit", done.code, printed.getvalue()


WORDS = [list(c.words) for c in commands(build_parser())]
AROUND: list[tuple[list[str], list[str]]] = [
    ([], []), ([], ["--help"]), (["--db", "x.db"], ["-h"]), ([], ["--bogus"]), ([], ["x", "y"]),
    (["--patient", "2", "--by", "Y"], []), (["--db=x.db"], ["--json"]), (["--demo"], []),
    ([], ["--patient", "3"]), (["--pat", "3"], []), (["-h"], []), (["--db"], []), (["--db", "-x"], []),
    (["--version"], []), (["--"], []), ([], ["--at"]),
]
CASES = [before + words + after for words in WORDS for before, after in AROUND] + [
    [], ["nosuch"], [""], ["-5"], ["--db", "x.db"], ["--by"], ["--db", "x.db", "--demo", "--patient", "2"],
    ["log", "0.5mg", "--at", "2026-11-25 22:40", "--note", "late"], ["void", "3", "--reason", "r", "--not-taken"],
    ["taper", "set", "--prescriber", "X", "--from", "1mg"],
]


@pytest.mark.parametrize("argv", CASES, ids=[" ".join(c) or "(none)" for c in CASES])
def test_parsing_with_the_parser_built_for_argv_is_parsing_with_all(argv: list[str]) -> None:
    assert parse(build_parser(argv), argv) == parse(build_parser(), argv)


def test_only_the_named_command_is_built() -> None:
    assert commands_named(["--db", "x.db", "--patient", "2", "status", "--json"]) == ("status",)
    assert commands_named(["--db", "x.db"]) == ()  # the screen: no command's parser
    assert set(commands_named(["--help"])) == set(COMMANDS)  # in doubt: every one
    assert set(commands_named(["--pat", "2", "status"])) == set(COMMANDS)
    assert set(commands_named(["nosuch"])) == set(COMMANDS)
