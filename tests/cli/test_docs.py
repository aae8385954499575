"""Every command has help text with an example and is in the README or a guide in docs/ (people
rely on both); the README stays a front door; every relative link in the documents leads somewhere."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from medtrack.cli.parser import build_parser

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Where a reader looks a command up: the README and the patient's, prescriber's and ward guides.
GUIDES = ["README.md", "docs/patient.md", "docs/prescriber.md", "docs/ward.md"]
DOCUMENTS = ["README.md", "CONTRIBUTING.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)
FENCE = re.compile(r"^```[^\n]*\n.*?^```", re.MULTILINE | re.DOTALL)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def commands() -> dict[str, argparse.ArgumentParser]:
    return subcommands(build_parser())


COMMANDS = commands()


GUIDE_TEXT = {name: (ROOT / name).read_text(encoding="utf-8") for name in GUIDES}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example_and_is_in_the_readme_or_a_guide(name: str) -> None:
    sub = COMMANDS[name]
    assert sub.description and "Example:" in sub.description
    assert any(f"medtrack {name}" in text for text in GUIDE_TEXT.values()), (
        f"`medtrack {name}` is in none of {', '.join(GUIDES)}")


def test_the_readme_is_a_front_door() -> None:
    """Read in five minutes (issue 23): what medtrack is, the safety notice, the set-up, a first
    night, a doctor's visit, and links to the rest."""
    assert len(README.splitlines()) < 150
    assert "**medtrack does not replace your doctor.**" in README
    for guide in ("docs/patient.md", "docs/prescriber.md", "docs/ward.md", "docs/exports.md",
                  "docs/benchmark.md", "CONTRIBUTING.md"):
        assert f"]({guide})" in README, guide


def anchors(text: str) -> set[str]:
    """The anchors GitHub makes of a document's headings (lower case, punctuation dropped,
    spaces to hyphens)."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in HEADING.findall(FENCE.sub("", text))}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_relative_link_leads_to_a_file_and_heading(document: str) -> None:
    path = ROOT / document
    text = path.read_text(encoding="utf-8")
    for target in LINK.findall(FENCE.sub("", text)):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ...
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.is_file(), f"{document}: ({target}) leads to no file"
        if anchor:
            assert anchor in anchors(linked.read_text(encoding="utf-8")), (
                f"{document}: ({target}) names no heading of {linked.relative_to(ROOT)}")


def test_profile_set_help_names_no_default_it_does_not_apply() -> None:
    """`profile set` changes only what is given: a default in its help would be a false promise."""
    help_text = subcommands(COMMANDS["profile"])["set"].format_help()
    assert "--bedtime" in help_text and "--liver" in help_text
    assert "default" not in help_text
    assert "(default 22:30)" in COMMANDS["init"].format_help()


def test_the_liver_levels_and_conditions_in_the_help_come_from_the_monograph() -> None:
    from medtrack.monograph import load_monograph

    mono = load_monograph()
    helps = {a.dest: a.help or "" for a in COMMANDS["init"]._actions}
    assert helps["liver"].startswith(f"liver impairment: {', '.join(mono.liver_levels)}")
    assert helps["condition"].endswith(", ".join(mono.conditions))


def test_ci_runs_the_readmes_test_command_exactly() -> None:
    """The README promises one command that installs and runs the tests; CI runs that line."""
    block = re.search(r"Install what the tests need and run them:\n\n```sh\n(.+)\n```", README)
    assert block is not None, "the README's set-up section lost its test command"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert block.group(1) in ci
