"""The feature modules whose commands the parser adds, in the order `--help` lists them."""

from __future__ import annotations

from medtrack.cli import admin_cmds, taper_cmds, visit_cmds

EXTENSIONS: list = [taper_cmds.register, visit_cmds.register, admin_cmds.register]
