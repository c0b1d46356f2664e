"""The Xero simulator computes tax and knows the organisation's currencies, as Xero does.

Each organisation has its country's tax rates (``GET /TaxRates``), a chart of accounts whose
accounts carry a tax rate, and the currencies it enabled (``GET /Currencies``). An invoice
line's tax rate is its own ``TaxType``, else its item's, else its account's; its
``TaxAmount`` is the rate's percentage of the line amount, rounded to the cent per line;
``SubTotal``/``TotalTax``/``Total`` follow ``LineAmountTypes``. A tax type the organisation
has not (or not active, or not for the line's account) and a currency it has not enabled are
refused with Xero's ValidationException; a foreign currency gets the day rate, not 1.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock
from core.sandbox.demo_data import build_demo_company
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import XeroConfig
from tests.sandbox.test_xero_api import fake_check_access

INVOICES = "/api.xro/2.0/Invoices"
SCOPES = frozenset({"accounting.settings.read", "accounting.transactions"})


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_demo_company()


class Demo:
    """The Demo Company's Xero organisations behind the accounting API, in memory."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.store = CompanyStore.from_dict(data)
        self.tenants = {
            o["Organisation"]["CountryCode"]: o["tenantId"] for o in self.store.xero_orgs
        }
        tokens = {"t": (frozenset(self.tenants.values()), SCOPES)}
        self.api = XeroApi(
            self.store, ManualClock(1_760_000_000.0), XeroConfig(), fake_check_access(tokens)
        )

        def app(environ, start_response):
            response = self.api.handle(Request(environ)) or Response("not mine", status=599)
            return response(environ, start_response)

        self.client = Client(app)

    def call(self, method: str, path: str, country: str = "AU", **kw: Any):
        headers = {
            "Authorization": "Bearer t",
            "xero-tenant-id": self.tenants[country],
            "Accept": "application/json",
        }
        return self.client.open(path, method=method, headers=headers, **kw)

    def org(self, country: str) -> dict[str, Any]:
        org = self.store.xero_org(self.tenants[country])
        assert org is not None
        return org

    def customer(self, country: str) -> str:
        return next(
            c["ContactID"]
            for c in self.org(country)["Contacts"]
            if c.get("IsCustomer") and c.get("ContactStatus") == "ACTIVE"
        )

    def put(self, country: str = "AU", **invoice: Any):
        body = {
            "Type": "ACCREC",
            "Contact": {"ContactID": self.customer(country)},
            "Date": "2025-10-01",
            "Status": "DRAFT",
            **invoice,
        }
        return self.call("PUT", INVOICES, country, json={"Invoices": [body]})


@pytest.fixture
def env(demo) -> Demo:
    return Demo(copy.deepcopy(demo))


def sold_item(env: Demo, country: str) -> dict[str, Any]:
    return next(
        i
        for i in env.org(country)["Items"]
        if i.get("IsSold") and isinstance((i.get("SalesDetails") or {}).get("UnitPrice"), float)
    )


def errors_of(resp) -> list[str]:
    assert resp.status_code == 400, resp.get_data(as_text=True)
    body = resp.json
    assert body["Type"] == "ValidationException" and body["ErrorNumber"] == 10
    return [e["Message"] for el in body["Elements"] for e in el["ValidationErrors"]]


