"""A file the user names (a review spreadsheet, a company file, a backup copy): what it is
before anything reads it, and reading at most so much of it.

A folder is not read; a device or a pipe is not either (it could be endless, or wait for
ever while the app holds its lock); a file larger than its caller's limit is not held whole in
memory. The reasons are ``N_`` strings, put in their caller's sentence (its language).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from core.i18n import N_, Msg

NO_SUCH_FILE = N_("there is no such file")
A_FOLDER = N_("it is a folder, not a file")
NOT_A_FILE = N_("it is a device or a pipe, not a file")
NOT_A_FOLDER = N_("it is a file, not a folder")
UNDER_A_FILE = N_("{parent} is a file, not a folder")
NOT_WRITABLE = N_("this computer does not let the app save files in {parent}")


def not_a_file(path: Path | str) -> Msg | None:
    """Why ``path`` is not a file that can be read (missing, a folder, a device or a pipe),
    or None. Other errors of looking at it (no permission…) are raised as they are."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return NO_SUCH_FILE
    if stat.S_ISDIR(mode):
        return A_FOLDER
    if not stat.S_ISREG(mode):
        return NOT_A_FILE
    return None


def read_at_most(path: Path | str, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, or None when it holds more than ``limit``
    (measured first; a file growing since is stopped at ``limit + 1``). Raises OSError."""
    if os.stat(path).st_size > limit:
        return None
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    return None if len(data) > limit else data


def not_a_folder(path: Path | str, *, writable: bool = True) -> tuple[Msg, dict[str, str]] | None:
    """Why ``path`` cannot be a folder the app keeps files in (with the reason's
    parameters), or None: a folder already, or one that can be made there (a missing folder
    is made by its user). Refused: a file (or a device) by that name, a file on the way to
    it, or (``writable``) a folder the app may not write in."""
    here = Path(path).absolute()
    if here.exists():
        if not here.is_dir():
            return NOT_A_FOLDER, {}
        if writable and not os.access(here, os.W_OK | os.X_OK):
            return NOT_WRITABLE, {"parent": str(here)}
        return None
    for parent in here.parents:
        if parent.exists():
            if not parent.is_dir():
                return UNDER_A_FILE, {"parent": str(parent)}
            if writable and not os.access(parent, os.W_OK | os.X_OK):
                return NOT_WRITABLE, {"parent": str(parent)}
            return None
    return None


def open_private_log(path: Path, *, append: bool = True) -> IO[bytes]:
    """A log file a child process writes (its standard error), readable by its owner only
    (0600, whatever the umask; a file an older version made is made private too), as the
    app's own log is (core.logsetup): names of people and companies can be in it."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = private_fd(path, os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC))
    return open(fd, "ab" if append else "wb")


def private_fd(path: Path | str, flags: int) -> int:
    """``os.open(path, flags)`` of a file its owner only may read (0600, whatever the umask;
    one made before, by an older version or a rotation, is made so too)."""
    fd = os.open(path, flags, 0o600)
    if os.name == "posix":
        os.fchmod(fd, 0o600)
    return fd
