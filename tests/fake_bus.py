"""A private session bus with a fake notification server on it, for the desktop notification tests.

    with fake_desktop(tmp_path, after_notify="action") as desktop:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.address)
        ...                                   # code under test notifies
        assert desktop.calls("Notify")[0]["hints"]["urgency"] == 2

The bus is a `dbus-daemon` of our own with a minimal session configuration: no service
directories, so a stopped fake is never replaced by a notification daemon that happens to be
installed. The server is tests/fake_notifyd.py in its own process. Both are stopped by PID.
jeepney is imported only inside the helpers that need it.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NAME = "org.freedesktop.Notifications"
START_TIMEOUT = 5.0
SERVER = Path(__file__).with_name("fake_notifyd.py")
BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmpdir}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class FakeDesktop:
    """The running bus and fake server: where to connect, and what the server was asked."""

    address: str  # the private bus address (set it as DBUS_SESSION_BUS_ADDRESS)
    log: Path  # JSON lines, one per call the server received
    folder: Path = field(repr=False)
    actions: bool = field(default=True, repr=False)
    after_notify: str | None = field(default=None, repr=False)
    _server: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """The calls the server logged so far, in order; only those of `method` if given."""
        entries = [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line]
        return [entry for entry in entries if method is None or entry["method"] == method]

    def env(self) -> dict[str, str]:
        """A copy of os.environ that points a child process at this bus."""
        return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.address}

    def stop_server(self) -> None:
        """Kill the fake server only (the bus stays), and wait until its name is gone."""
        if self._server is not None:
            _stop(self._server)
            self._server = None
        _wait_for_owner(self.address, owned=False, server=None, stderr=None)

    @contextmanager
    def server_frozen(self) -> Iterator[None]:
        """Stop the fake server's process (SIGSTOP) inside the block: it owns the name but answers nothing."""
        server = self._server
        if server is None:
            raise RuntimeError("the fake notification server is not running")
        server.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            server.send_signal(signal.SIGCONT)

    def start_server(self) -> None:
        if self._server is not None:
            raise RuntimeError("the fake notification server is already running")
        stderr = self.folder / "fake_notifyd.err"
        argv = [
            sys.executable,
            str(SERVER),
            str(self.log),
            "actions" if self.actions else "no-actions",
            self.after_notify or "none",
        ]
        with stderr.open("ab") as err:
            self._server = subprocess.Popen(argv, env=self.env(), stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        _wait_for_owner(self.address, owned=True, server=self._server, stderr=stderr)


@contextmanager
def fake_desktop(tmp_path: Path, *, actions: bool = True, after_notify: str | None = None) -> Iterator[FakeDesktop]:
    """A private bus with the fake server owning org.freedesktop.Notifications on it.

    `actions=False`: GetCapabilities lists no "actions". `after_notify`: None, "action" (the
    server emits ActionInvoked(id, "open") about 50 ms after answering Notify) or "closed"
    (NotificationClosed(id, 2)).
    """
    if after_notify not in (None, "action", "closed"):
        raise ValueError(f"after_notify must be None, 'action' or 'closed', not {after_notify!r}")
    config = tmp_path / "fake_bus.conf"
    config.write_text(BUS_CONFIG.format(tmpdir=tempfile.gettempdir()), encoding="utf-8")
    log = tmp_path / "notifications.jsonl"
    log.touch()
    bus_stderr = tmp_path / "dbus-daemon.err"
    with bus_stderr.open("wb") as err:
        bus = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    desktop: FakeDesktop | None = None
    try:
        desktop = FakeDesktop(_read_address(bus, bus_stderr), log, tmp_path, actions=actions, after_notify=after_notify)
        desktop.start_server()
        yield desktop
    finally:
        if desktop is not None and desktop._server is not None:
            _stop(desktop._server)
        _stop(bus)


def _read_address(bus: subprocess.Popen[bytes], stderr: Path) -> str:
    assert bus.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(bus.stdout, selectors.EVENT_READ)
        ready = selector.select(START_TIMEOUT)
    line = bus.stdout.readline().decode().strip() if ready else ""
    if not line:
        raise RuntimeError(f"dbus-daemon printed no address within {START_TIMEOUT:g} s: {_tail(stderr)}")
    return line


def _wait_for_owner(address: str, *, owned: bool, server: subprocess.Popen[bytes] | None, stderr: Path | None) -> None:
    """Poll NameHasOwner until the notification name is owned (or gone), or fail after a while."""
    from jeepney import message_bus
    from jeepney.io.blocking import open_dbus_connection

    deadline = time.monotonic() + START_TIMEOUT
    with open_dbus_connection(bus=address) as conn:
        while True:
            reply = conn.send_and_get_reply(message_bus.NameHasOwner(NAME), timeout=START_TIMEOUT)
            if bool(reply.body[0]) == owned:
                return
            if server is not None and server.poll() is not None:
                raise RuntimeError(f"the fake notification server exited ({server.returncode}): {_tail(stderr)}")
            if time.monotonic() > deadline:
                state = "owned" if owned else "released"
                raise RuntimeError(f"{NAME} was not {state} within {START_TIMEOUT:g} s: {_tail(stderr)}")
            time.sleep(0.02)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()


def _tail(path: Path | None) -> str:
    if path is None or not path.exists():
        return "(no output)"
    return path.read_text(encoding="utf-8", errors="replace").strip()[-2000:] or "(no output)"
