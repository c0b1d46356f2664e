"""The engine against the Demo Company: first import, idempotent re-import, Xero changes
flowing through, conflicts instead of duplicates, undo."""

from __future__ import annotations

from collections import Counter

from core import review
from core.models import Link
from core.sync import current_plan, load_options, save_options, sync, undo


def active_state(store):
    """What a QuickBooks Time user sees: active customers, users, fields and items."""
    qbt = store.qbtime
    return {
        "jobcodes": sorted((j["parent_id"], j["name"], j["type"], bool(j.get("assigned_to_all")))
                           for j in qbt["jobcodes"] if j["active"]),
        "users": sorted((u["first_name"], u["last_name"], u.get("email", ""))
                        for u in qbt["users"] if u["active"]),
        "fields": sorted((f["name"], f.get("required")) for f in qbt["customfields"] if f["active"]),
        "items": sorted((i["customfield_id"], i["name"]) for i in qbt["customfielditems"] if i["active"]),
        "locations": sorted((tuple(sorted(l.get("linked_objects", {}).get("jobcodes", []))), l["addr1"])
                            for l in qbt["locations"] if l["active"]),
    }


def test_first_sync_then_nothing_then_a_rename(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    before_names = Counter(j["name"] for j in store.qbtime["jobcodes"])

    first = sync(ctx, conn)
    out = first.as_json()
    assert out["created"]["customers"] > 5 and out["created"]["employees"] >= 1
    assert out["created"]["items"] > 5 and out["linked"]["customers"] > 0
    assert first.plan.conflicts, "near matches must wait for a decision"
    # No near match became a duplicate: every conflict's Xero name was not created.
    created = Counter(j["name"] for j in store.qbtime["jobcodes"]) - before_names
    for conflict in first.plan.conflicts:
        assert created[conflict.xero_name.strip()] == 0, conflict.xero_name
    assert all(n == 1 for n in created.values())
    # Skipped items carry their reason.
    reasons = {s.describe() for s in first.plan.skipped if s.kind == "item"}
    assert any("inventory" in r for r in reasons) and any("not sold" in r for r in reasons)

    second = sync(ctx, conn)
    assert second.plan.is_empty and second.run is None
    assert second.as_json()["created"] == {}
    # A re-import with nothing changed reads each Xero kind once (6 kinds for AU payroll).
    assert second.api_calls["xero"] - first.api_calls["xero"] <= 6

    # A rename in Xero renames the linked jobcode; it is not a new customer.
    link = Link.select().where((Link.connection == conn) & (Link.kind == "customer")).first()
    org = store.xero_orgs[0]
    contact = next(c for c in org["Contacts"] if c["ContactID"] == link.xero_id)
    old_name = contact["Name"]
    contact["Name"] = old_name + " (renamed)"
    contact["UpdatedDateUTC"] = "/Date(%d+0000)/" % (int(ctx.clock()) * 1000 + 5000)
    third = sync(ctx, conn)
    assert third.as_json()["updated"] == {"customers": 1}
    job = next(j for j in store.qbtime["jobcodes"] if j["id"] == link.qbt_id)
    assert job["name"] == old_name + " (renamed)"
    assert sum(1 for j in store.qbtime["jobcodes"] if j["name"].startswith(old_name)) == 1


def test_undo_restores_the_state_before_the_run(demo_ctx):
    ctx, conn = demo_ctx("AU")
    store = ctx.sandbox.store
    save_options(conn, load_options(conn).with_values(archive_unmatched=True, require_item=True))
    before = active_state(store)
    result = sync(ctx, conn)
    assert result.as_json()["archived"].get("customers", 0) > 0
    after_import = active_state(store)
    assert after_import != before
    undo(ctx, conn, result.run.id)
    now = active_state(store)
    for key in before:
        assert now[key] == before[key], (key, sorted(set(now[key]) ^ set(before[key]))[:10])
    # The links the run made are gone, yet importing again creates no duplicate: the
    # customers the undo archived are offered as "archived in QuickBooks Time" conflicts.
    count = len(store.qbtime["jobcodes"])
    again = sync(ctx, conn)
    assert again.as_json()["created"].get("customers", 0) == 0
    assert len(store.qbtime["jobcodes"]) == count
    twins = {c.xero_name for c in again.plan.conflicts if c.problem == "archived_twin"}
    assert len(twins) >= result.as_json()["created"]["customers"]


def test_decisions_flow_into_the_import(demo_ctx):
    ctx, conn = demo_ctx("AU")
    _snap, plan = current_plan(conn)
    assert not plan.actions  # nothing fetched yet: the plan needs snapshots
    first = sync(ctx, conn, dry_run=True)
    assert first.run is None and first.as_json()["dry_run"] is True
    conflicts = {c.xero_name: c for c in first.plan.conflicts}
    accents = conflicts["Pâtisserie Éclair Bondi"]
    review.decide(conn, accents, "link", target_qbt_id=accents.candidates[0].qbt_id)
    long_name = next(c for c in first.plan.conflicts if c.problem == "name_too_long")
    review.decide(conn, long_name, "rename", new_name="Parks and Wildlife Group (Sydney)")
    result = sync(ctx, conn)
    names = {j["name"] for j in ctx.sandbox.store.qbtime["jobcodes"]}
    assert "Parks and Wildlife Group (Sydney)" in names
    assert "Pâtisserie Éclair Bondi" in names  # the linked jobcode took the Xero name
    assert "Patisserie Eclair Bondi" not in names
    assert len(result.plan.conflicts) == len(first.plan.conflicts) - 2
    assert sync(ctx, conn).plan.is_empty


def test_canadian_organisation_has_no_payroll(demo_ctx):
    ctx, conn = demo_ctx("CA")
    result = sync(ctx, conn)
    out = result.as_json()
    assert "employees" not in out["created"] and "leave" not in out["linked"]
    assert out["created"]["customers"] > 0
    assert sync(ctx, conn).plan.is_empty
