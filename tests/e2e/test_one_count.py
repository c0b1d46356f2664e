"""The one counting rule on the Demo Company: what the preview counts is what the import does,
what the done and history pages show of the run, and what the home page says still waits."""

from __future__ import annotations

from core.app.decisions import records_needing_decision
from core.app.sync import current_plan, import_plan, load_options
from core.engine.report import (
    CHANGE_OPS,
    change_counts,
    changes_made,
    outcome_changes,
    records_waiting,
)
from core.services.fetch import fetch
from core.store.models import ImportRun


def test_preview_import_and_what_waits_count_the_same_things(demo_ctx):
    ctx, conn = demo_ctx("AU")
    fetch(ctx, conn)
    options = load_options(conn).with_values(archive_unmatched=True)
    _snap, plan = current_plan(conn, options)
    counts = change_counts(plan)
    # the preview: headline = grid's changes (by column, by row) = lines that are changes
    assert counts.total == len(plan.actions) > 0
    assert counts.total == sum(counts.by_op(op) for op in CHANGE_OPS)
    assert counts.total == sum(counts.by_kind(k) for k in counts.kinds())
    assert counts.not_imported_total == len(plan.skipped) > 0
    # a customer created open to all team members is one change (the bug counted it twice)
    opened = sum(1 for a in plan.actions if a.op == "create" and a.after.get("assigned_to_all"))
    assert opened > 0
    assert counts.count("customers", "create") == sum(
        1 for a in plan.actions if a.op == "create" and a.summary_kind == "customers"
    )
    # what waits: the same number on the done page (the plan) and the home page (core.app)
    assert counts.waiting == records_waiting(plan) == records_needing_decision(conn.id) > 0

    run, importer = import_plan(ctx, conn, plan, options=options)
    assert run.status == "done" and not importer.problems
    # the import, done and history pages: the preview's numbers, kind by kind
    assert outcome_changes(importer.outcomes) == counts.as_outcomes()
    stored = ImportRun.get_by_id(run.id).counts["outcomes"]
    assert outcome_changes(stored) == counts.as_outcomes()
    assert changes_made(stored) == counts.total
    # decided nothing: the same records still wait after the import
    assert records_needing_decision(conn) == counts.waiting
