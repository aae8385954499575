"""The examples in README.md and docs/*.md are true: what a reader types, top to bottom, does
what it says.

Each document is a story of its own. `test_each_document_runs_in_order[README.md]`,
`[docs/patient.md]`, ... run every line of that document's ```sh blocks, in order, on a fresh
database in a temporary folder of its own, with the clock fixed at the story's evening. Every
document with examples names that `MEDTRACK_NOW` and asks the reader to replay it on an empty
database, so a document that needs a patient starts with its own `medtrack init ...` line, and a
reader who opens only that document can follow it. A line must exit 0, unless its comment begins
with "refused": then it must exit 2 or 3 (and the code its comment names, if it names one, as in
"refused (exit 3): ..."). A refusal that no longer happens fails too. ("refused" later in a
comment, as in "tonight's dose; refused if a rule says no", describes the command and marks
nothing.) Exit 2, 3 or 4 must come with one line on stderr starting "medtrack:", and no line
may print a traceback.

How a document is read, and what stands in for the reader's shell:
- The set-up blocks (those with `python3 -m venv`) are not run: they install medtrack, and
  `.ci/run` runs the test one exactly as written. Other fences (```text: a server admin's
  commands) are not run either.
- A line ending in `\\` continues on the next. A `#` outside quotes starts a comment; a line
  that is only a comment is skipped.
- A line is split like the shell splits it (shlex). Leading `NAME=value` words set that
  variable for the one command. `| less` (or another pager) is dropped: the output is captured
  instead. Anything else shell-like (`;`, `&&`, `>`, ...) fails the test, which runs one
  `medtrack` command per line.
- A line that opens the screen (`medtrack` with no command, `medtrack tui`, `--demo`, as the
  parser reads it) is not run: the screen needs a terminal, which a test does not have (run, it
  would only say so and exit 2). tests/tui drives the screen itself.
- Nothing outside the temporary folder is touched: HOME is a folder in it and `~/` is expanded to
  it, as the shell would; an absolute `/tmp/` path is moved into it; the commands run with it as
  the working folder, so relative export paths land there. TZ is UTC and no MEDTRACK_ variable
  of the machine leaks in (so whoever enters a record is the login, as for a reader).

How a line is run: in-process, through `medtrack.cli.main(argv)`, the function the installed
`medtrack` script calls, as tests/conftest.py's `run` does. Its environment (the base above
plus the line's `NAME=value` words) is set with monkeypatch for that line alone, stdout and
stderr are captured with capsys, and every Database the line opened is disposed after it, as
the end of a process would close it (so the SQLite files are closed before the next line, e.g.
a `restore` that replaces the file). Where a call differs from a process: stdin is pytest's
(no terminal, and reading it fails), which no command line here needs, since the one kind of
line that asks for a terminal, the screen's, is not run; argparse's own exits (`--help`) are
caught and count as the code they exit with; and a module-level cache outlives the line, which
changes no outcome (the monograph, the fonts).
Exactly one line runs as a real process: the README's first, through the installed `medtrack`
script beside this Python (else `python -m medtrack`), so the entry point itself stays tested;
the README's story goes on in-process on the database that process made. The PIN's scrypt hash
is remembered for the same PIN and salt (a pure function: no outcome changes, only seconds).
The stories still take some 10 s of CPU in all (the PDFs, the PIN, that one process), so they
are marked slow; the checks of how the documents are read and of the inline commands are not.

`test_commands_in_the_prose_parse` checks the inline `medtrack ...` examples in the text of the
README and of each document (not run: one opens the screen) against the real command line
parser.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from medtrack.errors import BadInput

ROOT = Path(__file__).resolve().parents[2]
# The README first, then the guides, each a story of its own.
DOCUMENTS = ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]
TEXTS = {name: (ROOT / name).read_text(encoding="utf-8") for name in DOCUMENTS}
README = TEXTS["README.md"]
# The guides that must show their commands at work (docs/benchmark.md shows figures only).
STORIES = ["README.md", "docs/patient.md", "docs/prescriber.md", "docs/ward.md", "docs/exports.md"]

# The evening every story is set on (each document names the same `MEDTRACK_NOW`: keep them so).
NOW = "2026-11-26T22:40-05:00"

SETUP_MARK = "python3 -m venv"
PAGERS = {"less", "more", "head"}
SHELL_OPERATORS = {";", "&&", "||", "&", ">", ">>", "<", "2>", "2>&1", "|&"}
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
EXIT_NAMED = re.compile(r"\bexit (\d)\b")
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
ANY_FENCE = re.compile(r"^```[^\n]*\n.*?^```", re.MULTILINE | re.DOTALL)
INLINE_COMMAND = re.compile(r"`((?:\.venv/bin/)?medtrack(?:\s[^`]*)?)`")


@dataclass(frozen=True)
class Example:
    number: int  # the line of the document it starts on
    command: str
    comment: str
    document: str = "README.md"

    @property
    def refused(self) -> bool:
        return self.comment.lower().startswith("refused")

    def __str__(self) -> str:
        return f"{self.document}:{self.number}: {self.command}" + (f"   # {self.comment}" if self.comment else "")


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


def examples(text: str = README, document: str = "README.md") -> list[Example]:
    """Every command line of a document's ```sh blocks but the set-up ones, in order."""
    found: list[Example] = []
    for block in SH_BLOCK.finditer(text):
        body = block.group(1)
        if SETUP_MARK in body:
            continue
        first = text.count("\n", 0, block.start(1)) + 1
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
                found.append(Example(start, command, comment, document))
    return found


