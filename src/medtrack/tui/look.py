"""How the screen looks, dark or light: the patient's choice, kept for the next start.

It is a setting of this login on this machine (the terminal's background), not a fact about the
patient, so it lives in the user's configuration folder, never in the database. A missing or
unreadable file means dark, Textual's default.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from platformdirs import user_config_path

THEMES = {"dark": "textual-dark", "light": "textual-light"}


def settings_file() -> Path:
    return user_config_path("medtrack", appauthor=False) / "screen.json"


def saved_look() -> str:
    """"dark" or "light", as last chosen (dark when nothing usable is saved)."""
    try:
        look = json.loads(settings_file().read_text(encoding="utf-8")).get("look")
    except (OSError, ValueError, AttributeError):
        return "dark"
    return look if look in THEMES else "dark"


def save_look(look: str) -> bool:
    """Keep the choice for the next start; False when it could not be written (the screen
    changes all the same)."""
    target = settings_file()
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"look": look}) + "\n", encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        return False
    return True
