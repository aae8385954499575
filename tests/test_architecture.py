"""The layers' import boundaries, checked by reading the source and in fresh interpreters."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import import_graph

SRC = Path(__file__).resolve().parents[1] / "src" / "medtrack"
HEAVY_FOR_CLI = ("textual", "fpdf", "fhir", "icalendar", "alembic", "jeepney")


def module_name(path: Path) -> str:
    """`src/medtrack/cli/__init__.py` -> medtrack.cli; `src/medtrack/core/rules.py` -> medtrack.core.rules."""
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(("medtrack", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def imports_of(path: Path) -> set[str]:
    """Every name the module imports, anywhere in it (inside functions and `if TYPE_CHECKING:`
    too), relative imports made absolute, and imports by string (`import_module("...")`; one
    built at run time, like the CLI's handlers, as `prefix*`): see tests/import_graph.py."""
    return import_graph.imports_of(path, module_name(path))


def modules_in(layer: str) -> list[Path]:
    """The files of a package (`core`), or the one file of a top-level module (`monograph`)."""
    single = SRC / f"{layer}.py"
    return [single] if single.is_file() else sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("path", modules_in("core"), ids=lambda p: p.name)
def test_core_is_pure(path: Path) -> None:
    """Core reads the drug's data as its own values (core/drug.py), never the loaders of the files.
    Its words go through medtrack.i18n (gettext, and Babel only for a language other than English)."""
    allowed_medtrack = ("medtrack.core", "medtrack.errors", "medtrack.i18n")
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "medtrack":
            assert name.startswith(allowed_medtrack), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "dateutil", f"{path.name} imports {name}"


@pytest.mark.slow
def test_only_tui_imports_textual() -> None:
    for path in SRC.rglob("*.py"):
        if "tui" in path.relative_to(SRC).parts:
            continue
        assert not any(n.split(".")[0] in ("textual", "rich") for n in imports_of(path)), path


def test_exporters_never_touch_storage() -> None:
    for path in modules_in("export"):
        for name in imports_of(path):
            assert not name.startswith(("medtrack.storage", "sqlmodel", "sqlalchemy")), (path, name)


def test_cli_and_tui_use_services_not_storage() -> None:
    """They get a database from one service entry point (services.database)."""
    for package in ("cli", "tui"):
        for path in modules_in(package):
            for name in imports_of(path):
                assert not name.startswith(("medtrack.storage", "sqlmodel", "sqlalchemy")), (path, name)


# What each layer never imports: the ones above it (STYLE.md's order: core, the data loaders,
# storage and the exporters, the services, then the two front ends, which never import each
# other's modules except for the CLI starting the screen).
NEVER_IMPORTS = {
    "core": ("monograph", "withdrawal", "storage", "export", "services", "cli", "tui"),
    "monograph": ("withdrawal", "storage", "export", "services", "cli", "tui"),
    "withdrawal": ("storage", "export", "services", "cli", "tui"),
    "storage": ("export", "services", "cli", "tui"),
    "export": ("storage", "services", "cli", "tui"),
    "notify": ("storage", "export", "services", "cli", "tui"),  # the desktop's adapters, handed to services
    "services": ("notify", "cli", "tui"),
    "tui": ("cli", "notify"),
}


@pytest.mark.parametrize(("layer", "above"), NEVER_IMPORTS.items(), ids=list(NEVER_IMPORTS))
def test_dependencies_point_one_way(layer: str, above: tuple[str, ...]) -> None:
    """No layer reaches up into the ones above it (not even for types, nor lazily, nor by string)."""
    forbidden = {f"medtrack.{name}" for name in above} | {"medtrack.*"}  # the last: any module, by string
    reached = {(path.relative_to(SRC).as_posix(), name) for path in modules_in(layer)
               for name in imports_of(path) if name in forbidden or name.startswith(tuple(f"{f}." for f in forbidden))}
    assert not reached, f"{layer} imports what is above it: {sorted(reached)}"


def test_the_import_reader_sees_lazy_and_string_imports() -> None:
    """The checks above read what the source really imports (relative imports: test_import_cycles.py)."""
    assert "medtrack.cli.*" in imports_of(SRC / "cli" / "__init__.py")  # the handlers, by name
    assert "medtrack.storage.migrate" in imports_of(SRC / "storage" / "opening.py")  # inside a function
    assert "medtrack.services.database" in imports_of(SRC / "tui" / "patient.py")  # TYPE_CHECKING and lazy


def _loaded_after(code: str, env: dict[str, str]) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_imports_no_database_or_screen_library() -> None:
    code = ("import sys, json; import medtrack.core.rules, medtrack.core.parse; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = _loaded_after(code, dict(os.environ))
    assert not {m for m in loaded if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "textual")}


@pytest.mark.parametrize("argv", [["status", "--json"], ["log", "--json"], ["history"]])
@pytest.mark.slow
def test_cli_hot_path_imports_nothing_heavy(tmp_path: Path, argv: list[str]) -> None:
    env = dict(os.environ, MEDTRACK_DB=str(tmp_path / "m.db"), MEDTRACK_NOW="2026-11-25T22:00:00+01:00")
    setup = [["init", "--name", "A", "--born", "1970-01-01", "--tz", "Europe/Berlin"],
             ["prescribe", "--dose", "1mg", "--prescriber", "Dr X"]]
    for args in setup:
        subprocess.run([sys.executable, "-m", "medtrack", *args], env=env, check=True, capture_output=True)
    code = ("import sys, json, contextlib, io\nfrom medtrack.cli import main\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n    rc = main({argv!r})\n"
            "assert rc == 0, rc\nprint(json.dumps(sorted(sys.modules)))")
    loaded = _loaded_after(code, env)
    heavy = {m for m in loaded if m.split(".")[0] in HEAVY_FOR_CLI}
    assert not heavy, f"`medtrack {' '.join(argv)}` imported {sorted(heavy)[:5]}"


@pytest.mark.slow
def test_the_screens_first_frame_does_not_wait_for_the_database_library(tmp_path: Path) -> None:
    """`medtrack` with no command reaches the app with neither sqlmodel nor sqlalchemy loaded."""
    env = dict(os.environ, MEDTRACK_DB=str(tmp_path / "m.db"))
    code = ("import sys, json\nimport medtrack.cli.tui_cmd as entry\nimport medtrack.tui.app as app\n"
            "seen = {}\n"
            "def fake_run(path, now, **_):\n"
            "    import medtrack.tui.tonight  # the first screen's module\n"
            "    seen['loaded'] = sorted(sys.modules)\n"
            "    return 0\n"
            "entry.run = app.run = fake_run\n"
            "sys.stdin.isatty = sys.stdout.isatty = lambda: True\n"
            "from medtrack.cli import main\n"
            "assert main([]) == 0\n"
            "print(json.dumps(seen['loaded']))")
    loaded = _loaded_after(code, env)
    assert "medtrack.tui.tonight" in loaded
    storage = {m for m in loaded if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "alembic", "jeepney")}
    assert not storage, f"the screen's start imported {sorted(storage)[:5]}"


# What decides a night or the plan's future: only core (and the services that read for it) may
# call these; a view that did would work a night out again and drift from the others.
SCHEDULE_DECIDERS = frozenset({"regimen_on", "scheduled_ug", "night_state", "check_dose", "NightFacts",
                               "is_excess", "previous_outcome", "calendar_state", "segments", "facts_of",
                               "unacknowledged", "ceiling_ug"})
VIEWS = ("cli", "tui", "export")


def names_imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names}


@pytest.mark.parametrize("path", [p for v in VIEWS for p in modules_in(v)], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_render_the_decided_night_and_never_compute_the_schedule(path: Path) -> None:
    """Tonight, status, the ward, the calendar and every export render core.decide's decision and
    core.timeline's plan; none of them imports the rules that work a night out."""
    computed = names_imported(path) & SCHEDULE_DECIDERS
    assert not computed, f"{path.parent.name}/{path.name} computes the schedule itself with {sorted(computed)}"
