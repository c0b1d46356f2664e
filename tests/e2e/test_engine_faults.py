"""The engine under injected faults, against the Demo Company.

Every fault kind of the simulators, on QuickBooks Time and on Xero: after syncing until
nothing is left to do (at most 3 syncs), QuickBooks Time holds exactly what a clean import
of another fresh Demo Company holds, with no duplicate. Also: cancellation between batches,
a dry run that writes nothing, and a lost answer whose re-send is lost too.

Waits (back-offs, 429s) are virtual (``support.install_virtual_time``), so a 429 costs no
real time; a stalled answer (``read_timeout``) costs ``stall_s`` against a client read
timeout shorter than it (``AppContext.timeout``).
"""

from __future__ import annotations

import threading

import pytest

from core.app.sync import load_options, save_options, sync
from core.engine.importer import ImportCancelled
from core.errors import BridgeError
from core.sandbox.common import FaultPlan
from core.store.models import ImportRun, JournalEntry, Link
from tests.reliability.support import (
    MemoryBackend,
    canonical_state,
    clean_state,
    converge,
    diff,
    duplicates,
    open_demo,
    raw_state,
)

QBT_KINDS = ("429", "500", "503", "reset", "read_timeout", "truncated", "lost_response")
XERO_KINDS = ("429", "500", "503", "reset")
#: every QuickBooks Time endpoint a Demo Company import writes to
WRITE_ENDPOINTS = (
    ("POST", "customfields"),
    ("POST", "customfielditems"),
    ("POST", "jobcodes"),
    ("POST", "locations"),
    ("POST", "users"),
    ("PUT", "jobcodes"),
    ("PUT", "users"),
)
STALL_S = 0.6
SHORT_TIMEOUT = (2.0, 0.3)  # (connect, read): shorter than STALL_S


def _open(tmp_path, org="AU"):
    """A connected context; its fault plans (``ctx.sandbox.qbtime_faults`` /
    ``xero_faults``) are empty until the test fills them, so connecting is fault-free."""
    faults = {
        "qbtime_faults": FaultPlan(seed=1, stall_s=STALL_S),
        "xero_faults": FaultPlan(seed=2, stall_s=STALL_S),
    }
    return open_demo(
        org,
        tmp_path / "home",
        tmp_path / "state",
        MemoryBackend(),
        sandbox_kwargs=faults,
        timeout=SHORT_TIMEOUT,
    )


def _assert_like_clean(ctx, clean):
    store = ctx.sandbox.store
    assert duplicates(store) == []
    state = canonical_state(store)
    assert state == clean, diff(clean, state)


def _no_open_intent():
    left = [
        (e.run_id, e.action, e.entity_kind, e.state)
        for e in JournalEntry.select().where(JournalEntry.state == "intent")
    ]
    assert left == [], "journal entries left at 'intent' after their run ended"


def _faults_seen(ctx, service):
    return ctx.counter.snapshot()["services"].get(service, {}).get("by_method_status", {})


# ============================================================================ QuickBooks Time
@pytest.mark.parametrize("kind", QBT_KINDS)
def test_qbtime_faults_are_handled_within_the_run(tmp_path, kind):
    """One fault of ``kind`` on the first request to every write endpoint, plus the same
    fault on 10 % of all QuickBooks Time requests (reads too): the run itself copes (429
    waited out, reads retried, lost answers read back before any re-send). One sync does
    it all; the second has nothing to do; QuickBooks Time is as after a clean import."""
    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    faults = ctx.sandbox.qbtime_faults
    setattr(faults, f"p_{kind}", 0.10)
    for method, endpoint in WRITE_ENDPOINTS:
        faults.force(kind, 1, path_contains=f"/api/v1/{endpoint}", method=method)
    first = sync(ctx, conn)
    assert first.run is not None and first.run.status == "done"
    assert first.run.counts["failed"] == 0, first.run.counts
    second = sync(ctx, conn)
    assert second.plan.is_empty, [a.ref for a in second.plan.actions]
    _assert_like_clean(ctx, clean)
    _no_open_intent()
    seen = _faults_seen(ctx, "QuickBooks Time")
    code = "network" if kind in ("reset", "read_timeout", "truncated", "lost_response") else kind
    writes_hit = sum(
        n for key, n in seen.items() if key.endswith(" " + code) and not key.startswith("GET")
    )
    assert writes_hit >= 5, f"the injected faults did not happen: {seen}"


@pytest.mark.parametrize("kind", ("reset", "500"))
def test_a_lost_resend_is_read_back_and_sent_again_within_the_run(tmp_path, kind):
    """The answers to a write and to its re-send are both lost: the run reads back and
    re-sends again; one sync does it all, with no duplicate."""
    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    for endpoint in ("jobcodes", "users", "locations", "customfielditems"):
        ctx.sandbox.qbtime_faults.force(kind, 2, path_contains=f"/api/v1/{endpoint}", method="POST")
    first = sync(ctx, conn)
    assert first.run.status == "done" and first.run.counts["failed"] == 0, first.run.counts
    assert sync(ctx, conn).plan.is_empty
    _assert_like_clean(ctx, clean)
    _no_open_intent()


