"""The feature modules whose commands the parser adds, in the order `--help` lists them."""

from __future__ import annotations

EXTENSIONS: list = []
