"""The QuickBooks Time snapshot after an import comes from the write answers (issue 16): no
list is read back after the writes, yet the stored snapshot equals a fresh whole read, and
the lists' cursors let the next fetch skip what the import itself wrote."""

from __future__ import annotations

import pytest

import core.services.http as http
from core.app.sync import sync
from core.services.fetch import fetch
from core.store.models import QBTRecord, SyncCursor


@pytest.fixture
def calls(monkeypatch):
    """Every QuickBooks Time request, in order: (method, endpoint)."""
    seen: list[tuple[str, str]] = []
    original = http.ServiceSession._send

    def spy(self, method, url, shown, params, *rest):
        if "/api/v1/" in url:
            seen.append((method, url.split("/api/v1/", 1)[1].split("?", 1)[0]))
            PARAMS.append(dict(params or {}))
        return original(self, method, url, shown, params, *rest)

    PARAMS.clear()
    monkeypatch.setattr(http.ServiceSession, "_send", spy)
    return seen


#: the query parameters of each request the ``calls`` fixture saw, in the same order
PARAMS: list[dict] = []


def _stored(conn):
    return {
        (r.kind, int(r.qbt_id)): r.raw
        for r in QBTRecord.select().where(QBTRecord.connection == conn)
    }


@pytest.mark.parametrize("org", ["AU", "UK"])
def test_first_import_reads_nothing_back_and_its_snapshot_equals_a_fresh_read(demo_ctx, calls, org):
    ctx, conn = demo_ctx(org)
    result = sync(ctx, conn)
    assert result.run is not None and result.run.status == "done"
    writes = [i for i, (method, _e) in enumerate(calls) if method != "GET"]
    assert writes, "the Demo Company's first import writes"
    # The run read every list a moment before its first write; after its last write, one
    # call learns that no one changed them since. No list is read back.
    assert calls[writes[-1] + 1 :] == [("GET", "last_modified_timestamps")]
    assert ("GET", "last_modified_timestamps") not in calls[: writes[0]]
    snapshot = _stored(conn)

    # A whole read of QuickBooks Time finds nothing to add, change or remove.
    report = fetch(ctx, conn, full=True)
    changes = {k: v.as_counts() for k, v in report.qbtime.items() if v.count}
    assert changes == {}
    assert _stored(conn) == snapshot


def test_the_next_fetch_skips_the_lists_the_import_wrote(demo_ctx, calls):
    """The cursors moved past the import's own writes: the next fetch reads no QuickBooks
    Time list at all (one last_modified_timestamps), and a change made after the import is
    read, from the import's last write on (not the import's last seconds of writes again)."""
    import time

    from core.services.qbtime import mapping as qmap

    ctx, conn = demo_ctx("AU")
    ctx.sleep = time.sleep  # the check after the import waits for the next second, as the app
    sync(ctx, conn)
    calls.clear()
    assert sync(ctx, conn).plan.is_empty
    assert calls == [("GET", "last_modified_timestamps")]

    store = ctx.sandbox.store
    job = next(
        j
        for j in store.qbtime["jobcodes"]
        if j["parent_id"] == 0 and j["active"] and j["type"] == "regular"
    )
    job["name"] += " (edited in QuickBooks Time)"
    job["last_modified"] = qmap.format_timestamp(ctx.clock() + 2)
    calls.clear()
    sync(ctx, conn, dry_run=True)
    assert calls == [("GET", "last_modified_timestamps"), ("GET", "jobcodes")]
    row = QBTRecord.get(
        (QBTRecord.connection == conn)
        & (QBTRecord.kind == "jobcode")
        & (QBTRecord.qbt_id == job["id"])
    )
    assert row.name == job["name"]
    # Read from the import's last write on, not a skew earlier (its writes again).
    since = qmap.parse_timestamp(PARAMS[-1]["modified_since"])
    last_write = max(
        qmap.parse_timestamp(j["last_modified"])
        for j in store.qbtime["jobcodes"]
        if j["id"] != job["id"]
    )
    assert since >= last_write


def test_a_change_made_by_someone_else_before_the_writes_is_still_read(demo_ctx, calls):
    """A list changed in QuickBooks Time after the snapshot was read keeps its cursor: the
    import's answers do not stand for it, so it is read again (incrementally) at the end."""
    from core.app.sync import current_plan, import_plan
    from core.services.qbtime import mapping as qmap

    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    _snap, plan = current_plan(conn)
    store = ctx.sandbox.store
    job = next(
        j
        for j in store.qbtime["jobcodes"]
        if j["parent_id"] == 0 and j["active"] and j["type"] == "regular"
    )
    job["name"] += " (edited meanwhile)"
    job["last_modified"] = qmap.format_timestamp(ctx.clock() + 2)
    calls.clear()
    import_plan(ctx, conn, plan)
    writes = [i for i, (method, _e) in enumerate(calls) if method != "GET"]
    assert ("GET", "jobcodes") in calls[writes[-1] + 1 :]
    row = QBTRecord.get(
        (QBTRecord.connection == conn)
        & (QBTRecord.kind == "jobcode")
        & (QBTRecord.qbt_id == job["id"])
    )
    assert row.name == job["name"]


