"""The feature modules whose commands the parser adds, in the order `--help` lists them."""

from __future__ import annotations

import importlib

# module -> the commands it registers; a run imports only the module of its command
EXTENSIONS: dict[str, frozenset[str]] = {
    "medtrack.cli.taper_cmds": frozenset({"taper", "calendar"}),
    "medtrack.cli.visit_cmds": frozenset({"symptom", "symptoms", "export", "import", "demo"}),
    "medtrack.cli.admin_cmds": frozenset({"backup", "restore"}),
    "medtrack.cli.stock_cmds": frozenset({"stock"}),
}


def registrars(command: str | None) -> list:  # type: ignore[type-arg]
    """The register functions needed for `command` (all of them when it is None)."""
    return [importlib.import_module(name).register for name, commands in EXTENSIONS.items()
            if command is None or command in commands]