# ----------------------------------------------------------------------------- tax rates
def test_each_organisation_lists_its_countrys_tax_rates(env):
    rates = {r["TaxType"]: r for r in env.call("GET", "/api.xro/2.0/TaxRates").json["TaxRates"]}
    gst = rates["OUTPUT"]
    assert (gst["Name"], gst["EffectiveRate"], gst["DisplayTaxRate"]) == ("GST on Income", 10, 10)
    assert gst["Status"] == "ACTIVE" and gst["CanApplyToRevenue"] and not gst["CanApplyToExpenses"]
    assert gst["TaxComponents"] == [
        {"Name": "GST", "Rate": 10.0, "IsCompound": False, "IsNonRecoverable": False}
    ]
    assert rates["BASEXCLUDED"]["EffectiveRate"] == rates["EXEMPTOUTPUT"]["EffectiveRate"] == 0
    assert "NONE" not in rates  # Australia has had no "No GST" rate since 2013
    uk = {r["TaxType"]: r for r in env.call("GET", "/api.xro/2.0/TaxRates", "GB").json["TaxRates"]}
    assert uk["OUTPUT2"]["EffectiveRate"] == 20 and uk["ZERORATEDOUTPUT"]["EffectiveRate"] == 0
    assert uk["OUTPUT"]["Status"] == "ARCHIVED"
    qc = {r["TaxType"]: r for r in env.call("GET", "/api.xro/2.0/TaxRates", "CA").json["TaxRates"]}
    assert qc["TAX001"]["EffectiveRate"] == 14.975
    assert [c["Rate"] for c in qc["TAX001"]["TaxComponents"]] == [5.0, 9.975]
    # by TaxType, and filtered as the spec's example does
    one = env.call("GET", "/api.xro/2.0/TaxRates/OUTPUT").json["TaxRates"]
    assert [r["TaxType"] for r in one] == ["OUTPUT"]
    assert env.call("GET", "/api.xro/2.0/TaxRates/NOPE").status_code == 404
    active = env.call(
        "GET", "/api.xro/2.0/TaxRates", "GB", query_string={"where": 'Status=="ACTIVE"'}
    ).json["TaxRates"]
    assert "OUTPUT" not in {r["TaxType"] for r in active} and "OUTPUT2" in {
        r["TaxType"] for r in active
    }


@pytest.mark.parametrize("country", ["AU", "GB", "CA"])
def test_items_and_accounts_name_active_tax_rates_they_can_take(env, country):
    rates = {
        r["TaxType"]: r
        for r in env.call("GET", "/api.xro/2.0/TaxRates", country).json["TaxRates"]
        if r["Status"] == "ACTIVE"
    }
    accounts = env.call("GET", "/api.xro/2.0/Accounts", country).json["Accounts"]
    flag = {"REVENUE": "CanApplyToRevenue", "EXPENSE": "CanApplyToExpenses"}
    for account in accounts:
        assert account["TaxType"] in rates, account
        if account["Class"] in flag:
            assert rates[account["TaxType"]][flag[account["Class"]]], account
    codes = {a["Code"] for a in accounts}
    for item in env.org(country)["Items"]:
        for key in ("SalesDetails", "PurchaseDetails"):
            details = item.get(key) or {}
            if details.get("TaxType"):
                assert details["TaxType"] in rates, item
            for field in ("AccountCode", "COGSAccountCode"):
                if details.get(field):
                    assert details[field] in codes, item


# ----------------------------------------------------------------------------- invoices
def test_an_item_line_takes_the_items_tax_rate_and_every_read_shows_the_tax(env):
    item = sold_item(env, "AU")
    price = item["SalesDetails"]["UnitPrice"]
    r = env.put(LineItems=[{"ItemCode": item["Code"], "Quantity": 2}])
    assert r.status_code == 200, r.get_data(as_text=True)
    inv = r.json["Invoices"][0]
    line = inv["LineItems"][0]
    assert (line["TaxType"], line["LineAmount"], line["TaxAmount"]) == (
        "OUTPUT",
        2 * price,
        round(0.2 * price, 2),
    )
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (
        2 * price,
        round(0.2 * price, 2),
        round(2.2 * price, 2),
    )
    assert inv["AmountDue"] == inv["Total"] and inv["CurrencyRate"] == 1.0
    ident = inv["InvoiceID"]
    by_id = env.call("GET", f"{INVOICES}/{ident}").json["Invoices"][0]
    paged = env.call("GET", INVOICES, query_string={"page": 1}).json["Invoices"]
    listed = env.call("GET", INVOICES).json["Invoices"]
    for read in (by_id, next(i for i in paged if i["InvoiceID"] == ident)):
        assert read["LineItems"][0]["TaxAmount"] == line["TaxAmount"]
        assert read["LineItems"][0]["TaxType"] == "OUTPUT"
    for read in (by_id, *[i for i in paged + listed if i["InvoiceID"] == ident]):
        assert (read["SubTotal"], read["TotalTax"], read["Total"]) == (
            inv["SubTotal"],
            inv["TotalTax"],
            inv["Total"],
        )


