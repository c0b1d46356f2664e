"""Billed hours moved or deleted in QuickBooks Time, on the AU Demo Company: hours moved off a
draft of ours go to their new customer in the same run (never on two invoices, even when the
old draft was changed in Xero after the preview); once the invoice is approved, a move, a
deletion or a move to other days is flagged under the invoice's own customer."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import requests

from core.app.invoicing import bill_time, preview_invoices, send_invoices
from core.store.models import Link, SentHours
from tests.e2e.test_invoicing import org_of, qbt_write, ready

LO, HI = date(2026, 11, 30), date(2026, 12, 6)
HORNSBY, MOSMAN = "Hornsby Shire Council", "Mosman Rowing Club"


def contact_id(ctx, conn, name):
    return next(c["ContactID"] for c in org_of(ctx, conn)["Contacts"] if c["Name"] == name)


def customer_job(ctx, conn, name):
    cid = contact_id(ctx, conn, name)
    return next(
        int(lk.qbt_id)
        for lk in Link.select().where(
            (Link.connection == conn) & (Link.kind == "customer") & (Link.xero_id == cid)
        )
    )


def hornsby_sheet(ctx, conn):
    """A billed timesheet of Hornsby's, in the range."""
    job = customer_job(ctx, conn, HORNSBY)
    return next(
        t
        for t in ctx.sandbox.store.qbtime["timesheets"]
        if t["jobcode_id"] == job
        and LO.isoformat() <= t["date"] <= "2026-12-04"
        and not t.get("on_the_clock")
    )


def hours_of(ctx, conn, name):
    cid = contact_id(ctx, conn, name)
    return [
        (i["Status"], round(sum(x["Quantity"] for x in i["LineItems"]), 2))
        for i in org_of(ctx, conn)["Invoices"]
        if i["Contact"]["ContactID"] == cid and i["Status"] not in ("DELETED", "VOIDED")
    ]


def invoice_of(ctx, conn, name):
    cid = contact_id(ctx, conn, name)
    return next(i for i in org_of(ctx, conn)["Invoices"] if i["Contact"]["ContactID"] == cid)


def flags(result):
    return [
        (p["who"], p["reason"])
        for p in result.as_json()["problems"]
        if "not linked" not in p["reason"] and "not approved yet" not in p["reason"]
    ]


def billed_once(ctx, conn):
    """No timesheet is on two invoices in Xero: the hours on our invoices add up to the
    hours billed, each once."""
    rows = [
        r.qbt_timesheet_id
        for r in SentHours.select().where(
            (SentHours.connection == conn) & (SentHours.active == True)  # noqa: E712
        )
    ]
    assert len(rows) == len(set(rows))


def move_to_mosman(ctx, conn, ts):
    qbt_write(ctx, "PUT", [{"id": ts["id"], "jobcode_id": customer_job(ctx, conn, MOSMAN)}])


