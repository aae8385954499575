"""Faults made in a test's own database file: a damaged index page, a write-protected file.

Root ignores the mode bits, so as root a file is write-protected with the immutable attribute
(`chattr +i`, which binds root too); as another user, with mode 0400. Only files under the
test's temporary folder are ever touched.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def damage_index(path: Path, index: str = "record_one_per_night") -> None:
    """Overwrite the root page of an index (found in sqlite_master) with seeded noise: reads that
    do not use the index still work; the next record written to it fails."""
    with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (index,)).fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    with open(path, "r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(random.Random(root).randbytes(page_size))


def protect(path: Path, on: bool) -> None:
    """Write-protect the file, or lift it (root: the immutable attribute; others: the mode)."""
    if os.geteuid() != 0:
        os.chmod(path, 0o400 if on else 0o600)
    else:
        subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)


@contextlib.contextmanager
def write_protected(path: Path) -> Iterator[None]:
    """The file cannot be written by this process, root included, until the block ends (skips
    the test where root cannot be stopped on this file system)."""
    if os.geteuid() == 0 and (shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0):
        pytest.skip("running as root, and this file system has no immutable attribute (chattr +i)")
    protect(path, True)
    try:
        yield
    finally:
        protect(path, False)
