"""The reminder's systemd units and crontab line (medtrack.notify.units).

systemd-analyze checks the units and the timer's elapses around DST; install and uninstall run
against a fake systemctl and a fake root; the command's quoting is read back the way systemd
(systemd.syntax(7), systemd.service(5) "Command lines") and cron then /bin/sh read it.
Nothing here runs the real systemctl or touches anything outside tmp_path.
"""

from __future__ import annotations

import configparser
import dataclasses
import datetime as dt
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medtrack.errors import BadInput, DesktopUnavailable
from medtrack.notify.units import (
    EVERY,
    Units,
    _exec_quote,
    crontab_line,
    install,
    systemd_running,
    uninstall,
    unit_folder,
    units_for,
)

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")
slow = pytest.mark.slow  # starts systemd-analyze, /bin/sh or the fake systemctl

PROGRAM = "/opt/medtrack/bin/medtrack"  # for what never runs it
TRICKY_DB = "my nights/100% $HOME \"night\" ${X} 'a\\b'.db"  # space, %, $, quotes, backslash


def real_medtrack() -> str:
    """The installed entry point (systemd-analyze verify wants the program to exist)."""
    beside = Path(sys.executable).with_name("medtrack")
    found = str(beside) if beside.is_file() else shutil.which("medtrack")
    if found is None:
        pytest.skip("the medtrack entry point is not installed beside the test interpreter")
    return found


# --- How systemd reads ExecStart= --------------------------------------------------------------

_SEPARATORS = " \t\n\r"
_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "s": " ", "t": "\t", "n": "\n"}  # systemd.syntax(7)


def systemd_words(value: str) -> list[str]:
    """Split a command line as systemd.syntax(7) "Quoting" says, strictly: a quote may only open a
    word and must end it, escapes must be known ones, and a lone ; (a second command) fails."""
    words: list[str] = []
    i = 0
    while True:
        while i < len(value) and value[i] in _SEPARATORS:
            i += 1
        if i == len(value):
            return words
        start = i
        quote = value[i] if value[i] in "\"'" else None
        i += quote is not None
        word: list[str] = []
        while i < len(value):
            c = value[i]
            if c == "\\":
                assert value[i + 1 : i + 2] in _ESCAPES, f"unknown escape in {value!r}"
                word.append(_ESCAPES[value[i + 1]])
                i += 2
            elif quote is not None and c == quote:
                i += 1
                assert value[i : i + 1] in ("", *_SEPARATORS), f"a closing quote must end the word: {value!r}"
                quote = None
                break
            elif quote is None and c in _SEPARATORS:
                break
            else:
                assert quote is not None or c not in "\"'", f"a quote may only open a word: {value!r}"
                word.append(c)
                i += 1
        assert quote is None, f"unterminated quote in {value!r}"
        assert value[start:i] != ";", f"a lone ; starts a second command: {value!r}"
        words.append("".join(word))


def undouble(word: str, mark: str) -> str:
    """`mark` (% for specifiers, $ for variables) doubled is one; a single one would be expanded."""
    pieces = word.split(mark * 2)
    assert all(mark not in piece for piece in pieces), f"systemd would expand the {mark} in {word!r}"
    return mark.join(pieces)


def exec_argv(value: str) -> list[str]:
    """The program and arguments systemd runs for an ExecStart= value: specifiers resolved when the
    unit loads (everywhere), variables when it runs (never in the program's path)."""
    program, *arguments = systemd_words(value)
    return [undouble(program, "%"), *(undouble(undouble(word, "%"), "$") for word in arguments)]


def exec_start(units: Units) -> str:
    found = re.search(r"^ExecStart=(.*)$", units.service, re.MULTILINE)
    assert found is not None and units.service.count("ExecStart=") == 1
    return found[1]


