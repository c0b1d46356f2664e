"""The amount a billing preview shows for an update of our draft is the invoice's amount in
Xero once sent: the lines kept as they are in Xero (added or changed there) included, and what
this billing adds is said beside it. The headline keeps the amount of the lines it counts;
the result's amount is the same. What Xero holds after the send is the amount shown."""

from __future__ import annotations

from decimal import Decimal

from tests.gui.test_billing_pages import (  # noqa: F401  (the fixtures)
    go_to_range,
    imported,
    org_invoices,
    preview,
    send,
    signed_in_for_invoicing,
    wizard,
)
from tests.gui.test_billing_preview_lines import edited_draft, the_update
from wizard.billing import money
from wizard.i18n import install_language


def line_amount(line) -> Decimal:
    return (
        Decimal(str(line.amount))
        if line.amount
        else Decimal(str(line.quantity)) * Decimal(str(line.unit_amount))
    )


def test_an_update_shows_the_amount_of_the_invoice_in_xero(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    inv, _ours, start, end = edited_draft(ctx, box, conn)
    before = next(i for i in org_invoices(box, conn) if i["InvoiceID"] == inv["InvoiceID"])
    wiz = wizard()
    prev = preview(wiz, qtbot, go_to_range(wiz, qtbot), start, end)
    planned, _children = the_update(prev, inv["InvoiceID"])
    assert planned.action == "update" and planned.kept
    ours = sum((Decimal(str(line.amount)) for line in planned.lines), Decimal(0))
    kept = sum((line_amount(k.line) for k in planned.kept), Decimal(0))
    assert kept > 0
    total = ours + kept
    assert Decimal(str(planned.total)) == total and Decimal(str(planned.lines_total)) == ours
    assert Decimal(str(planned.total_now)) == Decimal(str(before["SubTotal"]))
    # the invoice's row: its amount in Xero, and what this billing adds to it
    n = next(k for k, i in enumerate(prev.preview.invoices) if i.invoice_id == inv["InvoiceID"])
    top = prev.tree.topLevelItem(n)
    # (labelled with what it is: before tax, tax included or no tax, as the draft is in Xero)
    words = {"Exclusive": "excl. tax", "Inclusive": "incl. tax"}[planned.line_amount_types]
    assert top.text(4) == f"{money(total, planned.currency)} {words}"
    added = total - Decimal(str(before["SubTotal"]))
    assert added > 0
    assert f"our draft, {money(added, planned.currency)} added" in top.text(0)
    assert "lines kept as they are in Xero included" in top.toolTip(4)
    # the total under the tree adds up the rows; it says what this billing adds
    sent = [i for i in prev.preview.invoices if i.action in ("create", "update")]
    totals = sum((Decimal(str(i.total)) for i in sent), Decimal(0))
    assert f"Total: {money(totals, planned.currency)} {words}, of which this billing adds" in (
        prev.totals_label.text()
    )
    # the headline: the lines it counts and what they come to, then the drafts' amount
    lines_amount = sum((Decimal(str(i.lines_total)) for i in sent), Decimal(0))
    headline = prev.headline.text()
    assert f"hours, {money(lines_amount, planned.currency)} {words}." in headline
    assert f"the drafts will come to {money(totals, planned.currency)} {words} in Xero." in headline
    # sent: Xero holds the amount the preview showed
    done = send(wiz, qtbot)
    after = next(i for i in org_invoices(box, conn) if i["InvoiceID"] == inv["InvoiceID"])
    assert Decimal(str(after["SubTotal"])) == total
    result = done._result.as_json()
    assert Decimal(str(result["amount_by_currency"][planned.currency])) == lines_amount


def test_the_update_amount_in_french(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    inv, _ours, start, end = edited_draft(ctx, box, conn)
    wiz = wizard("fr")
    try:
        prev = preview(wiz, qtbot, go_to_range(wiz, qtbot), start, end)
        planned, _children = the_update(prev, inv["InvoiceID"])
        n = prev.preview.invoices.index(planned)
        top = prev.tree.topLevelItem(n)
        assert "notre brouillon, " in top.text(0) and " ajoutés" in top.text(0)
        assert "dont cette facturation ajoute" in prev.totals_label.text()
        assert "les brouillons s’élèveront à " in prev.headline.text()
    finally:
        install_language("en")
