"""Every command has help text with an example and is in the README (people rely on both)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from medtrack.cli.parser import KNOWN_COMMANDS, build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser([])
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_fast_path_knows_every_command() -> None:
    assert set(commands()) == KNOWN_COMMANDS


@pytest.mark.parametrize("name", sorted(KNOWN_COMMANDS))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    parser = build_parser([name])
    sub = dict(next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices)[name]
    assert sub.description and "Example:" in sub.description
    assert f"medtrack {name}" in README or (name == "tui" and "medtrack tui" in README)
