"""Hours tagged with an item or a tracking option that was renamed in Xero since.

A QuickBooks Time timesheet holds the NAME its custom field item had when it was picked
(references/qbtime-api.md §6). Renamed in Xero, the item or option is renamed in QuickBooks
Time by the next import, in place: the hours tagged before still hold the old name. They are
billed on the item linked to the Xero item and tracked with the linked option (its name now),
also after an undo of that import names the item back. A name no linked item ever had is
reported with its hours, and the advice is not to import again."""

from __future__ import annotations

import requests

from core.app.invoicing import bill_time
from core.app.sync import sync, undo
from core.store.models import Link, QBTRecord
from tests.e2e.test_invoicing import hours_range, item_field, org_of, qbt_write, ready


def _now(ctx):
    return f"/Date({int(ctx.clock()) * 1000 + 5000}+0000)/"


def _approved_billable(ctx, conn, count):
    """``count`` approved, clocked-out timesheets on billable jobs of linked customers."""
    customers = {
        int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    qbt = ctx.sandbox.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    users = {u["id"]: u for u in qbt["users"]}
    return [
        t
        for t in sorted(qbt["timesheets"], key=lambda t: t["id"])
        if not t.get("on_the_clock")
        and jobs[t["jobcode_id"]].get("billable")
        and (jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"]) in customers
        and t["date"] <= users[t["user_id"]]["approved_to"]
    ][:count]


def _qbt_item(conn, qbt_id):
    return QBTRecord.get(
        (QBTRecord.connection == conn)
        & (QBTRecord.kind == "customfielditem")
        & (QBTRecord.qbt_id == qbt_id)
    )


def _lines_of(result, timesheet_ids):
    """(item code, tracking) of the planned lines holding each of ``timesheet_ids``."""
    out = {}
    for inv in result.written:
        for line in inv.lines:
            for ts in line.timesheets:
                if ts.id in timesheet_ids:
                    out[ts.id] = (line.item_code, tuple(line.tracking))
    return out


def test_hours_tagged_with_an_item_renamed_in_xero_are_billed_on_it_also_after_undo(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    field, values = item_field(conn)
    org = org_of(ctx, conn)
    xitems = {i["ItemID"]: i for i in org["Items"]}
    old = next(
        name
        for name, xid in sorted(values.items())
        if (xitems[xid].get("SalesDetails") or {}).get("UnitPrice") is not None
        and xitems[xid].get("IsSold")
    )
    xitem = xitems[values[old]]
    qbt_id = next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "item") & (Link.xero_id == xitem["ItemID"])
        )
    )
    first, second, third = _approved_billable(ctx, conn, 3)
    qbt_write(ctx, "PUT", [{"id": t["id"], "customfields": {field: old}} for t in (first, second)])

    # renamed in Xero, then imported again: QuickBooks Time's item is renamed in place
    new = old + " - hourly rate"
    with ctx.sandbox.store.lock:
        xitem["Name"] = new
        xitem["UpdatedDateUTC"] = _now(ctx)
        ctx.sandbox.store.save("xero")
    rename = sync(ctx, conn)
    assert _qbt_item(conn, qbt_id).name == new

    result = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    tagged = {first["id"], second["id"]}
    assert {ts: code for ts, (code, _t) in _lines_of(result, tagged).items()} == {
        ts: xitem["Code"] for ts in tagged
    }
    assert not [r for _w, r in result.problems if old in r]

    # hours tagged with the new name, then the rename import undone: both names are the item's
    qbt_write(ctx, "PUT", [{"id": third["id"], "customfields": {field: new}}])
    undo(ctx, conn, rename.run.id)
    after_undo = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    assert _qbt_item(conn, qbt_id).name == old
    tagged.add(third["id"])
    assert {ts: code for ts, (code, _t) in _lines_of(after_undo, tagged).items()} == {
        ts: xitem["Code"] for ts in tagged
    }
    assert not [r for _w, r in after_undo.problems if old in r or new in r]

    # billed for real: the lines carry the Xero item (its name now) and those hours
    billed = bill_time(ctx, conn, start=start, end=end)
    assert billed.run is not None
    on_item = [
        line
        for inv in org_of(ctx, conn)["Invoices"]
        for line in inv["LineItems"]
        if line.get("ItemCode") == xitem["Code"]
    ]
    hours = sum(t["duration"] for t in (first, second, third)) / 3600
    assert abs(sum(line["Quantity"] for line in on_item) - hours) <= 0.02


