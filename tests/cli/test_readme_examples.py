"""The README's examples are true: what a new user types, top to bottom, does what it says.

`test_the_readme_story_runs_in_order` runs every line of the README's ```sh blocks, in order,
through the installed `medtrack` entry point (a real process each, as a user runs it) on one
fresh database with the clock fixed at the story's evening (the README names the same
`MEDTRACK_NOW`). A line must exit 0, unless its comment begins with "refused": then it must
exit 2 or 3 (and the code its comment names, if it names one, as in "refused (exit 3): ...").
A refusal that no longer happens fails too. ("refused" later in a comment, as in "tonight's
dose; refused if a rule says no", describes the command and marks nothing.)

How the README is read, and what stands in for the user's shell:
- The set-up blocks (those with `python3 -m venv`) are not run: they install medtrack, and
  `.ci/run` runs the test one exactly as written.
- A line ending in `\\` continues on the next. A `#` outside quotes starts a comment; a line
  that is only a comment is skipped.
- A line is split like the shell splits it (shlex). Leading `NAME=value` words set that
  variable for the one command. `| less` (or another pager) is dropped: the output is captured
  instead. Anything else shell-like (`;`, `&&`, `>`, ...) fails the test, which runs one
  `medtrack` command per line.
- Nothing outside a temporary folder is touched: HOME is a folder in it and `~/` is expanded to
  it, as the shell would; an absolute `/tmp/` path is moved into it; the commands run with it as
  the working folder, so relative export paths land there.

`test_commands_in_the_prose_parse` checks the inline `medtrack ...` examples in the README's
text (not run: one opens the screen) against the real command line parser.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from medtrack.errors import BadInput

pytestmark = pytest.mark.slow  # one process per README line

README_PATH = Path(__file__).resolve().parents[2] / "README.md"
README = README_PATH.read_text(encoding="utf-8")

# The evening the README's story is set on (the README says so: keep the two the same).
NOW = "2026-11-26T22:40-05:00"

SETUP_MARK = "python3 -m venv"
PAGERS = {"less", "more", "head"}
SHELL_OPERATORS = {";", "&&", "||", "&", ">", ">>", "<", "2>", "2>&1", "|&"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
EXIT_NAMED = re.compile(r"\bexit (\d)\b")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
INLINE_COMMAND = re.compile(r"`((?:\.venv/bin/)?medtrack(?:\s[^`]*)?)`")


@dataclass(frozen=True)
class Example:
    number: int  # the README line it starts on
    command: str
    comment: str

    @property
    def refused(self) -> bool:
        return self.comment.lower().startswith("refused")

    def __str__(self) -> str:
        return f"README.md:{self.number}: {self.command}" + (f"   # {self.comment}" if self.comment else "")


def split_comment(line: str) -> tuple[str, str]:
    """The command and its trailing `# comment`; a `#` inside quotes or a word is no comment."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def examples(readme: str = README) -> list[Example]:
    """Every command line of the README's ```sh blocks but the set-up ones, in order."""
    found: list[Example] = []
    for block in SH_BLOCK.finditer(readme):
        body = block.group(1)
        if SETUP_MARK in body:
            continue
        first = readme.count("\n", 0, block.start(1)) + 1
        pending, start = "", 0
        for offset, raw in enumerate(body.splitlines()):
            if not pending:
                start = first + offset
            if raw.rstrip().endswith("\\"):
                pending += raw.rstrip()[:-1] + " "
                continue
            command, comment = split_comment(pending + raw)
            pending = ""
            command = " ".join(command.split())
            if command:
                found.append(Example(start, command, comment))
    return found


def medtrack() -> list[str]:
    """The installed entry point beside this Python (the venv's), else the module."""
    script = Path(sys.executable).with_name("medtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "medtrack"]


def argv_and_env(example: Example, home: Path, scratch: Path) -> tuple[list[str], dict[str, str]]:
    """What the shell would run: the words after `NAME=value` prefixes, up to a pager."""

    def local(word: str) -> str:
        if word.startswith("~/"):
            return str(home / word[2:])
        return str(scratch / word[len("/tmp/"):]) if word.startswith("/tmp/") else word

    words = shlex.split(example.command)
    if "|" in words:
        cut = words.index("|")
        assert words[cut + 1:] and words[cut + 1] in PAGERS and "|" not in words[cut + 1:], (
            f"{example}\n  only `| pager` is understood after a command")
        words = words[:cut]
    assert not SHELL_OPERATORS & set(words), f"{example}\n  one medtrack command per line"
    env: dict[str, str] = {}
    while words and ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = local(value)
    assert words and words[0] == "medtrack", f"{example}\n  a line of an sh block runs medtrack"
    return medtrack() + [local(w) for w in words[1:]], env


def test_the_readme_names_the_story_clock() -> None:
    assert f"MEDTRACK_NOW={NOW}" in README


def test_the_examples_are_read_as_the_readme_shows_them() -> None:
    sample = ('```sh\npython3 -m venv .venv && .venv/bin/medtrack\n```\n'
              '```sh\n# a comment line\nmedtrack log 1mg --note "a # in quotes"   # refused (exit 3)\n'
              'medtrack taper set --from 1mg \\\n    --prescriber "Dr. W"\n```\n')
    assert examples(sample) == [
        Example(6, 'medtrack log 1mg --note "a # in quotes"', "refused (exit 3)"),
        Example(7, 'medtrack taper set --from 1mg --prescriber "Dr. W"', ""),
    ]
    assert examples()[0].command.startswith("medtrack init ")


def test_the_readme_story_runs_in_order(tmp_path: Path) -> None:
    home, scratch, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for folder in (home, scratch, work):
        folder.mkdir()
    base = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
    base.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), TZ="UTC",
                MEDTRACK_DB=str(tmp_path / "story.db"), MEDTRACK_NOW=NOW)
    failures = []
    lines = examples()
    assert len(lines) > 30, "the README's examples were not found"
    for example in lines:
        argv, env = argv_and_env(example, home, scratch)
        res = subprocess.run(argv, cwd=work, env={**base, **env}, capture_output=True,
                             text=True, timeout=60, check=False)
        named = EXIT_NAMED.search(example.comment)
        if example.refused:
            wrong = res.returncode not in (2, 3) or (named and res.returncode != int(named.group(1)))
        else:
            wrong = res.returncode != 0
        if wrong or "Traceback" in res.stderr:
            expected = "a refusal (2 or 3)" if example.refused else "0"
            failures.append(f"{example}\n  exit {res.returncode}, expected {expected}; "
                            f"stderr: {res.stderr.strip() or '-'}")
    assert not failures, "README examples that are not true:\n" + "\n".join(failures)


def prose_commands() -> list[str]:
    """The inline examples: a command with its arguments. A bare name (`medtrack export`) is a
    mention, and a span with `…` or `a|b` is a pattern; neither is a command line to try."""
    text = SH_BLOCK.sub("", README)
    spans = [" ".join(m.group(1).split()) for m in INLINE_COMMAND.finditer(text)]
    def is_example(span: str) -> bool:
        words = shlex.split(span)
        return "…" not in span and "|" not in span and (len(words) > 2 or words[-1].startswith("-"))

    return [s for s in spans if is_example(s)]


def test_commands_in_the_prose_parse() -> None:
    from medtrack.cli.parser import build_parser

    commands = prose_commands()
    assert ".venv/bin/medtrack --demo" in commands
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except (SystemExit, BadInput) as exc:
            pytest.fail(f"the README's `{command}` is not a valid command line ({exc})")
