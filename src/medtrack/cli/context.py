"""What every command handler gets (`Context`: the moment, the database, output helpers), apart
from the dispatch in __init__.py that imports the handlers, so that they never import it back."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from medtrack import i18n
from medtrack.clock import REAL_CLOCK, Clock
from medtrack.errors import BadInput
from medtrack.i18n import _
from medtrack.location import Location, parse_location
from medtrack.services.text import printable

if TYPE_CHECKING:
    from medtrack.services.database import Database

_TERMINAL_UNSAFE = re.compile("[\x80-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Context:
    """What every command handler gets: the clock and the moment it says (`now`), the database
    (a file path or a PostgreSQL URL), and output helpers."""

    now: dt.datetime
    db_path: Location
    patient: str | None = None  # --patient or MEDTRACK_PATIENT (None: the only one)
    by: str | None = None  # --by or MEDTRACK_USER (None: the database user)
    clock: Clock = REAL_CLOCK  # fixed by MEDTRACK_NOW: only a database made under one accepts it

    def open_db(self) -> Database:
        from medtrack.services.database import (
            open_database,  # the database library: commands only
        )

        db = open_database(self.db_path, patient=self.patient, by=self.by, clock=self.clock)
        from medtrack.services.common import profile_language

        setting = profile_language(db)
        if setting:  # the profile's language beats the environment's, from here on
            i18n.use(*i18n.choose(setting))
        for notice in db.notices:
            sys.stderr.write(f"medtrack: {printable(notice)}\n")
        return db

    @staticmethod
    def out(text: str = "") -> None:
        sys.stdout.write(printable(text) + "\n")

    @staticmethod
    def json(data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        # Still the verbatim data, but C1 controls and bidi overrides escaped for the terminal.
        sys.stdout.write(_TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


Handler = Callable[[argparse.Namespace, Context], int]


def location_argument(text: str, name: str) -> Location:
    """A database named on the command line (a file path or a PostgreSQL URL)."""
    if not text.strip():
        raise BadInput(_("{name} needs a file path or a postgresql+psycopg:// URL, e.g. ~/medtrack.db").format(
            name=name))
    return parse_location(text)
