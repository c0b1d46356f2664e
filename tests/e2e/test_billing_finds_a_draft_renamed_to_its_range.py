"""A draft made for one range whose Reference the bookkeeper changed in Xero to another
range's is that range's draft: billing the other range updates it (a second draft with the
same Reference for the same customer was made), and an approved one renamed so numbers the
range's new invoice after it. Found with one call by Reference, however old the draft."""

from __future__ import annotations

from datetime import timedelta

from core.app.invoicing import bill_time, preview_invoices
from core.engine.invoicing import reference_for
from tests.e2e.test_invoicing import hours_range, org_of, ready


def _two_ranges(ctx, conn):
    first, last = hours_range(ctx)
    a_end = last - timedelta(days=6)  # (the Demo Company's billed customers: the last weeks)
    b_start = a_end + timedelta(days=1)
    bill_time(ctx, conn, start=first, end=a_end, include_unapproved=True)
    later = preview_invoices(ctx, conn, b_start, last, include_unapproved=True)
    with_hours = {p.contact_id for p in later.plan.invoices if p.action == "create"}
    draft = next(
        i for i in org_of(ctx, conn)["Invoices"] if i["Contact"]["ContactID"] in with_hours
    )
    return b_start, last, draft


def _rename(ctx, conn, invoice_id, reference):
    """As the bookkeeper does in Xero: the invoice's Reference changed (POST /Invoices)."""
    xero = ctx.xero_client(conn.xero_tenant_id)
    with xero.session:
        (answer,) = xero.write_invoices(
            [{"InvoiceID": invoice_id, "Reference": reference}],
            create=False,
            idempotency_key=f"rename-{invoice_id}-{reference}",
        )
    assert not answer.get("ValidationErrors"), answer


def _of(ctx, conn, contact_id):
    return [
        (i["InvoiceID"], i["Reference"], i["Status"])
        for i in org_of(ctx, conn)["Invoices"]
        if i["Contact"]["ContactID"] == contact_id
    ]


def test_a_draft_renamed_to_the_range_is_updated_not_doubled(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    b_start, b_end, draft = _two_ranges(ctx, conn)
    reference = reference_for(b_start, b_end, 1, "en")
    _rename(ctx, conn, draft["InvoiceID"], reference)
    api = ctx.sandbox.xero.api
    original = api._get_invoices
    asked: list[str | None] = []

    def counted(request, tenant, ident, access):
        asked.append(request.args.get("where"))
        return original(request, tenant, ident, access)

    api._get_invoices = counted
    preview = preview_invoices(ctx, conn, b_start, b_end, include_unapproved=True)
    mine = [p for p in preview.plan.invoices if p.contact_id == draft["Contact"]["ContactID"]]
    assert [(p.action, p.invoice_id) for p in mine] == [("update", draft["InvoiceID"])]
    assert len([w for w in asked if w and "Reference" in w]) == 1  # one call finds it
    result = bill_time(ctx, conn, start=b_start, end=b_end, include_unapproved=True)
    assert result.counts["updated"] == 1
    assert _of(ctx, conn, draft["Contact"]["ContactID"]) == [
        (draft["InvoiceID"], reference, "DRAFT")
    ]


def test_an_approved_invoice_renamed_to_the_range_numbers_the_new_one(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    b_start, b_end, draft = _two_ranges(ctx, conn)
    reference = reference_for(b_start, b_end, 1, "en")
    _rename(ctx, conn, draft["InvoiceID"], reference)
    ctx.sandbox.xero.api.demo_user_changes_invoice(
        conn.xero_tenant_id, draft["InvoiceID"], "approve"
    )
    bill_time(ctx, conn, start=b_start, end=b_end, include_unapproved=True)
    refs = sorted(r for _i, r, _s in _of(ctx, conn, draft["Contact"]["ContactID"]))
    assert refs == [reference, reference_for(b_start, b_end, 2, "en")]
