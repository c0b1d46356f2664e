"""Four-decimal unit prices survive billing: the product reads item prices with ``unitdp=4``
and previews each line's amount from that price (hours x price, rounded to the cent); Xero
rounds a unit amount to two decimals unless the request says ``unitdp=4``. The invoice
written (and read back) keeps the price and the amount the preview showed; Xero knows the
invoices as created by the product's app (``createdByMyApp``)."""

from __future__ import annotations

from core.app.cli import cmd_connect_xero
from core.app.invoicing import preview_invoices, send_invoices, turn_invoicing_on
from core.app.sync import sync
from core.services.xero.client import ACCOUNTING
from tests.e2e.test_invoicing import QUIET, hours_range, lines_amount, org_of, put_items_on_hours


def test_a_four_decimal_item_price_keeps_its_price_and_the_previewed_amount(demo_ctx):
    ctx, conn = demo_ctx("AU")
    # The bookkeeper prices the items to the hundredth of a cent in Xero (the import reads
    # them with unitdp=4): 0.0037 more than the demo's prices, so two decimals would differ.
    with ctx.sandbox.store.lock:
        for item in org_of(ctx, conn)["Items"]:
            sales = item.get("SalesDetails") or {}
            if isinstance(sales.get("UnitPrice"), (int, float)):
                sales["UnitPrice"] = round(float(sales["UnitPrice"]) + 0.0037, 4)
    sync(ctx, conn)
    turn_invoicing_on()
    cmd_connect_xero(ctx, QUIET, None, None)
    assert put_items_on_hours(ctx, conn, count=6) > 0
    start, end = hours_range(ctx)

    preview = preview_invoices(ctx, conn, start, end)
    planned = {
        (inv.contact_id, line.item_code): (line.unit_price, line.amount)
        for inv in preview.invoices
        for line in inv.lines
        if line.item_code
    }
    assert planned and all(round(price, 2) != price for price, _amount in planned.values())
    totals = {inv.contact_id: inv.total for inv in preview.invoices if inv.action == "create"}
    send_invoices(ctx, conn, preview)

    written = {}
    for inv in org_of(ctx, conn).get("Invoices", []):
        # the amount the preview showed is what the lines come to (Xero adds or finds the tax)
        assert lines_amount(inv) == totals[inv["Contact"]["ContactID"]]
        for line in inv["LineItems"]:
            if line.get("ItemCode"):
                key = (inv["Contact"]["ContactID"], line["ItemCode"])
                written[key] = (line["UnitAmount"], line["LineAmount"])
    assert written == planned

    # and the product reads them back as written (its invoice reads say unitdp=4 too)
    xero = ctx.xero_client(conn.xero_tenant_id)
    ids = [inv["InvoiceID"] for inv in org_of(ctx, conn)["Invoices"]]
    with xero.session:
        read = xero.invoices_by_ids(ids)
        # the simulator knows them as made by the product's app (its OAuth client id)
        mine = xero.get_json(
            f"{ACCOUNTING}/Invoices", params={"createdByMyApp": "true", "summaryOnly": "true"}
        )
    assert sorted(i["InvoiceID"] for i in mine["Invoices"]) == sorted(ids)
    seen = {
        (inv["Contact"]["ContactID"], line["ItemCode"]): (line["UnitAmount"], line["LineAmount"])
        for inv in read
        for line in inv["LineItems"]
        if line.get("ItemCode")
    }
    assert seen == planned
