"""The local SQLite database: open, create, migrate; and the one-instance-at-a-time lock.

* ``db`` is a peewee ``DatabaseProxy``; every model binds to it and ``open_database`` points it
  at a real ``SqliteDatabase`` (WAL, foreign keys on, busy timeout, file mode 0600).
* The schema version lives in SQLite's header, ``PRAGMA user_version``: it changes in the same
  transaction as the schema, so a version and its tables can never disagree. (A separate
  ``schema_version`` table would be a second source of truth.) ``PRAGMA application_id`` marks the
  file as ours, so a stray SQLite file is never "migrated".
* A brand-new file gets the current schema directly. An older one is first copied with SQLite's
  backup API to ``<name>.v<old>.bak``, then migrated one step at a time, each step (schema change,
  data fix-ups, foreign-key check, version bump) in one transaction: a failing step leaves the
  file exactly as it was before that step.
* A file written by a newer app (``user_version > SCHEMA_VERSION``) is refused with
  ``DatabaseTooNew`` before anything writes to it — not even the WAL switch.

peewee keeps one connection per thread: a worker thread that used the database should call
``db.close()`` when done (or use ``db.connection_context()``); ``close_database()`` closes the
calling thread's connection and unbinds the proxy.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType

import peewee as pw
from playhouse.migrate import SqliteMigrator

from .errors import (
    AlreadyRunning,
    DatabaseMigrationFailed,
    DatabaseNotRecognised,
    DatabaseTooNew,
)

log = logging.getLogger(__name__)

#: Current schema. Bump it and add a step to MIGRATIONS for every schema change.
SCHEMA_VERSION = 2
#: "XQBT" in ASCII: marks the SQLite file as this app's (PRAGMA application_id).
APPLICATION_ID = 0x58514254
DATABASE_FILE = "bridge.sqlite3"
LOCK_FILE = "app.lock"
BUSY_TIMEOUT_MS = 5000

db = pw.DatabaseProxy()

MigrationStep = Callable[[SqliteMigrator], None]


# -- migration steps: MIGRATIONS[n] turns version n-1 into version n --------------------------


def _migrate_1_to_2(migrator: SqliteMigrator) -> None:
    """v2: leave links say whether they export to Xero; decisions remember what they relied on.

    Existing paid leave keeps exporting (what v1 did); unpaid leave never exports.
    """
    from playhouse.migrate import migrate

    export = pw.BooleanField(
        null=True, constraints=[pw.Check('"is_paid" = 1 OR "export_to_xero" = 0')]
    )
    migrate(migrator.add_column("leave_link", "export_to_xero", export))
    migrator.database.execute_sql(
        'UPDATE "leave_link" SET "export_to_xero" = CASE WHEN "is_paid" = 1 THEN 1 ELSE 0 END'
    )
    migrate(
        migrator.add_not_null("leave_link", "export_to_xero"),
        migrator.add_column("decision", "depends_on", pw.CharField(default="")),
    )


MIGRATIONS: dict[int, MigrationStep] = {2: _migrate_1_to_2}


# -- helpers ----------------------------------------------------------------------------------


def _posix() -> bool:
    return os.name == "posix"


def _create_private_file(path: Path) -> None:
    """Create ``path`` readable by the user only (mode 0600, whatever the umask)."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _restrict(path: Path) -> None:
    if _posix() and path.exists() and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")


def _inspect(path: Path) -> tuple[int, int, int]:
    """(user_version, application_id, table count) without writing to the file."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DatabaseNotRecognised(detail=str(exc), path=str(path)) from None
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
    except sqlite3.DatabaseError as exc:  # "file is not a database", damaged header…
        raise DatabaseNotRecognised(detail=str(exc), path=str(path)) from None
    finally:
        conn.close()
    return int(version), int(app_id), int(tables)


def _check_openable(path: Path, version: int, app_id: int, tables: int) -> None:
    if version > SCHEMA_VERSION:
        raise DatabaseTooNew(found=version, supported=SCHEMA_VERSION)
    if app_id not in (0, APPLICATION_ID) or (version == 0 and tables):
        raise DatabaseNotRecognised(
            detail=f"user_version={version} application_id={app_id} tables={tables}",
            path=str(path),
        )


def backup_database(database: pw.SqliteDatabase, target: Path) -> Path:
    """Copy the open database to ``target`` (one self-contained file, mode 0600)."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private_file(partial)
    source = database.connection()
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")  # no -wal beside the copy
    finally:
        copy.close()
    os.replace(partial, target)
    return target


