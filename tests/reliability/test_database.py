"""Database reliability: upgrades, newer schema, second instance, power cuts.

* every released schema opens in this version: v1 (``tests/fixtures/db_v1.sql``) is
  migrated, then a demo sync runs on it; a v2 database made by this version reopens as is;
* a database from a newer app is refused (:class:`DatabaseTooNew`), file untouched;
* a second instance is refused while another *process* holds the instance lock, and the
  lock dies with that process (SIGKILL);
* killed mid-write: a process writing to the database (settings and journal rows in a loop,
  big and small transactions) is SIGKILLed mid-write several times → the database opens,
  ``PRAGMA integrity_check`` is ``ok`` and a following sync of the Demo Company converges.
  (A process kill keeps what the OS cached; a power loss on the importer's own write path,
  unsynced writes dropped, is test_power_loss.py.)

(The unit tests in ``tests/unit/test_db.py`` cover the migration steps in detail.)
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.errors import AlreadyRunning
from core.store.db import (
    DATABASE_FILE,
    SCHEMA_VERSION,
    DatabaseTooNew,
    InstanceLock,
    close_database,
    open_database,
)
from tests.reliability.support import (
    SOAK,
    FileKeyring,
    MemoryBackend,
    converge,
    duplicates,
    open_demo,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_V1 = ROOT / "tests" / "fixtures" / "db_v1.sql"
FIXTURES = {
    1: FIXTURE_V1,
    2: ROOT / "tests" / "fixtures" / "db_v2.sql",
    3: ROOT / "tests" / "fixtures" / "db_v3.sql",
    4: ROOT / "tests" / "fixtures" / "db_v4.sql",
}
#: released schemas and how to make a database of each
RELEASED = (1, 2, 3, 4, 5)


@pytest.fixture(autouse=True)
def _close_db():
    yield
    close_database()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def _make_release(version: int, home: Path) -> Path:
    path = home / "data" / DATABASE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    if version in FIXTURES:
        conn = sqlite3.connect(path)
        conn.executescript(FIXTURES[version].read_text(encoding="utf-8"))
        conn.close()
    elif version == SCHEMA_VERSION:  # "created by this version"
        open_database(path)
        close_database()
    else:  # pragma: no cover - a new release adds its fixture here
        raise AssertionError(f"no fixture for schema v{version}")
    assert _version(path) == version
    return path


def test_every_release_is_listed():
    assert RELEASED[-1] == SCHEMA_VERSION and RELEASED == tuple(range(1, SCHEMA_VERSION + 1))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("version", RELEASED)
def test_upgrade_from_every_release_then_sync(tmp_path, version):
    home = tmp_path / "home"
    path = _make_release(version, home)
    if version in FIXTURES:
        # migrated with its rows kept; then the fixture's made-up organisations (which no
        # simulator knows) are removed so the demo connection is the only one
        from core.store.models import Connection

        open_database(path)
        assert Connection.select().count() == 2
        assert _version(path) == SCHEMA_VERSION and _integrity(path) == "ok"
        for old in Connection.select():
            old.delete_instance(recursive=True)
        close_database()
    ctx, conn = open_demo("AU", home, tmp_path / "state", MemoryBackend())
    try:
        assert _version(path) == SCHEMA_VERSION
        converge(ctx, conn, max_runs=2)
        assert duplicates(ctx.sandbox.store) == []
    finally:
        ctx.close()
    assert _integrity(path) == "ok"
    open_database(path)  # reopening what this version wrote: no migration, no backup
    close_database()
    assert _version(path) == SCHEMA_VERSION


def test_newer_schema_is_refused_untouched(tmp_path):
    path = _make_release(SCHEMA_VERSION, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNew):
        open_database(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert _version(path) == SCHEMA_VERSION + 1


HOLDER = textwrap.dedent("""
    import sys, time
    from core.store.db import InstanceLock
    lock = InstanceLock(__import__("pathlib").Path(sys.argv[1])).acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


@pytest.mark.timeout(60)
def test_second_instance_is_refused_while_another_process_runs(tmp_path):
    lock_path = tmp_path / "data" / "app.lock"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunning) as info:
            InstanceLock(lock_path).acquire()
        assert "already open" in str(info.value)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    lock = InstanceLock(lock_path).acquire()  # the lock died with its process
    assert lock.held
    lock.release()


