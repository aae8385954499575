"""The screens reachable from Tonight by a key, made on demand."""

from __future__ import annotations

from textual.screen import Screen


def make(name: str) -> Screen[None]:
    if name == "calendar":
        from medtrack.tui.calendar import CalendarScreen

        return CalendarScreen()
    if name == "history":
        from medtrack.tui.history import HistoryScreen

        return HistoryScreen()
    if name == "symptoms":
        from medtrack.tui.symptoms import SymptomsScreen

        return SymptomsScreen()
    if name == "checkin":
        from medtrack.tui.checkin import CheckinScreen

        return CheckinScreen()
    if name == "export":
        from medtrack.tui.export import ExportScreen

        return ExportScreen()
    if name == "about":
        from medtrack.tui.about import AboutScreen

        return AboutScreen()
    if name == "profile":
        from medtrack.tui.profile import ProfileScreen

        return ProfileScreen()
    raise ValueError(name)
