"""The local database: creation, migration (backup, rollback, refusal), privacy, constraints, lock."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import peewee as pw
import pytest

from core.errors import (
    AlreadyRunning,
    DatabaseMigrationFailed,
    DatabaseNotRecognised,
    DatabaseTooNew,
)
from core.store import db as dbmod
from core.store.db import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    InstanceLock,
    backup_path,
    close_database,
    default_database_path,
    open_database,
)
from core.store.models import (
    ALL_MODELS,
    Connection,
    Decision,
    ImportRun,
    JournalEntry,
    LeaveLink,
    Link,
    QBTRecord,
    SentHours,
    Setting,
    Stored,
    SyncCursor,
    XeroRecord,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_V1 = ROOT / "tests" / "fixtures" / "db_v1.sql"
POSIX = os.name == "posix"
V1_COUNTS = {
    "connection": 2,
    "xero_record": 3,
    "qbt_record": 2,
    "sync_cursor": 1,
    "import_run": 1,
    "link": 2,
    "journal_entry": 2,
    "decision": 2,
    "leave_link": 3,
    "setting": 2,
}


@pytest.fixture(autouse=True)
def _close_db():
    yield
    close_database()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "bridge.sqlite3"


@pytest.fixture
def v1_path(tmp_path):
    path = tmp_path / "v1" / "bridge.sqlite3"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE_V1.read_text(encoding="utf-8"))
    conn.close()
    return path


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_xinfo("{table}")')}


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in V1_COUNTS}


def schema_shape(conn: sqlite3.Connection) -> dict:
    """Columns, indexes and foreign keys of every table (order-insensitive)."""
    shape = {}
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for t in tables:
        cols = frozenset(r[1:6] for r in conn.execute(f'PRAGMA table_xinfo("{t}")'))
        idx = frozenset(
            (r[1], r[2], tuple(c[2] for c in conn.execute(f'PRAGMA index_info("{r[1]}")')))
            for r in conn.execute(f'PRAGMA index_list("{t}")')
        )
        fks = frozenset(r[2:] for r in conn.execute(f'PRAGMA foreign_key_list("{t}")'))
        shape[t] = (cols, idx, fks)
    return shape


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def now() -> datetime:
    return datetime.now(UTC)


def make_connection(n: int = 1, **overrides) -> Connection:
    values = {
        "xero_tenant_id": f"tenant-{n}",
        "xero_tenant_name": f"Org {n}",
        "xero_country_code": "AU",
        "xero_version": "AU",
        "xero_grant_key": f"xero:grant-{n}",
        "qbtime_company_id": f"company-{n}",
        "qbtime_company_name": f"Company {n}",
        "qbtime_token_key": f"qbtime:company-{n}",
    }
    values.update(overrides)
    return Connection.create(**values)


# -- creation ---------------------------------------------------------------------------------


def test_fresh_database_gets_the_current_schema(db_path):
    database = open_database(db_path)
    assert SCHEMA_VERSION == 5
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == 5
    assert database.execute_sql("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert set(database.get_tables()) == {m._meta.table_name for m in ALL_MODELS}
    assert not backup_path(db_path, 0).exists()
    assert dbmod.db.obj is database


def test_reopening_keeps_data_and_makes_no_backup(db_path):
    open_database(db_path)
    make_connection()
    close_database()
    open_database(db_path)
    assert Connection.select().count() == 1
    assert list(db_path.parent.glob("*.bak")) == []


def test_default_path_is_in_the_data_dir(_fresh_app_dirs):
    assert default_database_path() == _fresh_app_dirs / "data" / "bridge.sqlite3"


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_files_are_readable_by_the_user_only_whatever_the_umask(db_path):
    previous = os.umask(0o022)
    try:
        open_database(db_path)
        make_connection()  # a write: -wal and -shm exist now
    finally:
        os.umask(previous)
    wal = db_path.with_name(db_path.name + "-wal")
    shm = db_path.with_name(db_path.name + "-shm")
    assert wal.exists() and shm.exists()
    assert mode(db_path) == 0o600
    assert mode(wal) == 0o600
    assert mode(shm) == 0o600
    assert mode(db_path.parent) == 0o700


@pytest.mark.skipif(not POSIX, reason="POSIX file modes")
def test_existing_loose_permissions_are_tightened(v1_path):
    v1_path.chmod(0o644)
    open_database(v1_path)
    assert mode(v1_path) == 0o600
    assert mode(backup_path(v1_path, 1)) == 0o600


def test_close_database_unbinds_the_models(db_path):
    open_database(db_path)
    close_database()
    with pytest.raises(AttributeError):
        Connection.select().count()
    close_database()  # twice: fine


# -- migration from v1 ------------------------------------------------------------------------


def test_v1_database_is_migrated_keeping_rows_with_right_defaults(v1_path):
    with raw(v1_path) as before:
        assert before.execute("PRAGMA user_version").fetchone()[0] == 1
        assert counts(before) == V1_COUNTS
    before.close()

    database = open_database(v1_path)
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn = database.connection()
    assert counts(conn) == V1_COUNTS
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    leave = {ll.xero_leave_type_id: ll for ll in LeaveLink.select()}
    assert leave["lt-annual-0001"].is_paid and leave["lt-annual-0001"].export_to_xero is True
    assert not leave["lt-unpaid-0002"].is_paid
    assert leave["lt-unpaid-0002"].export_to_xero is False  # unpaid leave is never exported
    assert leave["lt-sick-0003"].export_to_xero is True
    assert [d.depends_on for d in Decision.select().order_by(Decision.id)] == ["", ""]
    assert Decision.get_by_id(1).new_name == "Bayside Club (North)"

    org = Connection.get(Connection.qbtime_company_id == "demo-company-au")
    assert org.xero_tenant_name == "Demo Company (AU)"
    assert org.created_at == datetime(2025, 6, 27, 9, 0, tzinfo=UTC)
    run = ImportRun.get_by_id(1)
    assert run.options["assign_all"] is True and run.counts == {"created": 2, "linked": 1}
    assert [e.seq for e in run.journal.order_by(JournalEntry.seq)] == [1, 2]
    assert Setting.get_value("language") == "fr"
    assert Link.get(Link.kind == "employee").created_by_run_id == 1

    # The new rule holds on migrated rows too: unpaid leave cannot be set to export.
    unpaid = leave["lt-unpaid-0002"]
    unpaid.export_to_xero = True
    with pytest.raises(pw.IntegrityError), database.atomic():
        unpaid.save()


def test_backup_is_a_valid_copy_of_the_v1_database(v1_path):
    open_database(v1_path)
    backup = backup_path(v1_path, 1)
    assert backup.name == "bridge.sqlite3.v1.bak"
    assert backup.exists()
    assert not backup.with_name(backup.name + "-wal").exists()
    with raw(backup) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert counts(copy) == V1_COUNTS
        assert "export_to_xero" not in columns(copy, "leave_link")
        assert "depends_on" not in columns(copy, "decision")
    copy.close()


def test_migrated_schema_is_the_same_as_a_fresh_one(v1_path, db_path):
    open_database(v1_path)
    close_database()
    open_database(db_path)
    close_database()
    with raw(v1_path) as migrated, raw(db_path) as fresh:
        assert schema_shape(migrated) == schema_shape(fresh)
    migrated.close()
    fresh.close()


def _assert_still_v1(path: Path) -> None:
    with raw(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        assert "export_to_xero" not in columns(conn, "leave_link")
        assert "depends_on" not in columns(conn, "decision")
        assert counts(conn) == V1_COUNTS
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert not [t for t in tables if t.endswith("__tmp__")]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_a_failing_step_after_real_changes_rolls_back_everything(v1_path):
    def step_then_fail(migrator):
        MIGRATIONS[2](migrator)  # the whole real step, then a failure before commit
        raise RuntimeError("disk full (simulated)")

    with pytest.raises(DatabaseMigrationFailed) as info:
        open_database(v1_path, migrations={2: step_then_fail})
    assert info.value.params["version"] == 2
    assert str(backup_path(v1_path, 1)) in info.value.user_message("en")
    assert isinstance(info.value.__cause__, RuntimeError)
    _assert_still_v1(v1_path)
    assert dbmod.db.obj is None

    # Nothing is stuck: the real migration runs fine on the next start.
    database = open_database(v1_path)
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_step_breaking_foreign_keys_is_rolled_back(v1_path):
    def orphan_rows(migrator):
        MIGRATIONS[2](migrator)
        migrator.database.execute_sql("UPDATE link SET connection_id = 999")

    with pytest.raises(DatabaseMigrationFailed) as info:
        open_database(v1_path, migrations={2: orphan_rows})
    assert "foreign key" in info.value.detail
    _assert_still_v1(v1_path)


def test_each_step_commits_on_its_own(v1_path, monkeypatch):
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", 3)

    def fail(migrator):
        raise RuntimeError("step 3 broken")

    with pytest.raises(DatabaseMigrationFailed) as info:
        open_database(v1_path, migrations={2: MIGRATIONS[2], 3: fail})
    assert info.value.params["version"] == 3
    with raw(v1_path) as conn:  # step 2 is kept, step 3 left no trace
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert "export_to_xero" in columns(conn, "leave_link")
    conn.close()
    assert backup_path(v1_path, 1).exists()


# -- refusals ---------------------------------------------------------------------------------


def _snapshot_dir(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}


def test_a_database_from_a_newer_app_is_refused_and_untouched(db_path):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(
        "CREATE TABLE future (x); INSERT INTO future VALUES (1); PRAGMA user_version = 99;"
    )
    conn.close()
    before = _snapshot_dir(db_path.parent)

    with pytest.raises(DatabaseTooNew) as info:
        open_database(db_path)
    assert info.value.params == {"found": 99, "supported": SCHEMA_VERSION}
    assert "format 99" in info.value.user_message("en")
    assert _snapshot_dir(db_path.parent) == before  # no -wal, no backup, same bytes
    assert dbmod.db.obj is None


def test_a_newer_wal_database_is_refused_too(db_path):
    open_database(db_path)
    dbmod.db.obj.execute_sql("PRAGMA user_version = 7")
    close_database()
    with pytest.raises(DatabaseTooNew):
        open_database(db_path)


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TABLE notes (x); PRAGMA user_version = 0;",
        "CREATE TABLE notes (x); PRAGMA user_version = 1; PRAGMA application_id = 42;",
    ],
    ids=["unversioned", "other-app"],
)
def test_someone_elses_sqlite_file_is_refused_and_untouched(db_path, script):
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(script)
    conn.close()
    before = _snapshot_dir(db_path.parent)
    with pytest.raises(DatabaseNotRecognised):
        open_database(db_path)
    assert _snapshot_dir(db_path.parent) == before


def test_a_file_that_is_not_a_database_is_refused_and_untouched(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is a text file, not SQLite\n" * 10)
    before = _snapshot_dir(db_path.parent)
    with pytest.raises(DatabaseNotRecognised) as info:
        open_database(db_path)
    assert str(db_path) in info.value.user_message("en")
    assert _snapshot_dir(db_path.parent) == before


# -- models and constraints ---------------------------------------------------------------------


@pytest.fixture
def opened(db_path):
    return open_database(db_path)


def test_one_qbtime_company_per_xero_organisation_and_back(opened):
    make_connection(1)
    with pytest.raises(pw.IntegrityError), opened.atomic():
        make_connection(2, xero_tenant_id="tenant-1")  # same Xero org, other QB Time company
    with pytest.raises(pw.IntegrityError), opened.atomic():
        make_connection(3, qbtime_company_id="company-1")  # same QB Time company, other org
    assert Connection.select().count() == 1


def test_links_are_one_to_one_per_kind(opened):
    c = make_connection()
    Link.create(connection=c, kind="customer", xero_id="x1", qbt_id=10)
    with pytest.raises(pw.IntegrityError), opened.atomic():
        Link.create(connection=c, kind="customer", xero_id="x1", qbt_id=11)
    with pytest.raises(pw.IntegrityError), opened.atomic():
        Link.create(connection=c, kind="customer", xero_id="x2", qbt_id=10)
    Link.create(connection=c, kind="item", xero_id="x1", qbt_id=10)  # other kind: fine


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (XeroRecord, {"kind": "contact", "xero_id": "x1", "name": "A"}),
        (QBTRecord, {"kind": "jobcode", "qbt_id": 2**40, "name": "A"}),
        (SyncCursor, {"source": "xero", "resource": "Contacts", "value": "v"}),
        (Decision, {"kind": "customer", "xero_id": "x1", "action": "skip"}),
        (LeaveLink, {"xero_leave_type_id": "lt1", "is_paid": True}),
    ],
)
def test_snapshot_and_state_rows_are_unique_per_connection(opened, model, fields):
    c1, c2 = make_connection(1), make_connection(2)
    model.create(connection=c1, **fields)
    model.create(connection=c2, **fields)  # the same key under another connection: fine
    with pytest.raises(pw.IntegrityError), opened.atomic():
        model.create(connection=c1, **fields)


def test_journal_sequence_is_unique_per_run(opened):
    run = ImportRun.create(connection=make_connection())
    JournalEntry.create(run=run, seq=1, action="create", entity_kind="jobcode", batch_key="k1")
    with pytest.raises(pw.IntegrityError), opened.atomic():
        JournalEntry.create(run=run, seq=1, action="create", entity_kind="jobcode", batch_key="k2")


def test_leave_export_follows_paid_and_unpaid_is_never_exported(opened):
    c = make_connection()
    paid = LeaveLink.create(connection=c, xero_leave_type_id="annual", is_paid=True)
    unpaid = LeaveLink.create(connection=c, xero_leave_type_id="unpaid", is_paid=False)
    assert LeaveLink.get_by_id(paid.id).export_to_xero is True
    assert LeaveLink.get_by_id(unpaid.id).export_to_xero is False
    paid.export_to_xero = False  # a paid type may be kept out of Xero
    paid.save()
    with pytest.raises(pw.IntegrityError), opened.atomic():
        LeaveLink.create(connection=c, xero_leave_type_id="x", is_paid=False, export_to_xero=True)


def test_qbtime_ids_are_64_bit(opened):
    c = make_connection()
    big = 2**62 + 12345
    QBTRecord.create(connection=c, kind="user", qbt_id=big, name="Big")
    assert QBTRecord.get(QBTRecord.qbt_id == big).name == "Big"


def test_json_and_utc_fields_round_trip(opened):
    c = make_connection()
    raw_contact = {"Name": "Café Zoë", "Addresses": [{"City": "Montréal"}], "IsCustomer": True}
    paris = timezone(timedelta(hours=2))
    rec = XeroRecord.create(
        connection=c,
        kind="contact",
        xero_id="x1",
        name="Café Zoë",
        raw=raw_contact,
        updated_utc=datetime(2025, 6, 27, 12, 0, tzinfo=paris),
    )
    back = XeroRecord.get_by_id(rec.id)
    assert back.raw == raw_contact
    assert back.updated_utc == datetime(2025, 6, 27, 10, 0, tzinfo=UTC)
    assert back.updated_utc.tzinfo is not None
    assert back.fetched_at.tzinfo is not None
    # stored as sortable fixed-width text
    stored = opened.execute_sql("SELECT updated_utc FROM xero_record").fetchone()[0]
    assert stored == "2025-06-27T10:00:00.000000+00:00"
    assert (
        XeroRecord.select().where(XeroRecord.updated_utc > datetime(2025, 1, 1, tzinfo=UTC)).count()
        == 1
    )


def test_naive_datetimes_and_unknown_choices_are_refused(opened):
    c = make_connection()
    with pytest.raises(ValueError):
        XeroRecord.create(
            connection=c, kind="contact", xero_id="x", updated_utc=datetime(2025, 1, 1)
        )
    with pytest.raises(ValueError):
        XeroRecord.create(connection=c, kind="invoice", xero_id="y")
    with pytest.raises(ValueError):
        ImportRun.create(connection=c, status="exploded")


def test_updated_at_moves_on_save(opened):
    c = make_connection()
    first = c.updated_at
    c.status = "needs_xero_signin"
    c.save()
    assert Connection.get_by_id(c.id).updated_at > first
    assert Connection.get_by_id(c.id).created_at == c.created_at


def test_settings_are_json_values_with_upsert(opened):
    assert Setting.get_value("import_options", {}) == {}
    Setting.set_value("import_options", {"import_customers": True})
    Setting.set_value("import_options", {"import_customers": False, "assign_all": True})
    assert Setting.get_value("import_options") == {"import_customers": False, "assign_all": True}
    assert Setting.select().count() == 1


def test_a_setting_already_json_text_is_stored_as_it_is(opened):
    Setting.set_value("kept", Stored('{"a":[1,2]}'))
    assert Setting.get_value("kept") == {"a": [1, 2]}
    Setting.set_value("kept", Stored("[3]"))  # and again: the update takes it as it is too
    assert Setting.get_value("kept") == [3]
    Setting.set_value("kept", "[3]")  # a plain string is a JSON string
    assert Setting.get_value("kept") == "[3]"


def test_decision_fingerprint_detects_changes(opened):
    c = make_connection()
    fp = "sha256:" + "a" * 32  # matching.fingerprint() of what the answer depended on
    d = Decision.create(
        connection=c, kind="customer", xero_id="x1", action="link", target_qbt_id=5, depends_on=fp
    )
    assert not d.is_stale(fp)
    assert d.is_stale("sha256:" + "b" * 32)
    assert Decision(depends_on="").is_stale(fp)  # a decision saved before v2 is asked again


def test_run_history_survives_and_blocks_deleting_a_connection(opened):
    c = make_connection()
    XeroRecord.create(connection=c, kind="contact", xero_id="x1")
    run = ImportRun.create(connection=c, status="done")
    JournalEntry.create(run=run, seq=1, action="create", entity_kind="jobcode", batch_key="k")
    undo = ImportRun.create(connection=c, kind="undo", undoes_run=run)
    assert list(run.undone_by) == [undo]
    with pytest.raises(pw.IntegrityError), opened.atomic():
        c.delete_instance()
    JournalEntry.delete().execute()
    ImportRun.delete().execute()
    c.delete_instance()
    assert XeroRecord.select().count() == 0  # snapshots go with their connection


def test_no_table_can_hold_a_secret():
    suspicious = ("token", "secret", "password", "refresh", "access", "credential")
    for model in ALL_MODELS:
        for field in model._meta.sorted_fields:
            name = field.column_name.lower()
            if any(s in name for s in suspicious):
                assert name.endswith("_key"), f"{model.__name__}.{name} looks like a secret column"


# -- one instance at a time ---------------------------------------------------------------------


HOLDER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from core.store.db import InstanceLock
    lock = InstanceLock(__import__("pathlib").Path({path!r})).acquire()
    print("locked", flush=True)
    sys.stdin.read()  # hold until the parent closes our stdin (or kills us)
    lock.release()
    """
)


