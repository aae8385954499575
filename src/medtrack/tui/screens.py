"""The screens reachable from Tonight by a key or the palette, each made on demand for a patient."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from medtrack.tui.patient import Patient, PatientScreen


class Place(StrEnum):
    """A screen opened from Tonight; the value is the name its key binding uses: open('calendar')."""

    CALENDAR = "calendar"
    HISTORY = "history"
    SYMPTOMS = "symptoms"
    CHECKIN = "checkin"
    EXPORT = "export"
    ABOUT = "about"
    PROFILE = "profile"


# Each screen's module is imported only when it is first opened (the first frame needs none).
def _calendar(patient: Patient) -> PatientScreen:
    from medtrack.tui.calendar import CalendarScreen

    return CalendarScreen(patient)


def _history(patient: Patient) -> PatientScreen:
    from medtrack.tui.history import HistoryScreen

    return HistoryScreen(patient)


def _symptoms(patient: Patient) -> PatientScreen:
    from medtrack.tui.symptoms import SymptomsScreen

    return SymptomsScreen(patient)


def _checkin(patient: Patient) -> PatientScreen:
    from medtrack.tui.checkin import CheckinScreen

    return CheckinScreen(patient)


def _export(patient: Patient) -> PatientScreen:
    from medtrack.tui.export import ExportScreen

    return ExportScreen(patient)


def _about(patient: Patient) -> PatientScreen:
    from medtrack.tui.about import AboutScreen

    return AboutScreen(patient)


def _profile(patient: Patient) -> PatientScreen:
    from medtrack.tui.profile import ProfileScreen

    return ProfileScreen(patient)


SCREENS: dict[Place, Callable[[Patient], PatientScreen]] = {
    Place.CALENDAR: _calendar,
    Place.HISTORY: _history,
    Place.SYMPTOMS: _symptoms,
    Place.CHECKIN: _checkin,
    Place.EXPORT: _export,
    Place.ABOUT: _about,
    Place.PROFILE: _profile,
}


def make(place: Place, patient: Patient) -> PatientScreen:
    return SCREENS[place](patient)
