"""The Check-in screen from Tonight: one row per symptom, arrows and Enter, and the trend of the
step in force on Tonight afterwards. A fixed clock (Berlin), an 80x24 terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_helpers import SIZE, berlin, flat, opened, press, screen_text, settle, text_of, until

from medtrack.services.checkin import list_checkins, record_checkin
from medtrack.services.plan_build import PlanRequest
from medtrack.services.taper import set_plan
from medtrack.tui.checkin import CheckinScreen


def _taper(path: Path) -> None:
    with opened(path) as db:
        set_plan(db, berlin(2026, 11, 10, 12), PlanRequest(
            prescriber="Dr. Weiss", start="2026-11-15", from_dose="1mg", step="0.25mg", every="2w",
            reason="agreed taper"))


@pytest.mark.slow
async def test_a_check_in_is_rated_with_the_arrows_and_saved_with_enter(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 20, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        assert isinstance(app.screen, CheckinScreen)
        assert "How are you today?" in flat(screen_text(app))
        # anxiety (first row) moderate, down twice, that row mild; then Enter saves all
        await press(pilot, "right", "right", "down", "down", "right", "enter")
        await until(pilot, lambda: "Saved" in text_of(app, "#checkin-result"))
    with opened(patient) as db:
        found = list_checkins(db)
    assert len(found) == 1
    ratings = dict(found[0].ratings)
    assert ratings["anxiety"] == 2 and sum(ratings.values()) == 3
    third = list(ratings)[2]
    assert ratings[third] == 1


@pytest.mark.slow
async def test_a_rating_typed_just_before_enter_is_saved_with_it(patient, make_app):
    """Typed fast, "2" then Enter: the rating is in the check-in Enter saves (keys in order)."""
    app = make_app(patient, berlin(2026, 11, 25, 20, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        await pilot.press("2", "enter", "enter")  # no pause between: as fast as a terminal sends them
        await until(pilot, lambda: "Saved" in text_of(app, "#checkin-result"))
        await settle(pilot)
    with opened(patient) as db:
        found = list_checkins(db)
    assert [dict(c.ratings)["anxiety"] for c in found] == [2]  # one check-in, with the 2


@pytest.mark.slow
async def test_tonight_says_when_check_ins_rise_since_the_step(patient, make_app):
    _taper(patient)
    with opened(patient) as db:
        for day in (20, 24):
            record_checkin(db, berlin(2026, 11, day, 20), ["anxiety=1"])
        for day in (30,):
            record_checkin(db, berlin(2026, 11, day, 20), ["anxiety=2", "tremor=2", "sleep=2"])
        record_checkin(db, berlin(2026, 12, 2, 20), ["anxiety=2", "tremor=2", "sleep=2"])
    app = make_app(patient, berlin(2026, 12, 2, 20, 10))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "check-ins are higher" in flat(text_of(app, "#warnings")))
        assert "higher since the step on 29 November 2026" in flat(screen_text(app))
