"""Readers for tests/test_one_truth_property.py: each view of medtrack read back into plain
values (nights as dates, doses as mg floats, None for "nothing scheduled"), so that the property
compares what each view says and never how it says it.

- the PDF's page one (pdftotext -layout -f 1 -l 1): "Tonight", "Next step", "Ceiling", "Taper";
- the FHIR bundle: which MedicationRequest dosage periods claim a night, with their dose and limit;
- the ICS: the bedtime reminders of a night (series expanded by recurring-ical-events) and the
  all-day notes on the nights the dose changes;
- the XLSX: the Plan sheet (every prescription and plan version, in recording order, with its
  first night in force and its steps), the Records sheet and the Summary sheet.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

DAY = dt.timedelta(days=1)
MG = r"(\d+(?:\.\d+)?) mg"


def mg_or_none(value: float | int | None) -> float | None:
    """0 mg and nothing scheduled are the same night for a patient (the CLI says null)."""
    return float(value) if value else None


def nights(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + i * DAY for i in range((last - first).days + 1)]


# -- PDF page one ----------------------------------------------------------------------------------


@dataclass
class PageOne:
    text: str  # page one, whitespace collapsed
    night: dt.date | None  # "Tonight <night>: ..."
    tonight: str  # the words after "Tonight <night>: "
    dose_mg: float | None  # the dose it names for tonight (None: "no prescription ..." or 0 mg)
    at_most_mg: float | None  # "; at most X may be taken" (over the ceiling)
    plan_version: int | None  # "... of taper plan version V"
    step: tuple[int, int, dt.date, dt.date | None] | None  # (k, n, first night, last night or None)
    next_step: tuple[dt.date, float] | None  # "Next step <dose> from <night>" (0 for a stop)
    plan_change: dt.date | None  # "Plan change <a newer version> in force from <night>"
    ceiling_mg: float | None  # "Ceiling <X> a night at age A"
    complete_since: dt.date | None  # "Taper complete ... since the night of <night>"


def pdftotext_page_one(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        import pytest

        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, check=True)
    return done.stdout.decode()


LABELS = ("Taper", "Tonight", "Next step", "Plan change", "Ceiling", "Symptoms")


def _item(text: str, label: str) -> str | None:
    """The words of one page-one field (up to the next field's label)."""
    others = "|".join(re.escape(x) for x in LABELS if x != label)
    found = re.search(rf"(?:^| ){re.escape(label)} (.*?)(?= (?:{others}) |$)", text)
    return found.group(1) if found else None


def read_page_one(pdf: Path) -> PageOne:
    raw = pdftotext_page_one(pdf)
    text = " ".join(raw.split())
    summary = text.split(" Summary ", 1)[1].split(" Adherence:", 1)[0] if " Summary " in text else text
    tonight_item = _item(summary, "Tonight") or ""
    head = re.match(r"(\d{4}-\d\d-\d\d): (.*)", tonight_item)
    night = dt.date.fromisoformat(head.group(1)) if head else None
    words = head.group(2) if head else tonight_item
    dose = re.match(MG, words)
    at_most = re.search(r"; at most " + MG + " may be taken", words)
    version = re.search(r"of taper plan version (\d+)", words)
    step = re.search(r"step (\d+) of (\d+) \(nights (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d|onwards)\)", words)
    following = _item(summary, "Next step")
    next_step = None
    if following is not None:
        found = re.match(MG + r".*? from (\d{4}-\d\d-\d\d)", following)
        assert found, f"cannot read the PDF's next step: {following!r}"
        next_step = (dt.date.fromisoformat(found.group(2)), float(found.group(1)))
    replaced = re.search(r"in force from (\d{4}-\d\d-\d\d)$", _item(summary, "Plan change") or "")
    ceiling = re.match(MG + " a night", _item(summary, "Ceiling") or "")
    taper = _item(summary, "Taper") or ""
    since = re.search(r"since the night of (\d{4}-\d\d-\d\d)", taper)
    return PageOne(
        text=text, night=night, tonight=words,
        dose_mg=mg_or_none(float(dose.group(1))) if dose else None,
        at_most_mg=float(at_most.group(1)) if at_most else None,
        plan_version=int(version.group(1)) if version else None,
        step=(int(step.group(1)), int(step.group(2)), dt.date.fromisoformat(step.group(3)),
              None if step.group(4) == "onwards" else dt.date.fromisoformat(step.group(4))) if step else None,
        next_step=next_step,
        plan_change=dt.date.fromisoformat(replaced.group(1)) if replaced else None,
        ceiling_mg=float(ceiling.group(1)) if ceiling else None,
        complete_since=dt.date.fromisoformat(since.group(1)) if since else None,
    )


@dataclass(frozen=True)
class PlanPage:
    """The PDF's plan page: the newest plan version it heads, whether it says that version was
    replaced by tonight, and the dose of the step it marks "◀ tonight" (None: no step marked)."""

    version: int | None
    replaced: bool
    marked_mg: float | None


def read_plan_page(pdf: Path) -> PlanPage:
    if shutil.which("pdftotext") is None:
        import pytest

        pytest.skip("pdftotext (poppler-utils) is not installed")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(pdf), "-"], capture_output=True, check=True)
    lines = [" ".join(line.split()) for line in done.stdout.decode().splitlines()]
    heading = next((re.match(r"(Current|Replaced) plan: taper plan version (\d+)$", line) for line in lines
                    if re.match(r"(Current|Replaced) plan: taper plan version", line)), None)
    marked = [re.match(r"\d+ \d{4}-\d\d-\d\d (?:\d{4}-\d\d-\d\d|onwards) " + MG, line) for line in lines
              if line.endswith("◀ tonight")]
    assert len(marked) <= 1 and all(marked), f"cannot read the plan page's tonight: {marked}"
    return PlanPage(int(heading.group(2)) if heading else None, bool(heading and heading.group(1) == "Replaced"),
                    float(marked[0].group(1)) if marked and marked[0] else None)