WRITER = textwrap.dedent("""
    import sys, os, random
    from pathlib import Path
    from core.store.db import open_database, db
    from core.store.models import Setting, ImportRun, JournalEntry, Connection
    open_database(Path(sys.argv[1]))
    rng = random.Random(int(sys.argv[2]))
    conn = Connection.select().first()
    print("writing", flush=True)
    i = 0
    while True:
        i += 1
        with db.atomic():
            # a big transaction (a journal's worth of rows) or a small one
            n = rng.choice((1, 5, 200))
            run = ImportRun.create(connection=conn, kind="import", status="running") if conn else None
            for k in range(n):
                Setting.set_value(f"power-cut:{sys.argv[2]}:{i % 50}:{k % 20}",
                                  {"i": i, "blob": os.urandom(rng.randint(10, 3000)).hex()})
                if run is not None:
                    JournalEntry.create(run=run, seq=k, action="create", entity_kind="jobcode",
                                        batch_key=f"pc-{i}-{k}", after={"name": "x" * 100},
                                        state="done")
            if run is not None:
                run.status = "failed"
                run.save()
""")


def _power_cuts(path: Path, cuts: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    delays = []
    for n in range(cuts):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(seed * 100 + n)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            line = proc.stdout.readline().strip()
            assert line == "writing", proc.stderr.read() if proc.poll() is not None else line
            delay = rng.uniform(0.05, 0.6)
            time.sleep(delay)
            assert proc.poll() is None, proc.stderr.read()
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            proc.stdout.close()
            proc.stderr.close()
        delays.append(delay)
        # the database opens (WAL recovered) and is sound after every cut
        open_database(path)
        close_database()
        assert _integrity(path) == "ok"
    return delays


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    "cuts", [pytest.param(20, marks=pytest.mark.soak), 4], ids=["soak-20", "fast-4"]
)
def test_power_cut_during_writes_leaves_a_usable_database(tmp_path, cuts):
    if cuts > 4 and not SOAK:
        pytest.skip("soak test: set XQB_SOAK=1")
    home, state, keyring_file = tmp_path / "home", tmp_path / "state", tmp_path / "keyring.json"
    ctx, _conn = open_demo("AU", home, state, FileKeyring(keyring_file))
    ctx.close()
    path = home / "data" / DATABASE_FILE

    _power_cuts(path, cuts, seed=cuts)

    ctx, conn = open_demo("AU", home, state, FileKeyring(keyring_file), connect=False)
    try:
        results = converge(ctx, conn, max_runs=2)
        assert duplicates(ctx.sandbox.store) == []
        assert not results[0].outcomes.get("failed")
    finally:
        ctx.close()
    assert _integrity(path) == "ok"


@pytest.mark.parametrize("room", [2, 6])
def test_disk_full_in_the_middle_of_an_import_loses_nothing(tmp_path, monkeypatch, room):
    """The disk fills while the import journals its writes (SQLite's max_page_count stands
    for the disk): the error is the "disk is full" sentence, the database stays whole, and
    once there is room again the next sync ends exactly where a clean import ends, with no
    duplicate and nothing left "intent"."""
    import sqlite3 as sqlite

    from core.app.sync import sync
    from core.services.fetch import fetch
    from core.store import db as core_db
    from core.store.models import ImportRun, JournalEntry
    from tests.reliability.support import canonical_state, clean_state, diff

    clean = clean_state("AU", tmp_path)
    home, state, backend = tmp_path / "home", tmp_path / "state", MemoryBackend()
    ctx, conn = open_demo("AU", home, state, backend)
    fetch(ctx, conn)
    ctx.close()
    path = home / "data" / DATABASE_FILE
    with sqlite.connect(path) as raw:
        pages = raw.execute("PRAGMA page_count").fetchone()[0]

    monkeypatch.setitem(core_db.PRAGMAS, "max_page_count", pages + room)
    ctx, conn = open_demo("AU", home, state, backend, connect=False)
    try:
        with pytest.raises(Exception) as failure:
            sync(ctx, conn)
        problem = core_db.storage_error(failure.value, path, home / "data" / "backups")
        assert type(problem).__name__ == "DiskFull", repr(failure.value)
        assert "is full" in problem.user_message()
        written = len(ctx.sandbox.store.qbtime.get("jobcodes", []))
        # it stopped in the middle of the import: some writes journaled, the run not done
        assert JournalEntry.select().count() > 0
        assert [r.status for r in ImportRun.select()] in (["failed"], ["running"])
    finally:
        ctx.close()
    assert written  # the Demo Company's jobcodes at least are there
    with sqlite.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    monkeypatch.delitem(core_db.PRAGMAS, "max_page_count")
    ctx, conn = open_demo("AU", home, state, backend, connect=False)
    try:
        converge(ctx, conn, max_runs=2)
        store = ctx.sandbox.store
        assert duplicates(store) == []
        assert canonical_state(store) == clean, diff(clean, canonical_state(store))
        assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0
        assert ImportRun.select().where(ImportRun.status == "running").count() == 0
    finally:
        ctx.close()
