"""The app's database files, known without opening the database: their names, the marker
that says what the database last held, whether this is a first run, and the one-instance
lock. No peewee here: the window's start reads these before it paints its first page, and
opens the database (a first run: creates it) only once that page is on screen (issue 16;
core.store.db opens it).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from core.errors import AlreadyRunning

DATABASE_FILE = "bridge.sqlite3"
LOCK_FILE = "app.lock"
BACKUP_FOLDER = "backups"
MARKER_FILE = "database.json"


def _posix() -> bool:
    return os.name == "posix"


def app_database_files(paths: object) -> tuple[Path, Path, Path]:
    """(database, backups folder, marker) of an AppPaths."""
    data, state = Path(paths.data), Path(paths.state)  # type: ignore[attr-defined]
    return data / DATABASE_FILE, data / BACKUP_FOLDER, state / MARKER_FILE


def read_marker(marker: Path, path: Path) -> dict[str, Any] | None:
    """What the marker says the database at ``path`` held when the app last closed it
    (connections, runs, the file's size and time, the businesses connected); None: no marker,
    or another database's."""
    import json

    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("path") != str(path.resolve()):
        return None  # another database (the folders moved): not ours to judge
    active = data.get("active")
    return {
        "connections": int(data.get("connections") or 0),
        "runs": int(data.get("runs") or 0),
        "stat": data.get("stat"),
        # businesses connected (not disconnected); None: a marker that does not say
        "active": None if active is None else int(active),
    }


def first_run(paths: object) -> bool:
    """No database yet, and none lost: opening would create an empty one. False when a
    file is there (whatever it holds) or the marker says a database held data (a lost
    history: ``open_app_database`` refuses it, with the backup to restore)."""
    path, _backups, marker = app_database_files(paths)
    if path.exists():
        return False
    held = read_marker(marker, path)
    return not (held and (held["connections"] or held["runs"]))


def was_connected(paths: object) -> bool:
    """Whether a business was connected when the app last opened or closed the database (the
    marker says so): the window opens on the home page before the database is open, or on
    the welcome page (wizard.app; a marker out of date, after a crash, is corrected once the
    database is read). A marker that does not say (an older app's) goes by the connections
    the database held."""
    path, _backups, marker = app_database_files(paths)
    held = read_marker(marker, path)
    if not held:
        return False
    return bool(held["connections"] if held["active"] is None else held["active"])


# -- one app instance at a time ---------------------------------------------------------------


class InstanceLock:
    """An exclusive, non-blocking OS lock on ``<data dir>/app.lock``.

    flock (POSIX) / msvcrt.locking (Windows) locks die with the process, so a lock file left by a
    crashed app never blocks the next start; the file itself is never deleted (deleting a locked
    file lets two processes lock two different files). The descriptor is not inherited by child
    processes (PEP 446), so a browser started by the app cannot keep the lock alive.
    """

    def __init__(self, path: Path | None = None) -> None:
        if path is None:
            from core.store.paths import AppPaths

            path = AppPaths.default().data / LOCK_FILE
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock_fd(fd)
        except OSError:
            os.close(fd)
            raise AlreadyRunning(detail=str(self.path)) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        if _posix():  # who holds it, for a curious user; Windows locks the bytes we would write
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            _unlock_fd(fd)
        os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock is released with its object, not leaked
        with contextlib.suppress(Exception):
            self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
