"""Opening medtrack's screen from a reminder's button: in a new terminal window.

The screen needs a terminal, and a notification's button runs in no terminal: it starts the
desktop's terminal emulator with medtrack in it. The first that is installed of: $TERMINAL,
xdg-terminal-exec (the coming freedesktop standard), Debian's x-terminal-emulator, then the
common ones by name.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping, Sequence

# How each terminal is told to run a command (what comes between its name and the command).
_KNOWN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("xdg-terminal-exec", ()),
    ("x-terminal-emulator", ("-e",)),
    ("gnome-terminal", ("--",)),
    ("konsole", ("-e",)),
    ("xfce4-terminal", ("-x",)),
    ("kitty", ()),
    ("foot", ()),
    ("alacritty", ("-e",)),
    ("xterm", ("-e",)),
)


def terminal_command(command: Sequence[str], env: Mapping[str, str] | None = None) -> list[str] | None:
    """The command line that shows `command` in a new terminal window (None: no terminal found)."""
    env = os.environ if env is None else env
    path = env.get("PATH")
    chosen = env.get("TERMINAL", "").strip()
    if chosen:
        words = shlex.split(chosen)
        if words and shutil.which(words[0], path=path):
            return [*words, "-e", *command]
    for name, between in _KNOWN:
        found = shutil.which(name, path=path)
        if found:
            return [found, *between, *command]
    return None


def open_in_terminal(command: Sequence[str]) -> bool:
    """Start `command` in a new terminal window, on its own (the reminder does not wait for it);
    False when no terminal is installed."""
    line = terminal_command(command)
    if line is None:
        return False
    subprocess.Popen(line, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return True
