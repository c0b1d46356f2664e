"""A scheduled sync plans from a snapshot loaded without the raw objects the plan never
reads (``load_snapshot(raw=False)``, issue 16: they were about half of a 100,000-contact
snapshot's memory). The plan must be the same plan, to the last candidate and reason,
before the first import and after it (links, updates, renames), for every region's
payroll; and a record loaded so never passes an empty object off as the API's."""

from __future__ import annotations

import pytest

from core.app.sync import (
    load_decisions,
    load_leave_links,
    load_links,
    load_options,
    sync,
)
from core.engine.plan import plan_import
from core.engine.records import NOT_KEPT, RawNotKept, raw_text
from core.services.fetch import fetch, load_snapshot
from tests.e2e.test_rename_chains import _rename, _two_linked


def _inputs(conn):
    return load_links(conn), load_decisions(conn), load_options(conn), load_leave_links(conn)


def _plans(conn):
    inputs = _inputs(conn)
    full, lean = load_snapshot(conn), load_snapshot(conn, raw=False)
    return plan_import(full, *inputs), plan_import(lean, *inputs), lean


def _same(a, b) -> None:
    assert a.actions == b.actions
    assert a.conflicts == b.conflicts
    assert a.skipped == b.skipped
    assert a.counts() == b.counts()


@pytest.mark.parametrize("region", ["AU", "UK", "CA"])
def test_the_plan_from_a_snapshot_without_raw_objects_is_the_plan(demo_ctx, region):
    ctx, conn = demo_ctx(region)
    fetch(ctx, conn)
    # the records the fetch has just parsed (taken by the next load) are let go of too
    just_read = load_snapshot(conn, raw=False)
    assert just_read.contacts and all(c.raw is NOT_KEPT for c in just_read.contacts)
    assert all(j.raw is NOT_KEPT for j in just_read.jobcodes)
    full, lean, snap = _plans(conn)
    assert full.actions and full.conflicts  # something to compare
    _same(full, lean)
    assert plan_import(just_read, *_inputs(conn)).actions == full.actions
    # what it leaves out, it says it left out: never an empty object
    assert snap.contacts and all(c.raw is NOT_KEPT and raw_text(c) is None for c in snap.contacts)
    assert all(j.raw is NOT_KEPT for j in snap.jobcodes)
    with pytest.raises(RawNotKept):
        snap.contacts[0].raw.get("Phones")
    # users keep theirs: whether a user is an administrator is read from it
    assert snap.users and all(isinstance(u.raw, dict) and u.raw for u in snap.users)
    assert [u.is_admin for u in snap.users] == [u.is_admin for u in load_snapshot(conn).users]

    sync(ctx, conn)  # the first import (its own plan made from a snapshot without them)
    full, lean, _snap = _plans(conn)
    assert full.skipped  # linked now: compared, unchanged
    _same(full, lean)


def test_a_sync_that_renames_plans_without_raw_objects(demo_ctx):
    """The planner copies jobcodes renamed in the same import (``dataclasses.replace``,
    core.engine.plan.customers): a record without its raw object is copied without it."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    (first, first_job), (second, second_job) = _two_linked(ctx, conn)
    freed = second["Name"]
    _rename(ctx, first, freed)  # a chain: the first takes the name the second frees
    _rename(ctx, second, "Harbourside Renamed Pty Ltd")
    fetch(ctx, conn)
    full, lean, _snap = _plans(conn)
    assert sum(a.op == "update" and "name" in a.after for a in full.actions) == 2
    _same(full, lean)
    result = sync(ctx, conn)
    assert not result.outcomes.get("failed"), result.outcomes
    names = {j["id"]: j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]}
    assert [names[first_job["id"]], names[second_job["id"]]] == [
        freed,
        "Harbourside Renamed Pty Ltd",
    ]
