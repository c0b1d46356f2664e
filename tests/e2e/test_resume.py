"""How the wizard goes on after a stop or a failed refresh (core/app/resume.py), without Qt."""

from __future__ import annotations

import threading
from collections import Counter

from core.app.resume import (
    ImportOutcome,
    Interrupted,
    Planned,
    refresh_snapshots,
    resume_plan,
    run_import,
)
from core.app.sync import current_plan, load_options
from core.engine.importer import ImportCancelled, ProgressEvent
from core.engine.snapshots import has_snapshot
from core.errors import BridgeError
from core.services.fetch import fetch
from core.store.models import ImportRun


def _names(box) -> Counter:
    return Counter((j["parent_id"], j["name"]) for j in box.store.qbtime["jobcodes"])


def test_a_stopped_import_is_an_outcome_and_resuming_plans_only_what_is_left(demo_ctx):
    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    options = load_options(conn)
    _snap, plan = current_plan(conn, options)
    cancel = threading.Event()
    seen: list[object] = []

    def stop_after_first_batch(event: object) -> None:
        seen.append(event)
        if isinstance(event, ProgressEvent) and event.done > 0:
            cancel.set()

    stopped = run_import(
        ctx, conn.id, plan, options, progress=stop_after_first_batch, cancel=cancel
    )
    assert isinstance(stopped, ImportOutcome) and isinstance(stopped.error, ImportCancelled)
    assert stopped.run is not None and stopped.run.status == "cancelled"
    assert stopped.importer is None and stopped.plan is plan
    assert [e for e in seen if isinstance(e, Planned)] == [Planned(plan)]

    left = resume_plan(ctx, conn, options)  # QuickBooks Time read back first
    assert 0 < len(left.actions) < len(plan.actions)

    before = _names(ctx.sandbox)
    seen.clear()
    resumed = run_import(
        ctx, conn.id, None, options, replan=True, progress=seen.append, cancel=threading.Event()
    )
    assert resumed.error is None and resumed.run is not None and resumed.run.status == "done"
    assert resumed.importer is not None and resumed.plan is not None
    assert resumed.plan is not plan and len(resumed.plan.actions) == len(left.actions)
    assert Planned(resumed.plan) in seen
    assert not [e for e in seen if isinstance(e, Interrupted)]  # the stop closed its run
    created = _names(ctx.sandbox) - before
    assert all(n == 1 for n in created.values())
    assert all(before[key] == 0 for key in created)  # nothing made twice
    _snap, again = current_plan(conn, options)
    assert not [a for a in again.actions if a.op == "create"]


def test_an_interrupted_run_is_announced_and_an_unexpected_failure_returned(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    options = load_options(conn)
    _snap, plan = current_plan(conn, options)
    ImportRun.create(connection=conn, kind="import", status="running")  # a crash mid-import

    def broken(*_a, **_k):
        raise KeyError("boom")

    monkeypatch.setattr("core.app.resume.import_plan", broken)
    seen: list[object] = []
    outcome = run_import(
        ctx, conn.id, plan, options, progress=seen.append, cancel=threading.Event()
    )
    assert seen[0] == Interrupted(1)
    assert isinstance(outcome.error, KeyError) and outcome.run is None and outcome.plan is plan


def test_a_failed_refresh_goes_on_offline_only_with_an_earlier_snapshot(demo_ctx):
    ctx, conn = demo_ctx("AU")  # its back-offs pass at once (the fixture's virtual clock)
    box = ctx.sandbox
    box.xero_faults.force("503", times=50)
    first = refresh_snapshots(ctx, conn)
    assert isinstance(first.error, BridgeError) and first.report is None
    assert not first.usable and not has_snapshot(conn)  # nothing read yet: blocked

    box.xero_faults.clear()
    steps: list[tuple[str, int, int]] = []
    ok = refresh_snapshots(ctx, conn, steps.append)
    assert ok.error is None and ok.usable and ok.report is not None
    assert {side for side, _done, _total in steps} == {"xero", "qbtime"}

    box.qbtime_faults.force("503", times=50)
    offline = refresh_snapshots(ctx, conn)
    assert isinstance(offline.error, BridgeError) and offline.usable  # the earlier one
