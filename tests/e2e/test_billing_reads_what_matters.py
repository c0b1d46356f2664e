"""Billing stays as cheap as months of invoices pile up: a preview reads only the invoices of
ours whose state in Xero can change its plan (never the drafts an undo deleted, nor those of
other ranges), a deleted or voided invoice is never asked again, the cache keeps only what is
planned or listed of a non-draft and is written only when something changed; and the plan is
the one reading every invoice would make. An undo reads the lines it made once, not once per
draft."""

from __future__ import annotations

import re
from datetime import timedelta

import peewee as pw
import pytest

from core.app import invoicing
from core.app.invoicing import bill_time, invoice_statuses, preview_invoices, undo_invoicing
from core.store.models import ImportRun, Link, Setting, db
from tests.e2e.test_invoicing import add_hours, hours_range, org_of, ready


@pytest.fixture
def asked(demo_ctx):
    """A factory: (ctx, conn) of a billed AU Demo Company, and the GET /Invoices requests the
    simulator answers from now on (each: the ids asked, or None for no ``IDs``)."""

    def make():
        ctx, conn = ready(demo_ctx, "AU")
        api = ctx.sandbox.xero.api
        original = api._get_invoices
        seen: list[set[str] | None] = []

        def counted(request, tenant, ident, access):
            raw = request.args.get("IDs")
            seen.append({x.lower() for x in raw.split(",")} if raw else None)
            return original(request, tenant, ident, access)

        api._get_invoices = counted
        return ctx, conn, seen

    return make


def _statuses(ctx, conn):
    return {i["InvoiceID"].lower(): i["Status"] for i in org_of(ctx, conn)["Invoices"]}


def test_a_preview_never_reads_the_drafts_an_undo_deleted(asked):
    ctx, conn, seen = asked()
    start, end = hours_range(ctx)
    first = bill_time(ctx, conn, start=start, end=end)
    undo_invoicing(ctx, conn, ImportRun.get_by_id(first.run.id))
    deleted = {i for i, s in _statuses(ctx, conn).items() if s == "DELETED"}
    assert deleted
    second = bill_time(ctx, conn, start=start, end=end)
    assert second.counts["created"] == len(deleted)
    live = {i for i, s in _statuses(ctx, conn).items() if s == "DRAFT"}
    seen.clear()
    preview = preview_invoices(ctx, conn, start, end)
    # one call, for this range's drafts: by their Reference (no IDs), which answers them all,
    # so none is asked again by id; before, a second one asked again for every draft the
    # undo deleted
    assert seen == [None]
    assert set(preview.drafts) == live
    assert {i.action for i in preview.invoices} == {"unchanged"}


def test_invoices_of_another_range_cost_no_call(asked):
    ctx, conn, seen = asked()
    start, end = hours_range(ctx)
    bill_time(ctx, conn, start=start, end=end)
    api = ctx.sandbox.xero.api
    invoices = org_of(ctx, conn)["Invoices"]
    for raw in invoices:
        api.demo_user_changes_invoice(conn.xero_tenant_id, raw["InvoiceID"], "approve")
        api.demo_user_changes_invoice(conn.xero_tenant_id, raw["InvoiceID"], "pay")
    # the next period's hours for one of those customers
    contact = invoices[0]["Contact"]["ContactID"]
    job = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == contact)
        )
    )
    jobs = {j["id"]: j for j in ctx.sandbox.store.qbtime["jobcodes"]}
    if jobs[job].get("has_children"):
        job = next(j["id"] for j in jobs.values() if j["parent_id"] == job and j["billable"])
    user = ctx.sandbox.store.qbtime["users"][0]
    add_hours(ctx, user["id"], job, end + timedelta(days=3), 2.0)
    seen.clear()
    after = preview_invoices(
        ctx, conn, end + timedelta(days=1), end + timedelta(days=7), include_unapproved=True
    )
    # last period's paid invoices plan nothing in this one: not read (the one call asks by
    # this range's Reference, for an invoice of ours renamed to it in Xero)
    assert seen == [None]
    assert [i.action for i in after.invoices] == ["create"]


def test_the_plan_is_the_one_reading_every_invoice_makes(asked, monkeypatch):
    ctx, conn, _seen = asked()
    start, end = hours_range(ctx)
    middle = start + (end - start) // 2
    first = bill_time(ctx, conn, start=start, end=end)
    api = ctx.sandbox.xero.api
    tenant = conn.xero_tenant_id
    ids = [i["InvoiceID"] for i in org_of(ctx, conn)["Invoices"]]
    assert len(ids) >= 4
    api.demo_user_changes_invoice(tenant, ids[0], "approve")
    api.demo_user_changes_invoice(tenant, ids[1], "approve")
    api.demo_user_changes_invoice(tenant, ids[1], "pay")
    api.demo_user_changes_invoice(tenant, ids[2], "delete")
    undo_invoicing(ctx, conn, ImportRun.get_by_id(first.run.id))  # the rest are deleted
    bill_time(ctx, conn, start=start, end=middle)
    for a, b in ((start, end), (start, middle), (middle + timedelta(days=1), end)):
        narrow = preview_invoices(ctx, conn, a, b).plan
        with monkeypatch.context() as m:
            m.setattr(invoicing, "billing_invoice_ids", lambda c, *_: invoicing.our_invoice_ids(c))
            whole = preview_invoices(ctx, conn, a, b).plan
        assert narrow.invoices == whole.invoices
        assert narrow.problems == whole.problems


