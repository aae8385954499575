"""`medtrack` with no command opens the screen; without a terminal it says so and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("argv", [[], ["tui"], ["--demo"]])
@pytest.mark.slow
def test_no_terminal_means_exit_2_not_a_hang(tmp_path: Path, argv: list[str]) -> None:
    env = dict(os.environ, MEDTRACK_DB=str(tmp_path / "m.db"), MEDTRACK_NOW="2026-11-25T22:00:00+01:00")
    out = subprocess.run([sys.executable, "-m", "medtrack", *argv], env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "medtrack: the medtrack screen needs a terminal; without one, use a command (see `medtrack --help`)"]
    assert not (tmp_path / "m.db").exists()
