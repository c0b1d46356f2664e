"""Draft invoices carry the due date of the customer's sales payment terms in Xero, else the
organisation's; an update of our draft never changes it (a bookkeeper may have)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.app.invoicing import bill_time
from tests.e2e.test_invoicing import hours_range, org_of, ready


def _due(inv) -> date:
    return datetime.fromisoformat(inv["DueDateString"]).date()


def test_new_drafts_are_due_per_the_contact_s_terms_else_the_organisation_s(demo_ctx):
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    org = org_of(ctx, conn)
    preview = bill_time(ctx, conn, start=start, end=end, dry_run=True)
    names = [i.contact_name for i in preview.preview.plan.to_write]
    assert len(names) >= 2
    special = next(c for c in org["Contacts"] if c["Name"] == names[0])
    with ctx.sandbox.store.lock:
        special["PaymentTerms"] = {"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}
        org["Organisation"]["PaymentTerms"] = {"Sales": {"Day": 7, "Type": "DAYSAFTERBILLDATE"}}
        ctx.sandbox.store.save("xero")
    bill_time(ctx, conn, start=start, end=end)
    invoices = {i["Contact"]["Name"]: i for i in org_of(ctx, conn)["Invoices"]}
    following = date(end.year + (end.month == 12), end.month % 12 + 1, 20)
    assert _due(invoices[names[0]]) == following
    for name in names[1:]:
        assert _due(invoices[name]) == end + timedelta(days=7), name
