"""The billing preview of an update of our draft says what happens to each line: our lines
new, updated (with the hours they had) or unchanged; the lines added or changed in Xero kept
as they are, greyed, with why; the headline counts them. English and French."""

from __future__ import annotations

from core.app.invoicing import bill_time
from core.store.models import Link
from tests.e2e.test_invoicing import add_hours
from tests.gui.test_billing_pages import (  # noqa: F401  (the fixtures)
    go_to_range,
    hours_range,
    imported,
    org_invoices,
    preview,
    signed_in_for_invoicing,
    wizard,
)
from wizard.i18n import install_language

MATERIALS = {"Description": "Materials (added in Xero)", "Quantity": 2, "UnitAmount": 37.5}


def edited_draft(ctx, box, conn):
    """Billed once; then in Xero a line is added and one job line of ours gets a new price;
    then new hours on another line of ours (a job line) of the same draft."""
    start, end = hours_range(box)
    bill_time(ctx, conn, start=start, end=end)
    qbt = box.store.qbtime
    jobs = {j["id"]: j for j in qbt["jobcodes"]}
    approved = {u["id"] for u in qbt["users"] if u["approved_to"] >= start.isoformat()}
    links = {
        lk.xero_id: int(lk.qbt_id)
        for lk in Link.select().where((Link.connection == conn) & (Link.kind == "customer"))
    }
    for inv in org_invoices(box, conn):
        top = links[inv["Contact"]["ContactID"]]
        job_lines = []
        for line in inv["LineItems"]:
            for job in jobs.values():
                users = [
                    t["user_id"]
                    for t in qbt["timesheets"]
                    if t["jobcode_id"] == job["id"] and t["user_id"] in approved
                ]
                if (
                    not line.get("ItemCode")
                    and line["Description"].startswith(job["name"] + ": ")
                    and (job["id"] == top or job["parent_id"] == top)
                    and job.get("billable")
                    and users
                ):
                    job_lines.append((line, job["id"], users[0]))
        if len(inv["LineItems"]) >= 2 and job_lines:
            break
    else:
        raise AssertionError("no draft with two lines and a job line")
    ours, job, user = job_lines[0]
    edited = next(x for x in inv["LineItems"] if x["LineItemID"] != ours["LineItemID"])
    lines = [dict(x) for x in inv["LineItems"]]
    for x in lines:
        if x["LineItemID"] == edited["LineItemID"]:
            x["UnitAmount"] = round(x["UnitAmount"] / 2, 2)
    box.xero.api.demo_user_edits_lines(
        conn.xero_tenant_id, inv["InvoiceID"], [*lines, dict(MATERIALS)]
    )
    add_hours(ctx, user, job, start, 1.5)
    return inv, ours, start, end


def the_update(prev, invoice_id):
    tree = prev.tree
    for n in range(tree.topLevelItemCount()):
        inv = prev.preview.invoices[n]
        if inv.invoice_id == invoice_id:
            top = tree.topLevelItem(n)
            return inv, [top.child(k) for k in range(top.childCount())]
    raise AssertionError("the update is not in the preview")


def test_the_preview_says_what_happens_to_each_line(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    inv, ours, start, end = edited_draft(ctx, box, conn)
    wiz = wizard()
    prev = preview(wiz, qtbot, go_to_range(wiz, qtbot), start, end)
    planned, children = the_update(prev, inv["InvoiceID"])
    assert planned.action == "update"
    texts = [c.text(0) for c in children]
    assert len(children) == len(planned.lines) + 2
    assert f"updated (was {ours['Quantity']:.2f} hours) — " in " ".join(texts)
    assert any(t.startswith("kept, added in Xero — Materials (added in Xero)") for t in texts)
    kept = next(c for c in children if c.text(0).startswith("kept as changed in Xero — "))
    assert kept.text(3) == "In Xero"
    assert "never overwritten" in kept.toolTip(0)
    assert "2 lines added or changed in Xero are kept as they are." in prev.headline.text()


def test_the_preview_of_an_update_in_french(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    inv, _ours, start, end = edited_draft(ctx, box, conn)
    wiz = wizard("fr")
    try:
        prev = preview(wiz, qtbot, go_to_range(wiz, qtbot), start, end)
        _planned, children = the_update(prev, inv["InvoiceID"])
        texts = " ".join(c.text(0) for c in children)
        assert "conservée, ajoutée dans Xero — Materials" in texts
        assert "conservée telle que modifiée dans Xero — " in texts
        assert "mise à jour (avant\u00a0: " in texts
        assert "2 lignes ajoutées ou modifiées dans Xero sont conservées telles quelles." in (
            prev.headline.text()
        )
    finally:
        install_language("en")