def sections(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return {name: dict(parser[name]) for name in parser.sections()}


# --- How cron and /bin/sh read a crontab line ------------------------------------------------

SCHEDULE = "*/5 * * * * "


def cron_reads(line: str) -> tuple[str, str]:
    """What cron (Vixie/Debian, do_command.c) makes of a crontab line's command: the part before
    the first unescaped % goes to /bin/sh, \\% there is a %; the rest is stdin."""
    assert line.startswith(SCHEDULE), line
    command = line.removeprefix(SCHEDULE)
    run: list[str] = []
    escaped = False
    for i, c in enumerate(command):
        if escaped:
            escaped = False
            if c == "%":
                run[-1] = "%"
                continue
        elif c == "\\":
            escaped = True
        elif c == "%":
            return "".join(run), command[i + 1 :].replace("%", "\n")
        run.append(c)
    return "".join(run), ""


def sh_words(line: str) -> list[str]:
    shell_command, stdin = cron_reads(line)
    assert stdin == "", f"cron would cut the command at a %: {line!r}"
    return shlex.split(shell_command)


# --- systemd-analyze -------------------------------------------------------------------------


def analyze_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """An environment that keeps systemd-analyze inside tmp_path (its temporary folders too)."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "TMPDIR": str(tmp_path),
        "LC_ALL": "C.UTF-8",
        "SYSTEMD_LOG_COLOR": "0",
        **more,
    }


def verify(tmp_path: Path, units: Units) -> subprocess.CompletedProcess[str]:
    assert ANALYZE is not None
    folder = unit_folder(tmp_path / "config")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for file_name, text in units.files().items():
        (folder / file_name).write_text(text, encoding="utf-8")
        paths.append(str(folder / file_name))
    return subprocess.run(
        [ANALYZE, "verify", "--user", *paths],
        env=analyze_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def tricky_program(tmp_path: Path) -> str:
    """An executable in a folder whose name has a space, a % and a $."""
    folder = tmp_path / "my bin 100% $HOME"
    folder.mkdir()
    program = folder / "medtrack"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return str(program)


@slow
@needs_analyze
@pytest.mark.parametrize("where", ["installed", "tricky folder"])
def test_systemd_analyze_verify_accepts_the_units_silently(tmp_path, where: str) -> None:
    program = real_medtrack() if where == "installed" else tricky_program(tmp_path)
    # A lone ";" is an argument here, not a second command (verify does not check a second
    # command's program: exec_argv below refuses an unquoted one).
    command = [program, "--db", str(tmp_path / TRICKY_DB), ";", "remind", "--now"]
    units = units_for(command, name="medtrack-remind-2", description="medtrack 100% reminder $USER")

    done = verify(tmp_path, units)

    assert (done.returncode, done.stderr) == (0, "")
    assert exec_argv(exec_start(units)) == command


@slow
@needs_analyze
@pytest.mark.parametrize(
    ("file", "good", "bad", "complaint"),
    [
        ("timer", f"OnCalendar={EVERY}", "OnCalendar=*-*-* 25:61:00", "calendar"),
        ("service", "%%", "%Q", "specifier"),  # a % left single is a specifier
        ("service", "$HOME", "$$HOME", "not executable"),  # the program's $ is never a variable
    ],
)
def test_systemd_analyze_verify_complains_about_broken_units(tmp_path, file, good, bad, complaint) -> None:
    """The negative control: the check above can fail."""
    units = units_for([tricky_program(tmp_path), "--db", "100%.db"])
    text = getattr(units, file)
    assert good in text
    broken = dataclasses.replace(units, **{file: text.replace(good, bad, 1)})

    done = verify(tmp_path, broken)

    assert complaint in done.stderr


def test_the_units_run_the_reminder_every_five_minutes_as_a_oneshot() -> None:
    units = units_for([PROGRAM, "--db", "/home/pat/medtrack.db", "remind", "--now"])

    assert units.name == "medtrack-remind"
    assert units.files() == {"medtrack-remind.service": units.service, "medtrack-remind.timer": units.timer}
    assert sections(units.service) == {
        "Unit": {"Description": "medtrack bedtime reminder"},
        # No TimeoutStartSec= (a oneshot has none: a run may wait for the notification's button) and
        # no Restart= (the next elapse is the retry).
        "Service": {"Type": "oneshot", "ExecStart": f"{PROGRAM} --db /home/pat/medtrack.db remind --now"},
    }
    assert sections(units.timer) == {
        "Unit": {"Description": "medtrack bedtime reminder"},
        "Timer": {
            "OnCalendar": "*-*-* *:00/5:00 UTC",
            "AccuracySec": "10s",
            "Persistent": "true",
            "Unit": "medtrack-remind.service",
        },
        "Install": {"WantedBy": "timers.target"},
    }


def test_a_percent_in_the_description_is_not_a_specifier() -> None:
    units = units_for([PROGRAM], description="medtrack 100% reminder")

    assert sections(units.service)["Unit"]["Description"] == "medtrack 100%% reminder"


@pytest.mark.parametrize(
    ("command", "name", "description"),
    [
        ([PROGRAM, "--db", "/home/pat/a\nb.db"], "medtrack-remind", "d"),  # a new line
        ([PROGRAM, "--db", "/home/pat/a\tb.db"], "medtrack-remind", "d"),
        ([PROGRAM, "--db", "/home/pat/\ufffe.db"], "medtrack-remind", "d"),  # systemd: not "UTF-8 clean"
        ([PROGRAM, "--db", "/home/pat/\U0010ffff.db"], "medtrack-remind", "d"),
        ([PROGRAM, "--db", "/home/pat/\udcff.db"], "medtrack-remind", "d"),  # an undecodable byte
        (['/opt/"medtrack"/medtrack'], "medtrack-remind", "d"),  # systemd refuses quotes in the path
        (["/opt/med\\track/medtrack"], "medtrack-remind", "d"),
        ([PROGRAM], "../../medtrack", "d"),
        ([PROGRAM], "--now", "d"),
        ([PROGRAM], "medtrack@1", "d"),
        ([PROGRAM], "", "d"),
        ([PROGRAM], "medtrack-remind", "two\nlines"),
        ([PROGRAM], "medtrack-remind", "ends in \\"),
    ],
)
def test_what_systemd_cannot_be_given_is_refused(command: list[str], name: str, description: str) -> None:
    with pytest.raises(BadInput):
        units_for(command, name=name, description=description)


@pytest.mark.parametrize("command", [[], ["medtrack", "remind"], [""]])
def test_a_command_without_an_absolute_program_is_the_callers_mistake(command: list[str]) -> None:
    with pytest.raises(ValueError, match="program"):
        units_for(command)


# Printable text: no control characters, surrogates or unassigned code points (the noncharacters
# among them are refused, above); the characters that need care come often.
ARGUMENT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cc", "Cs", "Cn")),
        st.sampled_from(" %$\"'\\;{}#=@-"),
    )
)


@given(st.lists(ARGUMENT))
def test_exec_quote_is_read_back_as_the_same_arguments(arguments: list[str]) -> None:
    line = " ".join([PROGRAM, *map(_exec_quote, arguments)])

    assert exec_argv(line) == [PROGRAM, *arguments]


@given(ARGUMENT.filter(lambda text: not set(text) & set("\"'\\")), st.lists(ARGUMENT))
def test_the_exec_start_line_is_read_back_as_the_command(folder: str, arguments: list[str]) -> None:
    command = [f"/{folder}/medtrack", *arguments]

    assert exec_argv(exec_start(units_for(command))) == command


def test_exec_quote_leaves_plain_words_alone_and_quotes_the_rest() -> None:
    assert [_exec_quote(word) for word in ["--db", "/a/b.db", "50%", "$x", ";", "", 'a "b" \\c']] == [
        "--db",
        "/a/b.db",
        "50%%",
        "$$x",
        '";"',
        '""',
        '"a \\"b\\" \\\\c"',
    ]


# --- The timer around DST (systemd-analyze calendar) -----------------------------------------


@dataclass(frozen=True)
class Elapse:
    local: str  # as systemd prints it in TZ: "2027-03-28 03:00:00 CEST"
    utc: dt.datetime


_LOCAL = re.compile(r"^\s*(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+)$")
_UTC = re.compile(r"^\s*\(in UTC\): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$")


def elapses(tmp_path: Path, zone: str, base: str, iterations: int) -> list[Elapse]:
    """The timer's next `iterations` elapses after `base`, as `systemd-analyze calendar` prints them."""
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "calendar", f"--iterations={iterations}", f"--base-time={base}", EVERY],
        env=analyze_env(tmp_path, TZ=zone),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found: list[tuple[str, str]] = []  # (local, UTC); in UTC itself no "(in UTC)" line follows
    for line in done.stdout.splitlines():
        if local := _LOCAL.match(line):
            found.append((local[1], local[1].removesuffix(" UTC")))
        elif utc := _UTC.match(line):
            found[-1] = (found[-1][0], utc[1])
    return [Elapse(local, dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)) for local, utc in found]


