"""Snapshots of Tonight, Calendar and History at 80x24 (pytest-textual-snapshot 1.1.0).

The app reads the fixed demo database (fill_demo, seed 7, at DEMO_NOW) with a fixed clock, so the
pictures depend on nothing of the machine: no wall clock, no zone, no path (none is on screen).
Regenerate after an intended change of the screens with
`pytest tests/tui/test_snapshots.py --snapshot-update`, and look at the SVGs before keeping them.
"""

from __future__ import annotations

from tui_helpers import DEMO_NOW, SIZE, press, settle


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

    assert snap_compare(make_app(demo, DEMO_NOW), terminal_size=SIZE, run_before=run_before)
