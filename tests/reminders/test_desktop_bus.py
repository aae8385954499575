"""DesktopNotifier against a private bus and the fake notification server (tests/fake_notifyd.py)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fake_bus import FakeDesktop, fake_desktop
from medtrack.errors import DesktopUnavailable
from medtrack.notify.desktop import DesktopNotifier, Event, Notice

if shutil.which("dbus-daemon") is None:
    pytest.skip("dbus-daemon is not installed: no private bus to test notifications on", allow_module_level=True)

slow = pytest.mark.slow  # starts a dbus-daemon and the fake server (about 0.1 s)
DUE = Notice("Dose due: 0.25 mg", "Take it now, then go to bed within 30 minutes.")


@contextmanager
def desktop_on_bus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, actions: bool = True, after_notify: str | None = None
) -> Iterator[FakeDesktop]:
    with fake_desktop(tmp_path, actions=actions, after_notify=after_notify) as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        yield desktop


@pytest.fixture
def desktop(tmp_path, monkeypatch) -> Iterator[FakeDesktop]:
    with desktop_on_bus(tmp_path, monkeypatch) as running:
        yield running


@slow
def test_send_shows_a_critical_notification_with_the_open_button(desktop) -> None:
    with DesktopNotifier() as notifier:
        notification_id = notifier.send(DUE)

    assert notification_id == 1
    assert desktop.env()["DBUS_SESSION_BUS_ADDRESS"] == desktop.address  # for a medtrack child process
    [notify] = desktop.calls("Notify")
    assert notify == {
        "method": "Notify",
        "id": 1,
        "app_name": "medtrack",
        "replaces_id": 0,
        "app_icon": "",
        "summary": "Dose due: 0.25 mg",
        "body": "Take it now, then go to bed within 30 minutes.",
        "actions": ["open", "Open medtrack"],
        "hints": {"urgency": 2, "category": "x-medtrack.reminder"},
        "expire_timeout": 0,
    }


@slow
def test_a_replacement_keeps_the_id_and_capabilities_are_asked_once(desktop) -> None:
    with DesktopNotifier() as notifier:
        first = notifier.send(DUE)
        again = notifier.send(Notice("Dose still due", "Take it now.", replaces_id=first, urgency=1))

    assert again == first
    assert [(call["id"], call["replaces_id"]) for call in desktop.calls("Notify")] == [(first, 0), (first, first)]
    assert desktop.calls("Notify")[1]["expire_timeout"] == -1  # not critical: the server's default
    assert len(desktop.calls("GetCapabilities")) == 1


@slow
def test_close_withdraws_the_notification(desktop) -> None:
    with DesktopNotifier() as notifier:
        notification_id = notifier.send(DUE)
        notifier.close(notification_id)
        closed = notifier.wait(notification_id, 2.0)

    assert desktop.calls("CloseNotification") == [{"method": "CloseNotification", "id": notification_id}]
    assert closed == Event("closed", notification_id, "3")  # 3: closed by a call to CloseNotification


@slow
def test_wait_returns_the_button_press(tmp_path, monkeypatch) -> None:
    with desktop_on_bus(tmp_path, monkeypatch, after_notify="action"), DesktopNotifier() as notifier:
        notification_id = notifier.send(DUE)
        assert notifier.wait(notification_id, 2.0) == Event("action", notification_id, "open")


@slow
def test_wait_returns_the_close_by_the_user(tmp_path, monkeypatch) -> None:
    with desktop_on_bus(tmp_path, monkeypatch, after_notify="closed"), DesktopNotifier() as notifier:
        notification_id = notifier.send(DUE)
        assert notifier.wait(notification_id, 2.0) == Event("closed", notification_id, "2")


@slow
def test_wait_ignores_other_notifications(tmp_path, monkeypatch) -> None:
    with desktop_on_bus(tmp_path, monkeypatch, after_notify="action"), DesktopNotifier() as notifier:
        first = notifier.send(DUE)
        second = notifier.send(Notice("Another", "one"))
        # Both presses arrive; the one for `first` comes first and is passed over.
        assert notifier.wait(second, 2.0) == Event("action", second, "open")
        assert notifier.wait(first + second + 1, 0.2) is None


@slow
def test_wait_gives_none_when_nothing_happens_in_time(desktop) -> None:
    with DesktopNotifier() as notifier:
        notification_id = notifier.send(DUE)
        started = time.monotonic()
        event = notifier.wait(notification_id, 0.2)
        waited = time.monotonic() - started

    assert event is None
    assert 0.2 <= waited < 2.0


@slow
def test_no_button_when_the_server_cannot_show_actions(tmp_path, monkeypatch) -> None:
    with desktop_on_bus(tmp_path, monkeypatch, actions=False) as desktop, DesktopNotifier() as notifier:
        assert notifier.supports_actions() is False
        notifier.send(DUE)
        assert desktop.calls("Notify")[0]["actions"] == []


@slow
def test_no_button_when_the_notice_has_no_label(desktop) -> None:
    with DesktopNotifier() as notifier:
        notifier.send(Notice("Dose due", "Take it now.", action_label=None))

    assert desktop.calls("Notify")[0]["actions"] == []
    assert desktop.calls("GetCapabilities") == []  # not asked when no button is wanted


@slow
def test_a_stopped_server_is_reported_in_one_line(desktop) -> None:
    desktop.stop_server()

    with pytest.raises(DesktopUnavailable) as raised, DesktopNotifier() as notifier:
        notifier.send(DUE)

    message = raised.value.message
    assert "\n" not in message
    assert message == (
        "no notification service answers on the desktop bus "
        "(org.freedesktop.Notifications: org.freedesktop.DBus.Error.ServiceUnknown)"
    )
    assert raised.value.exit_code == 5
    assert desktop.calls("Notify") == []


@slow
def test_a_server_that_goes_away_after_connecting_is_reported(desktop) -> None:
    with DesktopNotifier() as notifier:
        notifier.supports_actions()
        desktop.stop_server()
        with pytest.raises(DesktopUnavailable, match=r"^no notification service answers .*ServiceUnknown\)$"):
            notifier.send(DUE)
        with pytest.raises(DesktopUnavailable, match="ServiceUnknown"):
            notifier.close(1)


@slow
def test_a_server_that_does_not_answer_is_reported_after_the_timeout(desktop) -> None:
    with DesktopNotifier(timeout=0.3) as notifier, desktop.server_frozen():
        started = time.monotonic()
        with pytest.raises(DesktopUnavailable) as raised:
            notifier.send(DUE)
        waited = time.monotonic() - started

    assert raised.value.message == (
        "no notification service answers on the desktop bus "
        "(org.freedesktop.Notifications did not answer GetCapabilities within 0.3 s)"
    )
    assert 0.3 <= waited < 2.0


def test_no_session_bus_is_reported_in_one_line(monkeypatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)

    with pytest.raises(DesktopUnavailable) as raised, DesktopNotifier():
        pass

    assert raised.value.message == (
        "no desktop session bus: notifications cannot be shown (DBUS_SESSION_BUS_ADDRESS is not set)"
    )


def test_a_bus_address_that_leads_nowhere_is_reported_in_one_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")

    with pytest.raises(DesktopUnavailable) as raised, DesktopNotifier():
        pass

    message = raised.value.message
    assert "\n" not in message
    assert message.startswith(f"no desktop session bus: cannot connect to unix:path={tmp_path / 'no-bus'} (")
