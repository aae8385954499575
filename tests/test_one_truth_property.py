"""Issue 18, "Done when": over random histories, every view of medtrack tells one truth, night by
night, about the scheduled dose, the dose that may be taken, the state and the next step.

A history (hypothesis) is a Berlin patient (bedtime 22:30, wake 06:30) set up on the night of
2026-11-01, born on a random date (half of them turn 65 close to the history, when the ceiling
drops from 2 mg to 1 mg), then a few commands, each at a clock that only moves forward: evening
(20:00, before the window), night (22:40, in the window) or morning (09:00, the night before's):
prescriptions, taper plans (generated or explicit), holds, step backs, a contraindication, doses,
doses recorded as already taken, skips and voids. A refused command (exit 2 or 3) is part of the
history too. No prescriber lock is ever set.

Then, from the moment the history ends, the views are compared through the real entry point:
- over every night from before the first prescription to well after the last change: the
  calendar (`calendar --json`), the XLSX Plan sheet (worked out as its reader would: the newest
  version whose first night in force is on or before the night), its Records sheet, the FHIR
  bundle (exactly one MedicationRequest dosage period claims each night, with that dose), the ICS
  (from tonight on, one bedtime reminder naming that dose, "at most" the ceiling above it, and
  none on a contraindicated night; notes only where the dose changes) and `taper show --json`
  (when the plan is the newest thing the prescriber wrote);
- the next change each of them implies against `status --json`'s next_change;
- for a handful of nights (tonight, the next change, the 65th birthday, random later nights), at a
  clock in that night: `status --json --at` against the calendar's state and dose, and the PDF's
  page one ("Tonight", "at most", "Ceiling", "Next step", "Taper complete"), and the ICS and FHIR
  against the ceiling of that night.

Every comparison is its own `assert` line, so hypothesis reports each kind of disagreement
separately with its own minimal history.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from one_truth_views import (
    DAY,
    contraindicated_finding_covers,
    fhir_claims,
    ics_note_dose,
    mg_or_none,
    nights,
    read_ics,
    read_page_one,
    read_plan_page,
    read_xlsx,
)

BERLIN = ZoneInfo("Europe/Berlin")
FIRST = dt.date(2026, 11, 1)  # the night the patient is set up
SET_UP_AT = "2026-11-01T12:00+01:00"
PRESCRIBER = "Dr. Weiss"
DOSES = ("0.25mg", "0.5mg", "0.75mg", "1mg", "1.25mg", "1.5mg", "1.75mg", "2mg")
PHASES = {"evening": (0, dt.time(20, 0)), "night": (0, dt.time(22, 40)), "morning": (1, dt.time(9, 0))}
ORDER = {phase: i for i, phase in enumerate(PHASES)}
CONDITIONS = ("glaucoma", "myasthenia-gravis")
DOSE_STATES = ("not_yet", "due")
REGIMEN_COMMANDS = ("prescribe", "taper")
STATUS_KEYS = ("night", "state", "scheduled_mg", "may_take_mg", "over_ceiling", "max_mg", "taken_mg", "excess",
               "next_change", "taper_complete_since")


# -- the clock -------------------------------------------------------------------------------------


def at(night: dt.date, phase: str) -> dt.datetime:
    """The moment of a phase of a night (a morning is the next day's 09:00, still that night's)."""
    days, clock = PHASES[phase]
    return dt.datetime.combine(night + days * DAY, clock, BERLIN)


def iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="minutes")


def local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def night_of(moment: dt.datetime) -> dt.date:
    return moment.date() if moment.time() >= dt.time(12) else moment.date() - DAY


# -- histories ---------------------------------------------------------------------------------------


def births() -> st.SearchStrategy[str]:
    """Half turn 65 between 5 nights before the set-up and 70 nights after it; the rest any age
    from 14 (contraindicated below 18) to 81."""
    turning_65 = st.integers(-5, 70).map(lambda k: FIRST + k * DAY).map(
        lambda day: day.replace(year=day.year - 65).isoformat())
    anyone = st.dates(dt.date(1945, 1, 1), dt.date(2012, 12, 31)).map(dt.date.isoformat)
    return st.one_of(turning_65, anyone)


def _day(night: dt.date, offsets: st.SearchStrategy[int]) -> st.SearchStrategy[str]:
    return offsets.map(lambda k: (night + k * DAY).isoformat())


def prescriptions(night: dt.date) -> st.SearchStrategy[tuple[str, ...]]:
    start = st.one_of(st.just(()), _day(night, st.integers(-7, 21)).map(lambda d: ("--start", d)))
    return st.tuples(st.sampled_from(DOSES), start).map(
        lambda t: ("prescribe", "--dose", t[0], "--prescriber", PRESCRIBER, *t[1]))


def generated_plans(night: dt.date) -> st.SearchStrategy[tuple[str, ...]]:
    return st.tuples(
        _day(night, st.integers(-14, 14)), st.sampled_from(DOSES),
        st.sampled_from(("0.25mg", "0.5mg", "10%", "25%", "50%")),
        st.sampled_from(("3d", "5d", "7d", "10d", "2w")),
        st.sampled_from(((), ("--to", "0.25mg"), ("--to", "0.5mg"))),
    ).map(lambda t: ("taper", "set", "--start", t[0], "--from", t[1], "--step", t[2], "--every", t[3], *t[4],
                     "--prescriber", PRESCRIBER, "--reason", "r"))


@st.composite
def explicit_plans(draw: st.DrawFn, night: dt.date) -> tuple[str, ...]:
    day = night + draw(st.integers(-7, 21)) * DAY
    count = draw(st.integers(1, 4))
    doses = sorted(draw(st.lists(st.sampled_from([0, *range(1, 9)]), min_size=count, max_size=count,
                                 unique=True)), reverse=True)
    steps = []
    for quarter in doses:
        steps.append(f"{day.isoformat()}={quarter * 0.25:g}mg" if quarter else f"{day.isoformat()}=0")
        day += draw(st.integers(1, 12)) * DAY
    return ("taper", "set", "--steps", ",".join(steps), "--prescriber", PRESCRIBER, "--reason", "r")


def holds(night: dt.date) -> st.SearchStrategy[tuple[str, ...]]:
    where = st.one_of(st.just(()), _day(night, st.integers(-3, 30)).map(lambda d: ("--at", d)))
    return st.tuples(st.integers(1, 10), where).map(
        lambda t: ("taper", "hold", "--days", str(t[0]), "--reason", "r", *t[1]))


def step_backs(night: dt.date) -> st.SearchStrategy[tuple[str, ...]]:
    where = st.one_of(st.just(()), _day(night, st.integers(-3, 30)).map(lambda d: ("--at", d)))
    return where.map(lambda w: ("taper", "step-back", "--reason", "r", *w))


def commands(night: dt.date) -> st.SearchStrategy[tuple[str, ...]]:
    """One command typed during `night`."""
    return st.one_of(
        st.sampled_from(((), *((d,) for d in DOSES))).map(lambda d: ("log", *d)),
        st.tuples(st.sampled_from(DOSES), st.integers(-3, 0)).map(
            lambda t: ("log", t[0], "--already-taken", "--at", f"{night + t[1] * DAY} 22:40", "--note", "n")),
        st.one_of(st.just(()), _day(night, st.integers(-3, 1)).map(lambda d: ("--night", d))).map(
            lambda n: ("skip", *n)),
        st.tuples(st.integers(1, 4), st.booleans()).map(
            lambda t: ("void", str(t[0]), "--reason", "r", *(("--not-taken",) if t[1] else ()))),
        prescriptions(night),
        generated_plans(night),
        explicit_plans(night),
        holds(night),
        step_backs(night),
        generated_plans(night),  # the plan's commands twice as often: most of them need a plan
        holds(night),
        step_backs(night),
        st.sampled_from(CONDITIONS).map(lambda c: ("profile", "set", "--condition", c)),
        st.just(("profile", "set", "--no-conditions")),
    )


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    """{"born", "steps": [(clock, argv)], "end": clock, "later": [(offset, phase)]}."""
    born = draw(births())
    steps: list[tuple[str, tuple[str, ...]]] = []
    first = draw(st.one_of(prescriptions(FIRST).map(lambda p: (*p[:5], "--start", FIRST.isoformat())),
                           st.none()))
    if first is not None:
        steps.append((SET_UP_AT, first))
    plan = draw(st.one_of(generated_plans(FIRST), explicit_plans(FIRST), st.none()))  # holds need a plan
    if plan is not None:
        steps.append(("2026-11-01T12:30+01:00", plan))
    day, phase = 0, ""  # the set-up: 12:00 on the first night, before every phase
    for _ in range(draw(st.integers(0, 8))):
        gap = draw(st.integers(0, 6))
        after = draw(st.sampled_from(tuple(PHASES)))
        day += gap if gap or not phase or ORDER[after] > ORDER[phase] else 1  # the clock moves forward
        phase = after
        night = FIRST + day * DAY
        steps.append((iso(at(night, phase)), draw(commands(night))))
    gap = draw(st.integers(0, 3))
    end_phase = draw(st.sampled_from(tuple(PHASES)))
    day += gap if gap or not phase or ORDER[end_phase] > ORDER[phase] else 1
    end = at(FIRST + day * DAY, end_phase)
    later = draw(st.lists(st.tuples(st.integers(1, 60), st.sampled_from(tuple(PHASES))), max_size=2))
    return {"born": born, "steps": steps, "end": iso(end), "later": later}


# -- reading the CLI -----------------------------------------------------------------------------------


def calendar(run: Any, first: dt.date, last: dt.date, now: str) -> dict[dt.date, dict[str, Any]]:
    out = {}
    for year, month in sorted({(n.year, n.month) for n in nights(first, last)}):
        for night in run.ok("calendar", "--json", "--month", f"{year}-{month:02d}", now=now).json()["nights"]:
            out[dt.date.fromisoformat(night["night"])] = night
    return out


def status(run: Any, moment: dt.datetime) -> dict[str, Any]:
    data = run.ok("status", "--json", "--at", local(moment), now=iso(moment)).json()
    assert isinstance(data, dict)
    return data


def export(run: Any, where: Path, fmt: str, name: str, now: str, *, may_be_empty: bool = False) -> Path | None:
    path = where / f"{name}.{ {'fhir': 'json'}.get(fmt, fmt) }"
    result = run("export", "--format", fmt, "-o", str(path), now=now)
    if may_be_empty and result.code == 2 and "would be empty" in result.err:
        return None
    assert result.code == 0, result
    return path


def written_export(run: Any, where: Path, fmt: str, name: str, now: str) -> Path:
    path = export(run, where, fmt, name, now)
    assert path is not None
    return path


def next_change_of(status_json: dict[str, Any]) -> tuple[dt.date, float] | None:
    change = status_json["next_change"]
    return None if change is None else (dt.date.fromisoformat(change["night"]), float(change["dose_mg"]))


def first_change(doses: dict[dt.date, float | None], tonight: dt.date) -> tuple[dt.date, float] | None:
    """The first night after tonight whose dose differs from tonight's, and that dose (0: none)."""
    for night in sorted(n for n in doses if n > tonight):
        if doses[night] != doses[tonight]:
            return night, doses[night] or 0.0
    return None


