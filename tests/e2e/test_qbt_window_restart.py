"""Issue 16: QuickBooks Time's 5-minute window "survived across a restart". A process that
made calls ends; the next one (the wizard opened again, a scheduled ``sync`` right after
another run) starts from the calls still in QuickBooks Time's window, kept in the database:
it waits *before* sending instead of meeting the 429s the service answers until the window
ends; the estimate counts them; a process killed mid-way leaves every call it sent counted.

The Demo Company's QuickBooks Time simulator and the app share one clock that only the app's
waits move, so a wait is seen exactly and a 429 is the simulator's own count."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

from core.app.cli import (
    Output,
    cmd_connect_qbtime,
    cmd_connect_xero,
    cmd_sync,
    pick_connection,
)
from core.app.context import AppContext
from core.app.estimate import describe, estimate_for, window_wait_after
from core.app.qbt_window import calls_in_window
from core.app.sync import current_plan, import_plan
from core.sandbox.common import ManualClock
from core.sandbox.server import DEMO_COMPANY_FILE, Sandbox
from core.services.auth.xero_oauth import demo_consent_opener
from core.services.fetch import fetch
from core.services.limits import QBTIME_PER_WINDOW, QBTIME_WINDOW_S
from core.store.db import close_database, open_database
from core.store.secrets import TokenStore
from tests.reliability.support import ORGS, MemoryBackend, app_paths

ACCOUNT = 1  # a pair's connection id


def _app(home, backend, box, clock) -> AppContext:
    """The app started (again) over the same database and Demo Company; its waits move the
    shared clock."""
    ctx = AppContext.create(
        demo=True,
        paths=app_paths(home),
        tokens=TokenStore(backend, trust_backend=True),
        sandbox=box,
    )
    ctx.clock = clock.now
    ctx.sleep = lambda s: clock.advance(max(0.0, s))
    ctx.open_db()
    return ctx


def _end(ctx: AppContext) -> None:
    ctx.sandbox = None  # the Demo Company goes on, as the real service would
    ctx.close()


def _rate_limited(ctx: AppContext) -> int:
    services = ctx.counter.snapshot()["services"]
    return int(services.get("QuickBooks Time", {}).get("rate_limited", 0))


def _connected(home, backend, box, clock):
    """The app connected to the Demo Company's Australian organisation."""
    ctx = _app(home, backend, box, clock)
    tenant = next(o["tenantId"] for o in box.store.xero_orgs if o["tenantName"] == ORGS["AU"])
    ctx.opener = demo_consent_opener([tenant])
    with open(os.devnull, "w") as devnull:
        out = Output(as_json=True, stream=devnull)
        cmd_connect_qbtime(ctx, out, box.qbtime_token)
        cmd_connect_xero(ctx, out, None, None)
    return ctx, pick_connection(None)


def _calls(ctx, box, clock, n, account):
    """``n`` calls through a new client; the clock's reading after each."""
    client = ctx.qbtime_client(box.qbtime_token, account)
    seen = []
    with client.session:
        for _ in range(n):
            client.current_user()
            seen.append(clock.now())
    return seen


def test_a_new_process_waits_for_the_window_before_the_11th_call_instead_of_a_429(tmp_path):
    clock = ManualClock()
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state", clock=clock)
    backend, home = MemoryBackend(), tmp_path / "home"
    try:
        first = _app(home, backend, box, clock)
        start = clock.now()
        _calls(first, box, clock, 290, ACCOUNT)  # process 1: 290 calls, then it ends
        assert _rate_limited(first) == 0 and clock.now() == start
        _end(first)

        second = _app(home, backend, box, clock)  # process 2, same database, same clock
        times = _calls(second, box, clock, 20, ACCOUNT)
        assert _rate_limited(second) == 0, "it waited instead of meeting QuickBooks Time's 429"
        assert times[:10] == [start] * 10  # the 300 fit
        # it waited before the 11th, until process 1's first call left the window
        assert start + QBTIME_WINDOW_S <= times[10] <= start + QBTIME_WINDOW_S + 1
        assert times[10:] == [times[10]] * 10
        _end(second)

        # Without the record (an account the database knows nothing of: as before this was
        # kept), the same 20 calls right after 290 meet the simulator's 429.
        clock.advance(QBTIME_WINDOW_S + 1)
        third = _app(home, backend, box, clock)
        _calls(third, box, clock, 290, ACCOUNT + 1)
        _end(third)
        fourth = _app(home, backend, box, clock)
        _calls(fourth, box, clock, 20, ACCOUNT + 2)
        assert _rate_limited(fourth) >= 1
        _end(fourth)
    finally:
        box.stop()


