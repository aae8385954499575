"""No medtrack module imports itself round a loop, and no two layers import each other.

Every import a module can run counts (tests/import_graph.py): at the top, inside a function (the
lazy imports that keep the CLI and the first frame quick still tie two modules together), under
`if TYPE_CHECKING:`, relative, and by string (the CLI's handlers). The checker is shown failing
on small packages written into tmp_path, so a green run means the loops are gone, not unseen.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cli_commands import commands
from import_graph import (
    UnreadableImport,
    by_layer,
    describe,
    import_cycles,
    import_graph,
    strongly_connected,
)
from medtrack.cli.parser import build_parser

SRC = Path(__file__).resolve().parents[1] / "src" / "medtrack"


def test_no_module_imports_itself_round_a_loop() -> None:
    graph = import_graph(SRC, "medtrack")
    loops = strongly_connected(graph)
    assert not loops, "medtrack's modules import each other in a loop:\n" + describe(graph, loops)


def test_no_two_layers_import_each_other() -> None:
    """core, monograph, storage, services, cli, tui...: each module counted as its layer."""
    layers = by_layer(import_graph(SRC, "medtrack"))
    loops = strongly_connected(layers)
    assert not loops, "medtrack's layers import each other in a loop:\n" + describe(layers, loops)


def test_the_graph_counts_the_handlers_lazy_imports_and_type_imports() -> None:
    """The graph holds the edges a loop would run through, of each kind medtrack has."""
    graph = import_graph(SRC, "medtrack")
    handlers = {f"medtrack.cli.{c.handler.split(':')[0]}" for c in commands(build_parser()) if c.handler}
    assert handlers and handlers <= graph["medtrack.cli"]  # "module:function" strings
    assert "medtrack.cli.tui_cmd" in graph["medtrack.cli"]  # imported inside main()
    assert "medtrack.storage.migrate" in graph["medtrack.storage.opening"]  # only when a migration is due
    assert "medtrack.tui.ward" in graph["medtrack.tui.app"]  # when the ward opens
    assert "medtrack.services.database" in graph["medtrack.tui.patient"]  # TYPE_CHECKING, and lazily


# -- the checker itself, on small packages ---------------------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    """A package `toy` under root from {relative path: source}; returns its folder."""
    package = root / "toy"
    for name, source in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return package


def test_a_loop_through_a_lazy_relative_import_is_found_with_its_path(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "__init__.py": "",
        "engine.py": """
            def open_engine():
                from .migrate import upgrade  # lazy, relative
                return upgrade
            """,
        "migrate.py": "from toy.backup import write_backup\n",
        "backup.py": "from . import engine\nwrite_backup = engine\n",
        "free.py": "from toy import engine\n",  # imports into the loop, is not part of it
    })
    assert import_cycles(package, "toy") == [["toy.backup", "toy.engine", "toy.migrate", "toy.backup"]]
    graph = import_graph(package, "toy")
    assert describe(graph, strongly_connected(graph)) == (
        "3 import each other, e.g. toy.backup -> toy.engine -> toy.migrate -> toy.backup\n"
        "  all of them: toy.backup, toy.engine, toy.migrate")


def test_a_loop_through_a_type_only_import_is_found(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "__init__.py": "",
        "app.py": "from toy.screen import Screen\n",
        "screen.py": """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from toy.app import App
            """,
    })
    assert import_cycles(package, "toy") == [["toy.app", "toy.screen", "toy.app"]]


def test_a_loop_through_handlers_named_by_strings_is_found(tmp_path: Path) -> None:
    """The CLI's way: a table of "module:function" strings, imported by a computed name."""
    package = write_package(tmp_path, {
        "__init__.py": "",
        "cli/__init__.py": """
            import importlib

            def main(handler):
                module, name = handler.split(":")
                return getattr(importlib.import_module(f"toy.cli.{module}"), name)

            def helper():
                return 1
            """,
        "cli/parser.py": 'HANDLERS = {"log": "log_cmds:cmd_log", "status": "status_cmds:cmd_status"}\n',
        "cli/log_cmds.py": "def cmd_log():\n    pass\n",
        "cli/status_cmds.py": "from toy.cli import helper\n\ndef cmd_status():\n    return helper()\n",
    })
    graph = import_graph(package, "toy")
    assert graph["toy.cli"] == {"toy.cli.log_cmds", "toy.cli.status_cmds"}
    assert import_cycles(package, "toy") == [["toy.cli", "toy.cli.status_cmds", "toy.cli"]]


def test_imports_by_a_constant_string_count(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "__init__.py": "",
        "a.py": "import importlib\n\ndef f():\n    return importlib.import_module('toy.b')\n",
        "b.py": "def f():\n    return __import__('toy.c')\n",
        "c.py": "from importlib import import_module\n\ndef f():\n    return import_module('.a', __package__)\n",
    })
    assert import_cycles(package, "toy") == [["toy.a", "toy.b", "toy.c", "toy.a"]]


def test_a_loop_between_layers_is_found_though_no_module_loops(tmp_path: Path) -> None:
    """medtrack's old one: core/rules.py -> monograph.py -> core/units.py."""
    package = write_package(tmp_path, {
        "__init__.py": "",
        "core/__init__.py": "",
        "core/units.py": "",
        "core/rules.py": "from toy.monograph import Monograph\n",
        "monograph.py": "from toy.core.units import parse_dose\n",
    })
    graph = import_graph(package, "toy")
    assert strongly_connected(graph) == []
    assert strongly_connected(by_layer(graph)) == [["toy.core", "toy.monograph"]]


def test_a_tree_without_loops_passes(tmp_path: Path) -> None:
    package = write_package(tmp_path, {
        "__init__.py": "",
        "low.py": "",
        "mid.py": "from . import low\n",
        "high.py": "from toy import low, mid\n\ndef f():\n    from toy.mid import g\n",
    })
    assert import_cycles(package, "toy") == []
    assert import_graph(package, "toy")["toy.high"] == {"toy.low", "toy.mid"}


@pytest.mark.parametrize("call", ["importlib.import_module(name)", "__import__(name)",
                                  "importlib.import_module(f'{name}.x')", "importlib.import_module(f'toy.{name}')"])
def test_an_import_the_reader_cannot_name_fails_loudly(tmp_path: Path, call: str) -> None:
    """A silent gap in the graph would hide a loop: an import by a name made at run time must
    start with its package, and that package must name the module in a string somewhere."""
    package = write_package(tmp_path, {"__init__.py": "", "a.py": f"import importlib\n\ndef f(name):\n    {call}\n"})
    with pytest.raises(UnreadableImport):
        import_graph(package, "toy")
