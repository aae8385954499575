"""The profile's language setting through the real `medtrack` command: `profile set --language`
and `init --language` store it, `profile` and `profile --json` show it, "auto" follows the
environment again, a language medtrack does not speak is refused (exit 2, nothing written), and
a locked plan never asks the prescriber's PIN for it: the language limits no dose.

The standard patient (tests/conftest.py `patient`): Ada Muster in Berlin; no language variable
of the machine's environment leaks in (tests/conftest.py). Once a profile names a language, the
commands after it speak it: those are checked by what they store and print as JSON, not by words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backends import query

EVENING = "2026-11-25T21:00+01:00"


def language(run: Any) -> str:
    value = run.ok("profile", "--json", now=EVENING).json()["language"]
    assert isinstance(value, str)
    return value


def versions(db: Path | str) -> list[tuple[Any, ...]]:
    return query(db, "SELECT language, change FROM profile_version ORDER BY id")


def test_a_profile_follows_the_environment_until_it_names_a_language(patient, db_path):
    assert language(patient) == ""
    assert "Language: as the environment says (English)" in patient.ok("profile", now=EVENING).out
    changed = patient.ok("profile", "set", "--language", "de", now=EVENING)
    assert "Profile changed: language: auto -> de." in changed.out
    assert language(patient) == "de"
    assert "Deutsch" in patient.ok("profile", now=EVENING).out
    patient.ok("profile", "set", "--language", "auto", now=EVENING)
    assert language(patient) == ""
    assert versions(db_path)[-2:] == [("de", "language: auto -> de"), ("", "language: de -> auto")]


@pytest.mark.parametrize(("given", "code"), [("ja_JP", "ja"), ("日本語", "ja"), ("German", "de"),
                                             ("de-DE", "de"), ("EN", "en")])
def test_codes_locales_and_names_are_accepted(patient, given, code):
    patient.ok("profile", "set", "--language", given, now=EVENING)
    assert language(patient) == code


def test_the_same_language_again_changes_nothing(patient, db_path):
    patient.ok("profile", "set", "--language", "ja", now=EVENING)
    before = versions(db_path)
    patient.ok("profile", "set", "--language", "japanese", now=EVENING)
    assert versions(db_path) == before


@pytest.mark.parametrize("given", ["fr", "fr_FR", "klingon"])
def test_a_language_medtrack_does_not_speak_is_refused_and_nothing_is_written(patient, db_path, given):
    before = versions(db_path)
    result = patient("profile", "set", "--language", given, "--bedtime", "23:00", now=EVENING)
    assert result.code == 2, result
    assert f"'{given}'" in result.err and "en, de, ja, or auto" in result.err
    assert versions(db_path) == before


def test_init_takes_the_language(run, db_path):
    run.ok("init", "--name", "Aiko", "--born", "1980-02-03", "--tz", "Asia/Tokyo", "--language", "ja",
           now=EVENING)
    assert language(run) == "ja"
    assert query(db_path, "SELECT language, change FROM profile_version") == [("ja", "created")]


@pytest.mark.slow  # the lock's PIN is hashed with scrypt
def test_a_locked_plan_needs_no_pin_for_the_language(patient, db_path):
    patient.ok("lock", "--pin", "1234", now="2026-11-20T12:00+01:00")
    patient.ok("profile", "set", "--language", "de", now=EVENING)
    assert language(patient) == "de"
    assert query(db_path, "SELECT failures FROM prescriber_lock") == [(0,)]
    # ... while a loosening change with it still does, and names only what loosens
    refused = patient("profile", "set", "--language", "ja", "--wake", "07:00", now=EVENING)
    assert refused.code == 3 and "language" not in refused.err
    assert language(patient) == "de"


def test_the_environment_named_when_following_it(monkeypatch):
    """What `profile` and the profile screen say for "auto": the language the environment gives."""
    from medtrack.services.profile import language_words

    assert language_words("ja") == "日本語"
    for value, name in (("de_DE.UTF-8", "Deutsch"), ("fr_FR.UTF-8", "English"), ("C", "English")):
        monkeypatch.setenv("LANG", value)
        assert language_words("") == f"as the environment says ({name})"
    monkeypatch.setenv("LANGUAGE", "ja_JP:de")
    assert language_words("") == "as the environment says (日本語)"


def _insert_version(db: Path | str, language: str) -> None:
    """A profile version written straight to the database, bypassing medtrack (either backend)."""
    sql = ("INSERT INTO profile_version (patient_id, recorded_at_utc, name, born, zone, bedtime, wake, liver, "
           "renal, pregnant, breastfeeding, conditions, min_sleep_min, change, language) SELECT patient_id, "
           "recorded_at_utc, name, born, zone, bedtime, wake, liver, renal, pregnant, breastfeeding, "
           f"conditions, min_sleep_min, 'by hand', '{language}' FROM profile_version WHERE id = 1")
    if isinstance(db, Path):
        import sqlite3
        from contextlib import closing

        with closing(sqlite3.connect(db)) as lite, lite:
            lite.execute(sql)
        return
    import psycopg

    with psycopg.connect(db.replace("+psycopg", "")) as server:
        server.execute(sql)


def test_the_schema_keeps_only_the_codes_medtrack_speaks(patient, db_path):
    """A profile version written by hand (sqlite3, psql) holds no other language either; and
    every code medtrack offers fits the schema (a new language needs a migration too)."""
    from medtrack.core.language import FOLLOW_ENVIRONMENT, LANGUAGES

    for code in (*LANGUAGES, FOLLOW_ENVIRONMENT):
        _insert_version(db_path, code)
    with pytest.raises(Exception, match="(?i)check"):
        _insert_version(db_path, "fr")
    assert [row[0] for row in versions(db_path)][-4:] == [*LANGUAGES, FOLLOW_ENVIRONMENT]