@slow
@needs_analyze
@pytest.mark.parametrize(
    ("zone", "base", "iterations", "across"),
    [
        # Spring forward at 02:00 CET: 01:55 is followed by 03:00, five minutes later.
        ("Europe/Berlin", "2027-03-28 00:30 UTC", 12, ("2027-03-28 01:55:00 CET", "2027-03-28 03:00:00 CEST")),
        # Fall back at 03:00 CEST: the repeated hour 02:00-02:55 runs twice (a 25-hour day, 300 runs).
        ("Europe/Berlin", "2027-10-30 22:00 UTC", 300, ("2027-10-31 02:55:00 CEST", "2027-10-31 02:00:00 CET")),
        ("America/New_York", "2027-03-14 06:30 UTC", 12, ("2027-03-14 01:55:00 EST", "2027-03-14 03:00:00 EDT")),
        ("America/New_York", "2027-11-07 05:30 UTC", 24, ("2027-11-07 01:55:00 EDT", "2027-11-07 01:00:00 EST")),
        ("Asia/Tokyo", "2027-03-27 14:50 UTC", 12, ("2027-03-27 23:55:00 JST", "2027-03-28 00:00:00 JST")),
        ("Asia/Kathmandu", "2027-10-30 18:00 UTC", 12, ("2027-10-30 23:55:00 +0545", "2027-10-31 00:00:00 +0545")),
        ("UTC", "2027-10-31 00:30 UTC", 12, ("2027-10-31 00:55:00 UTC", "2027-10-31 01:00:00 UTC")),
    ],
)
def test_the_timer_runs_every_five_real_minutes_through_dst(tmp_path, zone, base, iterations, across) -> None:
    runs = elapses(tmp_path, zone, base, iterations)

    assert len(runs) == iterations
    gaps = {later.utc - earlier.utc for earlier, later in zip(runs, runs[1:], strict=False)}
    assert gaps == {dt.timedelta(minutes=5)}  # never longer, never backwards, never twice
    assert across in zip([run.local for run in runs], [run.local for run in runs[1:]], strict=False)
    for run in runs:  # each run is on a local five-minute mark, where medtrack's times fall
        wall = run.utc.astimezone(ZoneInfo(zone))
        assert wall.strftime("%Y-%m-%d %H:%M:%S") == run.local.rsplit(" ", 1)[0]
        assert (wall.minute % 5, wall.second) == (0, 0)


