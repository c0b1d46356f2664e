"""Issue 16: "the wait on QuickBooks Time's limit ... survived across a restart". QuickBooks
Time answers 429 until its 5-minute window ends, whoever asks: an import stopped by the limit
(here the simulator's window is 4 calls and its clock stands still, so the 429s outlast the
client's 5-minute budget) is an outcome, and the app started again after the window went on
from where it stopped: nothing created twice, QuickBooks Time as after a clean import."""

from __future__ import annotations

import os
import threading

import pytest

from core.app.cli import Output, cmd_connect_qbtime, cmd_connect_xero, pick_connection
from core.app.context import AppContext
from core.app.estimate import estimate_for
from core.app.resume import run_import
from core.app.sync import current_plan
from core.errors import DailyLimitReached, RateLimited
from core.sandbox.common import ManualClock
from core.sandbox.qbtime import QBTimeConfig
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.sandbox.xero_config import XeroConfig
from core.services.auth.xero_oauth import demo_consent_opener
from core.services.fetch import fetch
from core.services.http import RequestCounter
from core.store.models import ImportRun
from core.store.secrets import TokenStore
from tests.reliability.support import (
    ORGS,
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
DAY_LIMIT = 6  # Xero calls a day: the sign-in's and a few of the first read's


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
    box.qbtime._accepted.clear()
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


def _context(home, backend, box):
    """The app (re)started over the same database, keyring and Demo Company."""
    ctx = AppContext.create(
        demo=True,
        paths=app_paths(home),
        tokens=TokenStore(backend, trust_backend=True),
        opener=demo_consent_opener([o["tenantId"] for o in box.store.xero_orgs]),
        sandbox=box,
    )
    ctx.sleep = lambda _s: None
    ctx.open_db()
    return ctx


def test_xero_s_daily_stop_is_remembered_across_a_restart(tmp_path):
    """Xero says the day's calls are used up: the app started again before the day is over
    stops at once with the same "resume after", spends no call to learn it again, and the
    estimate says when the run goes on; after that moment it reads normally."""
    backend, home = MemoryBackend(), tmp_path / "home"
    clock = ManualClock()
    box = Sandbox.open(
        DEMO_COMPANY_FILE,
        tmp_path / "state",
        clock=clock,
        xero_config=XeroConfig(day_limit=DAY_LIMIT),
    )
    ctx = _context(home, backend, box)
    tenant = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == ORGS["AU"])
    ctx.opener = demo_consent_opener([tenant])
    with open(os.devnull, "w") as devnull:
        out = Output(as_json=True, stream=devnull)
        cmd_connect_qbtime(ctx, out, box.qbtime_token)
        cmd_connect_xero(ctx, out, None, None)
    conn = pick_connection(None)
    with pytest.raises(DailyLimitReached) as stopped:
        fetch(ctx, conn)
    assert stopped.value.resume_ts > clock.now()

    ctx.sandbox = None
    ctx.close()
    again = _context(home, backend, box)
    try:
        conn = pick_connection(None)
        again.counter = RequestCounter()
        with pytest.raises(DailyLimitReached) as second:
            fetch(again, conn)
        # (the reading threads each heard it, a few milliseconds apart: the last is kept)
        until = second.value.resume_ts
        assert abs(until - stopped.value.resume_ts) < 1
        assert again.counter.snapshot()["services"].get("Xero", {}).get("requests", 0) == 0
        snap, plan = current_plan(conn)
        estimate = estimate_for(again, conn, snap, plan)
        assert estimate.xero_daily_limit_hit and estimate.resume_at == until
    finally:
        again.sandbox = None
        again.close()

    # the next day: Xero answers again, and so does the app
    clock.advance(until - clock.now() + 1)
    later = _context(home, backend, box)
    later.clock = clock.now  # (the app's clock is the day's, as Xero's)
    try:
        conn = pick_connection(None)
        fetch(later, conn)
        snap, plan = current_plan(conn)
        assert snap.contacts
        # the old stop is over (what is left of the new day is what Xero said, see the limiter)
        after = estimate_for(later, conn, snap, plan)
        assert after.resume_at is None or after.resume_at > until
    finally:
        later.close()
