"""Xero's official SDK (xero-python) reads back every invoice the simulator holds.

The product bills the AU Demo Company's hours (drafts with item lines and job lines), then a
user approves and pays one invoice and deletes another in Xero (the Demo Company's demo-only
control). ``AccountingApi`` reads every invoice back over HTTP, by ``IDs`` and one by one,
with the same ids, statuses, amounts, payment fields and lines; each raw answer validates
against the official OpenAPI spec.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
import requests

from core.app.invoicing import bill_time
from core.sandbox.xero_config import DEMO_CLIENT_ID
from tests.e2e.conftest import demo_ctx  # noqa: F401  (the fixture)
from tests.e2e.test_invoicing import hours_range, org_of, put_items_on_hours, ready

from .xero_spec import require_specs, validate_response

pytest.importorskip("xero_python", reason="pip install -e '.[test]'")

from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token


def _sdk(ctx, conn):
    tokens = ctx.xero_tokens_for(conn).token_set()
    token = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + 1800,
        "scope": sorted(tokens.scopes),
    }
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=DEMO_CLIENT_ID, client_secret="unused")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda t: None,
    )
    return AccountingApi(client, base_url=ctx.sandbox.xero_base + "/api.xro/2.0"), token


def test_sdk_reads_back_every_invoice_the_simulator_holds(demo_ctx):  # noqa: F811
    require_specs()
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    put_items_on_hours(ctx, conn)
    assert bill_time(ctx, conn, start=start, end=end).as_json()["invoices"]["created"] >= 3
    tenant = conn.xero_tenant_id
    api = ctx.sandbox.xero.api
    held = org_of(ctx, conn)["Invoices"]
    paid, deleted = held[0]["InvoiceID"], held[1]["InvoiceID"]
    api.demo_user_changes_invoice(tenant, paid, "approve")
    api.demo_user_changes_invoice(tenant, paid, "pay", paid_on=date(2026, 12, 2))
    api.demo_user_changes_invoice(tenant, deleted, "delete")
    held = org_of(ctx, conn)["Invoices"]
    ids = [i["InvoiceID"] for i in held]

    sdk, token = _sdk(ctx, conn)
    read = sdk.get_invoices(tenant, i_ds=ids, page=1).invoices
    assert sorted(str(i.invoice_id) for i in read) == sorted(ids)
    by_id = {str(i.invoice_id): i for i in read}
    for record in held:
        for one in (by_id[record["InvoiceID"]], sdk.get_invoice(tenant, record["InvoiceID"])):
            if not hasattr(one, "invoice_id"):
                one = one.invoices[0]
            assert one.type == "ACCREC"
            assert one.status == record["Status"]
            assert str(one.contact.contact_id) == record["Contact"]["ContactID"]
            assert one.reference == record["Reference"]
            assert float(one.total) == pytest.approx(record["Total"])
            assert float(one.amount_due) == pytest.approx(record["AmountDue"])
            assert float(one.amount_paid) == pytest.approx(record["AmountPaid"])
            assert [
                (x.item_code, float(x.quantity), float(x.unit_amount)) for x in one.line_items
            ] == [(x.get("ItemCode"), x["Quantity"], x["UnitAmount"]) for x in record["LineItems"]]
    assert by_id[paid].status == "PAID" and float(by_id[paid].amount_due) == 0
    assert by_id[paid].fully_paid_on_date == date(2026, 12, 2)
    assert by_id[deleted].status == "DELETED"
    assert any(x.item_code for i in read for x in i.line_items)

    # The raw answers in the documented shape (by IDs with paging, and by id).
    headers = {
        "Authorization": f"Bearer {token['access_token']}",
        "xero-tenant-id": tenant,
        "Accept": "application/json",
    }
    base = ctx.sandbox.xero_base + "/api.xro/2.0/Invoices"
    body = requests.get(
        base, params={"IDs": ",".join(ids), "page": 1}, headers=headers, timeout=10
    ).json()
    validate_response("accounting", "GET", "/Invoices", 200, body)
    one = requests.get(f"{base}/{paid}", headers=headers, timeout=10).json()
    validate_response("accounting", "GET", "/Invoices/{InvoiceID}", 200, one)


def test_sdk_updates_a_draft_by_line_item_id_and_reads_the_lines_back(demo_ctx):  # noqa: F811
    """The SDK's update_or_create_invoices (POST /Invoices) with LineItemIDs, as the product
    sends it: the line it names
    keeps its id and takes the new quantity, a line without an id is added with an id Xero
    made, the line left out is gone; the answer and the read-back validate against the spec."""
    from xero_python.accounting import Invoice, Invoices, LineItem

    require_specs()
    ctx, conn = ready(demo_ctx, "AU")
    start, end = hours_range(ctx)
    put_items_on_hours(ctx, conn)
    bill_time(ctx, conn, start=start, end=end)
    tenant = conn.xero_tenant_id
    draft = next(i for i in org_of(ctx, conn)["Invoices"] if len(i["LineItems"]) >= 2)
    keep, drop = draft["LineItems"][0], draft["LineItems"][1]
    sdk, token = _sdk(ctx, conn)
    answer = sdk.update_or_create_invoices(
        tenant,
        Invoices(
            invoices=[
                Invoice(
                    invoice_id=draft["InvoiceID"],
                    line_items=[
                        LineItem(line_item_id=keep["LineItemID"], quantity=7.25),
                        LineItem(description="Materials", quantity=1.0, unit_amount=12.5),
                    ],
                )
            ]
        ),
    ).invoices[0]
    lines = answer.line_items
    # the new line first: Xero puts an update's new lines before the ones it keeps
    assert str(lines[1].line_item_id) == keep["LineItemID"]
    assert (lines[1].description, float(lines[1].quantity)) == (keep["Description"], 7.25)
    assert float(lines[1].unit_amount) == keep["UnitAmount"]
    assert str(lines[0].line_item_id) not in {keep["LineItemID"], drop["LineItemID"]}
    read = sdk.get_invoice(tenant, draft["InvoiceID"]).invoices[0]
    assert [str(x.line_item_id) for x in read.line_items] == [str(x.line_item_id) for x in lines]
    headers = {
        "Authorization": f"Bearer {token['access_token']}",
        "xero-tenant-id": tenant,
        "Accept": "application/json",
    }
    base = ctx.sandbox.xero_base + "/api.xro/2.0/Invoices"
    one = requests.get(f"{base}/{draft['InvoiceID']}", headers=headers, timeout=10).json()
    validate_response("accounting", "GET", "/Invoices/{InvoiceID}", 200, one)
    assert drop["LineItemID"] not in {x["LineItemID"] for x in one["Invoices"][0]["LineItems"]}


def test_the_simulators_invoice_limits_are_the_specs():
    """The simulator refuses an invoice CurrencyCode outside the spec's enum and an
    InvoiceNumber over its maxLength: the same lists, read from the spec itself."""
    from core.sandbox.xero_api import CURRENCY_CODES, INVOICE_NUMBER_MAX

    from .xero_spec import load_spec

    require_specs("accounting")
    schemas = load_spec("accounting")["components"]["schemas"]
    assert CURRENCY_CODES == {str(code) for code in schemas["CurrencyCode"]["enum"]} - {""}
    assert INVOICE_NUMBER_MAX == schemas["Invoice"]["properties"]["InvoiceNumber"]["maxLength"]
