"""The Demo Company's Xero is as strict as Xero where an audit found it lenient: a LineAmount
that contradicts the line's quantity and price is refused (Xero's words), a line's tracking is
kept and answered with its category and option by name and by id, an invoice without Date is
dated in the organisation's time zone, GET /Accounts honours If-Modified-Since, NZ/UK leave
without periods takes the employee's own day (or one unit a day for leave counted in days),
and an update's new lines come before the lines it keeps."""

from __future__ import annotations

import copy
import functools
from datetime import date
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock
from core.sandbox.demo_data import build_demo_company, generate_large
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import XeroConfig

#: 2026-12-05T20:00Z: already 2026-12-06 in Sydney (07:00), still the 5th in London
EVENING_UTC = 1_796_515_200.0 - 4 * 3600
INVOICES = "/api.xro/2.0/Invoices"


class _Access:
    ok, error, grant_id = True, None, "g"
    scopes = frozenset(
        {
            "accounting.transactions",
            "accounting.settings",
            "accounting.contacts",
            "payroll.employees",
            "payroll.settings",
            "payroll.timesheets",
        }
    )

    def __init__(self, tenants: frozenset[str]) -> None:
        self.tenant_ids = tenants


@functools.cache
def _company() -> dict[str, Any]:
    data = build_demo_company()
    nz = generate_large(contacts=3, employees=4, items=2, region="NZ", seed=3)
    data["xero"]["organisations"].append(nz["xero"]["organisations"][0])
    return data


class Sim:
    def __init__(self) -> None:
        self.store = CompanyStore.from_dict(copy.deepcopy(_company()))
        self.orgs = {o["Organisation"]["Version"]: o for o in _company()["xero"]["organisations"]}
        tenants = frozenset(o["tenantId"] for o in self.orgs.values())
        self.api = XeroApi(
            self.store,
            ManualClock(EVENING_UTC),
            XeroConfig(minute_limit=10_000, day_limit=100_000),
            lambda _r: _Access(tenants),
        )

        def app(environ, start_response):
            return (self.api.handle(Request(environ)) or Response("", 404))(environ, start_response)

        self.client = Client(app)

    def tenant(self, version: str) -> str:
        return self.orgs[version]["tenantId"]

    def org(self, version: str) -> dict[str, Any]:
        org = self.store.xero_org(self.tenant(version))
        assert org is not None
        return org

    def call(self, method: str, path: str, version: str = "AU", **kw: Any):
        headers = {
            "Authorization": "Bearer t",
            "xero-tenant-id": self.tenant(version),
            "Accept": "application/json",
            **kw.pop("headers", {}),
        }
        return self.client.open(path, method=method, headers=headers, **kw)

    def put_invoice(self, lines: list[dict[str, Any]], **extra: Any):
        contact = next(c for c in self.org("AU")["Contacts"] if c["ContactStatus"] == "ACTIVE")
        body = {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, **extra}
        return self.call("PUT", INVOICES, json={"Invoices": [{**body, "LineItems": lines}]})


@pytest.fixture
def sim() -> Sim:
    return Sim()


def _line(**kw: Any) -> dict[str, Any]:
    return {"Description": "Work", "AccountCode": "200", **kw}


# ------------------------------------------------------------------------- line amounts
def test_a_line_amount_that_contradicts_quantity_and_price_is_refused(sim):
    r = sim.put_invoice([_line(Quantity=2, UnitAmount=10, LineAmount=999)], Date="2026-11-20")
    assert r.status_code == 400
    errors = r.json["Elements"][0]["ValidationErrors"]
    assert errors == [
        {"Message": "The line total 999.00 does not match the expected line total 20.00"}
    ]
    assert not sim.org("AU").get("Invoices") or all(
        i.get("Total") != 999 for i in sim.org("AU")["Invoices"]
    )


