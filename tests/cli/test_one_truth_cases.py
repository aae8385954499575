"""One truth everywhere: eight cases where two outputs of medtrack, or an output and the night it
talks about, used to disagree. Each test says what a user would notice.

Every call goes through the real `medtrack` entry point in-process (the `run` / `patient`
fixtures of tests/conftest.py) with a fixed clock (`now=`); every patient lives in Europe/Berlin
(+01:00 in November), so no result depends on the machine's zone. Unless a test says otherwise
"tonight" is the night of 2026-11-25 and the standard patient (born 1970-05-01, bedtime 22:30,
wake 06:30: window 20:30-23:30) is on 1 mg from the night of 2026-11-01.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ZONE = "Europe/Berlin"
SET_UP_AT = "2026-11-01T12:00+01:00"
EVENING = "2026-11-25T20:00+01:00"      # before tonight's window opens
IN_WINDOW = "2026-11-25T22:40+01:00"
TONIGHT = "2026-11-25"
MG = re.compile(r"\d+(?:\.\d+)? ?mg")


def new_patient(run: Any, born: str, dose: str, start: str, *, prescribed_at: str = SET_UP_AT) -> Any:
    """A Berlin patient (bedtime 22:30, wake 06:30) on `dose` from the night of `start`."""
    run.ok("init", "--name", "Ada Muster", "--born", born, "--tz", ZONE, "--bedtime", "22:30",
           "--wake", "06:30", now=SET_UP_AT)
    run.ok("prescribe", "--dose", dose, "--prescriber", "Dr. Weiss", "--start", start, now=prescribed_at)
    return run


def status(run: Any, now: str) -> dict[str, Any]:
    data = run.ok("status", "--json", now=now).json()
    assert isinstance(data, dict)
    return data


def pdf_text(pdf: Path, *pages: str) -> str:
    """The PDF's text laid out as on the page (`pdftotext -layout`), skipped without poppler."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    args = ["pdftotext", "-enc", "UTF-8", "-layout", *pages, str(pdf), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")


def mg(value: float) -> str:
    """A dose as medtrack prints it: 0.75 -> '0.75 mg', 1.0 -> '1 mg'."""
    return f"{value:g} mg"


# -- 1. the 65th birthday ---------------------------------------------------------------------------


@pytest.mark.parametrize("born,dose,prescribed", [
    ("1961-11-26", "1.5mg", "1.5"),  # turns 65 on the day of this night
    ("1961-11-25", "2mg", "2"),      # turned 65 the day before
])
@pytest.mark.slow
def test_1_from_the_65th_birthday_status_and_log_offer_at_most_1_mg(run, born, dose, prescribed):
    """A patient prescribed more than 1 mg turns 65: on that night medtrack never tells them to
    take the prescribed amount. It says "at most 1 mg", asks them to have the prescription
    reviewed, a bare `log` does not record (or offer) the prescribed amount, and `log 1mg` works."""
    new_patient(run, born, dose, "2026-11-20", prescribed_at="2026-11-20T12:00+01:00")
    now = "2026-11-26T22:40+01:00"  # in the window of the night of 2026-11-26

    data = status(run, now)
    assert data["night"] == "2026-11-26"
    assert data["may_take_mg"] == 1, data
    assert data["over_ceiling"] is True, data
    assert f"take {prescribed} mg" not in data["guidance"].lower(), data["guidance"]

    text = run.ok("status", now=now).out
    assert f"take {prescribed} mg" not in text.lower(), text
    assert "at most 1 mg" in text, text
    assert "prescriber" in text and "review" in text, text

    bare = run("log", now=now)
    said = bare.out + bare.err
    assert not re.search(rf"(take|log|record\w*)\W+{re.escape(prescribed)} ?mg", said, re.I), bare
    assert not re.search(rf":\s*{re.escape(prescribed)} mg at", said), bare  # "#1 night ...: 1.5 mg at"
    doses = [r["dose_mg"] for r in run.ok("history", "--json", now=now).json() if r["kind"] == "dose"]
    assert all(d <= 1 for d in doses), (doses, bare)
    if bare.code != 0:
        assert "1 mg" in bare.err, bare  # the refusal names what may be taken

    if not doses:  # the bare log was refused: 1 mg is accepted
        accepted = run("log", "1mg", now=now)
        assert accepted.code == 0, accepted


# -- 2. the PDF's next step after a hold -------------------------------------------------------------


