"""A company file (a held-out organisation, one written before tax rates and accounts were
modelled) that lists no ``TaxRates`` or ``Accounts``: the organisation has its version's, and
also the tax types and account codes its own items name (its items could not carry them
otherwise), so invoices with those items are taken, not refused for a code the file never
listed."""

from __future__ import annotations

import copy

from tests.sandbox.test_xero_tax_and_currencies import INVOICES, Demo, demo  # noqa: F401


def test_items_naming_codes_the_defaults_lack_are_billed(demo):  # noqa: F811
    data = copy.deepcopy(demo)
    uk = next(o for o in data["xero"]["organisations"] if o["Organisation"]["CountryCode"] == "GB")
    for key in ("TaxRates", "Accounts"):
        uk.pop(key, None)
    item = next(i for i in uk["Items"] if i.get("IsSold") and i.get("Code"))
    # the old UK VAT code (archived in the defaults) and a UK-style sales account
    item["SalesDetails"] = {
        **item.get("SalesDetails", {}),
        "TaxType": "OUTPUT",
        "AccountCode": "4000",
    }
    box = Demo(data)
    answer = box.put("GB", LineItems=[{"ItemCode": item["Code"], "Quantity": 2, "UnitAmount": 10}])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    (line,) = answer.get_json()["Invoices"][0]["LineItems"]
    assert (line["TaxType"], line["AccountCode"]) == ("OUTPUT", "4000")
    codes = {
        r["TaxType"] for r in box.call("GET", "/api.xro/2.0/TaxRates", "GB").get_json()["TaxRates"]
    }
    assert "OUTPUT" in codes
