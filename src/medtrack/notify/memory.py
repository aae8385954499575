"""What the last reminder run left on the desktop, per patient, for the next run to replace or close.

A setting of this login's desktop, not a fact about the patient: it lives in the user's state
folder (XDG_STATE_HOME), never in the database, and a reminder never writes the database. The
file names only the patient's id, a night and a notification number; it is private (0600) all
the same. A missing or unreadable file means nothing is showing: the worst that can follow is
one more reminder on a due night, never one on a night that is not due.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

from platformdirs import user_state_path

from medtrack.core.reminder import Shown


def memory_file() -> Path:
    return user_state_path("medtrack", appauthor=False) / "reminders.json"


class Memory:
    """The reminder shown for one patient (`key`: the patient's id), kept in `path`."""

    def __init__(self, key: str, path: Path | None = None) -> None:
        self.key = key
        self.path = path or memory_file()

    def _all(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def load(self) -> Shown | None:
        entry = self._all().get(self.key)
        if not isinstance(entry, dict):
            return None
        try:
            return Shown(night=dt.date.fromisoformat(entry["night"]), notification_id=int(entry["id"]),
                         sent_at=dt.datetime.fromisoformat(entry["sent_at"]), showing=bool(entry["showing"]))
        except (TypeError, KeyError, ValueError):
            return None

    def save(self, shown: Shown | None) -> bool:
        """Keep (or forget) this patient's reminder; False when the file could not be written
        (it is left as it was, and the caller says so)."""
        data = self._all()
        if shown is None:
            data.pop(self.key, None)
        else:
            data[self.key] = {"night": shown.night.isoformat(), "id": shown.notification_id,
                              "sent_at": shown.sent_at.isoformat(), "showing": shown.showing}
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1, sort_keys=True)
                stream.write("\n")
            os.replace(temp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()
            return False
        return True
