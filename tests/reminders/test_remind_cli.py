"""`medtrack remind` against a fake notification server on a private session bus (tests/fake_bus.py).

The patient (tests/conftest.py): Berlin, bedtime 22:30, wake 06:30, 1 mg; on 25 November the
window opens at 20:30 and the latest time is 23:30. Each run is `medtrack remind ...` through the
CLI's entry point, in process, as the timer would run it at that moment.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import ON_POSTGRES
from fake_bus import FakeDesktop, fake_desktop

pytestmark = [
    pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed"),
    pytest.mark.skipif(ON_POSTGRES, reason="the desktop side does not depend on the database's kind"),
    pytest.mark.slow,
]

DUE = "2026-11-25T22:00+01:00"


@pytest.fixture
def desktop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDesktop]:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with fake_desktop(tmp_path) as fake:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", fake.address)
        yield fake


def notices(desktop: FakeDesktop) -> list[dict[str, Any]]:
    return desktop.calls("Notify")


def test_a_due_dose_gives_one_critical_notification_in_medtracks_words(patient, desktop):
    result = patient.ok("remind", "--now", now=DUE)
    (notice,) = notices(desktop)
    assert notice["summary"] == "Flunitrazepam: 1 mg, due now"
    assert notice["body"].startswith("Take 1 mg now, just before you go to bed. Latest time tonight: 23:30.")
    assert notice["hints"]["urgency"] == 2 and notice["replaces_id"] == 0
    assert notice["actions"] == []  # no button unless the run stays to answer it (--wait)
    assert "reminder shown for the night of 2026-11-25" in result.out


def test_before_the_window_and_on_later_runs_nothing_more_is_shown(patient, desktop):
    assert "not yet" in patient.ok("remind", "--now", now="2026-11-25T19:00+01:00").out
    assert notices(desktop) == []
    patient.ok("remind", "--now", now=DUE)
    patient.ok("remind", "--now", now="2026-11-25T22:10+01:00")  # the timer's next run
    assert len(notices(desktop)) == 1


def test_repeated_ten_minutes_later_the_same_notification_is_replaced(patient, desktop):
    patient.ok("remind", "--now", "--repeat", "10m", now=DUE)
    patient.ok("remind", "--now", "--repeat", "10m", now="2026-11-25T22:05+01:00")
    patient.ok("remind", "--now", "--repeat", "10m", now="2026-11-25T22:10+01:00")
    first, second = notices(desktop)
    assert second["replaces_id"] == first["id"] and second["id"] == first["id"]


def test_after_the_dose_is_logged_the_reminder_is_closed_and_none_comes(patient, desktop):
    patient.ok("remind", "--now", "--repeat", "10m", now=DUE)
    patient.ok("log", now="2026-11-25T22:05+01:00")
    closed = patient.ok("remind", "--now", "--repeat", "10m", now="2026-11-25T22:10+01:00")
    assert "reminder closed" in closed.out
    assert [c["method"] for c in desktop.calls() if c["method"] != "GetCapabilities"] == [
        "Notify", "CloseNotification"]
    patient.ok("remind", "--now", "--repeat", "10m", now="2026-11-25T22:30+01:00")
    assert len(notices(desktop)) == 1


def test_past_the_latest_time_nothing_is_shown(patient, desktop):
    late = patient.ok("remind", "--now", now="2026-11-25T23:45+01:00")
    assert notices(desktop) == [] and "skip" in late.out


def test_a_contraindicated_night_is_not_reminded(patient, desktop):
    patient.ok("profile", "set", "--pregnant", now="2026-11-25T21:00+01:00")
    patient.ok("remind", "--now", now=DUE)
    assert notices(desktop) == []


def test_with_no_notification_service_it_exits_5_with_one_line(patient, desktop):
    desktop.stop_server()
    result = patient("remind", "--now", now=DUE)
    assert result.code == 5
    assert len(result.err.splitlines()) == 1 and result.err.startswith("medtrack: ")
    assert "Notifications" in result.err and "Traceback" not in result.err


def test_with_no_session_bus_a_due_night_exits_5_and_a_quiet_one_needs_none(patient, desktop, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    assert patient("remind", "--now", now="2026-11-25T19:00+01:00").code == 0
    result = patient("remind", "--now", now=DUE)
    assert result.code == 5 and len(result.err.splitlines()) == 1


def fake_terminal(folder: Path) -> Path:
    """An x-terminal-emulator that only writes down what it was asked to run."""
    folder.mkdir()
    script = folder / "x-terminal-emulator"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/started"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return folder


def test_its_button_opens_the_screen_and_records_nothing(patient, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    bin_folder = fake_terminal(tmp_path / "bin")
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("TERMINAL", raising=False)
    with fake_desktop(tmp_path, after_notify="action") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        result = patient.ok("remind", "--now", "--wait", now=DUE)
        (notice,) = notices(desktop)
    assert notice["actions"] == ["open", "Open medtrack"]
    assert "the screen was opened" in result.out
    deadline = time.monotonic() + 5
    while not (bin_folder / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    started = (bin_folder / "started").read_text().split("\n")
    assert started[0] == "-e" and "--db" in started and str(patient.db) in started
    assert "remind" not in started  # the screen itself, where the log dialog asks its questions
    assert json.loads(patient.ok("history", "--json").out) == []


def test_a_dismissed_reminder_ends_the_wait_and_is_not_shown_again(patient, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with fake_desktop(tmp_path, after_notify="closed") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        patient.ok("remind", "--now", "--wait", now=DUE)
        patient.ok("remind", "--now", "--wait", now="2026-11-25T22:05+01:00")
        assert len(notices(desktop)) == 1


def test_a_reminder_the_patient_closed_is_no_failure_when_its_night_ends(patient, tmp_path, monkeypatch):
    """The patient closed it while no run waited; the server no longer knows it and says so."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with fake_desktop(tmp_path, after_notify="closed") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        patient.ok("remind", "--now", now=DUE)
        patient.ok("log", now="2026-11-25T22:05+01:00")
        assert "reminder closed" in patient.ok("remind", "--now", now="2026-11-25T22:10+01:00").out
        assert len(desktop.calls("CloseNotification")) == 1
        patient.ok("remind", "--now", now="2026-11-25T22:15+01:00")  # forgotten: not closed again
        assert len(desktop.calls("CloseNotification")) == 1


