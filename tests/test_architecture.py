"""The layers' import boundaries, checked by reading the source and in fresh interpreters."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "medtrack"
HEAVY_FOR_CLI = ("textual", "fpdf", "fhir", "icalendar", "alembic")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules_in(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules_in("core"), ids=lambda p: p.name)
def test_core_is_pure(path: Path) -> None:
    allowed_medtrack = ("medtrack.core", "medtrack.errors", "medtrack.monograph", "medtrack.withdrawal")
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "medtrack":
            assert name.startswith(allowed_medtrack), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "dateutil", f"{path.name} imports {name}"


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


@pytest.mark.parametrize("package", ["storage", "export"])
def test_dependencies_point_one_way(package: str) -> None:
    """Storage and the exporters never reach up into the use cases (not even for types)."""
    for path in modules_in(package):
        for name in imports_of(path):
            assert not name.startswith(("medtrack.services", "medtrack.cli", "medtrack.tui")), \
                (path, name)


def _loaded_after(code: str, env: dict[str, str]) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_imports_no_database_or_screen_library() -> None:
    code = ("import sys, json; import medtrack.core.rules, medtrack.core.parse; "
            "print(json.dumps(sorted(sys.modules)))")
    loaded = _loaded_after(code, dict(os.environ))
    assert not {m for m in loaded if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "textual")}


@pytest.mark.parametrize("argv", [["status", "--json"], ["log", "--json"], ["history"]])
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
    storage = {m for m in loaded if m.split(".")[0] in ("sqlmodel", "sqlalchemy", "alembic")}
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
