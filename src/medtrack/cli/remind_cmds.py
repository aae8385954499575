"""`medtrack remind`: tonight's reminder now, or the systemd user timer that runs it.

The D-Bus library is imported here, when a reminder is about to be shown or closed, and never on
`status`, `log` or the screen's path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from medtrack.cli.context import Context
from medtrack.errors import BadInput, DesktopUnavailable
from medtrack.i18n import _
from medtrack.location import Location

if TYPE_CHECKING:
    from medtrack.notify.desktop import DesktopNotifier
    from medtrack.services.database import Database


def cmd_remind(args: argparse.Namespace, ctx: Context) -> int:
    from medtrack.core.parse import given_as, parse_every

    with given_as("--repeat"):
        repeat = parse_every(args.repeat) if args.repeat is not None else None
    if args.wait and not args.now:
        raise BadInput(_("--wait goes with --now (the timer runs `remind --now --wait`)"))
    if args.now:
        return _now(ctx, repeat, wait=args.wait)
    _medtrack(ctx.db_path, None)  # a URL it cannot put in a command line: before connecting
    db = ctx.open_db()
    name, patient = _whose(db, ctx)
    command = [*_medtrack(ctx.db_path, patient), "remind", "--now", "--wait",
               *(["--repeat", args.repeat.strip()] if repeat is not None else [])]
    if args.print_units:
        return _print_units(name, command)
    if args.install:
        return _install(name, command)
    assert args.uninstall  # argparse requires one of the four
    return _uninstall(name)


# -- remind --now ---------------------------------------------------------------------------

class _Desktop:
    """The notification service, connected on first use: a night that is not due needs none."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._notifier: DesktopNotifier | None = None

    def _connected(self) -> DesktopNotifier:
        if self._notifier is None:
            from medtrack.notify.desktop import DesktopNotifier

            self._notifier = self._stack.enter_context(DesktopNotifier())
        return self._notifier

    def send(self, summary: str, body: str, replaces_id: int, button: bool) -> int:
        from medtrack.notify.desktop import Notice

        notifier = self._connected()
        label = _("Open medtrack") if button else None
        return notifier.send(Notice(summary, body, replaces_id=replaces_id, action_label=label))

    def close(self, notification_id: int) -> None:
        self._connected().close(notification_id)

    def wait(self, notification_id: int, seconds: float) -> tuple[Literal["action", "closed"], str] | None:
        event = self._connected().wait(notification_id, seconds)
        return None if event is None else (event.kind, event.detail)


def _now(ctx: Context, repeat: dt.timedelta | None, *, wait: bool) -> int:
    from medtrack.notify.memory import Memory
    from medtrack.notify.terminal import open_in_terminal
    from medtrack.services.remind import remind_now, whose

    db = ctx.open_db()
    patient = whose(db)
    screen = _medtrack(ctx.db_path, ctx.patient)

    def open_screen() -> None:
        if not open_in_terminal(screen):
            sys.stderr.write("medtrack: " + _("no terminal program was found to open the screen: run "
                                              "`medtrack` in a terminal") + "\n")

    with ExitStack() as stack:
        outcome = remind_now(db, ctx.clock.now, _Desktop(stack), Memory(patient), repeat=repeat,
                             wait=wait, open_screen=open_screen)
    ctx.out(outcome.words())
    if not outcome.remembered:
        sys.stderr.write("medtrack: " + _("the reminder's state file could not be written; the next "
                                          "reminder may not replace this one") + "\n")
    return 0


# -- the timer ------------------------------------------------------------------------------

def _whose(db: Database, ctx: Context) -> tuple[str, str | None]:
    """The units' name and the patient they remind: one timer per patient on a database with
    several (a ward's screen already shows who is due, so there it is per patient, by choice)."""
    if ctx.patient is None:
        if db.several_patients():
            raise BadInput(_("this database holds several patients: reminders are per patient, so "
                             "name one with --patient NUMBER|NAME"))
        return "medtrack-remind", None
    from medtrack.services.remind import whose

    return f"medtrack-remind-{whose(db)[:8]}", ctx.patient  # whose() refuses an unknown patient


def _medtrack(location: Location, patient: str | None) -> list[str]:
    """How a timer or a terminal starts this medtrack on this database (never MEDTRACK_NOW)."""
    program = shutil.which("medtrack")
    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if here is not None and here.name == "medtrack" and os.access(here, os.X_OK):
        program = str(here)
    start = [os.path.abspath(program)] if program else [sys.executable, "-m", "medtrack"]
    if isinstance(location, Path):
        where = str(location.resolve())
    elif str(location) != location.url:  # the shown form hides a password
        raise BadInput(_("the database URL holds a password, which every user of this machine could "
                         "read in the reminder's command line: connect without one (peer "
                         "authentication or ~/.pgpass) for reminders"))
    else:
        where = location.url
    return [*start, "--db", where, *(["--patient", patient] if patient else [])]


def _print_units(name: str, command: list[str]) -> int:
    from medtrack.notify.units import units_for

    for file, text in units_for(command, name).files().items():
        sys.stdout.write(f"# ~/.config/systemd/user/{file}\n{text}\n")
    sys.stdout.write("# " + _("or, where systemd is not running, this line in `crontab -e`:") + "\n"
                     f"{_cron(command)}\n")
    return 0


def _cron(command: list[str]) -> str:
    """The crontab line: without --wait, as cron starts a run every 5 minutes whether the last
    one still waits or not (two would answer one button); so there the reminder has no button."""
    from medtrack.notify.units import crontab_line

    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS") or f"unix:path=/run/user/{os.getuid()}/bus"
    return crontab_line([word for word in command if word != "--wait"], bus)


def _config_home() -> Path:
    from platformdirs import user_config_path

    return user_config_path(appauthor=False, roaming=False).expanduser()


def _install(name: str, command: list[str]) -> int:
    from medtrack.notify.units import install, systemd_running, units_for

    if not systemd_running():
        sys.stderr.write("medtrack: " + _("systemd is not running here, so no timer was installed; to "
                                          "remind from cron instead, add this line with `crontab -e`:") + "\n")
        sys.stdout.write(_cron(command) + "\n")
        return DesktopUnavailable.exit_code
    written = install(units_for(command, name), _config_home())
    for path in written:
        sys.stdout.write(_("wrote {path}").format(path=path) + "\n")
    sys.stdout.write(_("started {timer}: tonight's reminder comes when the dose is due (see it with: "
                       "{command})").format(timer=f"{name}.timer",
                                            command=f"systemctl --user list-timers {name}.timer") + "\n")
    return 0


def _uninstall(name: str) -> int:
    from medtrack.notify.units import uninstall

    removed = uninstall(name, _config_home())
    if not removed:
        sys.stdout.write(_("no reminder timer ({name}) was installed: nothing to remove").format(name=name) + "\n")
    for path in removed:
        sys.stdout.write(_("removed {path}").format(path=path) + "\n")
    return 0
