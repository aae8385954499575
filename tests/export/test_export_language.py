"""The doctor's exports in another language (issue 25): `export --language de|ja|en|auto` writes the
PDF, XLSX and ICS in that language (words, dates and numbers), while medtrack's own messages stay in
the screen's language; the CSV and FHIR, which programs read, stay in English with a point in every
number. Read back with independent readers: poppler's pdftotext and pdffonts, openpyxl, icalendar.

The Japanese PDF draws every character: its headings extract as Japanese, and no character is
drawn as the replacement □ (U+25A1), so the CJK fallback font covers every word of the catalog.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from medtrack import i18n

DEMO_NOW = "2026-11-25T21:00+01:00"  # the demo's tonight, its dose due
REPLACEMENT = "\u25a1"  # □: what the PDF draws for a character no font has
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return subprocess.run([tool, *args], capture_output=True, check=True).stdout.decode("utf-8")


@pytest.fixture(autouse=True)
def english_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen speaks English (whatever the machine's environment), so only --language changes
    the report's language."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


# -- the language switch ----------------------------------------------------------------------

def test_speaking_switches_for_a_block_and_restores_the_language_after() -> None:
    i18n.use("en")
    try:
        with i18n.speaking("de"):
            assert (i18n.language(), i18n.locale()) == ("de", "de_DE")
            assert i18n.decimal("0.5") == "0,5"
        assert (i18n.language(), i18n.locale()) == ("en", "en")
        assert i18n.decimal("0.5") == "0.5"
        with pytest.raises(RuntimeError), i18n.speaking("ja"):  # restored even when the block fails
            raise RuntimeError
        assert i18n.language() == "en"
        i18n.use("ja")
        with i18n.speaking(None):  # none asked for: unchanged
            assert i18n.language() == "ja"
        with i18n.speaking("en"):
            assert i18n.medium_date(dt.date(2026, 11, 25)) == "2026-11-25"
        assert i18n.locale() == "ja_JP"
    finally:
        i18n.use("en")


def test_a_block_speaks_its_language_in_its_own_thread_only() -> None:
    """The screen writes a report in the doctor's language in a worker thread: meanwhile its other
    threads (Tonight's reload, the watch) keep speaking the patient's language."""
    import threading

    i18n.use("en")
    inside, outside, done = threading.Event(), threading.Event(), []

    def report() -> None:
        with i18n.speaking("de"):
            inside.set()
            outside.wait(5)
            done.append((i18n.language(), i18n._("Due now"), i18n.decimal("0.5")))
        done.append((i18n.language(), i18n._("Due now"), i18n.decimal("0.5")))

    worker = threading.Thread(target=report)
    worker.start()
    try:
        assert inside.wait(5)
        assert (i18n.language(), i18n._("Due now"), i18n.decimal("0.5")) == ("en", "Due now", "0.5")
    finally:
        outside.set()
        worker.join(5)
    german, after = done
    assert german[0] == "de" and german[1] != "Due now" and german[2] == "0,5"
    assert after == ("en", "Due now", "0.5")


def test_the_language_already_spoken_keeps_its_own_catalog() -> None:
    """A catalog of one's own (the tests' pseudo-language) is not swapped for the shipped one."""
    import gettext

    class Loud(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return message.upper()

    i18n.use_catalog(Loud(), language="de")
    try:
        with i18n.speaking("de"):
            assert i18n._("yes") == "YES"
    finally:
        i18n.use("en")


# -- the command line -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["fr", "klingon", "de_XX_extra"])
def test_a_language_medtrack_does_not_speak_is_refused_and_nothing_is_written(history, tmp_path: Path,
                                                                             value: str) -> None:
    out = tmp_path / "report.pdf"
    result = history("export", "--format", "pdf", "-o", str(out), "--language", value)
    assert result.code == 2 and "--language" in result.err and "en, de, ja" in result.err, result
    assert not out.exists()


def test_a_bad_language_is_refused_for_a_csv_too(history, tmp_path: Path) -> None:
    out = tmp_path / "records.csv"
    assert history("export", "--format", "csv", "-o", str(out), "--language", "fr").code == 2
    assert not out.exists()


def test_the_report_is_in_german_while_medtrack_says_what_it_did_in_english(history, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = history.ok("export", "--format", "pdf", "-o", str(out), "--language", "de")
    assert result.out.startswith("Written: ") and "Period: nights " in result.out, result
    text = poppler("pdftotext", "-enc", "UTF-8", "-layout", str(out), "-")
    assert "Behandlungsbericht" in text and "Zusammenfassung" in text
    assert "0,75 mg" in text and "1,25" in text  # the dose chart's scale too
    assert "Seite 1 von 3" in text
    assert "30.10.2026" in text  # the generated date in German form
    assert "Summary" not in text and "treatment report" not in text
    assert i18n.language() == "en"  # the process speaks English again


def test_auto_and_en_write_the_report_in_the_language_medtrack_speaks(history, tmp_path: Path) -> None:
    default = history.ok("export", "--format", "ics", "-o", str(tmp_path / "a.ics")).out
    assert default.startswith("Written: ")
    plain = (tmp_path / "a.ics").read_bytes()
    history.ok("export", "--format", "ics", "-o", str(tmp_path / "b.ics"), "--language", "auto")
    history.ok("export", "--format", "ics", "-o", str(tmp_path / "c.ics"), "--language", "English")
    assert (tmp_path / "b.ics").read_bytes() == plain == (tmp_path / "c.ics").read_bytes()


def test_the_profiles_language_is_the_reports_by_default(history, tmp_path: Path) -> None:
    history.ok("profile", "set", "--language", "de", now="2026-10-30T11:00+01:00")
    result = history.ok("export", "--format", "ics", "-o", str(tmp_path / "plan.ics"))
    assert result.out.startswith("Geschrieben: ")
    summaries = [str(e["summary"]) for e in Calendar.from_ical((tmp_path / "plan.ics").read_bytes()).walk("VEVENT")]
    assert "Flunitrazepam 0,5 mg" in summaries
    english = history.ok("export", "--format", "ics", "-o", str(tmp_path / "en.ics"), "--language", "en")
    assert english.out.startswith("Geschrieben: ")  # medtrack itself still speaks German
    assert b"Flunitrazepam 0.5 mg" in (tmp_path / "en.ics").read_bytes()


# -- what programs read stays English ---------------------------------------------------------

@pytest.mark.parametrize("fmt, name", [("csv", "records.csv"), ("fhir", "bundle.json")])
def test_the_csv_and_fhir_are_the_same_bytes_in_any_language(history, tmp_path: Path, fmt: str, name: str) -> None:
    history.ok("export", "--format", fmt, "-o", str(tmp_path / f"en-{name}"))
    for language in ("de", "ja"):
        history.ok("export", "--format", fmt, "-o", str(tmp_path / f"{language}-{name}"), "--language", language)
        assert (tmp_path / f"{language}-{name}").read_bytes() == (tmp_path / f"en-{name}").read_bytes()


def test_a_german_profile_still_gets_an_english_csv_with_points(history, tmp_path: Path) -> None:
    history.ok("export", "--format", "csv", "-o", str(tmp_path / "en.csv"))
    history.ok("profile", "set", "--language", "de", now="2026-10-30T11:00+01:00")
    history.ok("export", "--format", "csv", "-o", str(tmp_path / "de.csv"))
    text = (tmp_path / "de.csv").read_text(encoding="utf-8-sig")
    assert text == (tmp_path / "en.csv").read_text(encoding="utf-8-sig")
    assert '"0.75"' in text and "0,75" not in text


# -- XLSX: the labels a person reads, in German; numbers stay numbers -------------------------

def test_the_german_workbook_has_german_sheets_and_labels(history, tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    history.ok("export", "--format", "xlsx", "-o", str(out), "--language", "de")
    book = load_workbook(out)
    assert book.sheetnames[:4] == ["Zusammenfassung", "Einträge", "Symptome", "Plan"]
    summary = {row[0].value: row[1].value for row in book["Zusammenfassung"].iter_rows(min_row=2)}
    assert summary["Patient/in"] == "Zoë Ångström"
    assert isinstance(summary["erste Nacht"], dt.date)  # a date cell, not German text
    head = [c.value for c in book["Einträge"][1]]
    assert "Nacht" in head and "Notiz" in head and "erfasst von" in head
    records = [dict(zip(head, (c.value for c in row), strict=True)) for row in book["Einträge"].iter_rows(min_row=2)]
    assert {r["Dosis_mg"] for r in records if r["Dosis_mg"] is not None} <= {1, 0.75}  # numbers, not "0,75"
    symptoms = list(book["Symptome"].iter_rows(min_row=2, values_only=True))
    urgent = [c.value for c in book["Symptome"][1]].index("dringend")
    assert sorted(str(row[urgent]) for row in symptoms) == ["ja", "nein"]


# -- ICS: German words and a decimal comma in what a person reads -----------------------------

def test_the_german_calendar_says_0_5_mg_with_a_comma(history, tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    history.ok("export", "--format", "ics", "-o", str(out), "--language", "de")
    cal = Calendar.from_ical(out.read_bytes())
    assert str(cal["x-wr-calname"]) == "Flunitrazepam-Plan"
    events = list(cal.walk("VEVENT"))
    reminders = [e for e in events if str(e["summary"]) == "Flunitrazepam 0,5 mg"]
    assert reminders, [str(e["summary"]) for e in events][:5]
    description = str(reminders[0]["description"])
    assert description.startswith("Nehmen Sie 0,5 mg Flunitrazepam zur Schlafenszeit ein.")
    alarm = next(iter(reminders[0].walk("VALARM")))
    assert str(alarm["description"]) == "Schlafenszeit: Flunitrazepam 0,5 mg"
    notes = {str(e["summary"]) for e in events if "Ausschleich" in str(e["summary"])}
    assert "Ausschleichstufe: ab heute Nacht Flunitrazepam 0,5 mg" in notes
    assert not any("0.5 mg" in str(e["summary"]) + str(e["description"]) for e in events)
    assert b"PRODID:-//medtrack//flunitrazepam taper//EN" in out.read_bytes()  # what programs read stays


def test_the_csv_beside_it_keeps_the_point(history, tmp_path: Path) -> None:
    history.ok("export", "--format", "csv", "-o", str(tmp_path / "records.csv"), "--language", "de")
    text = (tmp_path / "records.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith('"id","kind","night"')
    assert '"0.75"' in text and "0,75" not in text


# -- the Japanese PDF: every character drawn ---------------------------------------------------

@pytest.fixture
def demo(run: Any) -> Any:
    run.ok("demo", "--years", "1", now=DEMO_NOW)
    return run


def test_the_japanese_pdf_draws_every_character_and_extracts_its_headings(demo, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = demo.ok("export", "--format", "pdf", "-o", str(out), "--language", "ja", now=DEMO_NOW)
    assert result.out.startswith("Written: ")
    pages = poppler("pdftotext", "-enc", "UTF-8", str(out), "-").split("\f")[:-1]
    first = pages[0]
    assert "フルニトラゼパム" in first or "Flunitrazepam" in first
    for heading in ("治療報告書", "概要", "特記事項"):
        assert heading in first, heading
    whole = "".join(pages)
    for heading in ("夜ごとの予定量と服用量", "記録: 夜ごとの服用・見送り・訂正", "この報告書について"):
        assert heading in whole, heading
    assert REPLACEMENT not in whole
    assert "U+" not in first  # no note about characters that could not be drawn
    assert not re.search(r"\b(Summary|Exceptions|Records|Adherence|page \d+ of)\b", whole)
    assert JAPANESE.search(pages[-1])
    fonts = poppler("pdffonts", str(out))
    assert "DroidSansFallback" in fonts