def contraindicated_finding_covers(page: PageOne, night: dt.date) -> bool:
    """Whether page one's exceptions list a contraindicated run of nights that includes `night`."""
    for found in re.finditer(r"(\d{4}-\d\d-\d\d) Contraindicated: no dose allowed(?:, \d+ nights in a row)?"
                             r"(?: \(to (\d{4}-\d\d-\d\d)\))?", page.text):
        first = dt.date.fromisoformat(found.group(1))
        last = dt.date.fromisoformat(found.group(2)) if found.group(2) else first
        if first <= night <= last:
            return True
    return False


# -- FHIR ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One MedicationRequest dosage period that covers a night."""

    request: str  # the regimen identifier
    status: str
    dose_mg: float | None
    max_mg: float | None


def fhir_claims(bundle: dict[str, Any], night: dt.date) -> list[Claim]:
    found = []
    for entry in bundle.get("entry", []):
        request = entry["resource"]
        if request["resourceType"] != "MedicationRequest":
            continue
        for instruction in request.get("dosageInstruction", []):
            bounds = instruction["timing"]["repeat"]["boundsPeriod"]
            start = dt.date.fromisoformat(bounds["start"])
            end = dt.date.fromisoformat(bounds["end"]) if "end" in bounds else None
            if start <= night and (end is None or night <= end):
                limit = instruction.get("maxDosePerPeriod", {}).get("numerator", {}).get("value")
                found.append(Claim(request["identifier"][0]["value"], request["status"],
                                   mg_or_none(instruction["doseAndRate"][0]["doseQuantity"]["value"]),
                                   None if limit is None else float(limit)))
    return found


# -- ICS -------------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    """A night's bedtime reminder: "Flunitrazepam 1 mg", or above the ceiling "Flunitrazepam at
    most 1 mg" with "The prescribed 1.5 mg is above ..." in its description."""

    take_mg: float  # what it tells the patient to take (at most)
    scheduled_mg: float | None  # the prescribed dose it names (None: it names none)
    at_most: bool
    summary: str
    description: str


@dataclass
class IcsView:
    reminders: dict[dt.date, list[Reminder]] = field(default_factory=dict)  # by night
    notes: dict[dt.date, list[str]] = field(default_factory=dict)  # active all-day notes by night


