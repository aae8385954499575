"""Desktop notifications over the session bus (org.freedesktop.Notifications), with jeepney.

jeepney because it reports every failure: desktop-notifier logs "Notification failed" and still
returns an id, and a reminder that silently did not appear is worse than an exit code. Every
failure here becomes one `DesktopUnavailable` line naming what failed.
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Literal

from jeepney import (
    DBusAddress,
    DBusErrorResponse,
    HeaderFields,
    MatchRule,
    Message,
    MessageType,
    message_bus,
    new_method_call,
)
from jeepney.auth import AuthenticationError
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from jeepney.io.common import FilterHandle

from medtrack.errors import DesktopUnavailable
from medtrack.i18n import _

_SERVICE = "org.freedesktop.Notifications"
_PATH = "/org/freedesktop/Notifications"
_NOTIFICATIONS = DBusAddress(_PATH, bus_name=_SERVICE, interface=_SERVICE)
# Errors that mean nobody is there to answer, as opposed to a server refusing the call.
_NO_ANSWER = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
    "org.freedesktop.DBus.Error.NoReply",
    "org.freedesktop.DBus.Error.Timeout",
    "org.freedesktop.DBus.Error.Disconnected",
}


@dataclass(frozen=True)
class Notice:
    """One notification to show: a new one (`replaces_id` 0) or a replacement of a shown one."""

    summary: str
    body: str
    replaces_id: int = 0
    action_label: str | None = "Open medtrack"  # the one button (action key "open"); None: no button
    urgency: int = 2  # 0 low, 1 normal, 2 critical (stays until closed)


@dataclass(frozen=True)
class Event:
    """What happened to a shown notification: its button was pressed, or it was closed."""

    kind: Literal["action", "closed"]
    notification_id: int
    detail: str  # the action key ("open") or the close reason as text ("1".."4")


class DesktopNotifier:
    """A connection to the desktop's notification service, used as a context manager."""

    def __init__(self, *, timeout: float = 5.0) -> None:
        self._timeout = timeout
        self._conn: DBusConnection | None = None
        self._signals: FilterHandle | None = None
        self._queue: deque[Message] = deque()
        self._actions: bool | None = None

    def __enter__(self) -> DesktopNotifier:
        address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        if not address:
            raise DesktopUnavailable(
                _("no desktop session bus: notifications cannot be shown (DBUS_SESSION_BUS_ADDRESS is not set)")
            )
        try:
            conn = open_dbus_connection(bus=address, auth_timeout=self._timeout)
        except (OSError, RuntimeError, ValueError, AuthenticationError, DBusErrorResponse) as exc:
            said = _("no desktop session bus: cannot connect to {address} ({error})")
            raise DesktopUnavailable(_one_line(said.format(address=address, error=exc))) from exc
        self._conn = conn
        # Subscribe before anything is sent, so that a button pressed at once is not missed; the
        # filter queues signals that arrive while a method call waits for its reply.
        try:
            self._signals = conn.filter(_signals(sender=None), queue=self._queue)
            self._call(message_bus.AddMatch(_signals(sender=_SERVICE)), "AddMatch")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._signals is not None:
            self._signals.close()
            self._signals = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, notice: Notice) -> int:
        """Show `notice` (or replace the one it names) and return its id."""
        label = notice.action_label
        actions = ["open", label] if label is not None and self.supports_actions() else []
        hints = {"urgency": ("y", notice.urgency), "category": ("s", "x-medtrack.reminder")}
        expire_timeout = 0 if notice.urgency >= 2 else -1
        body = ("medtrack", notice.replaces_id, "", notice.summary, notice.body, actions, hints, expire_timeout)
        reply = self._call(new_method_call(_NOTIFICATIONS, "Notify", "susssasa{sv}i", body), "Notify")
        notification_id = reply.body[0] if reply.body else None
        if not isinstance(notification_id, int):
            raise DesktopUnavailable(
                _("the desktop's notification service answered Notify without an id "
                  "({body!r})").format(
                    body=reply.body)
            )
        return notification_id

    def close(self, notification_id: int) -> None:
        """Withdraw a shown notification. One the patient already closed is gone: servers may
        answer that with an error, which means the same and is not a failure."""
        self._call(new_method_call(_NOTIFICATIONS, "CloseNotification", "u", (notification_id,)), "CloseNotification",
                   refusal_is_done=True)

    def supports_actions(self) -> bool:
        """Whether the notification service shows buttons (asked once per connection)."""
        if self._actions is None:
            reply = self._call(new_method_call(_NOTIFICATIONS, "GetCapabilities"), "GetCapabilities")
            capabilities = reply.body[0] if reply.body else []
            self._actions = isinstance(capabilities, list) and "actions" in capabilities
        return self._actions

    def wait(self, notification_id: int, seconds: float) -> Event | None:
        """The first button press or close of `notification_id` within `seconds`, else None."""
        conn = self._connection()
        deadline = time.monotonic() + seconds
        while True:
            try:
                message = conn.recv_until_filtered(self._queue, timeout=max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                return None
            except OSError as exc:
                said = _("the desktop session bus went away while waiting ({error})")
                raise DesktopUnavailable(_one_line(said.format(error=exc))) from exc
            event = _event(message)
            if event is not None and event.notification_id == notification_id:
                return event

    def _connection(self) -> DBusConnection:
        if self._conn is None:
            raise RuntimeError("DesktopNotifier is used outside its `with` block")
        return self._conn

    def _call(self, message: Message, what: str, *, refusal_is_done: bool = False) -> Message:
        """Send a method call and return its reply; every failure is one DesktopUnavailable line."""
        to = message.header.fields.get(HeaderFields.destination)
        service = to == _SERVICE  # else the bus itself
        try:
            reply = self._connection().send_and_get_reply(message, timeout=self._timeout)
        except TimeoutError as exc:
            raise DesktopUnavailable(
                (_("no notification service answers on the desktop bus ({to} did not answer {what} within "
                   "{timeout:g} s)") if service else
                 _("the desktop session bus does not answer on the desktop bus ({to} did not answer {what} "
                   "within {timeout:g} s)")).format(to=to, what=what, timeout=self._timeout)
            ) from exc
        except OSError as exc:
            raise DesktopUnavailable(_one_line(_("the desktop session bus went away during {what} ({error})").format(
                what=what, error=exc))) from exc
        if reply.header.message_type is not MessageType.error:
            return reply
        name = str(reply.header.fields.get(HeaderFields.error_name, "unknown error"))
        if name in _NO_ANSWER:
            raise DesktopUnavailable((_("no notification service answers on the desktop bus ({to}: {name})")
                                      if service else
                                      _("the desktop session bus does not answer on the desktop bus ({to}: {name})"))
                                     .format(to=to, name=name))
        if refusal_is_done:
            return reply
        text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
        detail = f"{name}: {text}" if text else name
        raise DesktopUnavailable(_one_line(_("{to} refused {what} ({detail})").format(to=to, what=what, detail=detail)))


def _signals(*, sender: str | None) -> MatchRule:
    # The bus resolves a well-known sender name to its owner; locally, messages carry the owner's
    # unique name, so the local filter leaves the sender out.
    return MatchRule(type=MessageType.signal, sender=sender, interface=_SERVICE, path=_PATH)


def _event(message: Message) -> Event | None:
    member = message.header.fields.get(HeaderFields.member)
    body = message.body
    if len(body) < 2 or not isinstance(body[0], int):
        return None
    if member == "ActionInvoked":
        return Event("action", body[0], str(body[1]))
    if member == "NotificationClosed":
        return Event("closed", body[0], str(body[1]))
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())
