"""Every command has help text with an example and is in the README (people rely on both)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from medtrack.cli.parser import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = commands()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_and_is_in_the_readme(name: str) -> None:
    sub = COMMANDS[name]
    assert sub.description and "Example:" in sub.description
    assert f"medtrack {name}" in README or (name == "tui" and "medtrack tui" in README)


def test_profile_set_help_names_no_default_it_does_not_apply() -> None:
    """`profile set` changes only what is given: a default in its help would be a false promise."""
    help_text = COMMANDS["profile"]._subparsers._group_actions[0].choices["set"].format_help()  # type: ignore[union-attr]
    assert "--bedtime" in help_text and "--liver" in help_text
    assert "default" not in help_text
    assert "(default 22:30)" in COMMANDS["init"].format_help()


def test_the_liver_levels_and_conditions_in_the_help_come_from_the_monograph() -> None:
    from medtrack.monograph import load_monograph

    mono = load_monograph()
    helps = {a.dest: a.help or "" for a in COMMANDS["init"]._actions}
    assert helps["liver"].startswith(f"liver impairment: {', '.join(mono.liver_levels)}")
    assert helps["condition"].endswith(", ".join(mono.conditions))
