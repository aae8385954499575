"""The stock on Tonight and on the profile screen: the nights it lasts start at the next dose due
(tonight once skipped: tomorrow), both screens say the same as `status`, and a count drifting
from the delivery is flagged with both numbers.

The real app with Pilot on a real SQLite file and a fixed clock (Berlin, window 20:30-23:30)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import SET_UP_AT, SIZE, berlin, make_patient, opened, press, settle, text_of, until

from medtrack.services.dosing import skip_night
from medtrack.services.prescribing import PrescriptionRequest, prescribe
from medtrack.services.status import status
from medtrack.services.stock import add_stock, count_stock
from medtrack.services.taper import PlanRequest, set_plan
from medtrack.tui.profile import ProfileScreen

pytestmark = pytest.mark.slow  # a real Textual app per test

IN_WINDOW = berlin(2026, 11, 25, 22, 0)


def stocked_patient(path: Path) -> Path:
    """1 mg tonight (25 November), 0.5 mg from tomorrow, from 1 mg tablets (halves); 10 tablets
    delivered on the 20th, 8.5 counted on the 24th and 8.25 on the 25th."""
    make_patient(path, dose=None)
    with opened(path) as db:
        prescribe(db, SET_UP_AT, PrescriptionRequest(
            dose="1mg", prescriber="Dr. Weiss", start="2026-11-01", tablets=("1mg:half",)))
        set_plan(db, berlin(2026, 11, 20, 11), PlanRequest(
            prescriber="Dr. Weiss", steps="2026-11-20=1mg,2026-11-26=0.5mg"))
        add_stock(db, berlin(2026, 11, 20, 12), "10x1mg", "pharmacy")
        count_stock(db, berlin(2026, 11, 24, 12), "9.5x1mg")
        count_stock(db, berlin(2026, 11, 25, 12), "9.25x1mg")
    return path


async def test_after_a_skip_both_screens_count_the_nights_from_tomorrow(tmp_path, make_app):
    path = stocked_patient(tmp_path / "medtrack.db")
    with opened(path) as db:
        skip_night(db, berlin(2026, 11, 25, 21, 0), note="slept without")
        said = status(db, IN_WINDOW).stock
    assert said is not None
    lasts = "It lasts 18 more night(s) at the plan's doses, from the night of 2026-11-26."  # 9.25 / 0.5
    flagged = ("! The count of 2026-11-25 (9.25 × 1 mg tablets) differs from the 10 × 1 mg tablets "
               "expected since the delivery on 2026-11-20")
    assert lasts in said.lines()
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert lasts in text_of(app, "#stock")
        assert flagged in text_of(app, "#stock")
        assert "(9.5 × 1 mg tablets)" not in text_of(app, "#stock")  # half a tablet off: not flagged
        await press(pilot, "p")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Stock: 9.25 × 1 mg tablets left" in text_of(app, "#profile-text"))
        assert lasts in text_of(app, "#profile-text")
        assert flagged in text_of(app, "#profile-text")
