"""The command line's parser read back as a list of commands: the words, the handler, the options."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from dataclasses import dataclass

# Options every command takes; the dispatch (medtrack.cli.main) reads them, not the handlers.
DISPATCH_OPTIONS = frozenset({"help", "version", "db", "patient", "by", "demo"})


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]  # ("taper", "set"); () is `medtrack` with no command
    handler: str | None  # "taper_cmds:cmd_taper_set"; None: the screen, or a group that needs an action
    options: tuple[str, ...]  # the `dest` of each of its own arguments, positional ones too
    needs_action: bool  # it has actions and one of them must be given

    @property
    def shown(self) -> str:
        return " ".join(("medtrack", *self.words))


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[Command]:
    """Every command and action under `parser`, the parser itself first."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    options = tuple(a.dest for a in parser._actions
                    if not isinstance(a, argparse._SubParsersAction) and a.dest not in DISPATCH_OPTIONS)
    yield Command(words, parser.get_default("handler"), options, any(g.required for g in groups))
    for group in groups:
        for name, sub in group.choices.items():
            yield from commands(sub, (*words, name))
