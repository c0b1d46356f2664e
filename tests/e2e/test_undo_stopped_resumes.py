"""An undo stopped halfway (the window closed while undoing, and "Stop the undo?" answered
Stop) is safe to run again: what was reverted stays reverted, the import stays undoable, and
undoing it again puts QuickBooks Time back as it was before the import, as one undo does."""

from __future__ import annotations

import threading

import pytest

from core.app.sync import load_options, save_options, sync, undo
from core.engine.importer import ImportCancelled
from core.store.models import ImportRun, Link

#: what QuickBooks Time stamps as it writes (two undos stamp later than one)
STAMPS = {"last_modified", "created"}


def _records(store) -> dict[tuple[str, str], dict]:
    """Every QuickBooks Time record, by kind and id, without its write stamps."""
    return {
        (kind, str(row["id"])): {k: v for k, v in row.items() if k not in STAMPS}
        for kind, rows in store.qbtime.items()
        if isinstance(rows, list)
        for row in rows
        if isinstance(row, dict) and "id" in row
    }


def _stopping_after_first_batch() -> tuple[threading.Event, object]:
    cancel = threading.Event()

    def progress(event) -> None:
        if event.phase != "finished" and event.done:
            cancel.set()  # the worker checks it before its next batch

    return cancel, progress


def _import(demo_ctx):
    """The AU Demo Company, imported (archiving too: its undo restores records, so every kind
    of revert is in the undo); the state before the import and the import run."""
    ctx, conn = demo_ctx("AU")
    save_options(conn, load_options(conn).with_values(archive_unmatched=True))
    before = _records(ctx.sandbox.store)
    return ctx, conn, before, sync(ctx, conn).run


def test_an_undo_stopped_halfway_finishes_when_run_again(demo_ctx, tmp_path, monkeypatch):
    # One undo in one go: QuickBooks Time as the stopped undo must leave it, once finished.
    ctx, conn, _before, imported = _import(demo_ctx)
    undo(ctx, conn, imported.id)
    in_one_go = _records(ctx.sandbox.store)
    links_in_one_go = Link.select().where(Link.connection == conn).count()
    ctx.close()  # the same Demo Company afresh, in another home
    (tmp_path / "state-AU").rename(tmp_path / "undone-in-one-go")
    monkeypatch.setenv("XQB_HOME", str(tmp_path / "second-home"))

    ctx, conn, before, imported = _import(demo_ctx)
    store = ctx.sandbox.store
    after_import = _records(store)
    assert after_import != before
    cancel, progress = _stopping_after_first_batch()
    with pytest.raises(ImportCancelled):
        undo(ctx, conn, imported.id, progress=progress, cancel=cancel)
    halfway = _records(store)
    assert halfway != after_import, "the first batch was reverted before the stop"
    assert halfway != in_one_go, "the undo stopped before its end"
    stopped = ImportRun.select().where(ImportRun.kind == "undo").get()
    assert stopped.status == "cancelled"
    assert ImportRun.get_by_id(imported.id).status == "done", "the import can be undone again"

    again = undo(ctx, conn, imported.id)
    assert again.status == "done"
    assert not (again.counts or {}).get("failed"), again.counts
    assert ImportRun.get_by_id(imported.id).status == "undone"
    assert _records(store) == in_one_go
    assert Link.select().where(Link.connection == conn).count() == links_in_one_go
