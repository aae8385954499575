"""Writing files that hold health data: checked targets, private temp files moved into place."""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

from medtrack.errors import BadInput, StorageProblem
from medtrack.i18n import _


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_target(target: Path, force: bool, protect: Path | None = None) -> None:
    """A plain file path in an existing folder; an existing regular file only with --force (never
    a device, pipe or socket); never the database (`protect`) or its -wal/-shm files, however
    the path is spelled."""
    if protect is not None and any(same_file(target, Path(f"{protect}{suffix}"))
                                   for suffix in ("", "-wal", "-shm", "-journal")):
        raise BadInput(_("{target} is the medtrack database itself: give another path").format(
                           target=target))
    if target.is_symlink():
        raise BadInput(_("{target} is a symbolic link; medtrack does not write through links: "
                         "give a plain file path").format(
                           target=target))
    if target.is_dir():
        raise BadInput(_("{target} is a folder: give a file path, e.g. {example}").format(
                           target=target, example=target / "medtrack-file"))
    if target.exists() and not target.is_file():  # replacing a device node or a pipe breaks its users
        raise BadInput(_("{target} is not a regular file (a device, a pipe or a socket): medtrack "
                         "writes a new file, or with --force replaces a regular file; give "
                         "another path").format(
                           target=target))
    if target.exists() and not force:
        raise BadInput(_("{target} already exists: give another path, or choose to replace it").format(
                           target=target),
                       hint=_("--force replaces it"))
    if not target.parent.is_dir():
        raise BadInput(_("the folder {parent} does not exist: create it first or choose another").format(
                           parent=target.parent))


def temp_beside(target: Path) -> Path:
    """A new private (0600) file beside the target, created exclusively."""
    temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    except OSError as error:
        raise StorageProblem(_("cannot write in {parent}: {strerror}").format(
                                 parent=target.parent, strerror=error.strerror)) from error
    os.close(fd)
    return temp


def move_into_place(temp: Path, target: Path) -> None:
    """Atomically replace the target, then make the rename itself durable."""
    os.replace(temp, target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def write_atomically(target: Path, produce: Callable[[IO[bytes]], None]) -> None:
    """Write to a private temporary file beside the target, fsync, then move it into place:
    never a half-written file at the target, also after a crash or a full disk."""
    temp = temp_beside(target)
    try:
        with open(temp, "wb") as stream:
            produce(stream)
            stream.flush()
            os.fsync(stream.fileno())
        move_into_place(temp, target)
    except OSError as error:
        remove_quietly(temp)
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageProblem(_("the disk is full: {target} was not written").format(
                                     target=target)) from error
        raise StorageProblem(_("writing {target} failed ({strerror}); nothing was written").format(
                                 target=target, strerror=error.strerror)) from error
    except BaseException:
        remove_quietly(temp)
        raise
