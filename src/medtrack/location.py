"""Where the data lives: a SQLite file path, or a PostgreSQL database named by a URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from medtrack.errors import BadInput
from medtrack.i18n import _

_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_PASSWORD = re.compile(r"^(?P<head>[^:/]+://[^:@/]*):[^@/]*@")
DRIVER = "postgresql+psycopg"


@dataclass(frozen=True)
class ServerUrl:
    """A PostgreSQL database, e.g. postgresql+psycopg://ward@/medtrack?host=/run/postgresql.

    Shown (in messages, never in logs of secrets) with any password replaced by ***.
    """

    url: str

    def __str__(self) -> str:
        return _PASSWORD.sub(r"\g<head>:***@", self.url)


Location = Path | ServerUrl


def parse_location(text: str) -> Location:
    """A `--db` / MEDTRACK_DB value: a postgresql:// URL, or else a file path (~ expanded)."""
    found = _SCHEME.match(text)
    if found is None:
        return Path(text).expanduser()
    scheme = found["scheme"].lower()
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return ServerUrl(f"{DRIVER}://{text[found.end():]}")
    raise BadInput(_("--db {scheme}:// is not a database medtrack can use: give a file path "
                     "or a {driver}://USER@/DBNAME?host=/SOCKET/DIR URL").format(
                       scheme=scheme, driver=DRIVER))
