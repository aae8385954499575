"""The one typed way a screen or dialog reaches the app it runs in (its database and clock)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from medtrack.tui.app import MedtrackApp


def app_of(node: DOMNode) -> MedtrackApp:
    """`node.app` as the MedtrackApp it is (Textual types it as a plain App): every screen and
    dialog gets the database (`.db`), the clock (`.now()`) and the app's helpers through this."""
    from medtrack.tui.app import MedtrackApp  # loaded long before any screen runs; not at import (a cycle)

    app = node.app
    if not isinstance(app, MedtrackApp):
        raise TypeError(f"{type(node).__name__} runs in {type(app).__name__}, not MedtrackApp")
    return app