@pytest.mark.parametrize("kind", ("reset",))
def test_a_write_that_stays_unknown_fails_its_rows_only(tmp_path, kind):
    """Every answer for the customers' creation is lost (first send and all re-sends):
    those rows fail with a reason, the rest of the run goes on, nothing is left at
    "intent", and the next sync finishes the job without a duplicate."""
    from core.engine.importer import RESENDS

    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    ctx.sandbox.qbtime_faults.force(
        kind, RESENDS + 1, path_contains="/api/v1/jobcodes", method="POST"
    )
    first = sync(ctx, conn)
    assert first.run.status == "done"
    customers = first.plan.counts()["created"]["customers"]
    assert first.run.counts["failed"] >= customers  # the customers (and their locations)
    assert first.outcomes["created"].get("employees"), "the run went on after the failure"
    failed = JournalEntry.select().where(
        (JournalEntry.run == first.run) & (JournalEntry.state == "failed")
    )
    assert all(e.error for e in failed)
    _no_open_intent()
    converge(ctx, conn, max_runs=2)
    _assert_like_clean(ctx, clean)


def test_a_run_that_dies_on_an_error_leaves_no_intent_behind(tmp_path):
    """A lost answer, then reading back fails for good (every retry dropped): the run ends
    failed, its unanswered entries say "unknown" (never "intent"), the next sync
    converges with no duplicate."""
    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    faults = ctx.sandbox.qbtime_faults

    def arm(event):  # once the fetch is over: the customers' creation comes next
        if event.phase == "custom_field_items" and not faults._forced:
            faults.force("lost_response", 1, path_contains="/api/v1/jobcodes", method="POST")
            faults.force("reset", 5, path_contains="/api/v1/jobcodes", method="GET")

    with pytest.raises(BridgeError):
        sync(ctx, conn, progress=arm)
    run = ImportRun.select().order_by(ImportRun.id.desc()).first()
    assert run.status == "failed"
    states = {e.state for e in JournalEntry.select().where(JournalEntry.run == run)}
    assert "unknown" in states
    _no_open_intent()
    converge(ctx, conn, max_runs=2)
    _assert_like_clean(ctx, clean)


# ============================================================================ Xero
@pytest.mark.parametrize("kind", XERO_KINDS)
def test_xero_faults_converge_to_the_clean_state(tmp_path, kind):
    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    faults = ctx.sandbox.xero_faults
    setattr(faults, f"p_{kind}", 0.15)
    for path in ("/Contacts", "/Items", "/TrackingCategories", "/Employees", "/PayItems"):
        faults.force(kind, 1, path_contains=path)
    results = converge(ctx, conn, max_runs=3, tolerate=(BridgeError,))
    _assert_like_clean(ctx, clean)
    seen = _faults_seen(ctx, "Xero")
    code = "network" if kind == "reset" else kind
    assert sum(n for key, n in seen.items() if key.endswith(" " + code)) >= 5, seen
    # The Xero side only reads: retries absorb its faults, the first sync succeeds.
    assert not isinstance(results[0], BaseException), results[0]


# ============================================================================ cancellation
def test_cancel_after_the_first_batch_then_sync_finishes(tmp_path):
    clean = clean_state("AU", tmp_path)
    ctx, conn = _open(tmp_path)
    cancel = threading.Event()
    batches = []

    def progress(event):
        if not event.phase.startswith("fetch_") and event.phase != "finished":
            batches.append(event)
            cancel.set()  # stop after the first batch

    with pytest.raises(ImportCancelled):
        sync(ctx, conn, progress=progress, cancel=cancel)
    assert len(batches) == 1
    run = ImportRun.select().order_by(ImportRun.id.desc()).first()
    assert run.status == "cancelled"
    entries = list(JournalEntry.select().where(JournalEntry.run == run))
    assert entries, "the first batch was journaled"
    assert {e.state for e in entries} <= {"done", "failed"}
    # Every entry done is really in QuickBooks Time (a create has its id and its link).
    for entry in entries:
        if entry.state == "done" and entry.action == "create":
            assert entry.qbt_id is not None
            assert Link.get_or_none(Link.qbt_id == entry.qbt_id) is not None
    assert len(entries) == batches[0].done
    converge(ctx, conn, max_runs=2)
    _assert_like_clean(ctx, clean)
    _no_open_intent()


def test_cancel_before_anything_writes_nothing(tmp_path):
    ctx, conn = _open(tmp_path)
    before = raw_state(ctx.sandbox.store)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ImportCancelled):
        sync(ctx, conn, cancel=cancel)
    assert raw_state(ctx.sandbox.store) == before
    run = ImportRun.select().order_by(ImportRun.id.desc()).first()
    assert (
        run.status == "cancelled"
        and JournalEntry.select().where(JournalEntry.run == run).count() == 0
    )


# ============================================================================ dry run
@pytest.mark.parametrize("org", ("AU", "CA"))
def test_dry_run_writes_nothing(tmp_path, org):
    ctx, conn = _open(tmp_path, org)
    save_options(conn, load_options(conn).with_values(archive_unmatched=True, require_item=True))
    store = ctx.sandbox.store
    before = raw_state(store)
    writes_before = {
        k: n for k, n in _faults_seen(ctx, "QuickBooks Time").items() if not k.startswith("GET")
    }
    result = sync(ctx, conn, dry_run=True)
    assert result.plan.actions, "the dry run has something it would do"
    assert result.run is None and result.as_json()["dry_run"] is True
    assert raw_state(store) == before
    writes_after = {
        k: n for k, n in _faults_seen(ctx, "QuickBooks Time").items() if not k.startswith("GET")
    }
    assert writes_after == writes_before, "a dry run sent a write to QuickBooks Time"
    assert ImportRun.select().count() == 0
    assert JournalEntry.select().count() == 0 and Link.select().count() == 0
    # The same plan is then imported for real.
    real = sync(ctx, conn)
    assert [a.ref for a in real.plan.actions] == [a.ref for a in result.plan.actions]