def test_hours_moved_off_our_draft_are_billed_to_their_new_customer_in_the_same_run(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    bill_time(ctx, conn, start=LO, end=HI)
    ts = hornsby_sheet(ctx, conn)
    hours = ts["duration"] / 3600
    [(_s, hornsby)], [(_s2, mosman)] = hours_of(ctx, conn, HORNSBY), hours_of(ctx, conn, MOSMAN)
    move_to_mosman(ctx, conn, ts)

    result = bill_time(ctx, conn, start=LO, end=HI)
    assert flags(result) == []
    assert result.as_json()["invoices"]["updated"] == 2
    assert hours_of(ctx, conn, HORNSBY) == [("DRAFT", round(hornsby - hours, 2))]
    assert hours_of(ctx, conn, MOSMAN) == [("DRAFT", round(mosman + hours, 2))]
    billed_once(ctx, conn)
    again = bill_time(ctx, conn, start=LO, end=HI).as_json()["invoices"]
    assert (again["created"], again["updated"]) == (0, 0)


def test_a_move_waits_while_the_old_draft_was_changed_in_xero_after_the_preview(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    bill_time(ctx, conn, start=LO, end=HI)
    ts = hornsby_sheet(ctx, conn)
    before = hours_of(ctx, conn, HORNSBY), hours_of(ctx, conn, MOSMAN)
    move_to_mosman(ctx, conn, ts)
    preview = preview_invoices(ctx, conn, LO, HI)
    # the bookkeeper edits Hornsby's draft in Xero before the preview is sent
    inv = invoice_of(ctx, conn, HORNSBY)
    lines = [dict(x) for x in inv["LineItems"]]
    lines[0]["Description"] += " (checked)"
    ctx.sandbox.xero.api.demo_user_edits_lines(conn.xero_tenant_id, inv["InvoiceID"], lines)

    result = send_invoices(ctx, conn, preview)
    assert result.as_json()["invoices"]["updated"] == 0
    assert (HORNSBY, MOSMAN) == tuple(who for who, _ in flags(result))
    assert "still on draft" in flags(result)[1][1]
    assert hours_of(ctx, conn, MOSMAN) == before[1]  # not billed twice
    billed_once(ctx, conn)


def test_hours_moved_off_an_approved_invoice_are_flagged_under_its_customer(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    bill_time(ctx, conn, start=LO, end=HI)
    inv = invoice_of(ctx, conn, HORNSBY)
    ctx.sandbox.xero.api.demo_user_changes_invoice(conn.xero_tenant_id, inv["InvoiceID"], "approve")
    mosman = hours_of(ctx, conn, MOSMAN)
    ts = hornsby_sheet(ctx, conn)
    move_to_mosman(ctx, conn, ts)

    result = bill_time(ctx, conn, start=LO, end=HI)
    number = invoice_of(ctx, conn, HORNSBY)["InvoiceNumber"]
    assert flags(result) == [
        (
            HORNSBY,
            f"Hours of {ts['date']} were changed in QuickBooks Time after invoice {number} was "
            "approved in Xero: the invoice is left as it is; correct it in Xero (a credit note "
            "or a new invoice) if needed.",
        )
    ]
    assert hours_of(ctx, conn, MOSMAN) == mosman


def test_hours_deleted_or_moved_to_other_days_after_approval_are_flagged(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    bill_time(ctx, conn, start=LO, end=HI)
    inv = invoice_of(ctx, conn, HORNSBY)
    ctx.sandbox.xero.api.demo_user_changes_invoice(conn.xero_tenant_id, inv["InvoiceID"], "approve")
    job = customer_job(ctx, conn, HORNSBY)
    on_it = {
        r.qbt_timesheet_id
        for r in SentHours.select().where(
            (SentHours.xero_id == inv["InvoiceID"]) & (SentHours.active == True)  # noqa: E712
        )
    }
    gone, later = [
        dict(t)
        for t in ctx.sandbox.store.qbtime["timesheets"]
        if t["jobcode_id"] == job and t["id"] in on_it
    ][:2]
    resp = requests.delete(
        f"{ctx.sandbox.qbtime_base}/timesheets",
        params={"ids": str(gone["id"])},
        headers={"Authorization": f"Bearer {ctx.sandbox.qbtime_token}"},
        timeout=10,
    )
    assert resp.status_code == 200, resp.text
    if later["type"] == "regular":
        start, end = (
            datetime.fromisoformat(later[k]) + timedelta(days=9) for k in ("start", "end")
        )
        qbt_write(
            ctx, "PUT", [{"id": later["id"], "start": start.isoformat(), "end": end.isoformat()}]
        )
    else:
        qbt_write(ctx, "PUT", [{"id": later["id"], "date": "2026-12-15"}])

    result = bill_time(ctx, conn, start=LO, end=HI)
    number = invoice_of(ctx, conn, HORNSBY)["InvoiceNumber"]
    assert sorted(flags(result)) == sorted(
        (
            HORNSBY,
            f"Hours of {t['date']} billed on invoice {number} were deleted in QuickBooks Time, "
            "or moved to other days or to hours not billed, after the invoice was approved in "
            "Xero: the invoice is left as it is; correct it in Xero (a credit note) if needed.",
        )
        for t in (gone, later)
    )
    assert hours_of(ctx, conn, HORNSBY) == [("AUTHORISED", inv_total(inv))]


def inv_total(inv):
    return round(sum(x["Quantity"] for x in inv["LineItems"]), 2)