def calendar_states(s: dict[str, Any]) -> set[str]:
    """The calendar states (taken/missed/skipped/excess/future/none/contraindicated) that agree
    with a status (contraindicated/taken/skipped/no_prescription/no_dose/not_yet/due/skip)."""
    recorded = "excess" if s["excess"] else "taken"
    state = s["state"]
    if state == "contraindicated":  # the calendar shows what was recorded first, then the ban
        if s["taken_mg"] is not None:
            return {recorded}
        return {"skipped", "none" if s["scheduled_mg"] is None else "contraindicated"}
    return {"taken": {recorded}, "skipped": {"skipped"}, "no_prescription": {"none"}, "no_dose": {"none"},
            "not_yet": {"future"}, "due": {"future"}, "skip": {"missed"}}[state]


def plan_dose(plan: dict[str, Any], night: dt.date) -> float | None:
    dose = None
    for step in plan["steps"]:
        if dt.date.fromisoformat(step["start"]) <= night:
            dose = step["dose_mg"]
    return mg_or_none(dose)


def sixty_fifth(born: str) -> dt.date:
    day = dt.date.fromisoformat(born)
    return day.replace(year=day.year + 65) if (day.month, day.day) != (2, 29) else dt.date(day.year + 65, 3, 1)


# -- the property ---------------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=12, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=histories())
def test_every_view_tells_one_truth_night_by_night(run: Any, tmp_path: Path, history: dict[str, Any]) -> None:
    where = Path(tempfile.mkdtemp(dir=tmp_path))
    run.close()
    run.db = where / "medtrack.db"
    try:
        check(run, where, history)
    finally:
        run.close()


