"""`medtrack` with no command: open the screen, but only on a real terminal."""

from __future__ import annotations

import argparse
import sys

from medtrack.cli import Context
from medtrack.errors import BadInput


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("the medtrack screen needs a terminal; without one, use a command "
                       "(see `medtrack --help`)")
    from medtrack.tui.app import run

    return run(ctx.db_path, ctx.now if "MEDTRACK_NOW" in __import__("os").environ else None)