def medtrack() -> list[str]:
    """The installed entry point beside this Python (the venv's), else the module."""
    script = Path(sys.executable).with_name("medtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "medtrack"]


def argv_and_env(example: Example, home: Path, scratch: Path) -> tuple[list[str], dict[str, str]]:
    """What the shell would run: the arguments after `medtrack` (and the `NAME=value` prefixes
    before it), up to a pager."""

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
    return [local(w) for w in words[1:]], env


def opens_the_screen(argv: list[str]) -> bool:
    """Whether `medtrack ARGV` opens the screen rather than running a command (as main decides).
    A line that does not parse, or asks for --help, opens nothing: run, it says so itself."""
    from medtrack.cli.parser import build_parser

    try:
        args = build_parser().parse_args(argv)
    except (SystemExit, BadInput):
        return False
    return getattr(args, "handler", None) is None or bool(args.demo)


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class Story:
    """One document's shell: a temporary folder, a database, a fixed clock; runs its lines."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        from medtrack.storage.database import Database

        self.home, self.scratch, self.work = folder / "home", folder / "tmp", folder / "work"
        for each in (self.home, self.scratch, self.work):
            each.mkdir()
        self.monkeypatch, self.capsys = monkeypatch, capsys
        self.base = {"HOME": str(self.home), "XDG_DATA_HOME": str(self.home / ".local" / "share"),
                     "XDG_CONFIG_HOME": str(self.home / ".config"), "TZ": "UTC",
                     "MEDTRACK_DB": str(folder / "story.db"), "MEDTRACK_NOW": NOW}
        for name in list(os.environ):
            if name.startswith("MEDTRACK_"):
                monkeypatch.delenv(name)
        for name, value in self.base.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(self.work)
        self.opened: list[Any] = []  # the Database objects the current line made
        opened, original_init = self.opened, Database.__init__

        def tracking_init(database: Database, *args: Any, **kwargs: Any) -> None:
            opened.append(database)
            original_init(database, *args, **kwargs)

        monkeypatch.setattr(Database, "__init__", tracking_init)
        # The PIN's hash is slow on purpose (scrypt, about half a second a call), and a story
        # checks the same PIN against the same salt again and again. scrypt is a pure function:
        # remembering its answers changes no outcome, only the seconds a story takes.
        monkeypatch.setattr(hashlib, "scrypt", functools.lru_cache(maxsize=None)(hashlib.scrypt))

    def close(self) -> None:
        """Dispose of the engines the last line opened, as the end of its process would."""
        for database in self.opened:
            if hasattr(database, "engine"):
                database.dispose()
        self.opened.clear()

    def in_process(self, argv: list[str], env: dict[str, str]) -> Outcome:
        from medtrack.cli import main

        with self.monkeypatch.context() as line:
            for name, value in env.items():
                line.setenv(name, value)
            self.capsys.readouterr()  # drop anything printed before this line
            try:
                code = main(argv)
            except SystemExit as exit_:  # argparse's own exits (--help, --version)
                code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
            finally:
                self.close()
            captured = self.capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def as_a_process(self, argv: list[str], env: dict[str, str]) -> Outcome:
        """The installed `medtrack` script, a real process, in the same environment."""
        full = {k: v for k, v in os.environ.items() if not k.startswith("MEDTRACK_")}
        full.update(self.base)
        full.update(env)
        res = subprocess.run(medtrack() + argv, cwd=self.work, env=full, capture_output=True,
                             text=True, timeout=60, check=False)
        return Outcome(res.returncode, res.stdout, res.stderr)

    def check(self, example: Example, *, real_process: bool = False) -> str | None:
        """Run one line; what is wrong with its outcome, or None."""
        argv, env = argv_and_env(example, self.home, self.scratch)
        if opens_the_screen(argv):
            return None if not example.refused else f"{example}\n  opens the screen: it is not run, so not refused"
        res = (self.as_a_process if real_process else self.in_process)(argv, env)
        named = EXIT_NAMED.search(example.comment)
        if example.refused:
            wrong = res.code not in (2, 3) or bool(named and res.code != int(named.group(1)))
        else:
            wrong = res.code != 0
        lines = res.err.splitlines()
        one_line = res.code not in (2, 3, 4) or (len(lines) == 1 and lines[0].startswith("medtrack: "))
        if wrong or not one_line or "Traceback" in res.err:
            expected = "a refusal (2 or 3)" if example.refused else "0"
            how = " (the installed command, a real process)" if real_process else ""
            return (f"{example}\n  exit {res.code}{how}, expected {expected}"
                    f"{'' if one_line else ', with one line on stderr'}; stderr: {res.err.strip() or '-'}")
        return None


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Story]:
    shell = Story(tmp_path, monkeypatch, capsys)
    yield shell
    shell.close()


def test_every_story_names_the_story_clock() -> None:
    for name in STORIES:
        assert name in DOCUMENTS, f"{name} is missing"
        assert f"MEDTRACK_NOW={NOW}" in TEXTS[name], name
        assert examples(TEXTS[name], name), f"{name} has no examples"


def test_the_examples_are_read_as_the_documents_show_them() -> None:
    sample = ('```sh\npython3 -m venv .venv && .venv/bin/medtrack\n```\n'
              '```sh\n# a comment line\nmedtrack log 1mg --note "a # in quotes"   # refused (exit 3)\n'
              'medtrack taper set --from 1mg \\\n    --prescriber "Dr. W"\n```\n')
    assert examples(sample) == [
        Example(6, 'medtrack log 1mg --note "a # in quotes"', "refused (exit 3)"),
        Example(7, 'medtrack taper set --from 1mg --prescriber "Dr. W"', ""),
    ]
    assert examples()[0].command.startswith("medtrack init ")
    assert opens_the_screen([]) and opens_the_screen(["tui"]) and opens_the_screen(["--demo"])
    assert not opens_the_screen(["--patient", "2", "status"])
    assert not opens_the_screen(["--help"]) and not opens_the_screen(["log", "--no-such-option"])


@pytest.mark.slow  # whole stories: about 10 s of CPU in all (PDFs, the PIN's hash, one process)
@pytest.mark.parametrize("document", [name for name in DOCUMENTS if examples(TEXTS[name], name)])
def test_each_document_runs_in_order(document: str, story: Story) -> None:
    lines = examples(TEXTS[document], document)
    failures = []
    for number, example in enumerate(lines):
        # The README's first line runs as a real process: the installed entry point stays tested.
        wrong = story.check(example, real_process=document == "README.md" and number == 0)
        if wrong:
            failures.append(wrong)
    assert not failures, f"examples in {document} that are not true:\n" + "\n".join(failures)


def prose_commands(text: str = README) -> list[str]:
    """The inline examples: a command with its arguments. A bare name (`medtrack export`) is a
    mention, and a span with `…` or `a|b` is a pattern; neither is a command line to try."""
    text = ANY_FENCE.sub("", text)
    spans = [" ".join(m.group(1).split()) for m in INLINE_COMMAND.finditer(text)]

    def is_example(span: str) -> bool:
        words = shlex.split(span)
        return "…" not in span and "|" not in span and (len(words) > 2 or words[-1].startswith("-"))

    return [s for s in spans if is_example(s)]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_commands_in_the_prose_parse(document: str) -> None:
    from medtrack.cli.parser import build_parser

    commands = prose_commands(TEXTS[document])
    if document == "README.md":
        assert ".venv/bin/medtrack --demo" in commands
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command)[1:])
        except SystemExit as exc:  # `medtrack --help` prints the help and exits 0
            if exc.code not in (0, None):
                pytest.fail(f"{document}: `{command}` is not a valid command line (exit {exc.code})")
        except BadInput as exc:
            pytest.fail(f"{document}: `{command}` is not a valid command line ({exc})")
