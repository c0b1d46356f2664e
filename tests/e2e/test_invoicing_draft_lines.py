"""Updating one of our drafts on the Demo Company (AU, UK, Québec) keeps what a bookkeeper did
to it in Xero: a line they added stays with its LineItemID and values, a line of ours they
changed is kept as they left it (new hours of that job go on a new line), our other lines are
updated by their LineItemID; billing again writes nothing; undo takes back only our change;
a draft changed in Xero after the preview is not sent."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from core.app.invoicing import bill_time, left_alone_words, preview_invoices, send_invoices
from core.app.sync import undo
from core.store.models import Link
from tests.e2e.test_invoicing import (
    add_hours,
    add_quebec_hours,
    hours_range,
    org_of,
    put_items_on_hours,
    ready,
)

MATERIALS = {"Description": "Materials (added in Xero)", "Quantity": 2, "UnitAmount": 37.5}


def billed_range(ctx, conn, org):
    if org == "CA":
        start, end = add_quebec_hours(ctx, conn)
    else:
        start, end = hours_range(ctx)
    put_items_on_hours(ctx, conn, count=2)
    return start, end


def a_job_line(ctx, conn, day):
    """A draft of ours with a job line (no item), that job, and a person who works on it with
    ``day`` approved: (invoice, line, job id, user id)."""
    qbt = ctx.sandbox.store.qbtime
    approved = {u["id"] for u in qbt["users"] if u["approved_to"] >= day.isoformat()}
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    links = {
        lk.xero_id: int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    for inv in org_of(ctx, conn)["Invoices"]:
        top = links[inv["Contact"]["ContactID"]]
        for line in inv["LineItems"]:
            if line.get("ItemCode"):
                continue
            for job in jobs.values():
                if (
                    line["Description"].startswith((job["name"] + ": ", job["name"] + "\u00a0: "))
                    and (job["id"] == top or job["parent_id"] == top)
                    and job.get("billable")
                ):
                    users = [
                        t["user_id"]
                        for t in qbt["timesheets"]
                        if t["jobcode_id"] == job["id"] and t["user_id"] in approved
                    ]
                    if users:
                        return inv, line, job["id"], users[0]
    raise AssertionError("no job line on our drafts")


def held(ctx, conn, invoice_id):
    return next(i for i in org_of(ctx, conn)["Invoices"] if i["InvoiceID"] == invoice_id)


@pytest.mark.parametrize("org", ["AU", "UK", "CA"])
def test_an_update_keeps_the_lines_a_bookkeeper_added_or_changed(demo_ctx, org):
    ctx, conn = ready(demo_ctx, org)
    start, end = billed_range(ctx, conn, org)
    first = bill_time(ctx, conn, start=start, end=end)
    assert first.as_json()["invoices"]["created"] >= 1
    day = start if org != "CA" else start + timedelta(days=1)
    inv, line, job, user = a_job_line(ctx, conn, day)
    api, tenant = ctx.sandbox.xero.api, conn.xero_tenant_id
    # In Xero, the bookkeeper adds a line and gives our job line a lower price.
    theirs_price = round(line["UnitAmount"] / 2, 2)
    lines = [dict(x) for x in inv["LineItems"]]
    for x in lines:
        if x["LineItemID"] == line["LineItemID"]:
            x["UnitAmount"] = theirs_price
    edited = api.demo_user_edits_lines(tenant, inv["InvoiceID"], [*lines, dict(MATERIALS)])
    materials = next(x for x in edited["LineItems"] if x["Description"] == MATERIALS["Description"])
    other_ids = {x["LineItemID"] for x in inv["LineItems"]} - {line["LineItemID"]}
    # New approved hours on that job, in the range.
    add_hours(ctx, user, job, day, 1.75)

    preview = preview_invoices(ctx, conn, start, end)
    (planned,) = [i for i in preview.invoices if i.invoice_id == inv["InvoiceID"]]
    assert planned.action == "update"
    assert sorted((k.why, k.line.line_item_id) for k in planned.kept) == sorted(
        [("edited", line["LineItemID"]), ("theirs", materials["LineItemID"])]
    )
    new = [x for x in planned.lines if x.change == "new"]
    assert [(x.hours, [t.day for t in x.timesheets]) for x in new] == [(1.75, [day.isoformat()])]
    assert {x.line_item_id for x in planned.lines if x.change != "new"} == other_ids

    result = send_invoices(ctx, conn, preview).as_json()
    assert result["invoices"]["updated"] == 1
    now = held(ctx, conn, inv["InvoiceID"])
    by_id = {x["LineItemID"]: x for x in now["LineItems"]}
    # their line and their change are there, untouched, with their ids
    assert by_id[materials["LineItemID"]] == materials
    assert by_id[line["LineItemID"]]["UnitAmount"] == theirs_price
    assert by_id[line["LineItemID"]]["Quantity"] == line["Quantity"]
    # our other lines kept their ids; the new hours are a new line of their own
    assert other_ids <= set(by_id)
    added = [
        x for x in now["LineItems"] if x["LineItemID"] not in {*other_ids, *edited_ids(edited)}
    ]
    assert [(x["Quantity"], x["UnitAmount"]) for x in added] == [(1.75, line["UnitAmount"])]

    # Billing again writes nothing and leaves the draft as it is.
    before = copy.deepcopy(org_of(ctx, conn)["Invoices"])
    again = bill_time(ctx, conn, start=start, end=end).as_json()
    assert again["run_id"] is None and again["invoices"]["updated"] == 0
    assert org_of(ctx, conn)["Invoices"] == before

    # Undo of the update takes back only our new line.
    undo(ctx, conn, result["run_id"])
    back = {x["LineItemID"]: x for x in held(ctx, conn, inv["InvoiceID"])["LineItems"]}
    assert back[materials["LineItemID"]] == materials
    assert back[line["LineItemID"]]["UnitAmount"] == theirs_price
    assert set(back) == {*other_ids, materials["LineItemID"], line["LineItemID"]}
    # Undo of the first run: that draft holds the bookkeeper's work, so it is left alone
    # (listed, in both languages); the drafts nobody touched are deleted.
    result = undo(ctx, conn, first.run.id)
    assert held(ctx, conn, inv["InvoiceID"])["Status"] == "DRAFT"
    (left,) = result.counts["left_alone"]
    assert left["invoice_id"] == inv["InvoiceID"]
    assert "added or changed on it in Xero since" in left["what"]
    assert "ajoutées ou modifiées dans Xero depuis" in left_alone_words(result, "fr")[0]
    others = [i for i in org_of(ctx, conn)["Invoices"] if i["InvoiceID"] != inv["InvoiceID"]]
    assert {i["Status"] for i in others} <= {"DELETED"}


def edited_ids(invoice):
    return {x["LineItemID"] for x in invoice["LineItems"]}


def test_a_draft_changed_in_xero_after_the_preview_is_not_sent(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = billed_range(ctx, conn, "AU")
    bill_time(ctx, conn, start=start, end=end)
    inv, line, job, user = a_job_line(ctx, conn, start)
    add_hours(ctx, user, job, start, 1.25)
    preview = preview_invoices(ctx, conn, start, end)
    assert [i.action for i in preview.invoices if i.invoice_id == inv["InvoiceID"]] == ["update"]
    # Meanwhile, in Xero: the bookkeeper adds a line.
    api = ctx.sandbox.xero.api
    api.demo_user_edits_lines(
        conn.xero_tenant_id,
        inv["InvoiceID"],
        [*held(ctx, conn, inv["InvoiceID"])["LineItems"], dict(MATERIALS)],
    )
    theirs = copy.deepcopy(held(ctx, conn, inv["InvoiceID"]))
    result = send_invoices(ctx, conn, preview).as_json()
    assert held(ctx, conn, inv["InvoiceID"]) == theirs
    assert result["invoices"]["updated"] == 0 and result["invoices"]["skipped"] >= 1
    assert any("changed in Xero after the preview" in p["reason"] for p in result["problems"])
    # Billed again: the update keeps their line.
    bill_time(ctx, conn, start=start, end=end)
    now = {x["LineItemID"]: x for x in held(ctx, conn, inv["InvoiceID"])["LineItems"]}
    assert [x for x in now.values() if x["Description"] == MATERIALS["Description"]]
    assert now[line["LineItemID"]]["Quantity"] == pytest.approx(line["Quantity"] + 1.25)


def test_a_crash_after_xero_applied_an_update_never_bills_the_hours_twice(demo_ctx, monkeypatch):
    import core.app.invoicing as invoicing
    from core.store.models import ImportRun

    ctx, conn = ready(demo_ctx, "AU")
    start, end = billed_range(ctx, conn, "AU")
    bill_time(ctx, conn, start=start, end=end)
    inv, line, job, user = a_job_line(ctx, conn, start)
    add_hours(ctx, user, job, start, 1.25)
    real = invoicing._record_sent

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies before the answer is recorded

    monkeypatch.setattr(invoicing, "_record_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        bill_time(ctx, conn, start=start, end=end)
    applied = held(ctx, conn, inv["InvoiceID"])
    run = ImportRun.select().where(ImportRun.kind == "invoicing").order_by(ImportRun.id.desc())
    run = run.get()
    run.status = "running"  # as a killed process leaves it
    run.save()
    monkeypatch.setattr(invoicing, "_record_sent", real)

    out = bill_time(ctx, conn, start=start, end=end).as_json()
    assert out["run_id"] is None and out["invoices"]["updated"] == 0
    assert held(ctx, conn, inv["InvoiceID"]) == applied
    now = {x["LineItemID"]: x for x in applied["LineItems"]}
    assert now[line["LineItemID"]]["Quantity"] == pytest.approx(line["Quantity"] + 1.25)


def test_a_line_of_ours_removed_in_xero_is_not_billed_again(demo_ctx):
    ctx, conn = ready(demo_ctx, "UK")
    start, end = billed_range(ctx, conn, "UK")
    bill_time(ctx, conn, start=start, end=end)
    inv, line, _job, _user = a_job_line(ctx, conn, start)
    rest = [x for x in inv["LineItems"] if x["LineItemID"] != line["LineItemID"]]
    api = ctx.sandbox.xero.api
    api.demo_user_edits_lines(conn.xero_tenant_id, inv["InvoiceID"], [*rest, dict(MATERIALS)])
    before = copy.deepcopy(org_of(ctx, conn)["Invoices"])
    out = bill_time(ctx, conn, start=start, end=end).as_json()
    assert out["run_id"] is None and org_of(ctx, conn)["Invoices"] == before


def test_a_draft_made_before_line_ids_were_kept_keeps_the_bookkeepers_lines(demo_ctx):
    """A draft billed by a version that kept no LineItemIDs (its journal has only the body it
    sent): our lines are found in Xero by what they say, and the bookkeeper's line stays."""
    from core.store.models import JournalEntry

    ctx, conn = ready(demo_ctx, "CA")
    start, end = billed_range(ctx, conn, "CA")
    bill_time(ctx, conn, start=start, end=end)
    for entry in JournalEntry.select().where(JournalEntry.entity_kind == "xero_invoice"):
        entry.after = {
            k: v for k, v in entry.after.items() if k not in ("lines", "keys", "answer_ids")
        }
        entry.save()
    day = start + timedelta(days=1)
    inv, line, job, user = a_job_line(ctx, conn, day)
    api = ctx.sandbox.xero.api
    edited = api.demo_user_edits_lines(
        conn.xero_tenant_id, inv["InvoiceID"], [*inv["LineItems"], dict(MATERIALS)]
    )
    materials = next(x for x in edited["LineItems"] if x["Description"] == MATERIALS["Description"])
    add_hours(ctx, user, job, day, 0.5)
    out = bill_time(ctx, conn, start=start, end=end).as_json()
    assert out["invoices"]["updated"] == 1
    now = {x["LineItemID"]: x for x in held(ctx, conn, inv["InvoiceID"])["LineItems"]}
    assert now[materials["LineItemID"]] == materials
    assert now[line["LineItemID"]]["Quantity"] == pytest.approx(line["Quantity"] + 0.5)
    assert len(now) == len(inv["LineItems"]) + 1
