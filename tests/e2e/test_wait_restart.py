"""Issue 16: "the wait on QuickBooks Time's limit ... survived across a restart". QuickBooks
Time answers 429 until its 5-minute window ends, whoever asks: an import stopped by the limit
(here the simulator's window is 4 calls and its clock stands still, so the 429s outlast the
client's 5-minute budget) is an outcome, and the app started again after the window went on
from where it stopped: nothing created twice, QuickBooks Time as after a clean import."""

from __future__ import annotations

import threading

from core.app.cli import pick_connection
from core.app.context import AppContext
from core.app.resume import run_import
from core.app.sync import current_plan
from core.errors import RateLimited
from core.sandbox.common import ManualClock
from core.sandbox.qbtime import QBTimeConfig
from core.services.fetch import fetch
from core.store.models import ImportRun
from core.store.secrets import TokenStore
from tests.reliability.support import (
    MemoryBackend,
    app_paths,
    canonical_state,
    clean_state,
    diff,
    duplicates,
    install_virtual_time,
    open_demo,
)

LIMIT = 4


def _import(ctx, conn, plan=None):
    return run_import(
        ctx,
        conn.id,
        plan,
        None,
        replan=plan is None,
        progress=lambda _e: None,
        cancel=threading.Event(),
    )


def test_an_import_stopped_by_the_limit_goes_on_after_a_restart(tmp_path):
    clean = clean_state("AU", tmp_path)
    clock = ManualClock()
    backend = MemoryBackend()
    home, state = tmp_path / "home", tmp_path / "state"
    ctx, conn = open_demo("AU", home, state, backend, sandbox_kwargs={"clock": clock})
    box = ctx.sandbox
    fetch(ctx, conn)  # Xero and QuickBooks Time read, as the wizard does before the preview
    _snap, plan = current_plan(conn)
    # From here QuickBooks Time takes LIMIT calls per window: the import's check and a few
    # of its writes, then 429s for the rest of the window.
    box.qbtime.config = QBTimeConfig(rate_limit=LIMIT)
    box.qbtime._windows.clear()
    first = _import(ctx, conn, plan)
    assert isinstance(first.error, RateLimited), first.error
    assert first.run is not None and first.run.status != "done"
    partial = canonical_state(box.store)
    assert partial != clean and duplicates(box.store) == []
    assert any(partial[k] for k in partial if partial[k] != clean.get(k)), "some were written"

    # The app ends (the Demo Company goes on, as the real service would) and starts again
    # once QuickBooks Time's window is over.
    ctx.sandbox = None
    ctx.close()
    clock.advance(QBTimeConfig().rate_window_s + 1)
    box.qbtime.config = QBTimeConfig(rate_limit=300)  # (a whole window: the rest fits)
    again = AppContext.create(
        demo=True,
        paths=app_paths(home),
        tokens=TokenStore(backend, trust_backend=True),
        sandbox=box,
    )
    try:
        install_virtual_time(again)
        again.open_db()
        conn2 = pick_connection(None)
        assert conn2 is not None and conn2.id == conn.id
        second = _import(again, conn2)
        assert second.error is None and second.run is not None and second.run.status == "done"
        assert duplicates(box.store) == []
        state_now = canonical_state(box.store)
        assert state_now == clean, diff(clean, state_now)
        assert ImportRun.select().where(ImportRun.status == "running").count() == 0
    finally:
        again.close()
