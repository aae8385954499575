"""`medtrack` with no command (or `tui`, or `--demo`): open the screen, only on a real terminal."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from medtrack.cli import Context
from medtrack.errors import BadInput
from medtrack.tui.app import run


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise BadInput("the medtrack screen needs a terminal; without one, use a command "
                       "(see `medtrack --help`)")
    fixed_now = ctx.now if os.environ.get("MEDTRACK_NOW") else None
    if getattr(args, "demo", False):
        from medtrack.services.demo import (
            fill_demo,  # the database library: only for the demo
        )

        with tempfile.TemporaryDirectory(prefix="medtrack-demo-") as folder:
            path = Path(folder) / "demo.db"
            fill_demo(path, ctx.now)
            return run(path, fixed_now)
    # --patient opens that patient's Tonight (no ward); --by names who enters what is recorded.
    return run(ctx.db_path, fixed_now, patient=ctx.patient, by=ctx.by)
