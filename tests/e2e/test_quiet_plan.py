"""The plan kept for a re-import with nothing changed (core.engine.snapshots, issue 16): a
plan with nothing to write is kept with the fingerprint of its inputs, and the next run
with the same inputs takes it instead of loading the snapshot and planning. It must be the
plan, to the last candidate, detail and reason: the run reports it."""

from __future__ import annotations

from dataclasses import replace

from core.app.sync import load_options, sync
from core.engine.snapshots import plan_inputs_fingerprint, quiet_plan, remember_quiet_plan


def test_the_kept_plan_is_the_plan(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)  # the first import: something to write, nothing kept
    fingerprint = plan_inputs_fingerprint(conn, load_options(conn).to_dict())
    assert quiet_plan(conn, fingerprint) is None
    again = sync(ctx, conn)  # nothing to write: kept
    plan = again.plan
    assert plan.actions == [] and plan.conflicts and plan.skipped
    assert any(c.candidates for c in plan.conflicts) and any(c.details for c in plan.conflicts)
    kept = quiet_plan(conn, fingerprint)
    assert kept is not None
    assert kept.conflicts == plan.conflicts and kept.skipped == plan.skipped
    assert kept.key_owner_id == plan.key_owner_id
    assert quiet_plan(conn, "another fingerprint") is None


def test_a_plan_that_does_not_survive_being_saved_is_not_kept(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    plan = sync(ctx, conn).plan
    conflict = plan.conflicts[0]
    odd = replace(conflict, details={**conflict.details, "when": {1, 2}})  # no JSON for a set
    assert not remember_quiet_plan(conn, "f", replace(plan, conflicts=[odd]))
    assert quiet_plan(conn, "f") is None
    # a float key comes back a string: saved, but not the same plan, so not kept either
    odd = replace(conflict, details={**conflict.details, 1.5: "x"})
    assert not remember_quiet_plan(conn, "f", replace(plan, conflicts=[odd]))
    assert remember_quiet_plan(conn, "f", plan) and quiet_plan(conn, "f") is not None