def _schema_version(database: pw.SqliteDatabase) -> int:
    return int(database.execute_sql("PRAGMA user_version").fetchone()[0])


def _set_schema_version(database: pw.SqliteDatabase, version: int) -> None:
    database.execute_sql(f"PRAGMA user_version = {int(version)}")


def _create_schema(database: pw.SqliteDatabase) -> None:
    from .models import ALL_MODELS

    with database.bind_ctx(ALL_MODELS), database.atomic():
        database.create_tables(ALL_MODELS)
        database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        _set_schema_version(database, SCHEMA_VERSION)


def _migrate(
    database: pw.SqliteDatabase, path: Path, found: int, steps: Mapping[int, MigrationStep]
) -> None:
    backup = backup_database(database, backup_path(path, found))
    log.info("database at version %s, migrating to %s (backup: %s)", found, SCHEMA_VERSION, backup)
    for version in range(found + 1, SCHEMA_VERSION + 1):
        step = steps[version]
        migrator = SqliteMigrator(database)
        try:
            # Foreign keys off (outside the transaction: SQLite ignores the pragma inside one),
            # so table rebuilds do not cascade; checked explicitly before commit instead.
            with migrator.migration_context():
                step(migrator)
                broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise pw.IntegrityError(f"foreign key check failed: {broken[:5]}")
                database.execute_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                _set_schema_version(database, version)
        except Exception as exc:
            log.exception("database migration to version %s failed; rolled back", version)
            raise DatabaseMigrationFailed(
                detail=f"{type(exc).__name__}: {exc}", version=version, backup=str(backup)
            ) from exc
        log.info("database migrated to version %s", version)


# -- public API -------------------------------------------------------------------------------


def default_database_path() -> Path:
    from .paths import AppPaths

    return AppPaths.default().data / DATABASE_FILE


def open_database(
    path: Path, *, migrations: Mapping[int, MigrationStep] | None = None
) -> pw.SqliteDatabase:
    """Open (create or migrate) the database at ``path`` and bind the ``db`` proxy to it.

    Raises DatabaseTooNew (file untouched), DatabaseNotRecognised (not ours / damaged: file
    untouched) or DatabaseMigrationFailed (the failing step rolled back; backup kept).
    ``migrations`` replaces ``MIGRATIONS`` (tests inject failing steps with it).
    """
    path = Path(path)
    steps = MIGRATIONS if migrations is None else migrations
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists() and path.stat().st_size > 0:
        _check_openable(path, *_inspect(path))
    else:
        _create_private_file(path)
    for file in (path, *_sidecars(path)):
        _restrict(file)  # SQLite gives -wal/-shm the main file's mode

    database = pw.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "busy_timeout": BUSY_TIMEOUT_MS,
            "synchronous": 1,  # NORMAL: durable enough with WAL, much faster
        },
    )
    try:
        database.connect()
        found = _schema_version(database)
        if found == 0:
            _create_schema(database)
        elif found < SCHEMA_VERSION:
            _migrate(database, path, found, steps)
        elif found > SCHEMA_VERSION:  # written meanwhile by a newer app
            raise DatabaseTooNew(found=found, supported=SCHEMA_VERSION)
    except BaseException:
        database.close()
        raise
    for file in _sidecars(path):
        _restrict(file)
    previous = db.obj
    if previous is not None and previous is not database:
        previous.close()
    db.initialize(database)
    return database


def close_database() -> None:
    """Close the calling thread's connection and unbind ``db``."""
    database = db.obj
    if database is not None:
        database.close()
        db.initialize(None)


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
            from .paths import AppPaths

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
