"""A fake desktop notification server for tests: owns org.freedesktop.Notifications on a private bus.

Run by tests/fake_bus.py as `python fake_notifyd.py LOG ACTIONS AFTER_NOTIFY` with
DBUS_SESSION_BUS_ADDRESS set: LOG gets one JSON line per method call received (flushed at once),
ACTIONS is "actions" or "no-actions" (whether GetCapabilities lists "actions"), AFTER_NOTIFY is
"none", "action" (ActionInvoked(id, "open") about 50 ms after answering Notify) or "closed"
(NotificationClosed(id, 2)). CloseNotification answers and emits NotificationClosed(id, 3).
It runs until it is killed.
"""

from __future__ import annotations

import json
import sys
import time
from typing import IO, Any

from jeepney import (
    DBusAddress,
    DBusNameFlags,
    HeaderFields,
    Message,
    MessageType,
    message_bus,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
EMITTER = DBusAddress(PATH, interface=NAME)
INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="{NAME}">
    <method name="GetCapabilities"><arg direction="out" type="as"/></method>
    <method name="Notify">
      <arg direction="in" type="s"/><arg direction="in" type="u"/><arg direction="in" type="s"/>
      <arg direction="in" type="s"/><arg direction="in" type="s"/><arg direction="in" type="as"/>
      <arg direction="in" type="a{{sv}}"/><arg direction="in" type="i"/><arg direction="out" type="u"/>
    </method>
    <method name="CloseNotification"><arg direction="in" type="u"/></method>
    <method name="GetServerInformation">
      <arg direction="out" type="s"/><arg direction="out" type="s"/>
      <arg direction="out" type="s"/><arg direction="out" type="s"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
"""
AFTER_NOTIFY_DELAY = 0.05


class FakeServer:
    """The state of the fake: ids handed out, signals still to emit, the log."""

    def __init__(self, conn: DBusConnection, log: IO[str], *, actions: bool, after_notify: str) -> None:
        self.conn = conn
        self.log = log
        self.actions = actions
        self.after_notify = after_notify
        self.next_id = 1
        self.known: set[int] = set()
        self.pending: list[tuple[float, Message]] = []  # (when, signal), in order

    def serve_forever(self) -> None:
        while True:
            timeout = max(self.pending[0][0] - time.monotonic(), 0.0) if self.pending else None
            try:
                message = self.conn.receive(timeout=timeout)
            except TimeoutError:
                self.conn.send(self.pending.pop(0)[1])
                continue
            if message.header.message_type is MessageType.method_call:
                self.answer(message)

    def answer(self, call: Message) -> None:
        member = call.header.fields.get(HeaderFields.member)
        interface = call.header.fields.get(HeaderFields.interface)
        signature = call.header.fields.get(HeaderFields.signature, "")
        if interface == "org.freedesktop.DBus.Introspectable" and member == "Introspect":
            self.write({"method": "Introspect"})
            self.reply(new_method_return(call, "s", (INTROSPECTION,)))
        elif interface not in (NAME, None):
            self.reply(new_error(call, "org.freedesktop.DBus.Error.UnknownInterface", "s", (str(interface),)))
        elif member == "GetCapabilities":
            self.write({"method": "GetCapabilities"})
            capabilities = ["body", "actions"] if self.actions else ["body"]
            self.reply(new_method_return(call, "as", (capabilities,)))
        elif member == "GetServerInformation":
            self.write({"method": "GetServerInformation"})
            self.reply(new_method_return(call, "ssss", ("fake", "medtrack-tests", "1", "1.2")))
        elif member == "Notify" and signature == "susssasa{sv}i":
            self.notify(call)
        elif member == "CloseNotification" and signature == "u":
            (notification_id,) = call.body
            self.write({"method": "CloseNotification", "id": notification_id})
            if notification_id not in self.known:  # already closed: as some servers do, an error
                self.reply(new_error(call, "org.freedesktop.DBus.Error.Failed", "s", ("no such notification",)))
                return
            self.known.discard(notification_id)
            self.reply(new_method_return(call))
            self.conn.send(new_signal(EMITTER, "NotificationClosed", "uu", (notification_id, 3)))
        else:
            text = f"no method {member} with signature {signature!r}"
            self.reply(new_error(call, "org.freedesktop.DBus.Error.UnknownMethod", "s", (text,)))

    def notify(self, call: Message) -> None:
        app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout = call.body
        if replaces_id != 0 and replaces_id in self.known:
            notification_id = replaces_id
        else:
            notification_id = self.next_id
            self.next_id += 1
            self.known.add(notification_id)
        self.write(
            {
                "method": "Notify",
                "id": notification_id,
                "app_name": app_name,
                "replaces_id": replaces_id,
                "app_icon": app_icon,
                "summary": summary,
                "body": body,
                "actions": actions,
                "hints": {key: value for key, (_signature, value) in hints.items()},
                "expire_timeout": expire_timeout,
            }
        )
        self.reply(new_method_return(call, "u", (notification_id,)))
        when = time.monotonic() + AFTER_NOTIFY_DELAY
        if self.after_notify == "action":
            self.pending.append((when, new_signal(EMITTER, "ActionInvoked", "us", (notification_id, "open"))))
        elif self.after_notify == "closed":
            self.known.discard(notification_id)  # the patient closes it: the server forgets it
            self.pending.append((when, new_signal(EMITTER, "NotificationClosed", "uu", (notification_id, 2))))

    def reply(self, message: Message) -> None:
        self.conn.send(message)

    def write(self, entry: dict[str, Any]) -> None:
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()


def main(argv: list[str]) -> int:
    log_path, actions, after_notify = argv
    if actions not in ("actions", "no-actions") or after_notify not in ("none", "action", "closed"):
        print(f"usage: fake_notifyd.py LOG actions|no-actions none|action|closed (got {argv})", file=sys.stderr)
        return 2
    conn = open_dbus_connection(bus="SESSION")
    reply = conn.send_and_get_reply(message_bus.RequestName(NAME, DBusNameFlags.do_not_queue))
    if reply.header.message_type is MessageType.error or reply.body[0] != 1:
        print(f"could not own {NAME}: {reply.header.fields} {reply.body}", file=sys.stderr)
        return 1
    with open(log_path, "a", encoding="utf-8") as log:
        FakeServer(conn, log, actions=actions == "actions", after_notify=after_notify).serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
