"""The commands in a pseudo-language (tests/pseudo.py): every message bracketed and accented, so an
English word left in what a command prints is a message nobody marked for translation.

The pseudo-language stands in for German here (its catalog is put where medtrack looks for the
German one), so numbers and dates are German. The monograph's safety text is not in the catalogs
(it has its own translated files, checked by tests/unit/test_monograph_translations.py): here it
is bracketed too. What is not a message is allowed: what the patient typed (names, notes), the
monograph's names of things (side effects, interactions), commands, options and codes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from typing import Any as Runner  # the `run` fixture (tests/conftest.py)

import pytest

from medtrack import i18n
from medtrack.monograph import load_monograph
from medtrack.monograph_translations import TranslationState, _rebuild
from medtrack.withdrawal import load_withdrawal
from pseudo import pseudo_catalog, words_outside

NOON = "2026-11-25T12:00+01:00"
DUE = "2026-11-25T22:40+01:00"
# Typed by the test: the patient's and prescriber's names, notes; the zone; units and codes.
TYPED = {"Ada", "Muster", "Weiss", "Europe", "Berlin", "woke", "dropped", "typo", "dizziness", "anxiety",
         "mornings", "flunitrazepam", "Flunitrazepam", "medtrack", "CET", "CEST", "UTC", "mcg"}


def monograph_names() -> set[str]:
    """Names the monograph and withdrawal data give things (not safety text): shown as they are."""
    mono, withdrawal = load_monograph(), load_withdrawal()
    names = [*mono.liver_levels, *mono.conditions, *(e.name for e in mono.side_effects),
             *(i.name for i in withdrawal.items), *(i.id for i in withdrawal.items)]
    return {w for name in names for w in re.findall(r"[A-Za-z]{3,}", name)}


def not_messages(text: str) -> str:
    """`text` without what is not a message: commands and options (`medtrack …`, --note, `…`,
    --help's list of commands, the choices of an option), METAVARS, paths and file names, codes
    with a hyphen (dose-window), the lines of a systemd unit or a crontab."""
    text = re.sub(r"`[^`]*`|\{[a-z,-]+\}|[\w-]+(?:\|[\w-]+)+", " ", text)  # quoted commands; choices
    text = re.sub(r"(?m)^ {2,4}[a-z][\w-]*(?= |$)", " ", text)  # --help's list of commands
    text = re.sub(r"(?m)^(?:\[\w+\]|\w+=.*|\*/5 .*)$", " ", text)  # a systemd unit's and crontab's lines
    text = re.sub(r"(?<![\w-])--?[a-z][\w-]*", " ", text)
    text = re.sub(r"\bmedtrack(?: [a-z][\w-]*)+", " ", text)
    text = re.sub(r"\b[A-Z][A-Z_|:\[\]]{2,}\b", " ", text)
    text = re.sub(r"[^\s⟦⟧]*/[^\s⟦⟧]*|[^\s⟦⟧]+\.(?:db|pdf|csv|zip|toml)\b", " ", text)  # the brackets stay
    return re.sub(r"\b[a-z]+(?:-[a-z]+)+\b", " ", text)


@pytest.fixture
def pseudo(patient: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Runner:
    pseudo_catalog(tmp_path / "locale" / "de" / "LC_MESSAGES" / "medtrack.mo")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")

    def bracketed(language: str) -> tuple[Any, Any, TranslationState]:
        mono, withdrawal = _rebuild(load_monograph(), load_withdrawal(), lambda path, source: f"⟦{source}⟧")
        return mono, withdrawal, TranslationState(language, 1, 1, 1, (), ())

    monkeypatch.setattr("medtrack.services.common.localized", bracketed)
    return patient


STORY: tuple[tuple[tuple[str, ...], str], ...] = (
    (("prescribe", "--dose", "0.5mg", "--prescriber", "Dr. Weiss", "--start", "2026-11-20", "--tablet", "1mg:half"),
     "2026-11-19T12:00+01:00"),
    (("profile",), NOON),
    (("status",), DUE),
    (("log",), DUE),
    (("log",), DUE),  # refused: one dose a night
    (("status",), DUE),
    (("history",), DUE),
    (("taper", "set", "--preview", "--start", "2026-12-01", "--from", "0.5mg", "--step", "0.25mg", "--every", "14d",
      "--prescriber", "Dr. Weiss"), DUE),
    (("taper", "set", "--start", "2026-12-01", "--from", "0.5mg", "--step", "0.25mg", "--every", "14d",
      "--prescriber", "Dr. Weiss"), DUE),
    (("taper", "show"), DUE),
    (("taper", "history"), DUE),
    (("calendar", "--month", "2026-12"), DUE),
    (("stock", "add", "30x1mg"), DUE),
    (("stock",), DUE),
    (("checkin", "anxiety=1", "sleep=2", "--note", "woke at 4"), DUE),
    (("checkins",), DUE),
    (("symptom", "dizziness", "--severity", "2", "--note", "mornings"), DUE),
    (("symptoms",), DUE),
    (("lock", "--pin", "4821"), DUE),
    (("log", "1,500"), DUE),  # refused: bad input
    (("skip", "--night", "2026-12-30"), DUE),
    (("taper", "set", "--every", "0d", "--prescriber", "X"), DUE),
    (("profile", "set", "--tz", "Mars/Base"), DUE),
)


HELP = (("--help",), ("taper", "set", "--help"), ("export", "--help"), ("checkin", "--help"),
        ("remind", "--help"), ("db", "--help"))


def left_in(shown: str, allowed: set[str]) -> list[str]:
    assert "⟦" in shown, shown  # the pseudo-language is spoken
    return sorted({w for w in words_outside(not_messages(shown)) if w not in allowed})


@pytest.mark.slow
def test_no_english_word_is_left_in_what_the_commands_print(pseudo: Runner, tmp_path: Path) -> None:
    allowed = TYPED | monograph_names()
    later = "2026-12-20T21:00+01:00"
    files = ((("taper", "hold", "--days", "7", "--reason", "typo", "--pin", "4821"), later),
             (("void", "1", "--reason", "typo"), later),  # refused: 12 hours have passed without --not-taken
             (("skip", "--note", "typo"), later),
             (("export", "--format", "pdf", "-o", str(tmp_path / "report.pdf")), later),
             (("export", "--format", "ics", "-o", str(tmp_path / "report.pdf")), later),  # refused: suffix
             (("backup", str(tmp_path / "copy.db")), later),
             (("backup", str(tmp_path / "copy.db")), later),  # refused: it exists
             (("remind", "--print"), later))
    left = {}
    for argv, now in (*STORY, *files):
        result = pseudo(*argv, now=now)
        assert result.code in (0, 2, 3), result
        left[" ".join(argv)] = left_in(result.out + result.err, allowed)
    assert not any(left.values()), f"English words not translated: { {k: v for k, v in left.items() if v} }"


def test_no_english_word_is_left_in_the_help(pseudo: Runner, capsys: pytest.CaptureFixture[str]) -> None:
    from medtrack.cli import main

    left = {}
    for argv in HELP:
        with pytest.raises(SystemExit):
            main(list(argv))
        left[" ".join(argv)] = left_in(capsys.readouterr().out, TYPED)
    assert not any(left.values()), f"English words not translated: { {k: v for k, v in left.items() if v} }"
