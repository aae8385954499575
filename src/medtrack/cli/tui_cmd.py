"""`medtrack` with no command (or `tui`, or `--demo`): open the screen, only on a real terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from medtrack.cli.context import Context
from medtrack.clock import Clock
from medtrack.errors import BadInput
from medtrack.location import Location


def run(path: Location, clock: Clock, *, patient: str | None = None, by: str | None = None) -> int:
    """The screen's app, imported only now: after the language is chosen, since its words (the
    keys' names in the footer) are fixed when its modules are imported."""
    from medtrack.tui.app import run as run_app

    return run_app(path, clock, patient=patient, by=by)


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    demo = getattr(args, "demo", False)
    if not demo and ctx.clock.fixed:
        from medtrack.services.clock_check import check_clock  # only under MEDTRACK_NOW

        check_clock(ctx.db_path, ctx.clock)  # refused as every command refuses it (exit 2)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        from medtrack.i18n import _

        raise BadInput(_("the medtrack screen needs a terminal; without one, use a command "
                         "(see `medtrack --help`)"))
    if demo:
        from medtrack.services.demo import (
            fill_demo,  # the database library: only for the demo
        )

        with tempfile.TemporaryDirectory(prefix="medtrack-demo-") as folder:
            path = Path(folder) / "demo.db"
            fill_demo(path, ctx.now, clock=ctx.clock)
            return run(path, ctx.clock)
    from medtrack import i18n
    from medtrack.services.clock_check import screen_language

    setting = screen_language(ctx.db_path, ctx.patient)
    if setting:  # the words of the screen are fixed when it is composed: chosen before it is
        i18n.use(*i18n.choose(setting))
    # --patient opens that patient's Tonight (no ward); --by names who enters what is recorded.
    return run(ctx.db_path, ctx.clock, patient=ctx.patient, by=ctx.by)