@pytest.mark.parametrize(
    ("mode", "tax", "sub_total", "total"),
    [
        ("Exclusive", 11.0, 110.0, 121.0),  # the tax is added to the line amounts
        ("Inclusive", 10.0, 100.0, 110.0),  # it is inside them: 110 x 10/110
        ("NoTax", 0.0, 110.0, 110.0),
    ],
)
def test_totals_follow_line_amount_types(env, mode, tax, sub_total, total):
    r = env.put(
        LineAmountTypes=mode,
        LineItems=[{"Description": "Work", "Quantity": 1, "UnitAmount": 110, "AccountCode": "200"}],
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    inv = r.json["Invoices"][0]
    assert inv["LineItems"][0]["LineAmount"] == 110.0  # the line amount stays as given
    assert inv["LineItems"][0]["TaxAmount"] == tax
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (sub_total, tax, total)


def test_tax_is_rounded_per_line(env):
    # 10 % of 0.05 is 0.005: each line's 0.01 (half up), three lines 0.03 - not 0.015 -> 0.02
    line = {"Description": "Stamp", "Quantity": 1, "UnitAmount": 0.05, "AccountCode": "200"}
    inv = env.put(LineItems=[line, line, line]).json["Invoices"][0]
    assert [x["TaxAmount"] for x in inv["LineItems"]] == [0.01, 0.01, 0.01]
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (0.15, 0.03, 0.18)


def test_the_lines_own_tax_type_wins_then_the_item_then_the_account(env):
    item = sold_item(env, "AU")
    inv = env.put(
        LineItems=[
            {"ItemCode": item["Code"], "Quantity": 1, "TaxType": "EXEMPTOUTPUT"},
            {"Description": "Call-out", "Quantity": 1, "UnitAmount": 50, "AccountCode": "200"},
            {"Description": "Interest", "Quantity": 1, "UnitAmount": 20, "AccountCode": "270"},
            # a retired Australian code, mapped as Xero maps it
            {
                "Description": "Other",
                "Quantity": 1,
                "UnitAmount": 5,
                "AccountCode": "200",
                "TaxType": "NONE",
            },
        ]
    ).json["Invoices"][0]
    assert [(x["TaxType"], x["TaxAmount"]) for x in inv["LineItems"]] == [
        ("EXEMPTOUTPUT", 0.0),
        ("OUTPUT", 5.0),
        ("EXEMPTOUTPUT", 0.0),
        ("BASEXCLUDED", 0.0),
    ]
    assert inv["TotalTax"] == 5.0


def test_an_update_works_the_tax_out_again(env):
    inv = env.put(
        LineItems=[{"Description": "Work", "Quantity": 1, "UnitAmount": 110, "AccountCode": "200"}]
    ).json["Invoices"][0]
    assert inv["TotalTax"] == 11.0
    r = env.call(
        "POST",
        INVOICES,
        json={"Invoices": [{"InvoiceID": inv["InvoiceID"], "LineAmountTypes": "Inclusive"}]},
    )
    after = r.json["Invoices"][0]
    assert (after["SubTotal"], after["TotalTax"], after["Total"]) == (100.0, 10.0, 110.0)
    line = after["LineItems"][0]
    r = env.call(
        "POST",
        INVOICES,
        json={
            "Invoices": [
                {
                    "InvoiceID": inv["InvoiceID"],
                    "LineItems": [{"LineItemID": line["LineItemID"], "TaxType": "EXEMPTOUTPUT"}],
                }
            ]
        },
    )
    assert r.json["Invoices"][0]["TotalTax"] == 0.0 and r.json["Invoices"][0]["Total"] == 110.0


def test_a_stated_tax_amount_overrides_the_computed_one(env):
    # spec LineItem.TaxAmount: "This value can be overriden if the calculated <TaxAmount> is
    # not correct"
    inv = env.put(
        LineItems=[
            {
                "Description": "Work",
                "Quantity": 1,
                "UnitAmount": 110,
                "AccountCode": "200",
                "TaxAmount": 10.99,
            }
        ]
    ).json["Invoices"][0]
    assert (inv["TotalTax"], inv["Total"]) == (10.99, 120.99)


@pytest.mark.parametrize(
    ("country", "line", "message"),
    [
        (
            "AU",
            {"TaxType": "GST"},
            "The TaxType code GST does not exist or cannot be used for this type of transaction.",
        ),
        (
            "GB",  # the 17.5 % rate, archived
            {"TaxType": "OUTPUT"},
            "The TaxType code OUTPUT does not exist or cannot be used for this type of "
            "transaction.",
        ),
        (
            "AU",  # an expense rate on the Sales account
            {"TaxType": "INPUT"},
            "The TaxType code 'INPUT' cannot be used with account code '200'.",
        ),
        (
            "AU",
            {"AccountCode": "999"},
            "Account code '999' is not a valid code for this document.",
        ),
    ],
)
def test_a_tax_type_or_account_the_organisation_cannot_use_is_refused(env, country, line, message):
    body = {"Description": "Work", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200", **line}
    r = env.put(country, LineItems=[body])
    assert errors_of(r) == [message]
    assert not env.org(country).get("Invoices")


# ----------------------------------------------------------------------------- currencies
def test_currencies_are_the_base_one_and_the_ones_enabled(env):
    def codes(country: str) -> list[str]:
        return [
            c["Code"]
            for c in env.call("GET", "/api.xro/2.0/Currencies", country).json["Currencies"]
        ]

    assert codes("AU") == ["AUD"]
    assert codes("GB") == ["GBP", "EUR"]
    assert codes("CA") == ["CAD", "USD"]
    assert env.call("GET", "/api.xro/2.0/Currencies", "CA").json["Currencies"][1] == {
        "Code": "USD",
        "Description": "United States Dollar",
    }


def test_an_invoice_in_a_currency_not_enabled_is_refused(env):
    line = {"Description": "Work", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
    r = env.put(CurrencyCode="USD", LineItems=[line])
    assert errors_of(r) == ["Organisation is not subscribed to currency USD"]


def test_an_enabled_foreign_currency_gets_the_day_rate_or_the_rate_given(env):
    line = {"Description": "Travaux", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200"}
    inv = env.put("CA", CurrencyCode="USD", LineItems=[line]).json["Invoices"][0]
    assert inv["CurrencyCode"] == "USD" and inv["CurrencyRate"] == 0.729927  # 1 / 1.37
    assert (inv["SubTotal"], inv["TotalTax"], inv["Total"]) == (100.0, 14.98, 114.98)
    given = env.put("CA", CurrencyCode="USD", CurrencyRate=0.74, LineItems=[line])
    assert given.json["Invoices"][0]["CurrencyRate"] == 0.74
    base = env.put("CA", CurrencyCode="CAD", LineItems=[line]).json["Invoices"][0]
    assert base["CurrencyRate"] == 1.0
    assert errors_of(env.put("CA", CurrencyCode="USD", CurrencyRate=0, LineItems=[line])) == [
        "The CurrencyRate value '0' is not valid: it must be above zero."
    ]
