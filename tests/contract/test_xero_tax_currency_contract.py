"""The simulator's tax rates, accounts, currencies and invoices carrying tax, against Xero's
official OpenAPI schemas (the settings strictly: no field the spec does not know) and as
Xero's own Python SDK (xero-python) reads them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.sandbox.demo_data import build_demo_company
from tests.e2e.conftest import demo_ctx  # noqa: F401  (the fixture)
from tests.e2e.test_invoicing import org_of, ready
from tests.sandbox.test_xero_tax_and_currencies import Demo, sold_item

from .test_xero_invoices_contract import _sdk
from .xero_spec import require_specs, validate_response

COUNTRIES = ("AU", "GB", "CA")


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    require_specs("accounting")
    return build_demo_company()


def _valid(path: str, body: dict[str, Any], method: str = "GET", strict: bool = True) -> None:
    validate_response("accounting", method, path, 200, body, strict_properties=strict)


@pytest.mark.parametrize("country", COUNTRIES)
def test_tax_rates_accounts_and_currencies_answers_match_the_spec(demo, country):
    env = Demo(copy.deepcopy(demo))
    base = "/api.xro/2.0"
    rates = env.call("GET", f"{base}/TaxRates", country)
    assert rates.status_code == 200
    _valid("/TaxRates", rates.json)
    tax_type = rates.json["TaxRates"][0]["TaxType"]
    _valid("/TaxRates/{TaxType}", env.call("GET", f"{base}/TaxRates/{tax_type}", country).json)
    currencies = env.call("GET", f"{base}/Currencies", country)
    assert currencies.status_code == 200 and currencies.json["Currencies"]
    _valid("/Currencies", currencies.json)
    accounts = env.call("GET", f"{base}/Accounts", country)
    assert accounts.status_code == 200 and accounts.json["Accounts"]
    _valid("/Accounts", accounts.json)
    one = accounts.json["Accounts"][0]["AccountID"]
    _valid("/Accounts/{AccountID}", env.call("GET", f"{base}/Accounts/{one}", country).json)


@pytest.mark.parametrize("country", COUNTRIES)
def test_an_invoice_carrying_tax_matches_the_spec(demo, country):
    env = Demo(copy.deepcopy(demo))
    item = sold_item(env, country)
    r = env.put(
        country,
        LineItems=[
            {"ItemCode": item["Code"], "Quantity": 1.5},
            {"Description": "Call-out", "Quantity": 1, "UnitAmount": 45, "AccountCode": "200"},
        ],
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    # (not strict: Xero's invoices carry DateString/DueDateString, which the spec leaves out)
    _valid("/Invoices", r.json, method="PUT", strict=False)
    inv = r.json["Invoices"][0]
    assert inv["TotalTax"] > 0 and inv["Total"] == round(inv["SubTotal"] + inv["TotalTax"], 2)
    read = env.call("GET", f"/api.xro/2.0/Invoices/{inv['InvoiceID']}", country).json
    _valid("/Invoices/{InvoiceID}", read, strict=False)
    _valid("/Invoices", env.call("GET", "/api.xro/2.0/Invoices", country).json, strict=False)


def test_the_sdk_reads_tax_rates_currencies_accounts_and_the_tax_of_an_invoice(demo_ctx):  # noqa: F811
    require_specs("accounting")
    pytest.importorskip("xero_python", reason="pip install -e '.[test]'")
    from xero_python.accounting import Contact, Invoice, Invoices, LineItem

    ctx, conn = ready(demo_ctx, "AU")
    tenant = conn.xero_tenant_id
    sdk, _token = _sdk(ctx, conn)
    rates = {r.tax_type: r for r in sdk.get_tax_rates(tenant).tax_rates}
    assert float(rates["OUTPUT"].effective_rate) == 10.0 and rates["OUTPUT"].status == "ACTIVE"
    assert float(rates["OUTPUT"].tax_components[0].rate) == 10.0
    assert [str(c.code.value) for c in sdk.get_currencies(tenant).currencies] == ["AUD"]
    accounts = {a.code: a for a in sdk.get_accounts(tenant).accounts}
    assert accounts["200"].tax_type == "OUTPUT"

    org = org_of(ctx, conn)
    item = next(
        i
        for i in org["Items"]
        if i.get("IsSold") and (i.get("SalesDetails") or {}).get("TaxType") == "OUTPUT"
    )
    contact = next(c for c in org["Contacts"] if c.get("ContactStatus") == "ACTIVE")
    made = sdk.create_invoices(
        tenant,
        Invoices(
            invoices=[
                Invoice(
                    type="ACCREC",
                    contact=Contact(contact_id=contact["ContactID"]),
                    status="DRAFT",
                    line_items=[LineItem(item_code=item["Code"], quantity=2.0)],
                )
            ]
        ),
    ).invoices[0]
    price = item["SalesDetails"]["UnitPrice"]
    tax = round(2 * price * 0.1, 2)
    assert made.line_items[0].tax_type == "OUTPUT"
    assert float(made.line_items[0].tax_amount) == tax
    back = sdk.get_invoice(tenant, made.invoice_id).invoices[0]
    assert (float(back.sub_total), float(back.total_tax), float(back.total)) == (
        2 * price,
        tax,
        round(2 * price + tax, 2),
    )
    assert float(back.currency_rate) == 1.0
