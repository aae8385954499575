"""`medtrack` in German and Japanese: the environment's language, the profile's beating it, numbers
in the language's form, and the monograph's safety text with its review state.

The patient (tests/conftest.py) is in Berlin, bedtime 22:30; here on 0.5 mg from 20 November, and
at 22:00 on 25 November the dose is due.
"""

from __future__ import annotations

import re

import pytest

DUE = "2026-11-25T22:00+01:00"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_WORDS = ("Take", "now", "Latest", "Window", "Last night", "tonight", "nightly limit")


@pytest.fixture
def half(patient):
    patient.ok("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-20",
               now="2026-11-19T12:00+01:00")
    return patient


def status(run, monkeypatch, lang: str | None) -> str:
    if lang is not None:
        monkeypatch.setenv("LANG", lang)
    out: str = run.ok("status", now=DUE).out
    return out


def test_german_status_writes_0_5_with_a_comma_and_german_words(half, monkeypatch):
    out = status(half, monkeypatch, "de_DE.UTF-8")
    assert "0,5 mg" in out and "0.5 mg" not in out
    assert not [w for w in ENGLISH_WORDS if re.search(rf"\b{w}\b", out)], out
    assert "23:30" in out


def test_japanese_status_is_in_japanese_and_keeps_the_point(half, monkeypatch):
    out = status(half, monkeypatch, "ja_JP.UTF-8")
    assert JAPANESE.search(out) and "0.5 mg" in out
    assert not [w for w in ENGLISH_WORDS if re.search(rf"\b{w}\b", out)], out


def test_an_unsupported_language_gives_english_as_without_one(half, monkeypatch):
    english = status(half, monkeypatch, None)
    assert status(half, monkeypatch, "fr_FR.UTF-8") == english
    assert "Take 0.5 mg now" in english


def test_the_profiles_language_beats_lang(half, monkeypatch):
    half.ok("profile", "set", "--language", "de", now="2026-11-25T12:00+01:00")
    out = status(half, monkeypatch, "ja_JP.UTF-8")
    assert "0,5 mg" in out and not JAPANESE.search(out)
    half.ok("profile", "set", "--language", "auto", now="2026-11-25T12:05+01:00")
    assert JAPANESE.search(status(half, monkeypatch, "ja_JP.UTF-8"))


def test_a_refusal_is_in_the_language_and_names_the_rule(half, monkeypatch):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    half.ok("log", now=DUE)
    second = half("log", now="2026-11-25T22:05+01:00")
    assert second.code == 3 and "0,5 mg" in second.err and "Never" not in second.err


def test_unreviewed_safety_text_is_shown_with_the_english_beside_it(half, monkeypatch):
    half.ok("profile", "set", "--pregnant", now="2026-11-25T12:00+01:00")
    out = status(half, monkeypatch, "de_DE.UTF-8")
    assert "[English: Pregnancy: flunitrazepam is Pregnancy Category D" in out


def test_german_help_has_argparses_own_words_translated(run, monkeypatch, capsys):
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    from medtrack.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert not out.startswith("usage:") and "show this help message" not in out