# --- install and uninstall against a fake systemctl ------------------------------------------


@dataclass(frozen=True)
class Desktop:
    root: Path
    config_home: Path
    systemctl: tuple[str, ...]
    log: Path

    @property
    def folder(self) -> Path:
        return unit_folder(self.config_home)

    def calls(self) -> list[str]:
        """Each systemctl call's arguments, after whether the timer file existed at that moment."""
        return self.log.read_text().splitlines() if self.log.exists() else []


def fake_desktop(tmp_path: Path, *, systemd: bool = True, fail: str = "", says: str = "") -> Desktop:
    """A root where systemd runs (or not) and a systemctl that logs its calls; a call whose arguments
    contain `fail` exits 1 after printing `says` on stderr."""
    root = tmp_path / "root"
    if systemd:
        (root / "run/systemd/system").mkdir(parents=True)
    config_home = tmp_path / "config"
    log = tmp_path / "systemctl.log"
    timer = unit_folder(config_home) / "medtrack-remind.timer"
    script = tmp_path / "systemctl"
    script.write_text(
        "#!/bin/bash\n"
        f"if [[ -e {shlex.quote(str(timer))} ]]; then state=written; else state=absent; fi\n"
        f'printf "%s: %s\\n" "$state" "$*" >> {shlex.quote(str(log))}\n'
        f'if [[ -n {shlex.quote(fail)} && "$*" == *{shlex.quote(fail)}* ]]; then\n'
        f"  printf '%s\\n' {shlex.quote(says)} 'second line' >&2\n"
        "  exit 1\n"
        "fi\n"
    )
    script.chmod(0o755)
    return Desktop(root, config_home, (str(script), "--user"), log)


UNITS = units_for([PROGRAM, "--db", "/home/pat/100% sure.db", "remind", "--now"])
BUS_GONE = "Failed to connect to bus: No medium found"


def unit_files(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(folder.iterdir())} if folder.exists() else {}


