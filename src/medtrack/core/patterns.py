"""Regular expressions compiled on first use: most runs of medtrack never parse most inputs."""

from __future__ import annotations

import re
from typing import Any


class LazyPattern:
    """Stands in for `re.compile(pattern, flags)` and compiles it when first used.

    Compiling every pattern at import cost `medtrack status` more time than its query.
    """

    __slots__ = ("_pattern", "_flags", "_compiled")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(self._pattern, self._flags)
        return getattr(self._compiled, name)
