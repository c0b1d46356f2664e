"""The local SQLite database: open, create, migrate (its files and the one-instance-at-a-time
lock: core.store.dbfiles, which needs no peewee).

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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import peewee as pw

from core.errors import (
    START_AFRESH_COMMAND,
    BackupNotUsable,
    BackupTooNew,
    BridgeError,
    DatabaseDamaged,
    DatabaseDamagedBackupAvailable,
    DatabaseLost,
    DatabaseLostBackupAvailable,
    DatabaseMigrationFailed,
    DatabaseNotRecognised,
    DatabaseReadOnly,
    DatabaseTooNew,
    DiskFull,
    DiskWriteFailed,
    NoBackupFound,
)
from core.files import not_a_file
from core.i18n import N_

# The files' names, the marker and the lock need no peewee (core.store.dbfiles): named here too.
from core.store.dbfiles import BACKUP_FOLDER as BACKUP_FOLDER
from core.store.dbfiles import DATABASE_FILE as DATABASE_FILE
from core.store.dbfiles import LOCK_FILE as LOCK_FILE
from core.store.dbfiles import MARKER_FILE as MARKER_FILE
from core.store.dbfiles import InstanceLock as InstanceLock
from core.store.dbfiles import _posix, read_marker
from core.store.dbfiles import app_database_files as app_database_files
from core.store.models import ALL_MODELS, db

log = logging.getLogger(__name__)

#: Current schema. Bump it and add a step to MIGRATIONS for every schema change.
SCHEMA_VERSION = 5
#: "XQBT" in ASCII: marks the SQLite file as this app's (PRAGMA application_id).
APPLICATION_ID = 0x58514254
#: the daily copies: bridge-YYYY-MM-DD.sqlite3 (see backups_of)
BACKUP_PATTERN = "bridge-????-??-??.sqlite3"
BUSY_TIMEOUT_MS = 5000


#: every connection's settings (tests add ``max_page_count`` to simulate a full disk)
PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": 2,  # FULL: a committed journal entry survives a power loss (WAL synced at commit)
    # what is deleted or replaced (a forgotten snapshot, the fields v5 scrubbed) is overwritten
    # in the file, not left readable in its free pages (the default of some SQLite builds only)
    "secure_delete": 1,
}

if TYPE_CHECKING:
    # imported when a migration runs, not at every start
    from playhouse.migrate import SqliteMigrator

MigrationStep = Callable[["SqliteMigrator"], None]


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


def _migrate_2_to_3(migrator: SqliteMigrator) -> None:
    """v3: ``sent_hours`` remembers which QuickBooks Time hours went to Xero Payroll and to
    invoices (new run kinds and journal actions are checked in Python, no column changes)."""
    database = migrator.database
    database.execute_sql(
        'CREATE TABLE "sent_hours" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"run_id" INTEGER NOT NULL, "connection_id" INTEGER NOT NULL, '
        '"target" VARCHAR(32) NOT NULL, "qbt_timesheet_id" INTEGER NOT NULL, '
        '"qbt_last_modified" VARCHAR(255) NOT NULL, "xero_id" VARCHAR(255) NOT NULL, '
        '"line_key" VARCHAR(255) NOT NULL, "day" VARCHAR(255) NOT NULL, "hours" REAL NOT NULL, '
        '"amount" REAL, "currency" VARCHAR(255) NOT NULL, "active" INTEGER NOT NULL, '
        '"created_at" TEXT NOT NULL, '
        'FOREIGN KEY ("run_id") REFERENCES "import_run" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("connection_id") REFERENCES "connection" ("id") ON DELETE CASCADE)'
    )
    database.execute_sql(
        'CREATE INDEX "sent_hours_connection_id_target_qbt_timesheet_id" '
        'ON "sent_hours" ("connection_id", "target", "qbt_timesheet_id")'
    )
    database.execute_sql('CREATE INDEX "sent_hours_run_id" ON "sent_hours" ("run_id")')
    database.execute_sql('CREATE INDEX "sent_hours_xero_id" ON "sent_hours" ("xero_id")')


#: v4 drops these: indexes no query of the app searches by (tests/unit/test_query_plans.py
#: lists each query and the index it uses), which every stored snapshot row and journal entry
#: still had to write.
UNUSED_V3_INDEXES = (
    "xero_record_connection_id_kind_name",
    "xero_record_connection_id_kind_email",
    "xero_record_connection_id_kind_last_name_first_name",
    "xero_record_connection_id_kind_parent_xero_id",
    "qbt_record_connection_id_kind_name",
    "qbt_record_connection_id_kind_email",
    "qbt_record_connection_id_kind_last_name_first_name",
    "journal_entry_batch_key",
)


def _migrate_3_to_4(migrator: SqliteMigrator) -> None:
    """v4: the snapshot tables and the journal lose the indexes no query uses (storing
    10,000 contacts: ~0.20 -> ~0.11 s of CPU). No row changes."""
    for name in UNUSED_V3_INDEXES:
        migrator.database.execute_sql(f'DROP INDEX IF EXISTS "{name}"')


#: v5 keeps of each snapshot row holding private data only these fields of its raw object:
#: (table, kind, {field: None (whole) or the fields each object of a list keeps}). What
#: core.services.stored_fields keeps as of v5, written out here: a step does what it did
#: then, whatever the lists become (a field added to them later is stored by the next read
#: of the record, whose text then differs from the stored one).
_V5_ADDRESS = frozenset(
    (
        "AddressType",
        "AddressLine1",
        "AddressLine2",
        "AddressLine3",
        "AddressLine4",
        "City",
        "Region",
        "PostalCode",
        "Country",
    )
)
V5_KEPT_FIELDS: tuple[tuple[str, str, Mapping[str, frozenset[str] | None]], ...] = (
    (
        "xero_record",
        "contact",
        {
            **dict.fromkeys(
                (
                    "ContactID",
                    "Name",
                    "ContactStatus",
                    "IsCustomer",
                    "IsSupplier",
                    "FirstName",
                    "LastName",
                    "EmailAddress",
                    "UpdatedDateUTC",
                    "MergedToContactID",
                )
            ),
            "Addresses": _V5_ADDRESS,
            "Phones": None,
        },
    ),
    (
        "xero_record",
        "employee",
        dict.fromkeys(
            (
                "EmployeeID",
                "employeeID",
                "employeeId",
                "FirstName",
                "firstName",
                "LastName",
                "lastName",
                "Email",
                "email",
                "Status",
                "StartDate",
                "startDate",
                "TerminationDate",
                "endDate",
                "UpdatedDateUTC",
                "updatedDateUTC",
                "updatedDateUtc",
                "Mobile",
                "Phone",
                "phoneNumber",
            )
        ),
    ),
    (
        "qbt_record",
        "user",
        dict.fromkeys(
            (
                "id",
                "first_name",
                "last_name",
                "username",
                "email",
                "active",
                "permissions",
                "mobile_number",
            )
        ),
    ),
)
#: rows the v5 step reads and rewrites at a time
_V5_BATCH = 2_000


def _v5_kept(fields: Mapping[str, frozenset[str] | None], raw: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in raw.items() if k in fields}
    for name, inner in fields.items():
        if inner is not None and isinstance(value := out.get(name), list):
            out[name] = [
                {k: v for k, v in entry.items() if k in inner} if isinstance(entry, dict) else entry
                for entry in value
            ]
    return out


def _migrate_4_to_5(migrator: SqliteMigrator) -> None:
    """v5: the snapshot keeps only the fields the product reads of the records holding
    private data (V5_KEPT_FIELDS): Xero contacts lose their tax numbers, bank details and
    balances, payroll employees their dates of birth, gender, home addresses, NI / tax file
    numbers, bank accounts and pay templates, QuickBooks Time users their pay rates and
    payroll ids. Rows are rewritten as a read stores them now (the same text: the next read
    finds them unchanged), overwritten in the file (secure_delete). No schema change."""
    from core.jsontext import dumps_canonical, loads

    database = migrator.database
    database.execute_sql("PRAGMA secure_delete = 1")
    connection = database.connection()
    tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, kind, fields in V5_KEPT_FIELDS:
        if table not in tables:  # (not this app's file: its missing tables are said after)
            continue
        last = 0
        while True:
            rows = connection.execute(
                f'SELECT "id", "raw" FROM "{table}" WHERE "id" > ? AND "kind" = ? '  # noqa: S608 (names fixed)
                'ORDER BY "id" LIMIT ?',
                (last, kind, _V5_BATCH),
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            changed = []
            for ident, text in rows:
                try:
                    raw = loads(text)
                except ValueError:  # (not JSON: nothing a read stored; left to the next read)
                    continue
                if isinstance(raw, dict):
                    kept = _v5_kept(fields, raw)
                    if kept != raw:  # (a row that loses nothing is left as it is)
                        changed.append((dumps_canonical(kept), ident))
            connection.executemany(
                f'UPDATE "{table}" SET "raw" = ? WHERE "id" = ?',  # noqa: S608 (names fixed)
                changed,
            )


MIGRATIONS: dict[int, MigrationStep] = {
    2: _migrate_1_to_2,
    3: _migrate_2_to_3,
    4: _migrate_3_to_4,
    5: _migrate_4_to_5,
}
#: the oldest format this version can update (MIGRATIONS[n] turns n-1 into n)
OLDEST_SCHEMA_VERSION = min(MIGRATIONS) - 1


# -- helpers ----------------------------------------------------------------------------------


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
        from playhouse.migrate import SqliteMigrator

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
    from core.store.paths import AppPaths

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

    # Transactions take the write lock when they begin (BEGIN IMMEDIATE): a transaction that
    # reads, then writes after another connection (the engine's process, a worker thread
    # reading hours) committed in between, is refused at once in WAL mode, the busy timeout
    # notwithstanding ("database is locked": a decision in the review was not saved). Every
    # transaction here writes; each waits for the lock instead.
    database = pw.SqliteDatabase(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        pragmas=dict(PRAGMAS),
        lock_type="IMMEDIATE",
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


def open_database_to_read(path: Path) -> pw.SqliteDatabase | None:
    """The app's database at ``path`` opened to read only, and bound to the ``db`` proxy,
    beside the window (or a command) that holds it: no one-instance lock taken, nothing
    written, no daily backup, no marker. SQLite's WAL lets it read what the holder committed
    while it writes (never a half-written change). None when it cannot be read so: no file
    yet, an empty one, or one in another format (the usual ``open_app_database``, under the
    lock, creates, updates or says what is wrong); nothing is then left open."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
    except OSError:
        return None
    database = pw.SqliteDatabase(
        f"{path.resolve().as_uri()}?mode=ro",
        timeout=BUSY_TIMEOUT_MS / 1000,
        pragmas={"busy_timeout": BUSY_TIMEOUT_MS, "query_only": 1},
        uri=True,
    )
    try:
        database.connect()
        app_id = database.execute_sql("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID or _schema_version(database) != SCHEMA_VERSION:
            database.close()
            return None
    except (sqlite3.Error, pw.DatabaseError):  # (the usual open says what is wrong)
        database.close()
        return None
    previous = db.obj
    if previous is not None and previous is not database:
        previous.close()
    db.initialize(database)
    return database


def open_app_database_to_read(paths: object) -> pw.SqliteDatabase | None:
    """The app's own database opened to read only (:func:`open_database_to_read`), unless
    what it holds says the history was lost: the marker says it held connections or runs and
    it holds none (a file replaced by an empty one). None then, and ``open_app_database``,
    under the lock, says so with the backup to put back."""
    path, _backups, marker = app_database_files(paths)
    database = open_database_to_read(path)
    if database is None:
        return None
    held = read_marker(marker, path)
    if held and (held["connections"] or held["runs"]):
        try:
            emptied = _holdings(database) == (0, 0)
        except (sqlite3.Error, pw.DatabaseError):
            emptied = True
        if emptied:
            close_database()
            return None
    return database


def close_database() -> None:
    """Close the calling thread's connection and unbind ``db`` (and, for the app's own
    database, record in the marker what it holds)."""
    global _opened
    database = db.obj
    if database is not None:
        mine = _opened if _opened is not None and _opened[0] is database else None
        held = None
        active = None
        if mine is not None:
            with contextlib.suppress(Exception):  # a damaged or full file: keep the old marker
                held = _holdings(database)
                active = _active(database)
        _opened = None
        database.close()
        db.initialize(None)
        if mine is not None and held is not None:
            with contextlib.suppress(Exception):  # closed cleanly: remember the file as left
                _write_marker(mine[1], mine[2], *held, stat=_file_stat(mine[2]), active=active)


# -- the app's own database: storage errors, daily backups, the "it held data" marker ---------
#
# * Storage errors (a damaged file, a read-only file or folder, a full disk) become one
#   BridgeError each (``storage_error``): a sentence that says what happened and what to do.
# * Once a day, before the day's first write (at open), the database is checked
#   (``PRAGMA quick_check``) and copied with SQLite's online backup API to
#   ``<data>/backups/bridge-YYYY-MM-DD.sqlite3``; the newest BACKUP_KEEP copies are kept (the
#   last 7 days the app ran). A damaged file is answered with the newest copy that passes
#   ``PRAGMA integrity_check``, and ``restore_backup`` puts it back, keeping the damaged file
#   aside (never deleted).
# * A small marker outside the database (``<state>/database.json``: the database's path and
#   how many connections and imports it held) tells a lost history (file missing, emptied or
#   truncated to 0 bytes) from a fresh install: a lost one is refused with the backup to
#   restore, never silently started afresh.

BACKUP_KEEP = 7

#: (database, marker file, database path) of the app's database opened by open_app_database
_opened: tuple[pw.SqliteDatabase, Path, Path] | None = None

#: what the lost-history sentence says the file is now
_LOST_STATES = {"missing": N_("gone"), "empty": N_("empty")}
_DAMAGED = ("malformed", "not a database", "file is encrypted")
_READ_ONLY = ("readonly", "read-only", "unable to open database file")
_FULL = ("database or disk is full",)
#: the file system refused a read or write: not damage (a check at the next start tells)
_IO = ("disk i/o error",)


def storage_error(
    exc: BaseException, path: Path, backups: Path | None = None
) -> BridgeError | None:
    """The sentence for a storage failure of the database at ``path``, or None when ``exc`` is
    not one (a damaged file names the newest good copy in ``backups``)."""
    if isinstance(exc, BridgeError):
        return exc
    # A failed write can surface as a later one ("no transaction is active" once SQLite
    # rolled back on a full disk): the first storage error in the chain is the one to tell.
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        found = _storage_error(link, path, backups)
        if found is not None:
            return found
        link = link.__cause__ or link.__context__
    return None


def _said_by_sqlite(detail: str, path: Path, backups: Path | None) -> BridgeError | None:
    """The sentence for what SQLite said of the database at ``path`` (a full disk, damage, a
    disk that refused, read-only), or None when it said none of them."""
    text = detail.lower()
    if any(word in text for word in _FULL):
        return DiskFull(detail=detail, path=str(path.parent))
    if any(word in text for word in _DAMAGED):
        return damaged(path, detail, backups)
    if any(word in text for word in _IO):
        return DiskWriteFailed(detail=detail, path=str(path.parent))
    if any(word in text for word in _READ_ONLY):  # (e.g. no -shm allowed)
        return DatabaseReadOnly(detail=detail, path=str(path))
    return None


def _storage_error(exc: BaseException, path: Path, backups: Path | None) -> BridgeError | None:
    import errno

    if isinstance(exc, sqlite3.Error | pw.DatabaseError):
        return _said_by_sqlite(str(exc), path, backups)
    if isinstance(exc, OSError):
        where = Path(exc.filename) if exc.filename else path
        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            return DiskFull(detail=str(exc), path=str(where.parent if where.suffix else where))
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return DatabaseReadOnly(detail=str(exc), path=str(where))
    return None


def damaged(path: Path, reason: str, backups: Path | None) -> DatabaseDamaged:
    from core.errors import RESTORE_COMMAND

    good = newest_good_backup(backups) if backups is not None else None
    if good is None:
        return DatabaseDamaged(detail=reason, path=str(path), reason=reason)
    return DatabaseDamagedBackupAvailable(
        detail=reason,
        path=str(path),
        reason=reason,
        backup=str(good),
        date=_backup_date(good),
        command=RESTORE_COMMAND,
        backup_file=good,
    )


#: why a copy is refused (translated in the sentence they are placed in)
_NOT_OURS = N_("it was not made by this app")
_SCHEMA_GAPS = N_("tables or columns this app needs are missing")
_NOT_UPDATABLE = N_("it cannot be updated to this version's format")


def _read_only(path: Path) -> sqlite3.Connection:
    """The SQLite file at ``path`` opened read-only (immutable: not even a -shm is made)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def integrity_problem(path: Path) -> str | None:
    """None when the SQLite file at ``path`` passes ``PRAGMA integrity_check`` and is this
    app's; else what is wrong. Opens the file read-only (immutable: not even a -shm)."""
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            return "; ".join(str(r[0]) for r in rows[:3])
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return _NOT_OURS
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def backups_of(folder: Path, today: str | None = None) -> list[Path]:
    """The dated backup copies in ``folder``, newest first, those named after a day to come
    last: a copy made while the computer's clock was set ahead is named so, and ranked by its
    name it would be put back (and kept) before every newer one for ever. (Not by the runs a
    copy holds: after starting afresh they are numbered from 1 again.)"""
    from datetime import date

    if not folder.is_dir():
        return []
    day = today or date.today().isoformat()
    found = [p for p in folder.glob(BACKUP_PATTERN) if p.is_file()]
    return sorted(found, key=lambda p: (_backup_date(p) <= day, p.name), reverse=True)


def newest_good_backup(folder: Path) -> Path | None:
    """The newest copy in ``folder`` this version can put back (``backup_problem``)."""
    for backup in backups_of(folder):
        if backup_problem(backup, folder) is None:
            return backup
    return None


def _schema_gaps(conn: sqlite3.Connection) -> list[str]:
    """The tables ("table") and columns ("table.column") the models need that ``conn``'s
    database lacks."""
    gaps: list[str] = []
    for model in ALL_MODELS:
        table = model._meta.table_name
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        if not have:
            gaps.append(table)
            continue
        gaps += [
            f"{table}.{field.column_name}"
            for field in model._meta.sorted_fields
            if field.column_name not in have
        ]
    return gaps


def _gaps_once_migrated(source: sqlite3.Connection, found: int) -> list[str]:
    """``_schema_gaps`` of a copy of ``source`` (format ``found``) brought to SCHEMA_VERSION by
    MIGRATIONS, in memory: what opening it will make of it, without writing anywhere."""
    from playhouse.migrate import SqliteMigrator

    scratch = pw.SqliteDatabase(":memory:")
    try:
        scratch.connect()
        source.backup(scratch.connection())
        with scratch.atomic():
            for version in range(found + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[version](SqliteMigrator(scratch))
        return _schema_gaps(scratch.connection())
    finally:
        scratch.close()


def backup_problem(backup: Path, folder: Path) -> BackupNotUsable | None:
    """Why the copy at ``backup`` cannot be put back as this version's database, or None.

    Not a regular file, damaged (``integrity_problem``), not this app's or of a format this
    version cannot open (the start-up check, ``_check_openable``), too old to update, or
    missing tables or columns the models need (once updated by MIGRATIONS, for an older
    format). Reads the file only (read-only, immutable).
    """

    def refused(reason: str, detail: str = "") -> BackupNotUsable:
        return BackupNotUsable(
            detail=detail or str(reason), path=str(backup), reason=reason, folder=str(folder)
        )

    try:
        not_one = not_a_file(backup)
    except OSError as exc:
        return refused(str(exc))
    if not_one is not None:
        return refused(not_one)
    problem = integrity_problem(backup)
    if problem is not None:
        return refused(problem)
    try:
        conn = _read_only(backup)
    except sqlite3.Error as exc:
        return refused(str(exc))
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        try:
            _check_openable(backup, version, app_id, int(tables))
        except DatabaseTooNew:
            return BackupTooNew(
                detail=f"user_version={version}",
                path=str(backup),
                found=version,
                supported=SCHEMA_VERSION,
                folder=str(folder),
            )
        except DatabaseNotRecognised as exc:
            return refused(_NOT_OURS, exc.detail)
        if version < OLDEST_SCHEMA_VERSION:  # 0: never given this app's tables
            return refused(_NOT_OURS, f"user_version={version}")
        if version == SCHEMA_VERSION:
            gaps = _schema_gaps(conn)
        else:
            try:
                gaps = _gaps_once_migrated(conn, version)
            except (sqlite3.Error, pw.PeeweeException) as exc:
                return refused(_NOT_UPDATABLE, f"from format {version}: {exc}")
        if gaps:
            return refused(_SCHEMA_GAPS, "missing: " + ", ".join(gaps[:10]))
    except sqlite3.Error as exc:
        return refused(str(exc))
    finally:
        conn.close()
    return None


def _backup_date(backup: Path) -> str:
    return backup.stem.removeprefix("bridge-")


_HOLDINGS_SQL = 'SELECT (SELECT count(*) FROM "connection"), (SELECT count(*) FROM "import_run")'
_ACTIVE_SQL = 'SELECT count(*) FROM "connection" WHERE "status" != \'disconnected\''


def _holdings(database: pw.SqliteDatabase) -> tuple[int, int]:
    """(connections, import runs) the database holds."""
    row = database.execute_sql(_HOLDINGS_SQL).fetchone()
    return int(row[0]), int(row[1])


def _active(database: pw.SqliteDatabase) -> int:
    """How many businesses are connected (not disconnected): the page the window opens on
    before the database is open (core.store.dbfiles.was_connected)."""
    row = database.execute_sql(_ACTIVE_SQL).fetchone()
    return int(row[0])


def _file_stat(path: Path) -> list[int] | None:
    """(size, modification time) of the database file, when there is no -wal beside it."""
    try:
        if path.with_name(path.name + "-wal").exists():
            return None
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _write_marker(
    marker: Path,
    path: Path,
    connections: int,
    runs: int,
    stat: list[int] | None = None,
    active: int | None = None,
) -> None:
    import json

    marker.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = marker.with_name(marker.name + ".partial")
    partial.unlink(missing_ok=True)
    _create_private_file(partial)
    partial.write_text(
        json.dumps(
            {
                "path": str(path.resolve()),
                "connections": connections,
                "runs": runs,
                "stat": stat,
                "active": active,
            }
        ),
        encoding="utf-8",
    )
    os.replace(partial, marker)


def _lost(path: Path, backups: Path, held: Mapping[str, Any], state: str) -> DatabaseLost:
    from core.errors import RESTORE_COMMAND
    from core.i18n import tr

    good = newest_good_backup(backups)
    params: dict[str, object] = {
        "path": str(path),
        "connections": held["connections"],
        "runs": held["runs"],
        "state": tr(_LOST_STATES[state]),
        "afresh": START_AFRESH_COMMAND,
    }
    if good is None:
        return DatabaseLost(detail=state, **params)
    return DatabaseLostBackupAvailable(
        detail=state,
        backup=str(good),
        date=_backup_date(good),
        command=RESTORE_COMMAND,
        backup_file=good,
        **params,
    )


def daily_backup(
    database: pw.SqliteDatabase,
    path: Path,
    folder: Path,
    today: str | None = None,
    *,
    again: bool = False,
) -> Path | None:
    """Today's backup copy, made now if there is none yet (``again``: made anew over it;
    None: nothing worth keeping, or the copy could not be made — logged, the app goes on).
    A database that fails ``quick_check`` raises DatabaseDamaged (naming an older good copy)
    instead."""
    from datetime import date

    day = today or date.today().isoformat()
    target = folder / BACKUP_PATTERN.replace("????-??-??", day)
    if target.exists() and not again:
        return target
    if _holdings(database) == (0, 0):
        return None
    problems = [r[0] for r in database.execute_sql("PRAGMA quick_check").fetchall()]
    if problems != ["ok"]:
        raise damaged(path, "; ".join(str(p) for p in problems[:3]), folder)
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        backup_database(database, target)
    except (OSError, sqlite3.Error) as exc:
        log.warning("Could not make today's backup copy at %s: %s", target, exc)
        with contextlib.suppress(OSError):
            target.with_name(target.name + ".partial").unlink(missing_ok=True)
        return None
    for old in backups_of(folder, today=day)[BACKUP_KEEP:]:
        with contextlib.suppress(OSError):
            old.unlink()
    log.info("Backup copy of the database made: %s", target)
    return target


def backup_after_writes() -> Path | None:
    """Today's backup copy made again, now, after a run that wrote to Xero (hours sent,
    invoices billed). QuickBooks Time's records are found again by name after a restore;
    Xero's drafts are not: a copy from before the run, put back (restore-backup), would have
    the next bill-time make the same invoices again. Never raises: a copy that cannot be
    made is logged, and the day's first copy stays."""
    if _opened is None:
        return None
    database, _marker, path = _opened
    try:
        return daily_backup(database, path, path.parent / BACKUP_FOLDER, again=True)
    except Exception as exc:  # (the run's work is done and recorded: it must not fail now)
        log.warning("Could not renew today's backup copy after writing to Xero: %s", exc)
        return None


def open_app_database(paths: object) -> pw.SqliteDatabase:
    """Open the app's own database (``open_database``) with everything around it: a lost
    history refused, damage and storage errors said plainly, today's backup made."""
    global _opened
    path, backups, marker = app_database_files(paths)
    held = read_marker(marker, path)
    had_data = bool(held and (held["connections"] or held["runs"]))
    if had_data and held is not None:
        if not path.exists():
            raise _lost(path, backups, held, "missing")
        if path.stat().st_size == 0:
            raise _lost(path, backups, held, "empty")
    # Changed since the app last closed it cleanly (a crash, a copy, a disk, a hand): check
    # it whole before trusting it. Unchanged: the daily check is enough.
    check = path.exists() and (held is None or held.get("stat") != _file_stat(path))
    try:
        database = open_database(path)
    except DatabaseNotRecognised as exc:
        said = _said_by_sqlite(exc.detail, path, backups)  # (what SQLite said, reading it)
        if said is None:
            raise
        raise said from None
    except BridgeError:
        raise
    except (OSError, sqlite3.Error, pw.DatabaseError) as exc:
        translated = storage_error(exc, path, backups)
        if translated is None:
            raise
        log.warning("Could not open the database %s: %s", path, exc)
        raise translated from None
    try:
        if check:
            problems = [r[0] for r in database.execute_sql("PRAGMA quick_check").fetchall()]
            if problems != ["ok"]:
                raise damaged(path, "; ".join(str(p) for p in problems[:3]), backups)
        # A table or column gone (a hand, a tool): whole pages can pass the check above, and
        # the first command to need it would stop with "something unexpected"
        gaps = _schema_gaps(database.connection())
        if gaps:
            raise damaged(path, "missing: " + ", ".join(gaps[:5]), backups)
        now = _holdings(database)
        if had_data and held is not None and now == (0, 0):
            raise _lost(path, backups, held, "empty")
        daily_backup(database, path, backups)
        _write_marker(marker, path, *now, active=_active(database))
    except BaseException as exc:
        close_database()
        translated = storage_error(exc, path, backups) if isinstance(exc, Exception) else None
        if translated is None or translated is exc:
            raise
        raise translated from None
    _opened = (database, marker, path)
    return database


def _set_aside(path: Path, why: str) -> list[Path]:
    """Rename the database and its sidecar files to ``<name>.<why>-<time>`` (never deleted)."""
    from datetime import datetime

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    moved = []
    for file in (path, *_sidecars(path)):
        if file.exists():
            target = file.with_name(f"{file.name}.{why}-{stamp}")
            os.replace(file, target)
            moved.append(target)
    return moved


def restore_backup(paths: object, backup: Path | None = None) -> tuple[Path, list[Path]]:
    """Put a backup copy back as the app's database: ``backup``, or the newest good one.

    The current file (damaged, emptied…) and its sidecars are kept aside under
    ``<name>.replaced-<time>``, never deleted. Returns (the copy used, the files set aside).
    The caller holds the instance lock; the database must not be open.
    """
    path, backups, marker = app_database_files(paths)
    if backup is None:
        backup = newest_good_backup(backups)
        if backup is None:
            raise NoBackupFound(folder=str(backups))
    backup = Path(backup)
    problem = backup_problem(backup, backups)
    if problem is not None:
        raise problem
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = path.with_name(path.name + ".restoring")
    try:
        partial.unlink(missing_ok=True)
        _create_private_file(partial)
        with (
            contextlib.closing(_read_only(backup)) as source,
            contextlib.closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
            try:
                counts = copy.execute(_HOLDINGS_SQL).fetchone()
            except sqlite3.Error as exc:  # checked above; a file changed meanwhile
                raise BackupNotUsable(
                    detail=str(exc), path=str(backup), reason=_SCHEMA_GAPS, folder=str(backups)
                ) from None
        aside = _set_aside(path, "replaced")
        try:
            os.replace(partial, path)
        except BaseException:
            for kept in aside:  # put the working files back as they were
                os.replace(kept, kept.with_name(kept.name.rsplit(".replaced-", 1)[0]))
            raise
    except (OSError, sqlite3.Error) as exc:
        translated = storage_error(exc, path)
        if isinstance(translated, DiskFull | DatabaseReadOnly):
            raise translated from None
        if isinstance(exc, sqlite3.Error):  # the copy changed or broke since it was checked
            raise BackupNotUsable(
                detail=str(exc), path=str(backup), reason=str(exc), folder=str(backups)
            ) from None
        raise
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # gone once in place; else never left behind
    _write_marker(marker, path, int(counts[0]), int(counts[1]))
    log.warning("Database restored from %s; the previous files were kept as %s", backup, aside)
    return backup, aside


def start_afresh(paths: object) -> list[Path]:
    """The user chose to start with no history: the current files are kept aside, the
    marker forgets what the database held; the next open creates a new database."""
    path, _backups, marker = app_database_files(paths)
    aside = _set_aside(path, "set-aside") if path.exists() and path.stat().st_size else []
    if path.exists() and not path.stat().st_size:
        path.unlink()  # an empty file holds nothing to keep
    marker.unlink(missing_ok=True)
    log.warning("Starting with a new database; previous files kept as %s", aside)
    return aside
