"""A record waiting for a decision keeps waiting, however crowded QuickBooks Time gets
(issue 16).

At 100,000 contacts the first import created 16,129 customers and left 19,686 look-alikes
waiting; the next scheduled run, with nothing changed in Xero, created 242 of the waiting
records without asking: the fuzzy step's blocking reads fewer choices of a common word when
QuickBooks Time holds more of them, so it no longer found their look-alikes. Planning again
after an import must find nothing to do (core.engine.plan's promise): the look-alikes a plan
offered are kept (core.engine.snapshots) and the next plan offers them again while they
still score.

Here on a 2,000-contact generated organisation, with blocking budgets small enough that
the first import's own creates crowd some look-alikes out (the control below shows it).
"""

from __future__ import annotations

from dataclasses import replace

from core.app.sync import (
    current_plan,
    load_decisions,
    load_leave_links,
    load_links,
    load_options,
    sync,
)
from core.engine import matching
from core.engine.plan import plan_import
from core.engine.snapshots import remembered_lookalikes
from core.sandbox.common import atomic_write_json
from core.sandbox.demo_data import generate_large
from core.services.fetch import load_snapshot
from tests.reliability.support import MemoryBackend, open_demo


def _crowded(tmp_path, monkeypatch, contacts: int, seed: int):
    """A generated organisation, opened, with blocking budgets small enough to crowd."""
    monkeypatch.setattr(matching, "EXHAUSTIVE_PAIR_BUDGET", 0)
    monkeypatch.setattr(matching, "SCAN_BUDGET", 30)
    monkeypatch.setattr(matching, "BLOCK_CAP", 3)
    data = tmp_path / "company.json"
    atomic_write_json(
        data, generate_large(contacts=contacts, employees=20, items=20, region="AU", seed=seed)
    )
    return open_demo("*", tmp_path / "home", tmp_path / "state", MemoryBackend(), data_file=data)


def test_a_waiting_lookalike_is_not_created_by_the_next_run(tmp_path, monkeypatch):
    ctx, conn = _crowded(tmp_path, monkeypatch, 2_000, 12)
    try:
        first = sync(ctx, conn)
        assert first.run is not None and len(first.plan.conflicts) > 50
        waiting = {(c.kind, c.xero_id) for c in first.plan.conflicts}
        kept = remembered_lookalikes(conn)
        assert set(kept["customer"]) == {
            c.xero_id for c in first.plan.conflicts if c.kind == "customer" and c.candidates
        }

        # The control: the plan made without them creates some waiting records (so this
        # organisation does show the crowding; the assertions below could fail).
        snap = load_snapshot(conn)
        bare = plan_import(
            snap, load_links(conn), load_decisions(conn), load_options(conn), load_leave_links(conn)
        )
        lost = {a.xero_id for a in bare.actions if a.op == "create" and a.entity == "jobcode"}
        assert lost and lost <= {x for k, x in waiting if k == "customer"}

        again = sync(ctx, conn)
        assert again.plan.actions == [] and again.run is None
        assert {(c.kind, c.xero_id) for c in again.plan.conflicts} == waiting
        # each still offers what it offered (the customers the import created may be
        # look-alikes too: offered beside them)
        offered = {c.xero_id: {x.qbt_id for x in c.candidates} for c in again.plan.conflicts}
        for c in first.plan.conflicts:
            assert {x.qbt_id for x in c.candidates} <= offered[c.xero_id], c.xero_name
    finally:
        ctx.close()


def test_a_plan_of_some_kinds_keeps_the_other_kinds_lookalikes(tmp_path, monkeypatch):
    ctx, conn = _crowded(tmp_path, monkeypatch, 600, 3)
    try:
        sync(ctx, conn, dry_run=True)
        kept = remembered_lookalikes(conn)
        assert kept.get("customer")
        # a preview with customers left out neither forgets nor changes the customers'
        options = replace(load_options(conn), import_customers=False)
        _snap, plan = current_plan(conn, options)
        assert "customer" not in plan.lookalikes()
        assert remembered_lookalikes(conn)["customer"] == kept["customer"]
    finally:
        ctx.close()