def test_a_deleted_or_voided_invoice_is_never_asked_again(asked):
    ctx, conn, seen = asked()
    start, end = hours_range(ctx)
    bill_time(ctx, conn, start=start, end=end)
    api = ctx.sandbox.xero.api
    tenant = conn.xero_tenant_id
    gone, void, *rest = [i["InvoiceID"] for i in org_of(ctx, conn)["Invoices"]]
    api.demo_user_changes_invoice(tenant, gone, "delete")
    api.demo_user_changes_invoice(tenant, void, "approve")
    api.demo_user_changes_invoice(tenant, void, "void")
    assert {s.xero_status for s in invoice_statuses(ctx, conn)} == {"DELETED", "VOIDED", "DRAFT"}
    seen.clear()
    listed = {s.invoice_id: s.xero_status for s in invoice_statuses(ctx, conn)}
    assert listed[gone] == "DELETED" and listed[void] == "VOIDED"
    assert len(seen) == 1 and {gone.lower(), void.lower()}.isdisjoint(seen[0] or set())
    assert seen[0] == {i.lower() for i in rest}


def test_the_cache_is_slim_and_written_only_on_a_change(asked, monkeypatch):
    ctx, conn, _seen = asked()
    start, end = hours_range(ctx)
    bill_time(ctx, conn, start=start, end=end)
    paid, *drafts = [i["InvoiceID"] for i in org_of(ctx, conn)["Invoices"]]
    api = ctx.sandbox.xero.api
    api.demo_user_changes_invoice(conn.xero_tenant_id, paid, "approve")
    api.demo_user_changes_invoice(conn.xero_tenant_id, paid, "pay")
    invoice_statuses(ctx, conn)
    cache = Setting.get_value(f"invoices:{conn.xero_tenant_id}")
    assert "LineItems" not in cache["invoices"][paid]  # never planned on: no lines kept
    assert cache["invoices"][paid]["Status"] == "PAID"
    assert all(cache["invoices"][i]["LineItems"] for i in drafts)  # a draft's are
    writes = []
    original = Setting.set_value

    def counted(key, value):
        writes.append(key)
        return original(key, value)

    monkeypatch.setattr(Setting, "set_value", staticmethod(counted))
    preview_invoices(ctx, conn, start, end)
    invoice_statuses(ctx, conn)
    assert f"invoices:{conn.xero_tenant_id}" not in writes  # nothing changed in Xero


def test_an_older_cache_is_still_used(asked):
    ctx, conn, seen = asked()
    start, end = hours_range(ctx)
    bill_time(ctx, conn, start=start, end=end)
    invoice_statuses(ctx, conn)
    key = f"invoices:{conn.xero_tenant_id}"
    cache = Setting.get_value(key)
    Setting.set_value(key, {"since": min(cache["seen"].values()), "invoices": cache["invoices"]})
    seen.clear()
    assert {s.xero_status for s in invoice_statuses(ctx, conn)} == {"DRAFT"}
    assert len(seen) == 1  # asked as known (If-Modified-Since), not read again in full
    assert "seen" in Setting.get_value(key)


@pytest.fixture
def traced(monkeypatch):
    seen: list[str] = []
    original = pw.SqliteDatabase._add_conn_hooks

    def hooks(self, conn):
        original(self, conn)
        conn.set_trace_callback(seen.append)

    monkeypatch.setattr(pw.SqliteDatabase, "_add_conn_hooks", hooks)
    return seen


def test_an_undo_reads_the_lines_it_made_once_not_per_draft(demo_ctx, traced):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    first = bill_time(ctx, conn, start=start, end=end)
    assert first.counts["created"] >= 3
    traced.clear()
    undo_invoicing(ctx, conn, ImportRun.get_by_id(first.run.id))
    reads = [
        s
        for s in traced
        if re.search(r'FROM "journal_entry"', s) and re.search(r'"xero_id" IN \(', s)
    ]
    assert len(reads) == 1, reads  # was one per draft
    plan = [r[3] for r in db.execute_sql("EXPLAIN QUERY PLAN " + reads[0]).fetchall()]
    assert not any(p.startswith("SCAN t1") or p.startswith("SCAN journal_entry") for p in plan)
