"""More of `medtrack` in German and Japanese: what profile, prescribe, taper, calendar, stock,
check-ins, void and lock print, and the one-line error of bad input or a refusal, in the language
the environment asks for, with the language's numbers and dates (0,5 mg; 25.11.2026).

The patient (tests/conftest.py) is in Berlin, bedtime 22:30; here prescribed 0.5 mg from 20
November. English stays as it always was (the other tests of tests/cli say it word for word).
"""

from __future__ import annotations

import re
from typing import Any as Runner  # the `run` fixture (tests/conftest.py)

import pytest

BEFORE = "2026-11-19T12:00+01:00"
NOON = "2026-11-25T12:00+01:00"
DUE = "2026-11-25T22:00+01:00"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PREVIEW = ("taper", "set", "--preview", "--start", "2026-12-01", "--from", "0.5mg", "--step", "0.25mg",
           "--every", "14d", "--prescriber", "Dr. Weiss")


def _prescribe(run: Runner) -> str:
    out: str = run.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-20",
                      now=BEFORE).out
    return out


@pytest.fixture
def german(patient, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    return patient


@pytest.fixture
def japanese(patient, monkeypatch):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    return patient


def test_english_prescribe_and_profile_are_as_before(patient):
    out = _prescribe(patient)
    assert out == "Prescribed by Dr. Weiss: 0.5 mg at bedtime from the night of 2026-11-20.\n"
    shown = patient.ok("profile", now=NOON).out
    assert "Ada Muster, born 1970-05-01 (age 56), zone Europe/Berlin" in shown
    assert "Bedtime 22:30, wake 06:30, minimum sleep" in shown


def test_german_prescribe_says_0_5_with_a_comma_and_the_date_in_german(german):
    out = _prescribe(german)
    assert "Verordnet von Dr. Weiss" in out and "0,5 mg" in out and "0.5 mg" not in out
    assert "20.11.2026" in out and "Prescribed" not in out


def test_german_profile(german):
    out = german.ok("profile", now=NOON).out
    assert "geboren am" in out and "Schlafenszeit 22:30" in out and "Sprache:" in out
    assert "born" not in out and "Bedtime" not in out and "Language:" not in out


def test_german_taper_preview_calendar_and_stock(german):
    _prescribe(german)
    preview = german.ok(*PREVIEW, now=NOON).out
    assert "Vorschau (nichts gespeichert)" in preview and "0,25 mg" in preview and "Preview" not in preview
    assert "01.12.2026" in preview
    month = german.ok("calendar", "--month", "2026-11", now=NOON).out
    assert "Mo" in month.split("\n")[2] and "Mon" not in month and "0,5" in month
    assert "Nights taken" not in month
    added = german.ok("stock", "add", "30x0.5mg", now=NOON).out
    assert added.startswith("Vorrat hinzugefügt:") and "0,5 mg" in added


def test_german_void_and_lock(german):
    _prescribe(german)
    record = german.ok("log", "--json", now=DUE).json()
    out = german.ok("void", str(record["id"]), "--reason", "dropped it", "--not-taken",
                    now="2026-11-25T22:05+01:00").out
    assert out.startswith(f"Eintrag #{record['id']} ist ungültig") and "is void" not in out
    assert "Verordnungssperre" in german.ok("lock", "--pin", "4711", now=NOON).out


def test_german_bad_input_is_one_translated_line_on_stderr(german):
    result = german("skip", "--night", "2026-12-30", now=NOON)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("medtrack: ") and "liegt in der Zukunft" in result.err
    assert "30.12.2026" in result.err and "is in the future" not in result.err


def test_german_refusal_by_the_lock_is_translated(german):
    german.ok("lock", "--pin", "4711", now=NOON)
    result = german("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", now=NOON)
    assert result.code == 3 and "abgelehnt (Verordnungssperre)" in result.err and "refused" not in result.err


def test_japanese_prescribe_and_profile(japanese):
    out = _prescribe(japanese)
    assert JAPANESE.search(out) and "0.5 mg" in out and "Prescribed" not in out
    shown = japanese.ok("profile", now=NOON).out
    assert "生まれ" in shown and "就寝" in shown and "born" not in shown and "Bedtime" not in shown


def test_japanese_taper_preview_and_checkins(japanese):
    _prescribe(japanese)
    preview = japanese.ok(*PREVIEW, now=NOON).out
    assert "プレビュー" in preview and "Preview" not in preview
    assert "この期間の体調チェックはありません" in japanese.ok("checkins", now=NOON).out


def test_japanese_bad_input_is_one_translated_line_on_stderr(japanese):
    result = japanese("checkin", "--reason", "typo", now=NOON)
    assert result.code == 2 and result.out == ""
    assert result.err.startswith("medtrack: ") and JAPANESE.search(result.err)
    assert "goes with" not in result.err


def test_a_void_of_an_unknown_record_is_translated_with_its_hint(german):
    result = german("void", "999", "--reason", "typo", now=NOON)
    assert result.code == 2 and "es gibt keinen Dosis- oder Auslassen-Eintrag mit der ID 999" in result.err
    assert "siehe medtrack history" in result.err


def _cells(text: str) -> int:
    from medtrack.services.text import cell_width

    return cell_width(text)


@pytest.mark.parametrize("language", ["de_DE.UTF-8", "ja_JP.UTF-8"])
def test_the_plan_preview_columns_line_up_in_every_language(patient, monkeypatch, language):
    """A longer word (German "0 mg (abgesetzt)") or two cells a character (Japanese) widens its
    column: every step's dose ends on one edge, and so does every cut."""
    monkeypatch.setenv("LANG", language)
    _prescribe(patient)
    rows = patient.ok(*PREVIEW, "--tablet", "1mg:quarter", now=NOON).out.splitlines()[2:5]
    doses = [re.search(r"0[.,]5 mg|0[.,]25 mg|0 mg\S*(?: \S+\))?", row) for row in rows]
    cuts = [re.search(r"\(\d+ %\)", row) for row in rows[1:]]
    assert all(doses) and all(cuts), rows
    assert len({_cells(row[: m.end()]) for row, m in zip(rows, doses, strict=True) if m}) == 1, rows
    assert len({_cells(row[: m.end()]) for row, m in zip(rows[1:], cuts, strict=True) if m}) == 1, rows


def test_a_profile_warning_is_worded_in_german_and_kept_in_english_in_json(german: Runner) -> None:
    """The screen, init, profile and profile set word a contraindication for people; `--json`
    keeps the English prefix that programs read."""
    said = german.ok("profile", "set", "--pregnant", now=NOON).out
    assert "Warnung: " in said, said
    assert "contraindicated" not in said and "caution:" not in said, said
    warnings = german.ok("profile", "--json", now=NOON).json()["warnings"]
    assert warnings and all(w.startswith(("contraindicated: ", "caution: ")) for w in warnings), warnings


def test_a_plan_saved_in_german_keeps_the_warnings_the_prescriber_saw(german: Runner) -> None:
    """A version's warnings are what its preview said when it was saved (storage/tables.py), in
    the prescriber's words: the save confirms them in German, and the record keeps them so."""
    _prescribe(german)
    saved = german.ok("taper", "set", *PREVIEW[3:], now=NOON).out
    assert "über 25 %" in saved and "over 25 %" not in saved, saved
    history = german.ok("taper", "history", "--json", now=NOON).json()
    texts = [w["text"] for version in history for w in version["warnings"]]
    assert texts and any("über 25 %" in t for t in texts), texts


def test_stock_json_is_for_programs_english_with_a_point_in_any_language(german: Runner) -> None:
    _prescribe(german)
    german.ok("stock", "add", "30x0.5mg", now=NOON)
    shown = german.ok("stock", "--json", now=NOON).json()
    assert shown["levels"][0]["what"] == "0.5 mg tablets", shown
    assert "0,5" not in german.ok("stock", "--json", now=NOON).out


def test_taper_json_is_for_programs_english_with_a_point_in_any_language(german: Runner) -> None:
    _prescribe(german)
    german.ok("taper", "set", *PREVIEW[3:], "--tablet", "1mg:quarter", now=NOON)
    shown = german.ok("taper", "show", "--json", now=NOON).json()
    versions = german.ok("taper", "history", "--json", now=NOON).json()
    for plan in (shown, *versions):  # the warnings are the record's words (what the prescriber saw)
        assert plan["formulation"] == "1 mg tablet (quarters allowed)", plan
        assert [step["as_taken"] for step in plan["steps"]][:2] == ["½ tablet of 1 mg", "¼ tablet of 1 mg"], plan
