"""Two Xero records chosen to be created under one name (equal but for case): QuickBooks Time
refuses the second (its names are unique whatever the case), so the plan creates the first
and says why the second waits, instead of an import that fails half-way (found by the soak's
property test: two Xero items "TREE PRUNING – COMMERCIAL #2" / "Tree pruning – commercial #2",
"Create new" chosen on both)."""

from __future__ import annotations

from core.engine.plan import ImportOptions, plan_import
from core.engine.plan.model import DecisionView
from core.engine.records import Address, Snapshot, XeroContact


def test_two_creates_of_one_name_create_the_first_and_say_why_not_the_second():
    snap = Snapshot(version="AU")
    street = Address("1 Main Street", "", "Newcastle", "NSW", "2300", "Australia")
    snap.contacts = [
        XeroContact("c1", "ACME GARDENS", "ACTIVE", True, False, street=street),
        XeroContact("c2", "Acme Gardens", "ACTIVE", True, False, street=street),
    ]
    undecided = plan_import(snap, {}, {}, ImportOptions())
    assert {(c.kind, c.xero_id) for c in undecided.conflicts} == {
        ("customer", "c1"),
        ("customer", "c2"),
    }
    both = {("customer", x): DecisionView("create") for x in ("c1", "c2")}
    plan = plan_import(snap, {}, both, ImportOptions())
    created = [a for a in plan.actions if a.op == "create" and a.entity == "jobcode"]
    assert [a.after["name"] for a in created] == ["ACME GARDENS"]
    (waits,) = [s for s in plan.skipped if s.xero_id == "c2"]
    assert "another Xero record is created under the same name" in waits.reason
    assert waits.params == {"other": "ACME GARDENS"}