def _hold_in_subprocess(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(root=str(ROOT), path=str(path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_instance_is_refused_until_the_first_releases(tmp_path):
    path = tmp_path / "data" / "app.lock"
    holder = _hold_in_subprocess(path)
    try:
        with pytest.raises(AlreadyRunning) as info:
            InstanceLock(path).acquire()
        assert "already open" in info.value.user_message("en")
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=10) == 0
    with InstanceLock(path) as lock:
        assert lock.held
    assert not lock.held


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_a_lock_left_by_a_crashed_process_does_not_block(tmp_path):
    path = tmp_path / "app.lock"
    holder = _hold_in_subprocess(path)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    holder.stdin.close()
    holder.stdout.close()
    assert path.exists()  # the stale file stays; the OS lock died with the process
    lock = InstanceLock(path).acquire()
    assert lock.held
    assert path.read_text().strip() == str(os.getpid())
    lock.release()


def test_a_second_lock_in_the_same_process_is_refused_too(tmp_path):
    first = InstanceLock(tmp_path / "app.lock").acquire()
    try:
        with pytest.raises(AlreadyRunning):
            InstanceLock(tmp_path / "app.lock").acquire()
        assert first.acquire() is first  # re-acquiring one's own lock is a no-op
    finally:
        first.release()
    first.release()  # twice: fine
    InstanceLock(tmp_path / "app.lock").acquire().release()


def test_lock_defaults_to_the_data_dir_and_is_not_inherited(_fresh_app_dirs):
    lock = InstanceLock()
    assert lock.path == _fresh_app_dirs / "data" / "app.lock"
    with lock:
        assert os.get_inheritable(lock._fd) is False  # a launched browser cannot keep it
        if POSIX:
            assert mode(lock.path) == 0o600


# -- bulk_insert ------------------------------------------------------------------------------


def test_bulk_insert_stores_rows_exactly_as_create_does(db_path):
    from core.store.models import bulk_insert, json_text

    open_database(db_path)
    conn = make_connection()
    XeroRecord.create(
        connection=conn,
        kind="contact",
        xero_id="a",
        name="Made by create",
        raw={"b": 1, "a": "é"},
        archived=True,
    )
    bulk_insert(
        XeroRecord,
        [
            {
                "connection": conn,
                "kind": "contact",
                "xero_id": "b",
                "name": "Bulk",
                "raw": {"b": 1, "a": "é"},
                "archived": True,
            },
            {"connection": conn, "kind": "contact", "xero_id": "c", "raw": json_text({"x": [1]})},
        ],
    )
    rows = {r.xero_id: r for r in XeroRecord.select()}
    assert rows["b"].raw == rows["a"].raw == {"a": "é", "b": 1} and rows["b"].archived is True
    stored = dict(dbmod.db.execute_sql("SELECT xero_id, raw FROM xero_record").fetchall())
    assert stored["a"] == stored["b"] == '{"a":"é","b":1}'  # same canonical text
    assert rows["c"].raw == {"x": [1]} and rows["c"].name == ""  # default filled
    assert rows["c"].fetched_at.tzinfo is not None  # callable default
    assert rows["c"].archived is False


def test_bulk_insert_checks_values_and_upserts(db_path):
    from core.store.models import bulk_insert

    open_database(db_path)
    conn = make_connection()
    with pytest.raises(ValueError):
        bulk_insert(XeroRecord, [{"connection": conn, "kind": "nonsense", "xero_id": "a"}])
    with pytest.raises(ValueError):  # naive datetime refused, as with create()
        bulk_insert(
            XeroRecord,
            [
                {
                    "connection": conn,
                    "kind": "contact",
                    "xero_id": "a",
                    "updated_utc": datetime(2025, 1, 1),
                }
            ],
        )
    assert XeroRecord.select().count() == 0
    base = {"connection": conn, "kind": "contact", "xero_id": "a", "raw": {}}
    bulk_insert(XeroRecord, [{**base, "name": "First", "email": "a@x"}])
    with pytest.raises(pw.IntegrityError):
        bulk_insert(XeroRecord, [{**base, "name": "Again"}])
    bulk_insert(
        XeroRecord,
        [{**base, "name": "Renamed", "email": "b@x"}],
        conflict=("connection", "kind", "xero_id"),
        update=("name",),
    )
    row = XeroRecord.get()
    assert (row.name, row.email, XeroRecord.select().count()) == ("Renamed", "a@x", 1)


def test_bulk_insert_converts_a_time_shared_by_rows_once_and_others_each(db_path, monkeypatch):
    """A batch's rows share their time (the journal's created_at): converted once, and a
    row with another time or none still stores its own."""
    from core.store.models import UTCDateTimeField, bulk_insert

    open_database(db_path)
    conn = make_connection()
    conversions: list[datetime] = []
    db_value = UTCDateTimeField.db_value

    def counted(self, value):
        conversions.append(value)
        return db_value(self, value)

    monkeypatch.setattr(UTCDateTimeField, "db_value", counted)
    shared = datetime(2025, 1, 1, tzinfo=UTC)
    other = datetime(2025, 1, 2, 3, tzinfo=timezone(timedelta(hours=1)))
    times = [shared, shared, None, shared, other, shared]
    bulk_insert(
        XeroRecord,
        [
            {"connection": conn, "kind": "contact", "xero_id": str(i), "updated_utc": t}
            for i, t in enumerate(times)
        ],
    )
    stored = [r.updated_utc for r in XeroRecord.select().order_by(XeroRecord.xero_id)]
    assert stored == times
    assert conversions.count(shared) <= 3  # not once per row


FIXTURE_V2 = ROOT / "tests" / "fixtures" / "db_v2.sql"


def test_v2_database_gains_the_sent_hours_table_keeping_every_row(tmp_path):
    """v2 -> v3 adds sent_hours (what went to Xero Payroll and invoices), as a fresh v3 has it."""
    path = tmp_path / "v2" / "bridge.sqlite3"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE_V2.read_text(encoding="utf-8"))
    before = counts(conn)
    conn.close()
    database = open_database(path)
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert counts(database.connection()) == before
    run = ImportRun.create(connection=1, kind="payroll_export", status="done")
    row = SentHours.create(
        run=run, connection=1, target="payroll", qbt_timesheet_id=1, xero_id="ts-1", hours=7.5
    )
    assert SentHours.get_by_id(row.id).active is True
    with pytest.raises(ValueError):  # targets are a closed list
        SentHours.create(
            run=run, connection=1, target="bank", qbt_timesheet_id=2, xero_id="x", hours=1.0
        )
    close_database()
    fresh = tmp_path / "fresh.sqlite3"
    open_database(fresh)
    close_database()
    with raw(path) as migrated, raw(fresh) as new:
        assert schema_shape(migrated) == schema_shape(new)
    migrated.close()
    new.close()


FIXTURE_V3 = ROOT / "tests" / "fixtures" / "db_v3.sql"


def _rows(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}


def _index_names(conn: sqlite3.Connection) -> set[str]:
    return {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND name NOT LIKE 'sqlite_%'"
        )
    }


