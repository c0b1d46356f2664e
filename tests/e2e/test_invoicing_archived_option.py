"""A tracking option archived in Xero after hours were tagged with it: Xero refuses it on an
invoice line, and with it the customer's whole invoice. The preview says so, and only the
hours tagged with it are left out: the customer's other hours are billed."""

from __future__ import annotations

from core.app.invoicing import bill_time
from core.app.sync import sync
from core.store.models import Link, QBTRecord
from tests.e2e.test_invoicing import hours_range, org_of, qbt_write, ready


def _tag_one_timesheet(ctx, conn):
    """Tag one approved billable timesheet of a linked customer with a linked option."""
    org = org_of(ctx, conn)
    cats = {c["TrackingCategoryID"]: c for c in org["TrackingCategories"]}
    linked = [
        (link.xero_id, str(link.qbt_id))
        for link in Link.select().where(
            (Link.connection == conn) & (Link.kind == "tracking_category")
        )
        if cats.get(link.xero_id, {}).get("Status") == "ACTIVE"
    ]
    cat_id, field = linked[0]
    options = {
        link.xero_id: int(link.qbt_id)
        for link in Link.select().where(
            (Link.connection == conn) & (Link.kind == "tracking_option")
        )
    }
    items = {
        int(r.qbt_id): r.name
        for r in QBTRecord.select().where(
            (QBTRecord.connection == conn) & (QBTRecord.kind == "customfielditem")
        )
    }
    option = next(
        o
        for o in cats[cat_id]["Options"]
        if o["TrackingOptionID"] in options and o["Status"] == "ACTIVE"
    )
    customers = {
        int(link.qbt_id)
        for link in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    users = {u["id"]: u for u in qbt["users"]}
    chosen = next(
        t
        for t in sorted(qbt["timesheets"], key=lambda t: t["id"])
        if not t.get("on_the_clock")
        and jobs[t["jobcode_id"]].get("billable")
        and (jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"]) in customers
        and t["date"] <= users[t["user_id"]]["approved_to"]
    )
    qbt_write(
        ctx,
        "PUT",
        [{"id": chosen["id"], "customfields": {field: items[options[option["TrackingOptionID"]]]}}],
    )
    top = jobs[chosen["jobcode_id"]]["parent_id"] or chosen["jobcode_id"]
    return cats[cat_id], option, jobs[top]["name"], chosen


def test_hours_tagged_with_an_archived_option_are_left_out_with_why_and_the_rest_billed(
    demo_ctx,
):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    category, option, customer, _tagged = _tag_one_timesheet(ctx, conn)
    with ctx.sandbox.store.lock:
        option["Status"] = "ARCHIVED"
        ctx.sandbox.store.save("xero")
    sync(ctx, conn)  # a re-import does not mend it: the timesheet keeps its value
    preview = bill_time(ctx, conn, start=start, end=end, dry_run=True).as_json()
    said = [p["reason"] for p in preview["problems"] if p["who"] == customer]
    assert said == [
        f'The tracking option "{option["Name"]}" of "{category["Name"]}" is archived in Xero, '
        "so the hours tagged with it are not billed: restore the option in Xero, or pick "
        "another one on those timesheets in QuickBooks Time, then bill again."
    ]
    result = bill_time(ctx, conn, start=start, end=end).as_json()
    # what the preview said is what happened: no invoice refused by Xero
    assert result["invoices"] == preview["invoices"]
    assert result["invoices"]["skipped"] == 0
    mine = [i for i in org_of(ctx, conn)["Invoices"] if i["Contact"].get("Name") == customer]
    assert len(mine) == 1  # the customer's other hours are billed
    for line in mine[0]["LineItems"]:
        assert all(t.get("Option") != option["Name"] for t in line.get("Tracking") or [])
