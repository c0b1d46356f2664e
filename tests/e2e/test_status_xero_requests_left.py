"""`status` gives the Xero requests left today as Xero said them at the app's last call
(a command or the window), never a figure a process made up; the import preview's estimate
agrees with it."""

import json
import time

import pytest

import main
from core.app.cli import calls_left_today
from core.app.day_limit import remember_said_remaining, said_remaining
from core.app.estimate import estimate_for
from core.engine.plan import ImportPlan
from core.store.secrets import TokenStore

AU = "Maison Verdure Australia"
DAY = 24 * 3600


@pytest.fixture
def run(tmp_path, memory_keyring, capsys):
    store = TokenStore(memory_keyring, trust_backend=True)
    state = tmp_path / "demo-state"

    def invoke(*argv):
        code = main.main([*argv, "--demo-state", str(state), "--json"], tokens=store)
        out = capsys.readouterr().out.strip().splitlines()
        return code, (json.loads(out[-1]) if out else None)

    return invoke


def _left(run):
    code, out = run("status")
    assert code == 0, out
    return out["connections"][0]["xero_calls_left_today"]


def test_a_command_that_made_no_xero_call_keeps_the_count_xero_said(run):
    """`invoices` with nothing billed calls no Xero API: status then said 5000 (the count of
    a process that had made no call), not what Xero said at the sync before."""
    run("connect-qbtime")
    assert run("connect-xero", "--org", AU)[0] == 0
    assert run("sync")[0] == 0
    after_sync = _left(run)
    assert isinstance(after_sync, int) and after_sync < 5000
    assert run("invoices")[0] == 0
    assert _left(run) == after_sync


def _key(conn):
    return f"xero_day_remaining:{conn.xero_tenant_id}"


def test_what_xero_said_is_kept_and_a_later_count_of_another_process_stays(demo_ctx):
    from core.store.models import Setting

    ctx, conn = demo_ctx()
    limiter = ctx.limiters.get(f"xero:{conn.xero_tenant_id}")
    ctx.xero_client(conn.xero_tenant_id).organisation()
    heard = limiter.day_remaining_said()
    assert heard is not None
    remember_said_remaining(ctx)
    assert calls_left_today(conn) == heard[0]
    kept = said_remaining(conn.xero_tenant_id)
    assert kept is not None and abs(kept[1] - time.time()) < 60  # (when, on the computer's time)

    ctx.xero_client(conn.xero_tenant_id).organisation()  # heard, not kept yet...
    time.sleep(0.01)
    Setting.set_value(_key(conn), {"left": 7, "at": time.time()})  # ...when another said 7
    remember_said_remaining(ctx)
    assert calls_left_today(conn) == 7


def test_the_preview_estimate_gives_no_count_older_than_xeros_day(demo_ctx):
    """The window's limiter kept Xero's last count with no time: two days later the
    preview still used it, while `status` (rightly) said "unknown"."""
    ctx, conn = demo_ctx()
    limiter = ctx.limiters.get(f"xero:{conn.xero_tenant_id}")
    limiter.update_from_headers({"X-DayLimit-Remaining": "3"})  # nearly used up, then
    assert estimate_for(ctx, conn, None, ImportPlan()).xero_remaining_today == 3
    ctx.vtime.sleep(2 * DAY)  # the window left open two days
    estimate = estimate_for(ctx, conn, None, ImportPlan())
    assert estimate.xero_remaining_today == 5000  # unknown: the whole day's limit
    assert not estimate.xero_daily_limit_hit


def test_the_preview_estimate_and_status_agree_on_a_count_said_to_a_command(demo_ctx):
    """A count a command kept (a scheduled sync) before the window heard one: the preview
    gives it, as `status` does (it assumed the whole day's 5,000)."""
    from core.store.models import Setting

    ctx, conn = demo_ctx()
    assert ctx.limiters.get(f"xero:{conn.xero_tenant_id}").day_remaining_said() is not None
    ctx.vtime.sleep(2 * DAY)  # (what this window heard is too old now)
    Setting.set_value(_key(conn), {"left": 41, "at": time.time() - 60})
    assert calls_left_today(conn) == 41
    assert estimate_for(ctx, conn, None, ImportPlan()).xero_remaining_today == 41


def test_the_calls_the_windows_engine_makes_are_kept_too(demo_ctx):
    """The window's fetch runs in its engine's child process, with limiters of its own."""
    from core.app import worker_process
    from core.app.worker_process import EngineProcess

    ctx, conn = demo_ctx()
    ctx.engine = EngineProcess.for_context(ctx)
    try:
        assert calls_left_today(conn) is None
        assert worker_process.refresh(ctx, conn.id).error is None
    finally:
        ctx.engine.stop()
    left = calls_left_today(conn)
    assert isinstance(left, int) and left < 5000