def check(run: Any, where: Path, history: dict[str, Any]) -> None:
    run.ok("init", "--name", "Ada Muster", "--born", history["born"], "--tz", "Europe/Berlin",
           "--bedtime", "22:30", "--wake", "06:30", now=SET_UP_AT)
    written: list[str] = []  # the regimen commands that were accepted, in order
    for clock, argv in history["steps"]:
        result = run(*argv, now=clock)
        note(f"{clock} medtrack {' '.join(argv)} -> exit {result.code} {result.err.strip()}")
        assert result.code in (0, 2, 3), result
        event(f"{' '.join(argv[:2] if argv[0] == 'taper' else argv[:1])}: exit {result.code}")
        if result.code == 0 and argv[0] in REGIMEN_COMMANDS:
            written.append(argv[0])

    end = dt.datetime.fromisoformat(history["end"]).astimezone(BERLIN)
    now = iso(end)
    tonight = night_of(end)
    here = status(run, end)
    note(f"status at {now}: {json.dumps(here)}")
    assert here["night"] == tonight.isoformat()
    plan = run.ok("taper", "show", "--json", now=now).json()
    xlsx = read_xlsx(written_export(run, where, "xlsx", "end", now))
    bundle = json.loads(written_export(run, where, "fhir", "end", now).read_text())

    # The nights compared: from before the first prescription to well after the last change.
    starts = [r.in_force_from for r in xlsx.regimens] + [s[0] for r in xlsx.regimens for s in r.steps]
    change = next_change_of(here)
    # (92 nights: every night looked at below, a 65th birthday up to 90 nights on included)
    last = max([tonight + 92 * DAY, *(s + 10 * DAY for s in starts),
                *([change[0] + 2 * DAY] if change else [])])
    first = FIRST - 2 * DAY
    period = nights(first, last)
    ics = read_ics(export(run, where, "ics", "end", now, may_be_empty=True), BERLIN, tonight, last)
    cal = calendar(run, first, last, now)
    scheduled = {n: cal[n]["scheduled_mg"] for n in period}
    note(f"calendar: {[(str(n), d) for n, d in scheduled.items() if n == first or d != scheduled[n - DAY]]}")

    # 1. The XLSX Plan sheet, read as a doctor would, gives every night's dose.
    from_xlsx = {n: xlsx.scheduled(n) for n in period}
    for night in period:
        assert from_xlsx[night] == scheduled[night], ("XLSX Plan sheet vs calendar", night)

    # 2. The XLSX Records sheet: each standing dose or skip was scheduled what the calendar says.
    for row in xlsx.records:
        if row["kind"] in ("dose", "skip") and row["status"] != "voided":
            night = row["night"].date()
            if night in cal:
                assert mg_or_none(row["scheduled_mg"]) == cal[night]["scheduled_mg"], (
                    "XLSX Records scheduled_mg vs calendar", row["id"], night)

    # 3. FHIR: exactly one MedicationRequest dosage period claims each night, with its dose.
    starts_fhir = [n for n in period if fhir_claims(bundle, n)]
    from_fhir: dict[dt.date, float | None] = {}
    for night in period:
        claims = fhir_claims(bundle, night)
        if starts_fhir and night >= starts_fhir[0]:
            assert len(claims) == 1, ("FHIR: MedicationRequests claiming the night", night, claims)
        from_fhir[night] = claims[0].dose_mg if claims else None
        assert from_fhir[night] == scheduled[night], ("FHIR doseQuantity vs calendar", night, claims)

    # 4. ICS: from tonight on, one bedtime reminder a night with a dose, naming that dose (asking
    #    for "at most" the ceiling above it), and none while a contraindication stands.
    def contraindicated(night: dt.date) -> bool:  # tonight may be recorded: status says it first
        state: str = here["state"] if night == tonight else cal[night]["state"]
        return state == "contraindicated"

    from_ics: dict[dt.date, float | None] = {}
    for night in nights(tonight, last):
        reminders = ics.reminders.get(night, [])
        assert len(reminders) <= 1, ("ICS: bedtime reminders on one night", night, reminders)
        if contraindicated(night):
            assert reminders == [], ("ICS reminder on a night the calendar says contraindicated", night, reminders)
            continue
        from_ics[night] = reminders[0].scheduled_mg if reminders else None
        assert from_ics[night] == scheduled[night], ("ICS reminder vs calendar", night, reminders)
    for night, summaries in ics.notes.items():
        for summary in summaries:
            assert ics_note_dose(summary) == (scheduled[night] or 0.0), ("ICS note vs calendar", night, summary)
            assert scheduled[night] != scheduled[night - DAY], ("ICS note on a night the dose stays", night, summary)
    if change is not None and scheduled[change[0] - DAY] is not None:  # a step, a pause or the end
        assert ics.notes.get(change[0]), ("ICS has no note on status's next change", change)

    # 5. taper show: when the plan is the newest thing the prescriber wrote, it rules every night
    #    from its first night in force.
    plan_rules = plan["version"] is not None and written and written[-1] == "taper"
    from_plan: dict[dt.date, float | None] = {}
    if plan_rules:
        in_force = dt.date.fromisoformat(plan["in_force_from"])
        from_plan = {n: plan_dose(plan, n) for n in period if n >= in_force}
        for night, dose in from_plan.items():
            assert dose == scheduled[night], ("taper show vs calendar", night)

    # 6. The next change: status says it; every view's nights imply it.
    assert first_change(scheduled, tonight) == change, ("calendar's next change vs status next_change",)
    assert first_change(from_xlsx, tonight) == change, ("XLSX's next change vs status next_change",)
    assert first_change(from_fhir, tonight) == change, ("FHIR's next change vs status next_change",)
    if len(from_ics) == len(nights(tonight, last)):  # no contraindicated night hides the ICS's doses
        assert first_change(from_ics, tonight) == change, ("ICS's next change vs status next_change",)
    if plan_rules and tonight >= dt.date.fromisoformat(plan["in_force_from"]):
        assert first_change(from_plan, tonight) == change, ("taper show's next change vs status",)

    # 7. The taper's end.
    since = here["taper_complete_since"]
    shown_since = xlsx.summary.get("taper complete since")
    assert (shown_since.date().isoformat() if shown_since else None) == since, (
        "XLSX Summary taper complete since vs status", shown_since, since)

    # 8. Past nights: status --at a past moment gives the calendar's dose.
    for past in sorted({tonight - DAY, FIRST + (tonight - FIRST) // 2}):
        if FIRST <= past < tonight:
            then = run.ok("status", "--json", "--at", local(at(past, "night")), now=now).json()
            assert then["night"] == past.isoformat()
            assert then["scheduled_mg"] == scheduled[past], ("status --at a past night vs calendar", past)

    # 9. A handful of nights, each at a clock in it: status, calendar, PDF page one, ICS, FHIR.
    chosen: list[tuple[dt.date, dt.datetime]] = [(tonight, end)]
    if change:
        chosen += [(change[0] - DAY, at(change[0] - DAY, "night")), (change[0], at(change[0], "evening"))]
    birthday = sixty_fifth(history["born"])
    if tonight < birthday <= tonight + 90 * DAY:
        event("the 65th birthday is looked at")
        chosen += [(birthday - DAY, at(birthday - DAY, "morning")), (birthday, at(birthday, "night"))]
    steps_after = [n for n in period if n > tonight and scheduled[n] != scheduled[n - DAY]]
    if len(steps_after) > 1:  # the change after the next one
        chosen += [(steps_after[1], at(steps_after[1], "night"))]
    chosen += [(tonight + k * DAY, at(tonight + k * DAY, phase)) for k, phase in history["later"]]
    seen: set[dt.date] = set()
    for night, moment in chosen:
        if night in seen or night < tonight:
            continue
        seen.add(night)
        if len(seen) > 7:
            break
        one_night(run, where, night, moment, plan, bundle, ics)


def one_night(run: Any, where: Path, night: dt.date, moment: dt.datetime,
              plan: dict[str, Any], bundle: dict[str, Any], ics: Any) -> None:
    now = iso(moment)
    s = status(run, moment)
    note(f"status at {now}: {json.dumps({k: s[k] for k in STATUS_KEYS})}")
    assert s["night"] == night.isoformat()
    event(f"a night looked at: {s['state']}" + (", over the ceiling" if s["over_ceiling"] else "")
          + (", taper complete" if s["taper_complete_since"] else ""))
    c = calendar(run, night, night, now)[night]
    note(f"calendar at {now}: {c}")
    assert c["scheduled_mg"] == s["scheduled_mg"], ("calendar vs status: scheduled", night)
    assert c["state"] in calendar_states(s), ("calendar vs status: state", night, c["state"], s["state"])
    assert c["taken_mg"] == s["taken_mg"], ("calendar vs status: taken", night)

    pdf = written_export(run, where, "pdf", f"night-{night}", now)
    page = read_page_one(pdf)
    note(f"PDF page one at {now}: Tonight {page.night}: {page.tonight!r}; next step {page.next_step}; "
         f"ceiling {page.ceiling_mg}; complete since {page.complete_since}")
    assert page.night == night, ("PDF Tonight's night vs status", page.night, night)
    assert page.dose_mg == s["scheduled_mg"], ("PDF Tonight's dose vs status scheduled_mg", night)
    assert page.ceiling_mg == s["max_mg"], ("PDF Ceiling vs status max_mg", night)
    assert (page.at_most_mg is not None) == s["over_ceiling"], ("PDF 'at most' vs status over_ceiling", night)
    if s["over_ceiling"]:
        assert page.at_most_mg == s["max_mg"], ("PDF 'at most' dose vs status max_mg", night)
    if s["state"] in DOSE_STATES:
        may_take = page.at_most_mg if page.at_most_mg is not None else page.dose_mg
        assert may_take == s["may_take_mg"], ("PDF may take vs status may_take_mg", night)
    if s["state"] == "contraindicated" and s["scheduled_mg"] is not None:
        assert contraindicated_finding_covers(page, night), ("PDF says nothing of tonight's contraindication",)
    assert page.next_step == next_change_of(s), ("PDF Next step vs status next_change", night)
    since = s["taper_complete_since"]
    assert page.complete_since == (dt.date.fromisoformat(since) if since else None), (
        "PDF Taper complete vs status taper_complete_since", night)

    # The PDF names the plan version and step in force: taper show's step says the same.
    if page.plan_version is not None and page.plan_version == plan["version"] and page.step is not None:
        k, count, first, last = page.step
        steps = plan["steps"]
        step = steps[k - 1]
        assert count == len(steps), ("PDF step count vs taper show", night)
        assert mg_or_none(step["dose_mg"]) == s["scheduled_mg"], ("taper show step vs status", night, step)
        begins = max(dt.date.fromisoformat(step["start"]), dt.date.fromisoformat(plan["in_force_from"]))
        ends = dt.date.fromisoformat(step["end"]) if step["end"] else None
        # a newer version takes over sooner: at the next change of dose, or at the PDF's own
        # "Plan change" when the newer version keeps tonight's dose
        for takes_over in (next_change_of(s) or (None,))[0], page.plan_change:
            if takes_over is not None and (ends is None or takes_over - DAY < ends):
                ends = takes_over - DAY
        assert (first, last) == (begins, ends), ("PDF step's nights vs taper show", night, step)

    # The plan page marks "◀ tonight" the step page one names, of the version it heads, and
    # no step of a plan that was replaced or is not yet in force.
    plan_page = read_plan_page(pdf)
    note(f"PDF plan page at {now}: {plan_page}")
    heads_tonights = plan_page.version is not None and page.plan_version == plan_page.version
    assert (plan_page.marked_mg is not None) == (heads_tonights and page.step is not None), (
        "PDF plan page's ◀ tonight vs page one's version and step", night, plan_page, page.plan_version)
    if plan_page.marked_mg is not None:
        assert mg_or_none(plan_page.marked_mg) == s["scheduled_mg"], ("PDF plan page's ◀ tonight vs status", night)
    if plan_page.replaced:
        assert not heads_tonights, ("PDF plan page says replaced, page one says in force", night)

    # The ICS and FHIR (written at the end of the history) against this night's ceiling and state.
    reminders = ics.reminders.get(night, [])
    if s["state"] in DOSE_STATES:
        assert [r.take_mg for r in reminders] == [s["may_take_mg"]], (
            "ICS reminder's dose to take vs status may_take_mg", night, [r.summary for r in reminders])
    if s["state"] == "contraindicated":
        assert reminders == [], ("ICS reminds to take a dose on a contraindicated night", night,
                                 [r.summary for r in reminders])
    claims = [c for c in fhir_claims(bundle, night) if c.dose_mg]
    if len(claims) == 1:
        assert claims[0].max_mg == s["max_mg"], ("FHIR maxDosePerPeriod vs status max_mg", night, claims[0])
