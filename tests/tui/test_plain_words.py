"""Issue 21, "it speaks to a patient": no command-line option and no rule id on the screen.

A message is written in words where it is made (the service or core), with the option to type
in its `hint`, which only the CLI prints; the screen shows the message as it is, with nothing
rewritten on the way (the plan form used to run it through regular expressions).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tui_helpers import (
    SIZE,
    berlin,
    flat,
    make_patient,
    opened,
    press,
    screen_text,
    settle,
    showing,
    text_of,
    type_into,
    until,
)

from medtrack.core.model import DoseEntry
from medtrack.errors import BadInput
from medtrack.services.dosing import DoseRequest, log_dose
from medtrack.services.plan_build import PlanRequest
from medtrack.services.taper import preview_plan
from medtrack.tui.plan_form import PlanFormDialog
from medtrack.tui.profile import ProfileScreen

pytestmark = pytest.mark.slow  # a real Textual app per test

IN_WINDOW = berlin(2026, 11, 25, 22, 40)
OPTION = re.compile(r"--[a-z]")


def service_message(path: Path, request: PlanRequest) -> str:
    """What the service says about the form's request, called directly (nothing is written)."""
    with opened(path) as db, pytest.raises(BadInput) as refused:
        preview_plan(db, request)
    return refused.value.message


# Each: the fields typed into the plan form (the prescriber and the dose in force are filled in).
BAD_PLANS = [
    {},  # nothing typed: what the plan needs
    {"start": "2026-12-01", "every": "3x", "step": "10%"},
    {"start": "2026-12-01", "every": "14d", "step": "abc"},
    {"start": "1.12.26", "every": "14d", "step": "10%"},
    {"start": "2026-12-01", "every": "14d", "max-cut": "5"},
    {"start": "2026-12-01", "every": "14d", "step": "10%", "until": "2027-06-01"},
    {"start": "2026-12-01", "every": "14d", "until": "2026-12-10"},
    {"start": "2026-12-01", "every": "14d", "step": "0.3mg"},
]


@pytest.mark.parametrize("typed", BAD_PLANS, ids=lambda typed: ",".join(typed) or "empty")
async def test_the_plan_form_shows_the_services_words_unchanged_and_no_option(tmp_path, make_app, typed):
    path = make_patient(tmp_path / "medtrack.db")
    app = make_app(path, IN_WINDOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert showing(app, ProfileScreen)
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, PlanFormDialog)
        for field, text in typed.items():
            await type_into(pilot, f"#{field}", text)
        await press(pilot, "enter")  # Enter in a field previews
        await until(pilot, lambda: text_of(app, ".dialog-error") not in ("", "Saving…"))
        shown = text_of(app, ".dialog-error")
        assert shown == service_message(path, dialog.request()), "the message as the service made it"
        assert not OPTION.search(shown), f"a command-line option on the screen: {shown}"
        assert not OPTION.search(flat(screen_text(app)))
        assert "taper set" not in shown and "medtrack " not in shown


async def test_tonight_names_the_rule_an_already_taken_dose_broke_in_words(tmp_path, make_app):
    path = make_patient(tmp_path / "medtrack.db")
    with opened(path) as db:
        log_dose(db, berlin(2026, 11, 25, 22, 0), DoseRequest(dose="1mg"))
        log_dose(db, berlin(2026, 11, 25, 22, 50), DoseRequest(
            dose="0.5mg", note="took half a tablet more", entry=DoseEntry.ALREADY_TAKEN))
    app = make_app(path, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "already taken" in text_of(app, "#warnings"))
        warnings = flat(text_of(app, "#warnings"))
        assert "against the rule 'one dose per night'" in warnings
        assert "one-dose-per-night" not in warnings, "a rule id on the screen"