@slow
def test_install_writes_private_units_then_reloads_and_enables_the_timer(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)

    written = install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert written == [desktop.folder / "medtrack-remind.service", desktop.folder / "medtrack-remind.timer"]
    assert unit_files(desktop.folder) == UNITS.files()  # and no temporary file left beside them
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o600}  # they hold the db path
    assert desktop.calls() == ["written: --user daemon-reload", "written: --user enable --now medtrack-remind.timer"]


@slow
def test_install_again_replaces_the_units(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)
    install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)
    moved = units_for([PROGRAM, "--db", "/home/pat/moved.db", "remind", "--now"])

    written = install(moved, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert unit_files(desktop.folder) == moved.files()
    assert {stat.S_IMODE(path.stat().st_mode) for path in written} == {0o600}


@slow
@pytest.mark.parametrize(
    ("fail", "says", "calls"),
    [
        (
            "enable",
            "Failed to enable unit: Unit file medtrack-remind.timer does not exist.",
            [
                "written: --user daemon-reload",
                "written: --user enable --now medtrack-remind.timer",
                "written: --user disable medtrack-remind.timer",  # in case the link was made
                "absent: --user daemon-reload",
            ],
        ),
        ("daemon-reload", BUS_GONE, ["written: --user daemon-reload", "absent: --user daemon-reload"]),
    ],
)
def test_a_failing_systemctl_removes_what_install_wrote(tmp_path, fail, says, calls) -> None:
    desktop = fake_desktop(tmp_path, fail=fail, says=says)

    with pytest.raises(DesktopUnavailable) as raised:
        install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert raised.value.exit_code == 5
    assert says in raised.value.message and "second line" not in raised.value.message
    assert fail in raised.value.message  # which call failed
    assert unit_files(desktop.folder) == {}
    assert desktop.calls() == calls


@slow
def test_a_failing_reinstall_puts_the_earlier_units_back(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)
    install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)
    failing = fake_desktop(tmp_path / "later", fail="enable", says="Failed to start medtrack-remind.timer")
    moved = units_for([PROGRAM, "--db", "/home/pat/moved.db", "remind", "--now"])

    with pytest.raises(DesktopUnavailable, match="Failed to start medtrack-remind.timer"):
        install(moved, desktop.config_home, systemctl=failing.systemctl, root=desktop.root)

    assert unit_files(desktop.folder) == UNITS.files()
    assert not any("disable" in call for call in failing.calls())  # the earlier timer stays enabled


def test_install_without_systemd_writes_nothing(tmp_path) -> None:
    desktop = fake_desktop(tmp_path, systemd=False)

    with pytest.raises(DesktopUnavailable, match="systemd is not running"):
        install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert not desktop.config_home.exists()
    assert desktop.calls() == []


def test_install_without_systemctl_removes_what_it_wrote(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)

    with pytest.raises(DesktopUnavailable, match="could not be run"):
        install(UNITS, desktop.config_home, systemctl=(str(tmp_path / "missing"), "--user"), root=desktop.root)

    assert unit_files(desktop.folder) == {}


