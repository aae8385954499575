"""The floor for medtrack's screen: a bare Textual app, started as a command the way `medtrack` is.

    python bench/bare_app.py DB FIRST_NIGHT LAST_NIGHT

It draws a header, two lines and a footer ("Tonight", "Loading…": the first frame), then reads
the nights' records from DB with the standard library's sqlite3 in a worker thread and shows
"Due now" (the first frame with data). bench/run.py starts it in a terminal (a pty) beside
`medtrack` and times both until those words appear on the terminal.
"""

from __future__ import annotations

import sqlite3
import sys
from contextlib import closing

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Tonight")
        yield Static("Loading…", id="state")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.run_worker, self.read, thread=True)

    def read(self) -> None:
        path, first, last = sys.argv[1:4]
        with closing(sqlite3.connect(path)) as con:
            rows = con.execute("SELECT * FROM record WHERE night BETWEEN ? AND ? ORDER BY night, id",
                               (first, last)).fetchall()
        self.call_from_thread(self.query_one("#state", Static).update,
                              f"Due now ({len(rows)} records read)")


if __name__ == "__main__":
    Bare().run()
