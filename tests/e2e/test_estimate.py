"""The run estimate against what the simulators counted: a whole read of Xero makes exactly
the calls the estimate says, and the import exactly the QuickBooks Time calls (writes and
reads) the preview announced. A change to the fetch, the batching or the snapshot upkeep that
the estimate does not follow fails here."""

from __future__ import annotations

from core.app.estimate import estimate_for, estimate_run, xero_read_calls
from core.app.sync import current_plan, import_plan
from core.sandbox.common import atomic_write_json
from core.sandbox.demo_data import generate_large
from core.services.fetch import fetch
from core.services.http import RequestCounter
from tests.reliability.support import MemoryBackend, open_demo


def _by_method(ctx, service):
    return dict(ctx.counter.snapshot()["services"].get(service, {}).get("by_method", {}))


def test_the_estimate_is_what_the_simulators_count(tmp_path):
    data = tmp_path / "company.json"
    # Enough for several batches of 50 per kind (customers, locations, items, users).
    atomic_write_json(data, generate_large(contacts=1_500, employees=130, items=160, seed=5))
    ctx, conn = open_demo(
        "*", tmp_path / "home", tmp_path / "state", MemoryBackend(), data_file=data
    )
    try:
        ctx.counter = RequestCounter()
        fetch(ctx, conn, full=True)
        snap, plan = current_plan(conn)
        xero_made = sum(_by_method(ctx, "Xero").values())
        assert xero_made == xero_read_calls(snap)

        estimate = estimate_for(ctx, conn, snap, plan)
        assert estimate.qbtime_writes["jobcode"] > 2 and estimate.qbtime_writes["location"] > 2
        ctx.counter = RequestCounter()
        run, importer = import_plan(ctx, conn, plan)
        assert run.status == "done" and not importer.problems
        made = _by_method(ctx, "QuickBooks Time")
        writes = sum(n for method, n in made.items() if method != "GET")
        assert writes == sum(estimate.qbtime_writes.values())
        # the upkeep's check after the last write is skipped when nothing can be kept
        assert estimate.qbtime_calls - 1 <= sum(made.values()) <= estimate.qbtime_calls
        assert not _by_method(ctx, "Xero"), "the import itself sends nothing to Xero"

        # Planned again after the import: nothing left, nothing to send.
        snap2, plan2 = current_plan(conn)
        assert estimate_run(snap2, plan2).qbtime_calls == 0
    finally:
        ctx.close()


def test_sync_dry_run_says_what_the_sync_then_makes(tmp_path, monkeypatch):
    import io
    import json

    import core.app.sync as sync_mod
    from core.app.cli import Output, cmd_sync

    data = tmp_path / "company.json"
    atomic_write_json(data, generate_large(contacts=1_200, employees=60, items=120, seed=6))
    ctx, conn = open_demo(
        "*", tmp_path / "home", tmp_path / "state", MemoryBackend(), data_file=data
    )
    try:
        stream = io.StringIO()
        assert cmd_sync(ctx, Output(as_json=True, stream=stream), None, dry_run=True) == 0
        said = json.loads(stream.getvalue())["estimate"]
        text = io.StringIO()
        cmd_sync(ctx, Output(as_json=False, stream=text), None, dry_run=True)
        assert f"The import makes {said['qbtime_calls']} calls to QuickBooks Time" in (
            text.getvalue()
        )

        fetched = {}
        fetch_then = sync_mod.fetch

        def counted(*args, **kwargs):
            report = fetch_then(*args, **kwargs)
            fetched.update(_by_method(ctx, "QuickBooks Time"))
            return report

        monkeypatch.setattr(sync_mod, "fetch", counted)
        ctx.counter = RequestCounter()
        result = sync_mod.sync(ctx, conn)
        assert result.run is not None and result.run.status == "done"
        made = _by_method(ctx, "QuickBooks Time")
        imported = sum(made.values()) - sum(fetched.values())
        writes = sum(n for m, n in made.items() if m != "GET")
        assert writes == sum(said["qbtime_writes"].values()) > 10
        assert said["qbtime_calls"] - 1 <= imported <= said["qbtime_calls"]
    finally:
        ctx.close()