def read_ics(path: Path | None, zone: ZoneInfo, first: dt.date, last: dt.date) -> IcsView:
    """Active bedtime reminders and notes of nights `first`..`last` (None: no file was written)."""
    import recurring_ical_events
    from icalendar import Calendar

    view = IcsView()
    if path is None:
        return view
    cal = Calendar.from_ical(path.read_bytes())
    live = Calendar()
    for component in cal.subcomponents:
        if str(component.get("STATUS", "")).upper() != "CANCELLED":
            live.add_component(component)
    start = dt.datetime.combine(first, dt.time(12), zone)
    end = dt.datetime.combine(last + DAY, dt.time(12), zone)
    for event in recurring_ical_events.of(live).between(start, end):
        begins = event["DTSTART"].dt
        summary = str(event["SUMMARY"])
        if type(begins) is dt.date:
            view.notes.setdefault(begins, []).append(summary)
            continue
        local = begins.astimezone(zone)
        night = local.date() if local.time() >= dt.time(12) else local.date() - DAY
        dose = re.fullmatch(r"Flunitrazepam (at most )?" + MG + r"(?: \(.*\))?", summary)
        assert dose, f"cannot read the dose of an ICS reminder: {summary!r}"
        description = " ".join(str(event.get("DESCRIPTION", "")).split())
        take = float(dose.group(2))
        prescribed = re.search(r"The prescribed " + MG + " is above", description)
        scheduled = float(prescribed.group(1)) if prescribed else None if dose.group(1) else take
        view.reminders.setdefault(night, []).append(
            Reminder(take, scheduled, bool(dose.group(1)), summary, description))
    return view


def ics_note_dose(summary: str) -> float | None:
    """The dose an all-day note says the night changes to (0: a pause or the end)."""
    if summary.startswith(("End of taper", "Taper pause")):
        return 0.0
    found = re.search(MG + " from tonight", summary)
    return float(found.group(1)) if found else None


# -- XLSX ------------------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass
class XlsxRegimen:
    """One prescription or plan version of the Plan sheet: from its first night in force."""

    what: str
    in_force_from: dt.date
    steps: list[tuple[dt.date, dt.date | None, float]] = field(default_factory=list)  # (from, to, mg)

    def dose_on(self, night: dt.date) -> float | None:
        dose = None
        for start, _end, mg in self.steps:
            if start <= night:
                dose = mg
        return dose


@dataclass
class XlsxView:
    regimens: list[XlsxRegimen]  # in the sheet's order (the order they were written)
    records: list[dict[str, Any]]
    summary: dict[str, Any]

    def scheduled(self, night: dt.date) -> float | None:
        """The night's dose as a reader of the Plan sheet works it out: the newest version (the
        lowest row) whose first night in force is on or before the night, its step for the night."""
        ruling = [r for r in self.regimens if r.in_force_from <= night]
        return mg_or_none(ruling[-1].dose_on(night)) if ruling else None


def _by_heading(head: tuple[object, ...], values: tuple[object, ...]) -> dict[str, Any]:
    """A sheet's row by the headings of its columns (text)."""
    row: dict[str, Any] = {}
    for heading, value in zip(head, values, strict=False):
        assert isinstance(heading, str), heading
        row[heading] = value
    return row


def read_xlsx(path: Path) -> XlsxView:
    from openpyxl import load_workbook

    book = load_workbook(path)
    plan = list(book["Plan"].iter_rows(values_only=True))
    head = plan[0]
    regimens: list[XlsxRegimen] = []
    for values in plan[1:]:
        row = _by_heading(head, values)
        if row["step"] == 1:
            regimens.append(XlsxRegimen(str(row["version"]), row["in force from"].date()))
        regimens[-1].steps.append((row["from night"].date(), _date(row["to night"]), float(row["dose_mg"] or 0)))
    rows = list(book["Records"].iter_rows(values_only=True))
    records = [_by_heading(rows[0], values) for values in rows[1:]]
    summary: dict[str, Any] = {}
    for what, value in book["Summary"].iter_rows(min_row=2, values_only=True):
        assert isinstance(what, str), what
        summary[what] = value
    return XlsxView(regimens, records, summary)