@slow
def test_uninstall_stops_disables_and_removes_the_units(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)
    written = install(UNITS, desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)
    desktop.log.unlink()

    removed = uninstall("medtrack-remind", desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert removed == written
    assert unit_files(desktop.folder) == {}
    assert desktop.calls() == ["written: --user disable --now medtrack-remind.timer", "absent: --user daemon-reload"]


def test_uninstall_with_nothing_installed_does_nothing(tmp_path) -> None:
    desktop = fake_desktop(tmp_path)

    assert uninstall("medtrack-remind", desktop.config_home, systemctl=desktop.systemctl, root=desktop.root) == []
    assert desktop.calls() == []


def write_units(desktop: Desktop) -> list[Path]:
    desktop.folder.mkdir(parents=True)
    paths = []
    for file_name, text in UNITS.files().items():
        (desktop.folder / file_name).write_text(text)
        paths.append(desktop.folder / file_name)
    return paths


@slow
def test_uninstall_goes_on_when_systemd_never_loaded_the_timer(tmp_path) -> None:
    desktop = fake_desktop(tmp_path, fail="disable", says="Failed to stop medtrack-remind.timer: Unit not loaded.")
    paths = write_units(desktop)

    removed = uninstall("medtrack-remind", desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert removed == paths
    assert unit_files(desktop.folder) == {}


@slow
def test_uninstall_keeps_the_units_when_systemctl_fails_otherwise(tmp_path) -> None:
    desktop = fake_desktop(tmp_path, fail="disable", says=BUS_GONE)
    write_units(desktop)

    with pytest.raises(DesktopUnavailable, match=BUS_GONE):
        uninstall("medtrack-remind", desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert unit_files(desktop.folder) == UNITS.files()


def test_uninstall_without_systemd_removes_the_files_and_the_enable_link(tmp_path) -> None:
    desktop = fake_desktop(tmp_path, systemd=False)
    paths = write_units(desktop)
    link = desktop.folder / "timers.target.wants" / "medtrack-remind.timer"
    link.parent.mkdir()
    link.symlink_to("../medtrack-remind.timer")

    removed = uninstall("medtrack-remind", desktop.config_home, systemctl=desktop.systemctl, root=desktop.root)

    assert removed == [*paths, link]
    assert not link.is_symlink()
    assert list(desktop.folder.rglob("*")) == [link.parent]
    assert desktop.calls() == []


def test_uninstall_refuses_a_name_that_is_not_a_unit_name(tmp_path) -> None:
    with pytest.raises(BadInput):
        uninstall("../../.bashrc", tmp_path / "config", root=tmp_path)


def test_systemd_running_is_sd_booted(tmp_path) -> None:
    assert not systemd_running(tmp_path)
    (tmp_path / "run/systemd").mkdir(parents=True)
    (tmp_path / "run/systemd/system").write_text("")  # a file is not the folder
    assert not systemd_running(tmp_path)
    (tmp_path / "run/systemd/system").unlink()
    (tmp_path / "run/systemd/system").mkdir()
    assert systemd_running(tmp_path)
    assert unit_folder(tmp_path / "config") == tmp_path / "config" / "systemd" / "user"


# --- The crontab line ------------------------------------------------------------------------

BUS = "unix:path=/run/user/1000/bus"


def test_crontab_line_quotes_for_the_shell_and_escapes_percent_for_cron() -> None:
    line = crontab_line([PROGRAM, "--db", "/home/pat/my 100%.db", "remind", "--now"], BUS)

    assert line == f"*/5 * * * * DBUS_SESSION_BUS_ADDRESS={BUS} {PROGRAM} --db '/home/pat/my 100'\\%.db remind --now"
    words = [f"DBUS_SESSION_BUS_ADDRESS={BUS}", PROGRAM, "--db", "/home/pat/my 100%.db", "remind", "--now"]
    assert sh_words(line) == words


@pytest.mark.parametrize("word", ["a\\%b", "%", "%%", "", "'%'", "\\", "50% \\"])
def test_crontab_line_survives_a_backslash_before_a_percent(word: str) -> None:
    line = crontab_line([PROGRAM, word], "unix:path=/tmp/dbus%2dx")

    assert sh_words(line) == ["DBUS_SESSION_BUS_ADDRESS=unix:path=/tmp/dbus%2dx", PROGRAM, word]


@given(ARGUMENT, st.lists(ARGUMENT))
def test_crontab_line_is_read_back_as_the_command(address: str, arguments: list[str]) -> None:
    line = crontab_line([PROGRAM, *arguments], address)

    words = sh_words(line)
    assert words == [f"DBUS_SESSION_BUS_ADDRESS={address}", PROGRAM, *arguments]
    assert line.removeprefix(SCHEDULE).startswith("DBUS_SESSION_BUS_ADDRESS=")  # an assignment for sh


@slow
def test_sh_runs_the_crontab_line_with_the_bus_address_and_the_arguments(tmp_path) -> None:
    show = "import json, os, sys; print(json.dumps([os.environ['DBUS_SESSION_BUS_ADDRESS'], *sys.argv[1:]]))"
    arguments = ["--db", str(tmp_path / TRICKY_DB), "50% \\%", "", "$(touch x)", "`x`", ";", "*"]
    line = crontab_line([sys.executable, "-c", show, *arguments], BUS)
    shell_command, stdin = cron_reads(line)

    done = subprocess.run(
        ["/bin/sh", "-c", shell_command],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert stdin == ""
    assert json.loads(done.stdout) == [BUS, *arguments]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command", [[PROGRAM, "a\nb"], [PROGRAM, "a\rb"]])
def test_crontab_line_refuses_a_line_break(command: Sequence[str]) -> None:
    with pytest.raises(BadInput):
        crontab_line(command, BUS)
