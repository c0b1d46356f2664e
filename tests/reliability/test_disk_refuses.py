"""The file system refuses a write (a file-size limit here; a quota, a removed or failing
disk alike): SQLite says "disk I/O error". That is not a damaged database, and the app must
not say so: it told the user to restore the day's backup, which throws away what was safely
saved since (and then bills or sends again what Xero already has). The sentence says what
happened and what to do; the next run, with room again, ends as a clean import does."""

from __future__ import annotations

import resource
import sqlite3

import pytest

from core.errors import DiskWriteFailed
from core.store import db as core_db
from core.store.dbfiles import DATABASE_FILE
from tests.reliability.support import MemoryBackend, converge, duplicates, open_demo


def test_an_io_error_is_not_called_damage(tmp_path):
    said = core_db.storage_error(sqlite3.OperationalError("disk I/O error"), tmp_path / "x.db")
    assert isinstance(said, DiskWriteFailed)
    text = said.user_message("en")
    assert "Nothing was lost" in text and "Do not restore a backup" in text
    assert "ne restaurez pas de sauvegarde" in said.user_message("fr").lower()


def test_a_file_size_limit_in_the_middle_of_an_import(tmp_path):
    from core.app.sync import sync
    from core.services.fetch import fetch
    from core.store.models import ImportRun

    home, state, backend = tmp_path / "home", tmp_path / "state", MemoryBackend()
    ctx, conn = open_demo("AU", home, state, backend)
    fetch(ctx, conn)
    ctx.close()
    path = home / "data" / DATABASE_FILE
    ctx, conn = open_demo("AU", home, state, backend, connect=False)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    # the files grow past this while the import journals its writes (WAL included)
    limit = path.stat().st_size + 64 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        try:
            with pytest.raises(Exception) as failure:
                sync(ctx, conn)
        finally:
            resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        problem = core_db.storage_error(failure.value, path, home / "data" / "backups")
        assert isinstance(problem, DiskWriteFailed), repr(failure.value)
    finally:
        ctx.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ctx, conn = open_demo("AU", home, state, backend, connect=False)
    try:
        converge(ctx, conn, max_runs=2)
        assert duplicates(ctx.sandbox.store) == []
        assert ImportRun.select().where(ImportRun.status == "running").count() == 0
    finally:
        ctx.close()


def test_a_disk_that_refuses_the_first_read_at_start(tmp_path, monkeypatch):
    """The read that checks the file at start refused by the disk: not "this is not a data
    file of this app: move it and start afresh" (which throws the history away)."""
    from core.errors import DatabaseNotRecognised

    def refused(*_args, **_kwargs):
        raise DatabaseNotRecognised(detail="disk I/O error", path=str(tmp_path))

    home, state, backend = tmp_path / "home", tmp_path / "state", MemoryBackend()
    ctx, _conn = open_demo("AU", home, state, backend)
    ctx.close()
    monkeypatch.setattr(core_db, "open_database", refused)
    from core.store.paths import AppPaths

    with pytest.raises(DiskWriteFailed) as said:
        core_db.open_app_database(AppPaths.default())
    assert "Do not restore a backup" in said.value.user_message("en")