def test_a_name_no_xero_item_ever_had_is_reported_with_its_hours_and_true_advice(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    field, _values = item_field(conn)
    # an item someone added by hand to the import's items field in QuickBooks Time
    resp = requests.post(
        f"{ctx.sandbox.qbtime_base}/customfielditems",
        json={"data": [{"customfield_id": int(field), "name": "Weeding (our own)"}]},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    # two timesheets of one customer: one problem, with both timesheets' hours
    jobs = {j["id"]: j for j in ctx.sandbox.store.qbtime["jobcodes"]}
    per_customer = {}
    for t in _approved_billable(ctx, conn, 50):
        per_customer.setdefault(jobs[t["jobcode_id"]]["parent_id"] or t["jobcode_id"], []).append(t)
    one, two = next(ts for ts in per_customer.values() if len(ts) >= 2)[:2]
    qbt_write(
        ctx,
        "PUT",
        [{"id": t["id"], "customfields": {field: "Weeding (our own)"}} for t in (one, two)],
    )
    result = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    said = [r for _w, r in result.problems if "Weeding (our own)" in r]
    hours = round((one["duration"] + two["duration"]) / 3600, 2)
    assert said == [
        f'{hours:.2f} hours are tagged with the item "Weeding (our own)", which is linked to no '
        "Xero item, so they are not billed: pick an item imported from Xero on those "
        "timesheets in QuickBooks Time, then bill again."
    ]
    assert not _lines_of(result, {one["id"], two["id"]})


def test_hours_tagged_with_a_tracking_option_renamed_in_xero_keep_its_option(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    org = org_of(ctx, conn)
    region = next(c for c in org["TrackingCategories"] if c["Name"] == "Region")
    option = next(o for o in region["Options"] if o["Name"] == "Sydney North")
    field = next(
        str(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn)
            & (Link.kind == "tracking_category")
            & (Link.xero_id == region["TrackingCategoryID"])
        )
    )
    one, two = _approved_billable(ctx, conn, 2)
    qbt_write(ctx, "PUT", [{"id": one["id"], "customfields": {field: "Sydney North"}}])
    with ctx.sandbox.store.lock:
        option["Name"] = "Sydney North Shore"
        ctx.sandbox.store.save("xero")
    sync(ctx, conn)
    # a value no option ever had: billed, without that option, and said with its hours
    resp = requests.post(
        f"{ctx.sandbox.qbtime_base}/customfielditems",
        json={"data": [{"customfield_id": int(field), "name": "Hunter Valley"}]},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    qbt_write(ctx, "PUT", [{"id": two["id"], "customfields": {field: "Hunter Valley"}}])

    result = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    lines = _lines_of(result, {one["id"], two["id"]})
    assert lines[one["id"]][1] == (("Region", "Sydney North Shore"),)
    assert lines[two["id"]][1] == ()
    said = [r for _w, r in result.problems if "Hunter Valley" in r or "Sydney North" in r]
    assert said == [
        f'The value "Hunter Valley" of "Region" on {two["duration"] / 3600:.2f} hours is linked '
        "to no option of that Xero tracking category, so those hours are billed without one: "
        "pick one of its options on those timesheets in QuickBooks Time, then bill again."
    ]

    bill_time(ctx, conn, start=start, end=end)
    tracked = [
        (t["Name"], t["Option"], t.get("TrackingOptionID"))
        for inv in org_of(ctx, conn)["Invoices"]
        for line in inv["LineItems"]
        for t in line.get("Tracking") or []
    ]
    assert tracked == [("Region", "Sydney North Shore", option["TrackingOptionID"])]