def test_v3_database_loses_the_unused_indexes_keeping_every_row(tmp_path):
    """v3 -> v4 drops the snapshot's name / e-mail / last-and-first-name / parent indexes and
    the journal's batch_key index (no query searches by them); every row is kept as it was."""
    from core.store.db import UNUSED_V3_INDEXES

    path = tmp_path / "v3" / "bridge.sqlite3"
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    conn.executescript(FIXTURE_V3.read_text(encoding="utf-8"))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    before_rows = _rows(conn)
    before_indexes = _index_names(conn)
    conn.close()
    assert set(UNUSED_V3_INDEXES) <= before_indexes
    assert before_rows["xero_record"] and before_rows["journal_entry"] and before_rows["sent_hours"]

    database = open_database(path)
    assert database.execute_sql("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    migrated = database.connection()
    assert _rows(migrated) == before_rows
    assert _index_names(migrated) == before_indexes - set(UNUSED_V3_INDEXES)
    assert migrated.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # the app still reads and writes what it kept
    assert Connection.get_by_id(1).xero_tenant_name == "Demo Company (AU)"
    assert SentHours.get(SentHours.xero_id == "ts-0001").hours == 7.5
    XeroRecord.create(connection=1, kind="contact", xero_id="new-contact", name="New")
    with pytest.raises(pw.IntegrityError), database.atomic():  # still unique per kind
        XeroRecord.create(connection=1, kind="contact", xero_id="new-contact", name="Again")
    close_database()

    with raw(backup_path(path, 3)) as backup:  # the copy taken before the step is v3 as it was
        assert backup.execute("PRAGMA user_version").fetchone()[0] == 3
        assert _index_names(backup) == before_indexes
    backup.close()
    fresh = tmp_path / "fresh.sqlite3"
    open_database(fresh)
    close_database()
    with raw(path) as upgraded, raw(fresh) as new:
        assert schema_shape(upgraded) == schema_shape(new)
    upgraded.close()
    new.close()


def test_a_transaction_that_reads_then_writes_is_not_refused_by_a_write_in_between(opened):
    """In WAL mode a transaction begun with a read, then writing after another connection
    committed, is refused at once ("database is locked", no busy wait): a decision in the
    review was lost when a worker thread's QuickBooks Time call wrote in between. Every
    transaction takes the write lock as it begins: the other connection waits instead."""
    other = sqlite3.connect(opened.database, timeout=0.05, isolation_level=None)
    try:
        with opened.atomic():
            assert Setting.get_value("step") is None  # the read the transaction begins with
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO setting (key, value) VALUES ('other', '1')")
            Setting.set_value("step", 1)  # refused without the lock taken at BEGIN
        assert Setting.get_value("step") == 1
        other.execute("INSERT INTO setting (key, value) VALUES ('other', '1')")  # free again
    finally:
        other.close()
    assert Setting.get_value("other") == 1
