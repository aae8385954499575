"""The one typed way a screen or dialog reaches the app it runs in (its database and clock)."""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from typing import TYPE_CHECKING

from textual.app import App

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from medtrack.clock import Clock
    from medtrack.errors import MedtrackError
    from medtrack.location import Location
    from medtrack.tui.patient import Opening


class Host(App[None]):
    """What a screen or dialog may ask of the app it runs in, beyond Textual's App: the database
    as the command line named it, the clock, and the ways to the screens the app owns.

    MedtrackApp (tui/app.py) is the one. It is described here, below the screens, because the app
    imports the screens: a screen that imported the app would close a loop of imports."""

    db_path: Location
    clock: Clock  # fixed (MEDTRACK_NOW) only for a database made under a fixed clock
    opening: Opening  # the database, opened once on first use in a worker

    @abstractmethod
    def now(self) -> dt.datetime: ...

    @abstractmethod
    def open_ward(self) -> None:
        """The ward over the first Tonight."""

    @abstractmethod
    def open_patient(self, number: int, name: str) -> None:
        """From the ward: this patient's Tonight."""

    @abstractmethod
    def back_to_ward(self) -> None:
        """From a patient's Tonight back to the ward."""

    @abstractmethod
    def show_problem(self, error: MedtrackError) -> None:
        """The database cannot be used: one screen that says why."""

    @abstractmethod
    def refresh_tonight(self) -> None:
        """Reload Tonight now (after a write elsewhere), wherever it is in the stack."""


def app_of(node: DOMNode) -> Host:
    """`node.app` as the medtrack app it is (Textual types it as a plain App): every screen and
    dialog gets the database (`.opening`), the clock (`.now()`) and the app's helpers through this."""
    app = node.app
    if not isinstance(app, Host):
        raise TypeError(f"{type(node).__name__} runs in {type(app).__name__}, not MedtrackApp")
    return app