@pytest.mark.slow
def test_2_pdf_next_step_and_plan_version_after_a_hold_match_status_and_taper_show(patient, tmp_path):
    """After a hold entered for a night after tonight, the doctor's PDF names on page one the same
    next step (night and dose) as `status`, and the same plan version as `taper show`; the symptom
    journal names that version for tonight's step too, and both end its nights where the hold's
    version takes over."""
    patient.ok("taper", "set", "--start", "2026-11-15", "--from", "1mg", "--step", "0.25mg", "--every", "2w",
               "--prescriber", "Dr. Weiss", now="2026-11-10T12:00+01:00")  # 0.75 mg from 11-29
    patient.ok("symptom", "headache", "--severity", "2", now="2026-11-20T21:00+01:00")
    patient.ok("taper", "hold", "--days", "7", "--at", "2026-11-27", "--reason", "t", now=EVENING)

    next_change = status(patient, EVENING)["next_change"]
    plan = patient.ok("taper", "show", "--json", now=EVENING).json()
    step = next(s for s in plan["steps"] if s["start"] <= TONIGHT and (s["end"] is None or s["end"] >= TONIGHT))
    pdf = tmp_path / "x.pdf"
    patient.ok("export", "--format", "pdf", "-o", str(pdf), now=EVENING)

    page_one = pdf_text(pdf, "-f", "1", "-l", "1")
    (next_line,) = [line for line in page_one.splitlines() if "Next step" in line]
    assert next_change is not None
    assert next_change["night"] in next_line and mg(next_change["dose_mg"]) in next_line, (next_change, next_line)
    (tonight_line,) = [line for line in page_one.splitlines() if f"Tonight {TONIGHT}" in line]
    # version 1's step, to the night before the hold's version takes over (as the journal says)
    assert f"{step['start']} to 2026-11-26" in tonight_line, (step, tonight_line)
    in_force = plan["tonight"]["version_in_force"]  # the hold takes over on 11-27, after tonight
    assert (in_force, plan["version"]) == (1, 2)
    assert f"taper plan version {in_force}," in tonight_line, tonight_line
    (change_line,) = [line for line in page_one.splitlines() if "Plan change" in line]
    assert f"taper plan version {plan['version']}" in change_line and "from 2026-11-27" in change_line

    journal = pdf_text(pdf).split("Symptom journal", 1)[1]
    titles = [line for line in journal.splitlines() if line.strip().startswith("Step:")]
    (tonights,) = [t for t in titles if f"nights {step['start']} to" in t]
    assert f"v{in_force}" in tonights, titles  # the version in force on those nights, as page one
    assert "to 2026-11-26" in tonights, titles  # it ends where the hold's version takes over


@pytest.mark.slow
def test_2_a_prescription_keeping_tonights_dose_ends_the_plan_step_on_page_one_as_in_fhir(patient, tmp_path):
    """Found by the one-truth property: a plan step of 0.75 mg from 2026-11-23 (0.5 mg from 12-07)
    is replaced on 12-06 by a prescription of the same 0.75 mg. No dose changes on 12-06, so there
    is no "next step"; page one said the step's nights ran "2026-11-23 to onwards" beside its own
    "Plan change ... from 2026-12-06". It ends on 12-05, the night FHIR's order for it ends."""
    patient.ok("taper", "set", "--start", "2026-11-23", "--from", "0.75mg", "--step", "0.25mg", "--every", "2w",
               "--to", "0.5mg", "--prescriber", "Dr. Weiss", now="2026-11-13T20:00+01:00")
    patient.ok("prescribe", "--dose", "0.75mg", "--prescriber", "Dr. Weiss", "--start", "2026-12-06",
               now="2026-11-16T09:00+01:00")
    now = "2026-11-25T20:00+01:00"
    assert status(patient, now)["next_change"] is None
    pdf, fhir = tmp_path / "x.pdf", tmp_path / "x.json"
    patient.ok("export", "--format", "pdf", "-o", str(pdf), now=now)
    patient.ok("export", "--format", "fhir", "-o", str(fhir), now=now)

    page_one = " ".join(pdf_text(pdf, "-f", "1", "-l", "1").split())
    assert "step 1 of 2 (nights 2026-11-23 to 2026-12-05) of taper plan version 1" in page_one, page_one
    assert "Plan change a new prescription by Dr. Weiss in force from 2026-12-06" in page_one
    bundle = json.loads(fhir.read_text())
    bounds = [instruction["timing"]["repeat"]["boundsPeriod"]
              for entry in bundle["entry"] if entry["resource"]["resourceType"] == "MedicationRequest"
              for instruction in entry["resource"].get("dosageInstruction", [])]
    assert {"start": "2026-11-23", "end": "2026-12-05"} in bounds, bounds