@pytest.mark.parametrize(
    ("line", "unitdp", "amount"),
    [
        (_line(Quantity=3, UnitAmount=0.3333, LineAmount=1.0), 4, 1.0),  # 0.9999 rounds to 1.00
        (_line(Quantity=2, UnitAmount=10, DiscountRate=15, LineAmount=17), 2, 17.0),
        (_line(Quantity=1.5, UnitAmount=3.333, LineAmount=5.00), 4, 5.0),  # 4.9995: half up
    ],
)
def test_a_line_amount_equal_to_the_rounded_product_is_taken(sim, line, unitdp, amount):
    r = sim.call(
        "PUT",
        INVOICES,
        json={"Invoices": [{**_invoice_head(sim), "LineItems": [line]}]},
        query_string={"unitdp": unitdp},
    )
    assert r.status_code == 200, r.json
    assert r.json["Invoices"][0]["LineItems"][0]["LineAmount"] == amount


def test_a_discount_counts_in_the_expected_line_total(sim):
    r = sim.put_invoice([_line(Quantity=2, UnitAmount=10, DiscountRate=15, LineAmount=20)])
    assert r.status_code == 400
    assert r.json["Elements"][0]["ValidationErrors"][0]["Message"] == (
        "The line total 20.00 does not match the expected line total 17.00"
    )


def test_a_line_without_quantity_gets_it_from_its_line_amount(sim):
    """Spec LineItem.LineAmount: "If you wish to omit either the Quantity or UnitAmount you
    can provide a LineAmount and Xero will calculate the missing amount for you"."""
    r = sim.put_invoice([_line(UnitAmount=10, LineAmount=30)])
    assert r.status_code == 200, r.json
    line = r.json["Invoices"][0]["LineItems"][0]
    assert (line["Quantity"], line["UnitAmount"], line["LineAmount"]) == (3.0, 10.0, 30.0)


