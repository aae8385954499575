"""Snapshots of Tonight, Calendar and History at 80x24 (pytest-textual-snapshot 1.1.0).

The app reads the fixed demo database (fill_demo, seed 7, at DEMO_NOW) with a fixed clock, so the
pictures depend on nothing of the machine: no wall clock, no zone, no path (none is on screen).
Regenerate after an intended change of the screens with
`pytest tests/tui/test_snapshots.py --snapshot-update`, and look at the SVGs before keeping them.
"""

from __future__ import annotations

from textual.widgets import DataTable
from tui_helpers import DEMO_NOW, SIZE, press, settle, until


def test_tonight_snapshot(demo, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=SIZE, run_before=run_before)


def test_calendar_snapshot(demo, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "c", "left")  # select Tue 29 Dec, a missed night

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=SIZE, run_before=run_before)


def test_history_snapshot(demo, make_app, snap_compare):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await press(pilot, "h")
        # The page's rows arrive from a worker; the columns size to them a refresh later.
        await until(pilot, lambda: pilot.app.screen.query_one(DataTable).row_count > 0)
        await pilot.pause(0.1)
        await settle(pilot)

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=SIZE, run_before=run_before)
