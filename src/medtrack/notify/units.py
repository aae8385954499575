"""The systemd user timer and service that run `medtrack remind --now`, and the crontab line where
systemd is not the init system.

The units never hold a time of night: the timer fires every five minutes and medtrack decides on
each run whether tonight's dose is due, so a new bedtime, zone or plan needs no new units, DST
follows medtrack's rules, and the run that follows a suspend (Persistent=) applies them again.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from medtrack.errors import BadInput, DesktopUnavailable
from medtrack.i18n import N_, _

# OnCalendar: every 5 minutes, all day (a night worker's bedtime may be any hour; each run costs
# one quick decision). In UTC, which has no DST: in local time, systemd (252) skips the repeated
# hour when clocks go back, e.g. Berlin 2027-10-31 02:55 CEST -> 03:00 CET, 65 minutes with no
# run. Every zone's offset is a multiple of 5 minutes, so these are local 5-minute marks too.
EVERY = "*-*-* *:00/5:00 UTC"

_SYSTEMCTL = ("systemctl", "--user")
_SYSTEMCTL_TIMEOUT_S = 60  # a user manager that does not answer in a minute is not going to

# A unit name we write as a file and hand to systemctl: no path separators, no leading "-" (an
# option to systemctl), no "@" (a template) and no "\" (systemd's escapes).
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}")
# An ExecStart= word that needs no quotes once % and $ are doubled.
_PLAIN = re.compile(r"[A-Za-z0-9_@+=:,./%$-]+")
_RUNNING_ELSEWHERE = re.compile(r"not loaded|does not exist|not found", re.IGNORECASE)

_HEADER = N_("Written by `medtrack remind --install`; `medtrack remind --uninstall` removes it.")


@dataclass(frozen=True)
class Units:
    """The two unit files of one reminder, named `name`.service and `name`.timer."""

    name: str  # e.g. "medtrack-remind" or "medtrack-remind-2"
    service: str  # the .service file's text
    timer: str  # the .timer file's text

    def files(self) -> dict[str, str]:
        """File name -> text, the service first (the timer names it)."""
        return {f"{self.name}.service": self.service, f"{self.name}.timer": self.timer}


def units_for(
    command: Sequence[str], name: str = "medtrack-remind", description: str = "medtrack bedtime reminder"
) -> Units:
    """The units that run `command` (an absolute program path and its arguments) every 5 minutes.

    Raises BadInput for what systemd cannot be given: a program path holding a quote or a
    backslash, a control character anywhere, a name that is not a plain unit name; ValueError for
    a command without an absolute program path (the caller's mistake).
    """
    _check_name(name)
    _check_command(command)
    _check_text(description, "The reminder's description")
    if description.endswith("\\"):
        raise BadInput(_("The reminder's description cannot end with a backslash (systemd joins the next line to it)."))
    described = f"[Unit]\nDescription={description.replace('%', '%%')}\n"
    # Type=oneshot has no start timeout unless one is set, so a run may wait for the notification's
    # button; a timer never starts a second run while one is still going. No Restart=: the next
    # elapse is the retry.
    header = f"# {_(_HEADER)}\n"  # a comment, in the language of whoever installs them
    service = f"{header}{described}\n[Service]\nType=oneshot\nExecStart={_exec_line(command)}\n"
    timer = (
        f"{header}{described}\n"
        f"[Timer]\nOnCalendar={EVERY}\nAccuracySec=10s\nPersistent=true\nUnit={name}.service\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return Units(name, service, timer)


def crontab_line(command: Sequence[str], bus_address: str) -> str:
    """The crontab line that runs `command` every 5 minutes with the session's bus address.

    Each word is quoted for /bin/sh, and every % (cron's line break) is written as \\% outside the
    quotes, so that no backslash of the data can come before it and change what cron does.
    """
    _check_command(command, for_systemd=False)
    _check_text(bus_address, "The session bus address")
    words = [f"DBUS_SESSION_BUS_ADDRESS={_cron_word(bus_address)}", *(_cron_word(word) for word in command)]
    return "*/5 * * * * " + " ".join(words)


def systemd_running(root: Path = Path("/")) -> bool:
    """Whether systemd is the init system (sd_booted(3): /run/systemd/system is a folder)."""
    return (root / "run/systemd/system").is_dir()


def unit_folder(config_home: Path) -> Path:
    """Where a user's own units live ($XDG_CONFIG_HOME/systemd/user)."""
    return config_home / "systemd" / "user"


def install(
    units: Units,
    config_home: Path,
    *,
    systemctl: Sequence[str] = _SYSTEMCTL,
    root: Path = Path("/"),
) -> list[Path]:
    """Write the units (mode 0600: they hold the database's path), reload, enable and start the timer.

    Returns the written paths. Raises DesktopUnavailable, with everything put back as it was, when
    systemd is not running (checked before anything is written), a file cannot be written, or a
    systemctl call fails (its first line of stderr is quoted).
    """
    _check_name(units.name)
    if not systemd_running(root):
        raise DesktopUnavailable(
            _("systemd is not running on this machine, so no reminder timer can be installed; "
            "a crontab line can run the reminder instead.")
        )
    folder = unit_folder(config_home)
    before: dict[Path, bytes | None] = {}
    enabling = False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for file_name, text in units.files().items():
            path = folder / file_name
            before[path] = path.read_bytes() if path.is_file() else None
            _write_atomically(path, text.encode("utf-8"))
        _systemctl(systemctl, "daemon-reload")
        enabling = True
        _systemctl(systemctl, "enable", "--now", f"{units.name}.timer")
    except (OSError, DesktopUnavailable) as failure:
        timer = folder / f"{units.name}.timer"
        if enabling and before.get(timer) is None:
            # `enable --now` may have made the timers.target.wants link before the start failed;
            # disable needs the unit file to find it, so this comes before the files go.
            _try_systemctl(systemctl, "disable", f"{units.name}.timer")
        _put_back(before)
        if before:
            _try_systemctl(systemctl, "daemon-reload")
        if isinstance(failure, DesktopUnavailable):
            raise
        raise DesktopUnavailable(_("Could not write the reminder's units in {folder}: {reason}.").format(
                                     folder=folder, reason=_reason(failure))) from failure
    return list(before)


def uninstall(
    name: str,
    config_home: Path,
    *,
    systemctl: Sequence[str] = _SYSTEMCTL,
    root: Path = Path("/"),
) -> list[Path]:
    """Stop and disable the timer, remove both unit files and reload; the removed paths ([] if none).

    Nothing installed: nothing is called. Without systemd the files (and a left-over enable link)
    are just removed. A systemctl failure other than "not loaded" raises DesktopUnavailable before
    anything is removed.
    """
    _check_name(name)
    folder = unit_folder(config_home)
    present = [path for path in (folder / f"{name}.service", folder / f"{name}.timer") if _exists(path)]
    if not present:
        return []
    running = systemd_running(root)
    if running:
        try:
            _systemctl(systemctl, "disable", "--now", f"{name}.timer")
        except _SystemctlFailed as failed:
            if not _RUNNING_ELSEWHERE.search(failed.stderr):
                raise
    else:
        # Installed while systemd ran (another boot): disable cannot be run, so its link goes too.
        link = folder / "timers.target.wants" / f"{name}.timer"
        if link.is_symlink():
            present.append(link)
    removed: list[Path] = []
    for path in present:
        try:
            path.unlink(missing_ok=True)
        except OSError as failure:
            raise DesktopUnavailable(_("Could not remove {path}: {reason}.").format(
                                         path=path, reason=_reason(failure))) from failure
        removed.append(path)
    if running:
        # The timer is already stopped and disabled: a failed reload only leaves a stale cache.
        _try_systemctl(systemctl, "daemon-reload")
    return removed


class _SystemctlFailed(DesktopUnavailable):
    """A systemctl call exited non-zero; `stderr` is all it said."""

    def __init__(self, message: str, stderr: str) -> None:
        super().__init__(message)
        self.stderr = stderr


def _systemctl(systemctl: Sequence[str], *arguments: str) -> None:
    argv = [*systemctl, *arguments]
    shown = " ".join(["systemctl", *argv[1:]] if Path(argv[0]).name == "systemctl" else argv)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=_SYSTEMCTL_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as failure:
        raise DesktopUnavailable(_("`{shown}` did not answer in {seconds} s.").format(
                                     shown=shown, seconds=_SYSTEMCTL_TIMEOUT_S)) from failure
    except OSError as failure:
        raise DesktopUnavailable(_("`{shown}` could not be run: {reason}.").format(
                                     shown=shown, reason=_reason(failure))) from failure
    if done.returncode != 0:
        said = next((line.strip() for line in done.stderr.splitlines() if line.strip()), "")
        raise _SystemctlFailed(f"`{shown}` failed: {said or f'exit code {done.returncode}'}", done.stderr)


def _try_systemctl(systemctl: Sequence[str], *arguments: str) -> None:
    with contextlib.suppress(DesktopUnavailable):  # best effort: the first failure is the one reported
        _systemctl(systemctl, *arguments)


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _put_back(before: dict[Path, bytes | None]) -> None:
    """Each written file back to what it was: removed if it was new, its old bytes if not."""
    for path, old in reversed(before.items()):
        try:
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _write_atomically(path, old)
        except OSError:
            pass  # the failure that brought us here is the one reported


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _reason(failure: OSError) -> str:
    return failure.strerror or str(failure)


def _exec_line(command: Sequence[str]) -> str:
    """An ExecStart= value for `command` (systemd.service(5) "Command lines")."""
    program, *arguments = command
    # Specifiers are expanded in the program's path too, but variables never are: its $ stays single.
    path = program.replace("%", "%%")
    return " ".join([path if _PLAIN.fullmatch(path) else f'"{path}"', *map(_exec_quote, arguments)])


def _exec_quote(argument: str) -> str:
    """One argument for ExecStart=: % and $ doubled (specifiers and variables are expanded after
    unquoting), then, unless it is plain, double-quoted with \\ and " backslash-escaped. A quoted
    ";" is an argument, not a command separator. No control characters (see _check_text)."""
    text = argument.replace("%", "%%").replace("$", "$$")
    if _PLAIN.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cron_word(word: str) -> str:
    return "\\%".join(shlex.quote(piece) if piece else "" for piece in word.split("%")) or "''"


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise BadInput(
            _("{name!r} cannot name the reminder's units: use letters, digits, '-', "
              "'_', '.' or ':', starting with a letter or a digit.").format(
                name=name)
        )


def _check_command(command: Sequence[str], *, for_systemd: bool = True) -> None:
    if not command or not command[0]:
        raise ValueError("the reminder's command needs the program to run")
    for word in command:
        _check_text(word, "The reminder's command")
    program = command[0]
    if for_systemd and not os.path.isabs(program):
        raise ValueError(f"systemd needs the program's absolute path, not {program!r}")
    if for_systemd and any(character in program for character in "\"'\\"):
        raise BadInput(_("systemd cannot run a program whose path holds a quote or a backslash: "
                         "{program}").format(
                           program=program))


def _check_text(text: str, what: str) -> None:
    bad = next((character for character in text if _unwritable(character)), None)
    if bad is not None:
        raise BadInput(_("{what} holds a character that cannot be written into it "
                         "(U+{code:04X}): {text!r}").format(
                           what=what, code=ord(bad), text=text))


def _unwritable(character: str) -> bool:
    """Control characters cannot be written as unit text or in a crontab line; systemd also
    ignores a line that is not "UTF-8 clean", which for it excludes the Unicode noncharacters."""
    code = ord(character)
    return (
        code < 0x20
        or code == 0x7F
        or 0xD800 <= code <= 0xDFFF  # lone surrogates (undecodable bytes of a path) are not UTF-8
        or 0xFDD0 <= code <= 0xFDEF
        or code & 0xFFFE == 0xFFFE
    )