def _invoice_head(sim: Sim) -> dict[str, Any]:
    contact = next(c for c in sim.org("AU")["Contacts"] if c["ContactStatus"] == "ACTIVE")
    return {"Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}}


# ----------------------------------------------------------------------------- tracking
def test_tracking_is_answered_by_name_and_by_id_however_it_was_sent(sim):
    cat = next(c for c in sim.org("AU")["TrackingCategories"] if c["Status"] == "ACTIVE")
    opt = next(o for o in cat["Options"] if o.get("Status") == "ACTIVE")
    whole = {
        "Name": cat["Name"],
        "Option": opt["Name"],
        "TrackingCategoryID": cat["TrackingCategoryID"],
        "TrackingOptionID": opt["TrackingOptionID"],
    }
    for sent in (
        {"Name": cat["Name"], "Option": opt["Name"]},
        {
            "TrackingCategoryID": cat["TrackingCategoryID"],
            "TrackingOptionID": opt["TrackingOptionID"],
        },
    ):
        r = sim.put_invoice([_line(Quantity=1, UnitAmount=10, Tracking=[sent])])
        assert r.status_code == 200, r.json
        made = r.json["Invoices"][0]
        assert made["LineItems"][0]["Tracking"] == [whole]
        read = sim.call("GET", f"{INVOICES}/{made['InvoiceID']}").json["Invoices"][0]
        assert read["LineItems"][0]["Tracking"] == [whole]


# ------------------------------------------------------------------------ invoice date
def test_an_invoice_without_date_is_dated_in_the_organisations_zone(sim):
    """Spec Invoice.Date: "If the Date element is not specified it will default to the
    current date based on the timezone setting of the organisation" (Sydney for the AU
    Demo Company: already the 6th at 20:00 UTC on the 5th)."""
    assert sim.org("AU")["Organisation"]["Timezone"] == "AUSEASTERNSTANDARDTIME"
    r = sim.put_invoice([_line(Quantity=1, UnitAmount=10)])
    assert r.status_code == 200, r.json
    assert r.json["Invoices"][0]["DateString"] == "2026-12-06T00:00:00"


def test_an_organisation_file_may_set_its_own_zone(sim):
    sim.org("AU")["zone"] = "Europe/London"
    r = sim.put_invoice([_line(Quantity=1, UnitAmount=10)])
    assert r.json["Invoices"][0]["DateString"] == "2026-12-05T00:00:00"


# ------------------------------------------------------------------------------ accounts
def test_accounts_honour_if_modified_since(sim):
    everything = sim.call("GET", "/api.xro/2.0/Accounts").json["Accounts"]
    assert everything
    later = sim.call(
        "GET", "/api.xro/2.0/Accounts", headers={"If-Modified-Since": "2030-01-01T00:00:00"}
    )
    assert later.status_code == 200 and later.json["Accounts"] == []
    earlier = sim.call(
        "GET", "/api.xro/2.0/Accounts", headers={"If-Modified-Since": "2000-01-01T00:00:00"}
    )
    assert earlier.json["Accounts"] == everything


# -------------------------------------------------------------------------- NZ/UK leave
def _leave(sim: Sim, version: str, type_name: str, wages_per_day: float | None = None):
    payroll = sim.org(version)["payroll"]
    emp = next(e for e in payroll["Employees"] if e.get("payrollCalendarID"))
    if wages_per_day is not None:
        for row in payroll["SalaryAndWages"][emp["employeeID"]]:
            row["numberOfUnitsPerDay"] = wages_per_day
    ltype = next(t for t in payroll["LeaveTypes"] if t["name"] == type_name)
    r = sim.call(
        "POST",
        f"/payroll.xro/2.0/Employees/{emp['employeeID']}/Leave",
        version,
        json={
            "leaveTypeID": ltype["leaveTypeID"],
            "description": "Away",
            "startDate": "2026-12-08",  # Tuesday
            "endDate": "2026-12-09",
        },
    )
    assert r.status_code == 200, r.json
    return r.json["leave"]["periods"], ltype


def test_nz_leave_counted_in_days_takes_one_unit_a_weekday(sim):
    periods, ltype = _leave(sim, "NZ", "Sick Leave")
    assert ltype["typeOfUnits"] == "Days"
    assert sum(p["numberOfUnits"] for p in periods) == 2.0
    assert {p["typeOfUnits"] for p in periods} == {"Days"}


def test_nz_leave_in_hours_takes_the_employees_hours_a_day(sim):
    periods, ltype = _leave(sim, "NZ", "Annual Leave", wages_per_day=8.0)
    assert ltype["typeOfUnits"] == "Hours"
    assert sum(p["numberOfUnits"] for p in periods) == 16.0


def test_uk_leave_takes_the_employees_hours_a_day(sim):
    periods, _ = _leave(sim, "UK", "Holiday", wages_per_day=6.0)
    assert sum(p["numberOfUnits"] for p in periods) == 12.0
    assert all("typeOfUnits" not in p for p in periods)  # not in the UK LeavePeriod


# ------------------------------------------------------------------------ lines' order
def test_an_updates_new_lines_come_before_the_lines_it_keeps(sim):
    made = sim.put_invoice(
        [
            _line(Description="A", Quantity=1, UnitAmount=1),
            _line(Description="B", Quantity=1, UnitAmount=2),
        ]
    ).json["Invoices"][0]
    a, b = made["LineItems"]
    r = sim.call(
        "POST",
        INVOICES,
        json={
            "Invoices": [
                {
                    "InvoiceID": made["InvoiceID"],
                    "LineItems": [
                        {"LineItemID": a["LineItemID"]},
                        {"LineItemID": b["LineItemID"]},
                        _line(Description="C", Quantity=1, UnitAmount=3),
                    ],
                }
            ]
        },
    )
    assert r.status_code == 200, r.json
    assert [x["Description"] for x in r.json["Invoices"][0]["LineItems"]] == ["C", "A", "B"]


def test_the_organisations_day_is_its_own_not_utc():
    from core.sandbox.xero_settings import organisation_today

    org = {"Organisation": {"Timezone": "NEWZEALANDSTANDARDTIME", "Version": "NZ"}}
    assert organisation_today(org, EVENING_UTC) == date(2026, 12, 6)
    assert organisation_today({"Organisation": {"Version": "GLOBAL"}}, EVENING_UTC) == date(
        2026, 12, 5
    )
