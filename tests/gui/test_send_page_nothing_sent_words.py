"""The billing result page says why nothing was sent when Xero refused every invoice (here:
their contacts archived in Xero after the preview): it said "every invoice was already up to
date in Xero", while nothing was billed. The command line says the same since 912ac23."""

from __future__ import annotations

from tests.gui.test_billing_pages import (  # noqa: F401
    go_to_range,
    hours_range,
    imported,
    preview,
    send,
    signed_in_for_invoicing,
    wizard,
)


def test_invoices_all_refused_are_not_said_up_to_date(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard()
    page = go_to_range(wiz, qtbot)
    start, end = hours_range(box)
    shown = preview(wiz, qtbot, page, start, end)
    todo = [i for i in shown.preview.invoices if i.action in ("create", "update")]
    assert todo
    org = next(o for o in box.store.xero_orgs if o["tenantId"] == conn.xero_tenant_id)
    with box.store.lock:
        ids = {i.contact_id for i in todo}
        for contact in org["Contacts"]:
            if contact["ContactID"] in ids:
                contact["ContactStatus"] = "ARCHIVED"
        box.store.save("xero")
    result = send(wiz, qtbot)
    assert result._result.counts["created"] == 0
    assert result.status.text() == "Nothing was sent: see below why, and what to do."
