"""Withdrawal red flags on the screen: the Symptoms banner for a fit typed in the patient's own
words (and none for a word medtrack does not know), the urgent warning on Tonight, and the
ward's banner for the patient it concerns.

The app gets a fixed clock (Berlin) and an 80x24 terminal; databases are made through the
services (`make_patient`) or the real CLI (`run`).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from test_screens import log_symptom_in_tui
from tui_helpers import SIZE, berlin, flat, opened, press, screen_text, settle, text_of, until

from medtrack.core.drug import RedFlag
from medtrack.services.symptoms import list_symptoms, log_symptom
from medtrack.tui.symptoms import SymptomsScreen
from medtrack.tui.tonight import TonightScreen
from medtrack.tui.ward import WardScreen
from medtrack.withdrawal import load_withdrawal


def red_flag(term: str) -> RedFlag:
    flag = load_withdrawal().red_flag(term)
    assert flag is not None, term
    return flag


SEIZURES = red_flag("seizures")
HALLUCINATIONS = red_flag("hallucinations")


@pytest.mark.slow
async def test_a_fit_in_own_words_shows_the_urgent_symptom_banner_and_wobbly_does_not(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        assert isinstance(app.screen, SymptomsScreen)
        await log_symptom_in_tui(pilot, None, 1, own="fit")
        await until(pilot, lambda: text_of(app, "#urgent-banner") != "")
        assert text_of(app, "#urgent-banner") == f"URGENT: Seizures. {SEIZURES.advice}"
        assert app.screen.query_one("#urgent-banner").has_class("urgent")
        await until(pilot, lambda: "Seizures (severity 1)  URGENT" in text_of(app, "#recent"))
        await log_symptom_in_tui(pilot, None, 5, own="wobbly")
        await until(pilot, lambda: "wobbly (severity 5)" in text_of(app, "#recent"))
        assert text_of(app, "#urgent-banner") == ""  # an unknown word is an ordinary entry
        assert not app.screen.query_one("#urgent-banner").has_class("urgent")
        assert "wobbly (severity 5)  URGENT" not in text_of(app, "#recent")
    with opened(patient) as db:
        assert [(s.name, s.urgent) for s in list_symptoms(db)] == [("Seizures", True), ("wobbly", False)]


@pytest.mark.slow
async def test_the_urgent_words_are_said_even_when_the_screen_is_left_at_once(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, None, 1, own="fit")
        await press(pilot, "escape")  # back to Tonight before the save has ended
        await until(pilot, lambda: any("URGENT: Seizures" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, TonightScreen)
        assert app.return_code is None  # still running: no lookup of a closed screen's widgets


@pytest.mark.slow
async def test_the_symptom_list_offers_each_red_flag(patient, make_app):
    app = make_app(patient, berlin(2026, 11, 25, 23, 0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "s")
        await log_symptom_in_tui(pilot, "delirium", None)
        await until(pilot, lambda: text_of(app, "#urgent-banner") != "")
        assert text_of(app, "#urgent-banner").startswith("URGENT: Delirium or severe confusion. ")
    with opened(patient) as db:
        assert [(s.name, s.urgent) for s in list_symptoms(db)] == [("Delirium or severe confusion", True)]


@pytest.mark.slow
async def test_tonight_shows_a_red_flag_as_an_urgent_warning(patient, make_app):
    with opened(patient) as db:
        log_symptom(db, berlin(2026, 11, 25, 21, 5), "hearing voices", "2")
        log_symptom(db, berlin(2026, 11, 25, 21, 6), "wobbly", "5")
    app = make_app(patient, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: "URGENT" in text_of(app, "#warnings"))
        warnings = text_of(app, "#warnings")
        assert warnings.startswith(f"! URGENT: Hallucinations, noted 2026-11-25 21:05. {HALLUCINATIONS.advice}")
        assert "wobbly" not in warnings
        assert app.screen.query_one("#warnings").has_class("urgent")
        assert "URGENT: Hallucinations" in flat(screen_text(app))


@pytest.fixture
def two_patients(run, monkeypatch, tmp_path: Path) -> Path:
    """Ada and Bert (numbers 1 and 2) in Berlin, made with the CLI; Bert had a fit, Ada felt wobbly."""
    ids = (f"5f0c7d1e-9a4b-4c2d-8e6f-{n:012d}" for n in itertools.count(1))
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: next(ids))
    path = tmp_path / "ward.db"
    for number, name in enumerate(("Ada Muster", "Bert Brandt"), 1):
        more = ("--add-patient",) if number > 1 else ()
        run.ok("init", "--name", name, "--born", "1940-05-01", "--tz", "Europe/Berlin", *more,
               now="2026-11-01T12:00+01:00", db=path)
        run.ok("--patient", str(number), "prescribe", "--dose", "1mg", "--prescriber", "Dr. Weiss",
               "--start", "2026-11-01", now="2026-11-01T12:00+01:00", db=path)
    run.ok("--patient", "1", "symptom", "wobbly", "--severity", "5", now="2026-11-25T21:00+01:00", db=path)
    run.ok("--patient", "2", "symptom", "fit", now="2026-11-25T21:10+01:00", db=path)
    run.close()
    return path


@pytest.mark.slow
async def test_the_ward_banner_names_the_patient_with_a_red_flag(two_patients, make_app):
    app = make_app(two_patients, berlin(2026, 11, 25, 22, 40))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await until(pilot, lambda: isinstance(app.screen, WardScreen) and text_of(app, "#ward-urgent") != "")
        banner = text_of(app, "#ward-urgent")
        assert banner == f"2 Bert Brandt: URGENT: Seizures, noted 2026-11-25 21:10. {SEIZURES.advice}"
        assert app.screen.query_one("#ward-urgent").display
        assert "Ada Muster" not in banner and "wobbly" not in banner
        assert "2 Bert Brandt: URGENT: Seizures" in flat(screen_text(app))