def test_2_a_plan_replaced_by_a_prescription_is_not_the_current_plan_in_the_pdf(patient, tmp_path):
    """A prescription of 0.75 mg from 12-06 replaces a plan whose step 3 (0.5 mg) runs 12-05..12-11.
    On 12-08 page one says tonight is the prescription's 0.75 mg; the plan page used to head the
    plan "Current plan" and mark its 0.5 mg step "◀ tonight". It now says the plan was replaced,
    from which night and by what, in the words `taper show` uses, and marks no step of it."""
    patient.ok("taper", "set", "--start", "2026-11-21", "--from", "1mg", "--step", "0.25mg", "--every", "7d",
               "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
    patient.ok("prescribe", "--dose", "0.75mg", "--prescriber", "Dr. Roth", "--start", "2026-12-06",
               now="2026-11-20T12:05+01:00")
    now = "2026-12-08T20:00+01:00"
    said = ("A prescription by Dr. Roth (0.75 mg a night) replaced this plan from the night of 2026-12-06; "
            "its steps from that night on no longer apply.")
    assert said in patient.ok("taper", "show", now=now).out.splitlines()
    assert status(patient, now)["scheduled_mg"] == 0.75
    pdf = tmp_path / "x.pdf"
    patient.ok("export", "--format", "pdf", "-o", str(pdf), now=now)

    text = pdf_text(pdf)
    (tonight_line,) = [line for line in text.splitlines() if "Tonight 2026-12-08" in line]
    assert "0.75 mg, prescription by Dr. Roth from 2026-12-06" in tonight_line, tonight_line
    plan_page = text.split("Replaced plan: taper plan version 1", 1)[1].split("Step", 1)[0]
    assert said in " ".join(plan_page.split())
    assert "Current plan" not in text and "◀ tonight" not in text


# -- 3. a profile change does not re-judge the past ---------------------------------------------------


def test_3_a_new_contraindication_leaves_past_missed_nights_missed(run):
    """Nights 11-20..11-24 passed with nothing recorded; a contraindication entered on the evening
    of 11-25 makes tonight "contraindicated", but the calendar still shows those nights as missed."""
    new_patient(run, "1970-05-01", "1mg", "2026-11-20", prescribed_at="2026-11-20T12:00+01:00")
    run.ok("profile", "set", "--condition", "myasthenia-gravis", now=EVENING)

    later = "2026-11-25T20:05+01:00"
    month = run.ok("calendar", "--json", "--month", "2026-11", now=later).json()
    states = {n["night"]: n["state"] for n in month["nights"]}
    assert [states[f"2026-11-{d}"] for d in range(20, 25)] == ["missed"] * 5, states
    assert states[TONIGHT] == "contraindicated", states
    assert status(run, later)["state"] == "contraindicated"


# -- 4. a dose after the taper is complete ---------------------------------------------------------------


def test_4_a_dose_after_the_taper_ended_is_the_last_dose_everywhere(patient):
    """The plan reached 0 mg on 11-15; a dose taken on 11-20 and recorded afterwards means status
    and calendar no longer claim "no flunitrazepam since" the end of the plan, and the drug-free
    nights count from the night after that dose (through tonight, as before the dose)."""
    patient.ok("taper", "set", "--steps", "2026-11-01=1mg,2026-11-08=0.5mg,2026-11-15=0",
               "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    patient.ok("log", "0.5mg", "--already-taken", "--at", "2026-11-20T22:40+01:00", "--note", "relapse",
               now=EVENING)

    last = dt.date(2026, 11, 20)
    nights_after = (dt.date.fromisoformat(TONIGHT) - last).days  # 11-21 .. 11-25
    data = status(patient, EVENING)
    assert data["last_dose_night"] == last.isoformat(), data
    assert data["drug_free_nights"] == nights_after, data
    month = patient.ok("calendar", "--json", "--month", "2026-11", now=EVENING).json()
    assert month["last_dose_night"] == last.isoformat() and month["drug_free_nights"] == nights_after, {
        k: v for k, v in month.items() if k != "nights"}

    for argv in (("status",), ("calendar", "--month", "2026-11")):
        shown = patient.ok(*argv, now=EVENING).out
        for since in re.findall(r"no flunitrazepam since (?:the night of )?(\d{4}-\d\d-\d\d)", shown, re.I):
            assert dt.date.fromisoformat(since) > last, shown


# -- 5. no numbers beside "do not take" -------------------------------------------------------------------


def _contraindicated(run: Any) -> str:
    run.ok("profile", "set", "--condition", "glaucoma", now=EVENING)
    return IN_WINDOW


def _too_late(run: Any) -> str:
    return "2026-11-26T03:00+01:00"  # after the latest time (23:30), nothing recorded


def _taper_complete(run: Any) -> str:
    run.ok("taper", "set", "--steps", "2026-11-01=1mg,2026-11-08=0.5mg,2026-11-15=0",
           "--prescriber", "Dr. Weiss", now=SET_UP_AT)
    return IN_WINDOW


@pytest.mark.parametrize("make", [_contraindicated, _too_late, _taper_complete],
                         ids=["contraindicated", "too-late", "taper-complete"])
def test_5_do_not_take_states_show_no_dose_or_limit(run, make):
    """When the answer is "do not take", status shows no amount that reads like permission: no
    "limit 1 mg", no dose on its first line, and `may_take_mg` is null. The patient is over 65
    (ceiling 1 mg) on 1 mg, so any leaked number would be "1 mg"."""
    new_patient(run, "1950-03-01", "1mg", "2026-11-01")
    now = make(run)

    data = status(run, now)
    assert data["may_take_mg"] is None, data
    text = run.ok("status", now=now).out
    assert "limit 1 mg" not in text and not re.search(r"limit \d", text), text
    first = text.splitlines()[0]
    assert "1 mg" not in first and not MG.search(first), first


@pytest.mark.parametrize("now", ["2026-11-25T23:45+01:00", "2026-11-26T03:00+01:00"])
@pytest.mark.slow
def test_5_a_step_night_that_is_too_late_does_not_announce_the_new_dose(patient, now):
    """A taper step starts tonight (0.5 mg from 11-25) but the window has closed: status says it is
    too late and does not say "Your dose changes tonight"."""
    patient.ok("taper", "set", "--steps", "2026-11-20=1mg,2026-11-25=0.5mg,2026-12-10=0",
               "--prescriber", "Dr. Weiss", now="2026-11-20T12:00+01:00")
    data = status(patient, now)
    assert data["night"] == TONIGHT and data["may_take_mg"] is None, data
    text = patient.ok("status", now=now).out
    assert "Your dose changes tonight" not in text, text
    assert not MG.search(text.splitlines()[0]), text


# -- 6. words for the wrong night -------------------------------------------------------------------------


def test_6_words_name_the_night_they_are_about(patient):
    """The morning after a night without a dose, status talks about "last night", not "skip
    tonight"; a dose recorded for three nights ago does not say "Take no more tonight"; a late
    record for last night, entered in the morning, does not say "Go to bed now"."""
    morning = "2026-11-26T09:00+01:00"
    data = status(patient, morning)
    text = patient.ok("status", now=morning).out
    for said in (data["guidance"], text):
        assert "last night" in said.lower(), said
        assert "skip tonight" not in said.lower(), said

    old = patient.ok("log", "--already-taken", "--at", "2026-11-22T22:30+01:00", "--note", "x", now=EVENING)
    assert "Take no more tonight" not in old.out, old
    assert "2026-11-22" in old.out and "recorded" in old.out.lower(), old

    late = patient.ok("log", "--already-taken", "--at", "2026-11-25T23:55+01:00", "--note", "x", now=morning)
    assert "Go to bed now" not in late.out, late


# -- 7. counts ----------------------------------------------------------------------------------------------


def _skip_then_two_doses(run: Any) -> None:
    """Night of 11-24: a skip, then two doses recorded as already taken; tonight 1 mg in the window."""
    run.ok("skip", "--note", "not tonight", now="2026-11-24T21:00+01:00")
    run.ok("log", "--already-taken", "--note", "took it after all", now="2026-11-24T22:40+01:00")
    run.ok("log", "--already-taken", "--note", "and again", now="2026-11-24T23:10+01:00")
    run.ok("log", now=IN_WINDOW)


def test_7_the_second_dose_of_a_night_broke_one_dose_per_night(patient):
    """After a skip and then two doses the same night, the history flags the second dose as
    breaking the one-dose-per-night rule (not just "skipped night")."""
    _skip_then_two_doses(patient)
    doses = [r for r in patient.ok("history", "--json", now=IN_WINDOW).json()
             if r["kind"] == "dose" and r["night"] == "2026-11-24"]
    assert len(doses) == 2, doses
    assert doses[1]["rule_broken"] == "one-dose-per-night", doses


@pytest.mark.slow
def test_7_pdf_nights_due_leaves_out_tonight(run, tmp_path):
    """The PDF's "nights due" counts the past nights of the period with a dose scheduled, not tonight
    (already taken) nor later nights of the selected range."""
    new_patient(run, "1970-05-01", "1mg", "2026-11-10")
    _skip_then_two_doses(run)
    pdf = tmp_path / "report.pdf"
    now = "2026-11-25T22:45+01:00"
    run.ok("export", "--format", "pdf", "-o", str(pdf), "--from", "2026-11-05", "--to", "2026-11-30", now=now)

    month = run.ok("calendar", "--json", "--month", "2026-11", now=now).json()
    past_due = [n["night"] for n in month["nights"]
                if "2026-11-05" <= n["night"] < TONIGHT and n["scheduled_mg"]]
    assert len(past_due) == 15  # 11-10 .. 11-24
    found = re.search(r"Adherence: (\d+) nights due", pdf_text(pdf))
    assert found, "no 'Adherence: N nights due' in the PDF"
    assert int(found.group(1)) == len(past_due), found.group(0)


# -- 8. cut doses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("plan", [
    ("taper", "set", "--steps", "2026-11-15=0.875mg,2026-11-22=0.625mg,2026-11-29=0.375mg,2026-12-06=0",
     "--round", "0.125mg", "--prescriber", "Dr. Weiss"),
    ("prescribe", "--dose", "0.625mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-10"),
], ids=["taper", "prescription"])
def test_8_the_calendar_shows_cut_doses_in_full(patient, plan):
    """Quarter- and eighth-tablet doses appear in the calendar grid as 0.625 (0.875, 0.375), never
    rounded to 0.62 (0.88, 0.38) or cut to 0.87 (0.37)."""
    patient.ok(*plan, now="2026-11-09T12:00+01:00")
    grid = patient.ok("calendar", "--month", "2026-11", now=EVENING).out
    assert "0.625" in grid, grid
    if plan[0] == "taper":
        assert "0.875" in grid and "0.375" in grid, grid
    assert not re.search(r"\b0\.(?:62|88|87|38|37)(?!\d)", grid), grid


