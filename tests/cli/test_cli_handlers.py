"""The CLI's handlers are named by strings ("module:function") and imported only for the command
being run; these tests tie the table in parser.py to the functions both ways, so a typo or a
renamed handler fails here rather than in front of a user (exit 1, "internal error")."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import typing

import pytest

import medtrack.cli
from cli_commands import Command, commands
from medtrack.cli import handler_of
from medtrack.cli.context import Context
from medtrack.cli.parser import build_parser

COMMANDS = list(commands(build_parser()))
WITH_HANDLER = [c for c in COMMANDS if c.handler]
SCREEN = "tui_cmd:run_tui"  # what runs for no command, `tui` and --demo (medtrack.cli.main)


def is_handler(function: object) -> bool:
    """A function shaped like medtrack.cli.Handler: (argparse.Namespace, Context) -> int."""
    if not inspect.isfunction(function):
        return False
    hints = typing.get_type_hints(function)
    params = list(inspect.signature(function).parameters)
    return (len(params) == 2 and hints.get(params[0]) is argparse.Namespace
            and hints.get(params[1]) is Context and hints.get("return") is int)


def test_the_table_has_every_command() -> None:
    assert len(WITH_HANDLER) > 30
    assert {c.words for c in COMMANDS if not c.handler} == {(), ("tui",), ("db",)}


def test_a_command_without_a_handler_opens_the_screen_or_needs_an_action() -> None:
    """No command and `tui` open the screen (run_tui); `db` alone is refused by the parser."""
    for command in COMMANDS:
        if not command.handler:
            assert command.words in ((), ("tui",)) or command.needs_action, command.shown
    assert is_handler(handler_of(SCREEN))


@pytest.mark.parametrize("command", WITH_HANDLER, ids=lambda c: c.shown)
def test_each_command_names_a_handler_that_exists(command: Command) -> None:
    assert command.handler is not None
    assert re.fullmatch(r"[a-z_]+:[a-z_]+", command.handler), command.handler
    assert is_handler(handler_of(command.handler)), f"{command.shown}: {command.handler} is not a handler"


def _cli_modules() -> list[str]:
    return sorted(f"medtrack.cli.{m.name}" for m in pkgutil.iter_modules(medtrack.cli.__path__))


def test_no_handler_is_left_without_a_command() -> None:
    """Every public function in medtrack.cli shaped like a handler is named by a command (or is
    the screen's), so none is dead code that a test would still call."""
    defined = set()
    for name in _cli_modules():
        module = importlib.import_module(name)
        defined |= {f"{name.removeprefix('medtrack.cli.')}:{attr}" for attr, value in vars(module).items()
                    if not attr.startswith("_") and getattr(value, "__module__", None) == name
                    and is_handler(value)}
    named = {c.handler for c in WITH_HANDLER if c.handler} | {SCREEN}
    assert defined == named, (f"handlers no command names: {sorted(defined - named)}; "
                              f"named but not handlers: {sorted(named - defined)}")


@pytest.mark.parametrize("command", WITH_HANDLER, ids=lambda c: c.shown)
def test_each_option_is_read_where_the_command_is_handled(command: Command) -> None:
    """An option no handler reads would be accepted and silently ignored."""
    assert command.handler is not None
    module = importlib.import_module(f"medtrack.cli.{command.handler.split(':')[0]}")
    source = inspect.getsource(module)
    unread = [dest for dest in command.options
              if not re.search(rf"\bargs\.{dest}\b|getattr\(args, [\"']{dest}[\"']", source)]
    assert not unread, f"{command.shown}: {module.__name__} never reads {unread}"