def test_the_estimate_counts_the_calls_of_the_run_before_a_restart(tmp_path):
    """The preview after a restart says how long QuickBooks Time's limit makes the import
    wait, counting the calls still in its window; the import then waits that long, without a
    429."""
    clock = ManualClock()
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state", clock=clock)
    backend, home = MemoryBackend(), tmp_path / "home"
    ctx, conn = _connected(home, backend, box, clock)
    fetch(ctx, conn)  # the read before the preview
    snap, plan = current_plan(conn)
    # Another run's calls leave room in the window for half of this import's.
    alone = estimate_for(ctx, conn, snap, plan)
    assert alone.qbtime_used_in_window == box.qbtime._windows[box.qbtime_token][1]
    assert alone.qbtime_wait_s == 0 and alone.qbtime_calls >= 4
    extra = QBTIME_PER_WINDOW - alone.qbtime_used_in_window - alone.qbtime_calls // 2
    _calls(ctx, box, clock, extra, conn.id)
    used = box.qbtime._windows[box.qbtime_token][1]  # every call QuickBooks Time counted
    _end(ctx)

    again = _app(home, backend, box, clock)
    try:
        conn = pick_connection(None)
        estimate = estimate_for(again, conn, snap, plan)
        assert estimate.qbtime_used_in_window == used
        sent = calls_in_window(conn.id, clock.now())
        assert estimate.qbtime_wait_s == window_wait_after(
            estimate.qbtime_calls, QBTIME_PER_WINDOW, QBTIME_WINDOW_S, sent, clock.now()
        )
        assert estimate.qbtime_wait_s >= QBTIME_WINDOW_S - 5
        assert estimate.import_s > estimate.qbtime_wait_s
        text = describe(estimate, "en")
        assert f"This app made {used} calls to QuickBooks Time in the last 5 minutes" in text
        assert f"Cette application a fait {used} appels" in describe(estimate, "fr")

        before = clock.now()
        run, importer = import_plan(again, conn, plan)
        assert run.status == "done" and not importer.problems
        assert _rate_limited(again) == 0
        waited = clock.now() - before
        assert abs(waited - estimate.qbtime_wait_s) <= 1, (waited, estimate.qbtime_wait_s)
    finally:
        _end(again)
        box.stop()


def test_sync_dry_run_after_a_restart_counts_the_calls_still_in_the_window(tmp_path):
    """``sync --dry-run`` in a new process (a scheduled run right after another): what it
    says of QuickBooks Time's wait counts the calls the run before made."""
    clock = ManualClock()
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state", clock=clock)
    backend, home = MemoryBackend(), tmp_path / "home"
    ctx, conn = _connected(home, backend, box, clock)
    # the run before: with the key's check and the dry run's read (~10 calls), the import's
    # ~8 calls no longer fit in the window
    _calls(ctx, box, clock, 286, conn.id)
    _end(ctx)

    again = _app(home, backend, box, clock)
    try:
        stream = io.StringIO()
        assert cmd_sync(again, Output(as_json=True, stream=stream), None, dry_run=True) == 0
        said = json.loads(stream.getvalue())["estimate"]
        # every call QuickBooks Time counted, the dry run's own read included
        assert said["qbtime_used_in_window"] == box.qbtime._windows[box.qbtime_token][1] > 286
        assert said["qbtime_used_in_window"] + said["qbtime_calls"] > QBTIME_PER_WINDOW, said
        assert said["qbtime_wait_s"] > 0, said
        text = io.StringIO()
        cmd_sync(again, Output(as_json=False, stream=text), None, dry_run=True)
        assert "calls to QuickBooks Time in the last 5 minutes, which count too" in (
            text.getvalue()
        )
        assert _rate_limited(again) == 0
    finally:
        _end(again)
        box.stop()


CHILD = textwrap.dedent(
    """
    import sys
    from core.app.context import AppContext
    from core.sandbox.xero_config import demo_xero_settings
    from core.store.paths import AppPaths
    from core.store.secrets import TokenStore
    from tests.reliability.support import MemoryBackend

    home, base, token = sys.argv[1:4]
    from pathlib import Path
    h = Path(home)
    paths = AppPaths(h / "data", h / "config", h / "logs", h / "state").ensure()
    ctx = AppContext(paths, TokenStore(MemoryBackend(), trust_backend=True),
                     demo_xero_settings("http://127.0.0.1:9"), qbtime_base=base)
    ctx.open_db()
    client = ctx.qbtime_client(token, 1)
    while True:
        client.current_user()
    """
)


def test_a_process_killed_mid_way_leaves_every_call_it_sent_counted(tmp_path):
    """A crash (SIGKILL) in the middle: every call QuickBooks Time counted is in the record
    (written before each is sent: at most the one being sent more), and the next process
    starts from it."""
    box = Sandbox.open(DEMO_COMPANY_FILE, tmp_path / "state")  # real time, as a user's
    home = tmp_path / "home"
    try:
        env = dict(os.environ, PYTHONPATH=os.getcwd())
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(home), box.qbtime_base, box.qbtime_token],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stderr: list[bytes] = []
        reader = threading.Thread(target=lambda: stderr.append(child.stderr.read()))
        reader.start()
        deadline = time.monotonic() + 60
        while box.qbtime._windows.get(box.qbtime_token, (0, 0))[1] < 120:
            assert child.poll() is None, b"".join(stderr).decode()
            assert time.monotonic() < deadline
            time.sleep(0.005)
        child.send_signal(signal.SIGKILL)
        child.wait()
        reader.join()
        counted = box.qbtime._windows[box.qbtime_token][1]

        open_database(home / "data" / "bridge.sqlite3")
        try:
            recorded = calls_in_window(ACCOUNT, time.time())
        finally:
            close_database()
        assert counted <= len(recorded) <= counted + 1, (counted, len(recorded))
        assert all(t <= time.time() for t in recorded)
    finally:
        box.stop()