# -- the iCalendar export says what may be taken ---------------------------------------------------


def _reminders(ics: Path, first: dt.date, last: dt.date) -> dict[str, str]:
    """Each night's bedtime reminder summary (icalendar + recurring_ical_events read it)."""
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(ics.read_bytes())
    found = {}
    for event in recurring_ical_events.of(calendar).between(first, last + dt.timedelta(days=1)):
        start = event["DTSTART"].dt
        if isinstance(start, dt.datetime) and str(event.get("STATUS")) != "CANCELLED":
            found[start.date().isoformat()] = str(event["SUMMARY"])
    return found


def test_the_calendar_reminders_never_ask_for_more_than_the_ceiling(run, tmp_path):
    """An open-ended 1.5 mg prescription for someone who turns 65 on 2026-12-03: the reminders
    say 1.5 mg before and "at most 1 mg" from that night on, as `status` will."""
    new_patient(run, "1961-12-03", "1.5mg", "2026-11-20")
    ics = tmp_path / "plan.ics"
    run.ok("export", "--format", "ics", "-o", str(ics), now=EVENING)
    shown = _reminders(ics, dt.date(2026, 11, 25), dt.date(2026, 12, 10))
    assert shown["2026-12-02"].endswith(" 1.5 mg") and shown["2026-12-03"].endswith("at most 1 mg"), shown
    assert status(run, "2026-12-03T22:40+01:00")["may_take_mg"] == 1


def test_the_calendar_has_no_reminder_while_a_contraindication_stands(run, tmp_path):
    """After a contraindication is entered, the exported calendar reminds of no dose from tonight."""
    new_patient(run, "1970-05-01", "1mg", "2026-11-20")
    run.ok("profile", "set", "--condition", "myasthenia-gravis", now=EVENING)
    ics = tmp_path / "plan.ics"
    run.ok("export", "--format", "ics", "-o", str(ics), now=EVENING)
    assert _reminders(ics, dt.date(2026, 11, 25), dt.date(2026, 12, 31)) == {}
    assert status(run, IN_WINDOW)["state"] == "contraindicated"
