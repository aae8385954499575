"""The screens reachable from Tonight by a key, made on demand."""

from __future__ import annotations

from textual.screen import Screen


def make(name: str) -> Screen:  # type: ignore[type-arg]
    if name == "calendar":
        from medtrack.tui.calendar import CalendarScreen as screen
    elif name == "history":
        from medtrack.tui.history import HistoryScreen as screen
    elif name == "symptoms":
        from medtrack.tui.symptoms import SymptomsScreen as screen
    elif name == "export":
        from medtrack.tui.export import ExportScreen as screen
    elif name == "about":
        from medtrack.tui.about import AboutScreen as screen
    elif name == "profile":
        from medtrack.tui.profile import ProfileScreen as screen
    else:
        raise ValueError(name)
    return screen()