def test_a_stopped_import_leaves_the_cursors_and_reads_back(demo_ctx, calls):
    """Stopped midway: nothing proves the lists current, so the cursors stay where the last
    read left them and the lists are read again, as before (a rerun then finds its writes)."""
    import threading

    from core.app.sync import current_plan, import_plan
    from core.engine.importer import ImportCancelled

    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    before = {
        (c.resource, c.value) for c in SyncCursor.select().where(SyncCursor.source == "qbtime")
    }
    _snap, plan = current_plan(conn)
    cancel = threading.Event()
    seen = []

    def progress(event):
        seen.append(event)
        if len(seen) == 2:
            cancel.set()

    with pytest.raises(ImportCancelled):
        import_plan(ctx, conn, plan, progress=progress, cancel=cancel)
    writes = [i for i, (method, _e) in enumerate(calls) if method != "GET"]
    assert writes
    read_back = [e for m, e in calls[writes[-1] + 1 :] if m == "GET"]
    assert "last_modified_timestamps" in read_back and len(read_back) > 1
    after = {
        (c.resource, c.value) for c in SyncCursor.select().where(SyncCursor.source == "qbtime")
    }
    # The rerun plans from a snapshot holding what the stopped run wrote: no duplicate.
    sync(ctx, conn)
    names = [
        (j["parent_id"], j["name"].casefold())
        for j in ctx.sandbox.store.qbtime["jobcodes"]
        if j["type"] == "regular"
    ]
    assert len(names) == len(set(names))
    assert before != after  # the read-back moved them from the stopped run's writes on


def test_a_run_with_nothing_changed_neither_loads_the_snapshot_nor_plans(demo_ctx, monkeypatch):
    """Issue 16: the inputs of the last plan with nothing to write are fingerprinted; a run
    whose inputs are the same uses that plan (its conflicts and skipped records) without
    parsing the snapshot. Any change to an input (a record, an option) plans again."""
    import core.app.sync as sync_module
    from core.app.sync import load_options, save_options

    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    planned = []
    original = sync_module.current_plan

    def counting(*args, **kwargs):
        planned.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(sync_module, "current_plan", counting)
    second = sync(ctx, conn)  # the first run after the import: its inputs are new
    assert second.plan.is_empty and planned == [1]
    third = sync(ctx, conn)
    assert planned == [1], "nothing changed: no snapshot loaded, no plan made"
    assert third.plan.is_empty and third.run is None
    assert third.as_json()["conflicts"] == second.as_json()["conflicts"] > 0
    assert third.as_json()["skipped"] == second.as_json()["skipped"]
    assert third.plan.conflicts == second.plan.conflicts
    assert third.plan.skipped == second.plan.skipped

    # An option changed: planned again.
    options = load_options(conn)
    save_options(conn, options.with_values(assign_all=not options.assign_all))
    sync(ctx, conn, dry_run=True)
    assert planned == [1, 1]
    save_options(conn, options)

    # A record changed in Xero: planned again, and the change is imported.
    sync(ctx, conn)
    planned.clear()
    from core.store.models import Link

    customer = Link.get((Link.connection == conn) & (Link.kind == "customer"))
    org = ctx.sandbox.store.xero_orgs[0]
    contact = next(c for c in org["Contacts"] if c["ContactID"] == customer.xero_id)
    contact["Name"] += " (renamed)"
    contact["UpdatedDateUTC"] = f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"
    changed = sync(ctx, conn)
    assert planned == [1] and changed.as_json()["updated"] == {"customers": 1}


def test_a_change_made_in_the_second_the_import_ended_is_read(demo_ctx, calls):
    """Stamps are whole seconds: a change made right after the import, in the second of its
    last write (here the check after the import does not wait), is still read by the next
    fetch, not taken for one of the import's own writes."""
    import requests

    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    job = next(
        j
        for j in store.qbtime["jobcodes"]
        if j["parent_id"] == 0 and j["active"] and j["type"] == "regular"
    )
    resp = requests.put(
        f"{ctx.sandbox.qbtime_base}/jobcodes",
        json={"data": [{"id": job["id"], "billable": not job.get("billable")}]},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200
    sync(ctx, conn, dry_run=True)
    row = QBTRecord.get(
        (QBTRecord.connection == conn)
        & (QBTRecord.kind == "jobcode")
        & (QBTRecord.qbt_id == job["id"])
    )
    assert (
        row.raw["billable"]
        == store.qbtime["jobcodes"][store.qbtime["jobcodes"].index(job)]["billable"]
    )
    assert row.raw["last_modified"] == job["last_modified"]