@pytest.mark.parametrize(("argv", "says"), [
    (["remind", "--now", "--repeat", "2m"], "from 5 minutes to 6 hours"),
    (["remind", "--now", "--repeat", "often"], "10m"),
    (["remind", "--install", "--wait"], "--wait goes with --now"),
    (["remind"], "one of the arguments"),
    (["remind", "--now", "--install"], "not allowed with"),
])
def test_bad_options_are_one_line_and_exit_2(patient, desktop, argv, says):
    result = patient(*argv, now=DUE)
    assert result.code == 2 and says in result.err
    assert notices(desktop) == []


def test_print_shows_the_units_and_a_crontab_line_and_writes_nothing(patient, desktop, tmp_path):
    out = patient.ok("remind", "--print", "--repeat", "10m", now=DUE).out
    assert "[Timer]" in out and "OnCalendar=*-*-* *:00/5:00" in out and "Persistent=true" in out
    exec_line = next(line for line in out.splitlines() if line.startswith("ExecStart="))
    assert str(patient.db) in exec_line and "remind --now --wait --repeat 10m" in exec_line
    assert "MEDTRACK_NOW" not in out  # the timer runs on the real clock
    cron = next(line for line in out.splitlines() if line.startswith("*/5 * * * * DBUS_SESSION_BUS_ADDRESS="))
    assert "--wait" not in cron and "--repeat 10m" in cron  # cron would start a second waiting run
    assert not (tmp_path / "config" / "systemd").exists()


def test_install_where_systemd_is_not_running_shows_the_crontab_line(patient, desktop, tmp_path, monkeypatch):
    monkeypatch.setattr("medtrack.notify.units.systemd_running", lambda root=Path("/"): False)
    result = patient("remind", "--install", now=DUE)
    assert result.code == 5
    assert "systemd is not running" in result.err and "crontab -e" in result.err
    assert result.out.startswith("*/5 * * * * ") and result.out.rstrip().endswith("remind --now")
    assert not (tmp_path / "config" / "systemd").exists()


def test_install_and_uninstall_with_systemd(patient, desktop, tmp_path, monkeypatch):
    bin_folder = tmp_path / "systemctl-bin"
    bin_folder.mkdir()
    calls = tmp_path / "systemctl-calls"
    systemctl = bin_folder / "systemctl"
    systemctl.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\n')
    systemctl.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("medtrack.notify.units.systemd_running", lambda root=Path("/"): True)
    out = patient.ok("remind", "--install", now=DUE).out
    units = tmp_path / "config" / "systemd" / "user"
    assert sorted(p.name for p in units.iterdir()) == ["medtrack-remind.service", "medtrack-remind.timer"]
    assert "started medtrack-remind.timer" in out
    assert calls.read_text().splitlines() == ["--user daemon-reload", "--user enable --now medtrack-remind.timer"]
    removed = patient.ok("remind", "--uninstall", now=DUE).out
    assert "removed" in removed and not any(units.iterdir())
    assert "nothing to remove" in patient.ok("remind", "--uninstall", now=DUE).out


def test_on_a_database_of_several_patients_reminders_are_per_patient(patient, desktop, monkeypatch):
    monkeypatch.setattr("medtrack.storage.repository.new_patient_id", lambda: "77777777-9a4b-4c2d-8e6f-000000000002")
    patient.ok("init", "--name", "Bert Beispiel", "--born", "1950-02-02", "--tz", "Europe/Berlin",
               "--add-patient", now="2026-11-01T12:00+01:00")
    result = patient("remind", "--print", now=DUE)
    assert result.code == 2 and "--patient" in result.err
    out = patient.ok("remind", "--print", "--patient", "Ada Muster", now=DUE).out
    assert "medtrack-remind-5f0c7d1e.timer" in out and "--patient 'Ada Muster'" in out.replace('"', "'")


def test_a_database_url_with_a_password_is_never_put_in_a_command_line(patient, desktop):
    url = "postgresql+psycopg://ward:secret@/medtrack?host=/nowhere"
    result = patient("--db", url, "remind", "--print", now=DUE)
    assert result.code == 2 and "password" in result.err and "secret" not in result.err + result.out
