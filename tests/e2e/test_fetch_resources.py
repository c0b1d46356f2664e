"""The fetch is driven by its resource tables: a new list is one row, read and stored like the
others (whole, complete, counted in the report). And ``sync`` imports through the wizard's
path, ``import_plan``."""

from __future__ import annotations

from typing import Any

from core.app import sync as sync_module
from core.services import fetch as fetch_module
from core.services.fetch import Stored, XeroResource, fetch
from core.store.models import XeroRecord
from tests.e2e.test_safety_xero_data import _xero_writer


def _invoice_rows(raws: Any) -> list[dict[str, Any]]:
    return [
        {"xero_id": r["InvoiceID"], "name": r.get("InvoiceNumber") or "", "raw": r} for r in raws
    ]


def test_a_new_xero_list_is_one_row(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    invoices = XeroResource(
        "invoices",
        lambda c, _version, _since: c.get_json(
            "api.xro/2.0/Invoices", params={"summaryOnly": "true"}
        )["Invoices"],
        (Stored("invoice", "invoices", _invoice_rows),),
    )
    monkeypatch.setattr(fetch_module, "XERO_RESOURCES", (*fetch_module.XERO_RESOURCES, invoices))
    # the snapshot table names the kinds it holds
    monkeypatch.setattr(XeroRecord.kind, "allowed", (*XeroRecord.kind.allowed, "invoice"))
    org = ctx.sandbox.store.xero_org(conn.xero_tenant_id)
    contact = next(c for c in org["Contacts"] if c["ContactStatus"] == "ACTIVE")
    resp = _xero_writer(ctx.sandbox).put(
        "/api.xro/2.0/Invoices",
        headers={
            "Authorization": "Bearer writer",
            "xero-tenant-id": conn.xero_tenant_id,
            "Accept": "application/json",
        },
        json={
            "Invoices": [
                {
                    "Type": "ACCREC",
                    "Contact": {"ContactID": contact["ContactID"]},
                    "Date": "2026-01-05",
                    "DueDate": "2026-02-05",
                    "LineItems": [
                        {
                            "Description": "Lawn care",
                            "Quantity": 1,
                            "UnitAmount": 90,
                            "AccountCode": "200",
                        }
                    ],
                }
            ]
        },
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    steps: list[tuple[str, int, int]] = []

    first = fetch(ctx, conn, progress=lambda *s: steps.append(s))

    stored = (
        XeroRecord.select()
        .where((XeroRecord.connection == conn) & (XeroRecord.kind == "invoice"))
        .count()
    )
    assert stored > 0 and len(first.xero["invoices"].added) == stored
    assert first.xero["contacts"].added and first.xero["employees"].added  # the others too
    xero_steps = [done for phase, done, _total in steps if phase == "xero"]
    assert xero_steps == sorted(xero_steps) and xero_steps[-1] == fetch_module.XERO_STEPS

    again = fetch(ctx, conn)
    assert again.xero["invoices"].count == 0  # read whole again: nothing changed


def test_sync_imports_through_the_wizards_path(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    calls: list[int] = []
    original = sync_module.import_plan

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(len(args[2].actions))
        return original(*args, **kwargs)

    monkeypatch.setattr(sync_module, "import_plan", spy)
    result = sync_module.sync(ctx, conn)
    assert calls and calls[0] == len(result.plan.actions) and result.run is not None
    assert sync_module.sync(ctx, conn).run is None and len(calls) == 1  # nothing to write
