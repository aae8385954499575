"""The History screen's By column at 80x24: who entered each record, a long name cut with … in
the table and whole on the detail line, and "not known" (in italics) for records from before
medtrack kept who entered them (the schema 5 demo in tests/data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable
from tui_helpers import SIZE, berlin, press, screen_text, settle, text_of, until

from backends import SCHEMA_5_DEMO, fixed_clock_copy
from medtrack.services.dosing import DoseRequest, log_dose, skip_night
from medtrack.storage.database import Database
from medtrack.tui.history import BY_WIDTH, HistoryScreen

LONG = "Schwester Annegret Müller-Lüdenscheidt"


async def open_history(pilot: Pilot[Any]) -> DataTable[Any]:
    await settle(pilot)
    await press(pilot, "h")
    assert isinstance(pilot.app.screen, HistoryScreen)
    table = pilot.app.screen.query_one(DataTable)
    await until(pilot, lambda: table.row_count > 0)
    return table


@pytest.mark.slow
async def test_the_by_column_names_who_entered_each_record(patient: Path, make_app):
    actions: tuple[tuple[str, Callable[[Database], object]], ...] = (
        ("Nurse Kim", lambda db: log_dose(db, berlin(2026, 11, 23, 22, 20), DoseRequest(dose="1mg"))),
        (LONG, lambda db: skip_night(db, berlin(2026, 11, 24, 23, 50), None, "too late")))
    for name, action in actions:
        db = Database(patient, by=name)
        try:
            action(db)
        finally:
            db.dispose()
    app = make_app(patient, berlin(2026, 11, 25, 21, 0))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        labels = [str(c.label) for c in table.columns.values()]
        assert labels == ["#", "Night", "Time", "Dose", "Flags", "By", "Note"]
        assert [table.get_row_at(i)[5].plain for i in range(table.row_count)] == [LONG, "Nurse Kim"]
        skip, dose = [line for line in screen_text(app).splitlines() if "2026-11-2" in line][:2]
        assert "Nurse Kim" in dose
        cut = LONG[:BY_WIDTH - 1] + "…"  # the column keeps its width: the name is cut, not the table
        assert cut in skip and LONG not in skip
        assert f"by {LONG}" in text_of(app, "#history-detail")  # the skip, newest, is highlighted
        await press(pilot, "down")
        assert "by Nurse Kim" in text_of(app, "#history-detail")


@pytest.mark.slow
async def test_records_from_before_schema_6_are_by_someone_not_known(tmp_path: Path, make_app):
    db = fixed_clock_copy(SCHEMA_5_DEMO, tmp_path / "demo.db")  # the app's clock is fixed
    app = make_app(db, berlin(2026, 11, 27, 15))
    async with app.run_test(size=SIZE) as pilot:
        table = await open_history(pilot)
        cells = [table.get_row_at(i)[5] for i in range(table.row_count)]
        assert {c.plain for c in cells} == {"not known"}
        assert all("italic" in str(c.style) for c in cells)
        assert "by (not known)" in text_of(app, "#history-detail")
