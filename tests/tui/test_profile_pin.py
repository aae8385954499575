"""The profile form on a locked plan: a change that loosens a limit (a later wake, a new zone)
is refused on the screen until the prescriber's PIN is typed; a change that only tightens (a
later bedtime, a higher liver level) or limits nothing (the language) is saved without it.

The real app with Pilot on a real SQLite file, the clock fixed in Berlin at 21:00 (window
20:30-23:30); the lock is set with PIN 4711.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Select
from tui_helpers import SIZE, berlin, opened, press, push_button, settle, showing, text_of, type_into, until

from medtrack.services.lock import set_lock
from medtrack.services.profile import show_profile
from medtrack.tui.profile import EditProfileDialog, ProfileScreen

NOW = berlin(2026, 11, 25, 21, 0)
PIN = "4711"


def _lock(patient: Path) -> None:
    with opened(patient) as db:
        set_lock(db, berlin(2026, 11, 2, 12), PIN, None)


@pytest.mark.slow
async def test_a_later_wake_on_a_locked_plan_needs_the_pin(patient, make_app):
    _lock(patient)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        assert showing(app, EditProfileDialog)
        await type_into(pilot, "#wake", "11:30")
        await push_button(pilot, "#save")
        await until(pilot, lambda: text_of(app, ".dialog-error") != "")
        error = text_of(app, ".dialog-error")
        assert isinstance(app.screen, EditProfileDialog), "no PIN: not saved"
        assert "prescriber lock" in error and "PIN" in error and "later wake time" in error
        assert "--" not in error, "no command-line wording on the screen"
        with opened(patient) as db:
            assert show_profile(db).wake == dt.time(6, 30)
        await type_into(pilot, "#pin", PIN)
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "wake 11:30" in text_of(app, "#profile-text"))
    with opened(patient) as db:
        assert show_profile(db).wake == dt.time(11, 30)


@pytest.mark.slow
async def test_a_zone_move_on_a_locked_plan_is_refused_with_a_wrong_pin(patient, make_app):
    _lock(patient)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        await type_into(pilot, "#zone", "Asia/Karachi")
        await type_into(pilot, "#pin", "1111")
        await push_button(pilot, "#save")
        await until(pilot, lambda: "wrong" in text_of(app, ".dialog-error"))
        assert isinstance(app.screen, EditProfileDialog)
    with opened(patient) as db:
        assert show_profile(db).zone == "Europe/Berlin"


@pytest.mark.slow
async def test_a_tightening_change_on_a_locked_plan_needs_no_pin(patient, make_app):
    _lock(patient)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        await type_into(pilot, "#bedtime", "23:00")
        app.screen.query_one("#liver", Select).value = "mild"
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "Bedtime 23:00" in text_of(app, "#profile-text"))
        assert "Liver: mild" in text_of(app, "#profile-text")
    with opened(patient) as db:
        profile = show_profile(db)
    assert (profile.bedtime, profile.liver) == (dt.time(23, 0), "mild")


@pytest.mark.slow
async def test_a_language_change_on_a_locked_plan_needs_no_pin(patient, make_app):
    _lock(patient)
    app = make_app(patient, NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p", "e")
        app.screen.query_one("#language", Select).value = "ja"
        await push_button(pilot, "#save")
        await until(pilot, lambda: isinstance(app.screen, ProfileScreen)
                    and "日本語" in text_of(app, "#profile-text"))
    with opened(patient) as db:
        assert show_profile(db).language == "ja"
