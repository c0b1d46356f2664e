"""The Xero simulator honours the query parameters the specs give (xero_accounting.yaml,
xero-payroll-au.yaml), as Xero does:

- ``unitdp`` on invoices: unit amounts are rounded to two decimals unless the request says
  ``unitdp=4`` (writes store the rounded amount and work the line amount out from it; reads
  show two decimals);
- ``searchTerm`` on GET /Invoices: a case-insensitive search of InvoiceNumber and Reference;
- ``createdByMyApp=true`` on GET /Invoices: only the invoices the token's app created;
- AU payroll ``GET /PayrollCalendars`` and ``GET /PayItems``: If-Modified-Since, ``where``,
  ``order``, ``page`` as on AU Employees (an unknown field is a QueryParseException).
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ms_date
from core.sandbox.xero_api import INVOICE_CREATORS_KEY
from tests.sandbox.test_xero_api import AU, START, Env, invoice, when

INVOICES = "/api.xro/2.0/Invoices"


@pytest.fixture
def env(tmp_path) -> Env:
    return Env(tmp_path)


def lines(resp) -> list[tuple[float, float]]:
    return [(li["UnitAmount"], li["LineAmount"]) for li in resp.json["Invoices"][0]["LineItems"]]


def priced(unit: float, qty: float = 3) -> dict[str, Any]:
    return invoice(
        LineItems=[
            {"Description": "Work", "Quantity": qty, "UnitAmount": unit, "AccountCode": "200"}
        ]
    )


# ----------------------------------------------------------------------------- unitdp
def test_a_write_without_unitdp_rounds_the_unit_amount_to_two_decimals(env):
    r = env.call("PUT", INVOICES, json=priced(12.34567))
    assert r.status_code == 200
    # 12.35 x 3 = 37.05 (not 37.04 from the four-decimal 12.3457)
    assert lines(r) == [(12.35, 37.05)] and r.json["Invoices"][0]["SubTotal"] == 37.05
    # account 200 (Sales) carries GST on Income, 10 %: 3.705 -> 3.71, rounded half up
    assert (r.json["Invoices"][0]["TotalTax"], r.json["Invoices"][0]["Total"]) == (3.71, 40.76)
    stored = env.org(AU)["Invoices"][-1]
    assert stored["LineItems"][0]["UnitAmount"] == 12.35
    ident = stored["InvoiceID"]
    assert lines(env.get(f"{INVOICES}/{ident}", query_string={"unitdp": 4})) == [(12.35, 37.05)]


def test_a_write_with_unitdp_4_keeps_four_decimals_and_reads_show_them_only_when_asked(env):
    r = env.call("PUT", INVOICES, json=priced(12.34567), query_string={"unitdp": "4"})
    assert lines(r) == [(12.3457, 37.04)]
    ident = r.json["Invoices"][0]["InvoiceID"]
    # by id and paged lists: two decimals by default (the line amount as written)
    assert lines(env.get(f"{INVOICES}/{ident}")) == [(12.35, 37.04)]
    assert lines(env.get(f"{INVOICES}/{ident}", query_string={"unitdp": 2})) == [(12.35, 37.04)]
    assert lines(env.get(f"{INVOICES}/{ident}", query_string={"unitdp": 4})) == [(12.3457, 37.04)]
    paged = env.get(INVOICES, query_string={"IDs": ident, "page": 1})
    assert lines(paged) == [(12.35, 37.04)]
    paged = env.get(INVOICES, query_string={"IDs": ident, "page": 1, "unitdp": 4})
    assert lines(paged) == [(12.3457, 37.04)]


def test_an_update_without_unitdp_keeps_the_unit_amount_of_a_line_it_does_not_restate(env):
    made = env.call("PUT", INVOICES, json=priced(12.34567), query_string={"unitdp": 4})
    inv = made.json["Invoices"][0]
    line_id = inv["LineItems"][0]["LineItemID"]
    r = env.call(
        "POST",
        INVOICES,
        json={
            "InvoiceID": inv["InvoiceID"],
            "LineItems": [
                {"LineItemID": line_id, "Description": "Work, renamed"},
                {"Description": "More", "Quantity": 1, "UnitAmount": 1.005, "AccountCode": "200"},
            ],
        },
    )
    assert r.status_code == 200
    stored = next(i for i in env.org(AU)["Invoices"] if i["InvoiceID"] == inv["InvoiceID"])
    # (the new line first: Xero puts an update's new lines before the ones it keeps)
    assert [(li["UnitAmount"], li["LineAmount"]) for li in stored["LineItems"]] == [
        (1.0, 1.0),  # the new line's 1.005 is read to two decimals
        (12.3457, 37.04),
    ]


# ----------------------------------------------------------------------------- searchTerm
def test_search_term_finds_invoices_by_number_or_reference_case_insensitively(env):
    env.call("PUT", INVOICES, json=invoice(InvoiceNumber="ABC-77", Reference="alpha job"))
    env.call("PUT", INVOICES, json=invoice(InvoiceNumber="XYZ-1", Reference="Beta ABC work"))
    env.call("PUT", INVOICES, json=invoice(InvoiceNumber="XYZ-2", Reference="gamma"))

    def found(term: str) -> list[str]:
        r = env.get(INVOICES, query_string={"searchTerm": term})
        assert r.status_code == 200
        return sorted(i["InvoiceNumber"] for i in r.json["Invoices"])

    assert found("abc") == ["ABC-77", "XYZ-1"]
    assert found("GAMMA") == ["XYZ-2"]
    assert found("text-that-is-nowhere") == []
    # with the other filters
    r = env.get(INVOICES, query_string={"searchTerm": "xyz", "where": 'Reference=="gamma"'})
    assert [i["InvoiceNumber"] for i in r.json["Invoices"]] == ["XYZ-2"]


# ----------------------------------------------------------------------------- createdByMyApp
@dataclass(frozen=True)
class AppAccess:
    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    client_id: str | None = None


def two_apps(env: Env) -> None:
    """Tokens ``app-a`` and ``app-b``: two apps (OAuth clients) connected to the tenants."""
    tenants = frozenset(o["tenantId"] for o in env.store.xero_orgs)

    def check(request: Request) -> AppAccess:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        scopes = frozenset({"accounting.transactions", "accounting.contacts.read"})
        return AppAccess(True, None, "grant-" + token, tenants, scopes, "client-" + token)

    env.api.check_access = check


def typed_in_xero(env: Env) -> str:
    """A draft the bookkeeper typed in Xero (as a company file holds it)."""
    org = env.org(AU)
    contact = org["Contacts"][0]
    ident = str(uuid.uuid4())
    org.setdefault("Invoices", []).append(
        {
            "Type": "ACCREC",
            "InvoiceID": ident,
            "InvoiceNumber": "INV-USER-1",
            "Reference": "typed in Xero",
            "Status": "DRAFT",
            "Contact": {"ContactID": contact["ContactID"], "Name": contact["Name"]},
            "Date": when(5),
            "DueDate": when(1),
            "UpdatedDateUTC": when(5),
            "LineAmountTypes": "Exclusive",
            "SubTotal": 10.0,
            "TotalTax": 0.0,
            "Total": 10.0,
            "AmountDue": 10.0,
            "CurrencyCode": "AUD",
            "LineItems": [],
        }
    )
    return ident


def test_created_by_my_app_lists_only_the_invoices_the_tokens_app_created(tmp_path):
    env = Env(tmp_path, persist=True)
    two_apps(env)
    user_made = typed_in_xero(env)
    a = env.call("PUT", INVOICES, token="app-a", json=invoice(InvoiceNumber="A-1"))
    b = env.call("PUT", INVOICES, token="app-b", json=invoice(InvoiceNumber="B-1"))
    # POST creates too; app B updating app A's invoice does not make it B's
    a2 = env.call("POST", INVOICES, token="app-a", json=invoice(InvoiceNumber="A-2"))
    assert a.status_code == b.status_code == a2.status_code == 200
    a_id = a.json["Invoices"][0]["InvoiceID"]
    r = env.call(
        "POST", INVOICES, token="app-b", json={"InvoiceID": a_id, "Reference": "edited by B"}
    )
    assert r.status_code == 200

    def mine(token: str, **query: Any) -> list[str]:
        r = env.get(INVOICES, token=token, query_string={"createdByMyApp": "true", **query})
        assert r.status_code == 200
        return sorted(i["InvoiceNumber"] for i in r.json["Invoices"])

    assert mine("app-a") == ["A-1", "A-2"]
    assert mine("app-b") == ["B-1"]
    assert mine("app-a", page=1) == ["A-1", "A-2"]
    every = env.get(INVOICES, token="app-a", query_string={"createdByMyApp": "false"})
    assert len(every.json["Invoices"]) == 4
    assert user_made in {i["InvoiceID"] for i in every.json["Invoices"]}
    # the mark is the simulator's own (private state), never part of an invoice's answer
    assert "client-app" not in every.get_data(as_text=True)
    assert "client-app" not in str(env.org(AU)["Invoices"])

    # a saved state remembers it (the private state beside the company data)
    again = CompanyStore.load(None, tmp_path)
    assert again.private[INVOICE_CREATORS_KEY][AU][a_id.lower()] == "client-app-a"


def test_invoices_of_a_state_saved_before_the_mark_are_not_the_apps(env):
    """An older saved state has no record of who created its invoices: none is the app's."""
    two_apps(env)
    env.call("PUT", INVOICES, token="app-a", json=invoice(InvoiceNumber="A-1"))
    env.store.private.pop(INVOICE_CREATORS_KEY)
    r = env.get(INVOICES, token="app-a", query_string={"createdByMyApp": "true"})
    assert r.status_code == 200 and r.json["Invoices"] == []


# ----------------------------------------------------------------------------- AU payroll
def calendars(env: Env) -> list[dict[str, Any]]:
    payroll = env.org(AU)["payroll"]
    rows = []
    for n in range(105):
        kind = ("WEEKLY", "FORTNIGHTLY", "MONTHLY")[n % 3]
        rows.append(
            {
                "PayrollCalendarID": str(uuid.UUID(int=n + 1)),
                "Name": f"Calendar {n:03d}",
                "CalendarType": kind,
                "StartDate": ms_date(START - 30 * 86400),
                "PaymentDate": ms_date(START - 20 * 86400),
                "ReferenceDate": ms_date(START - 30 * 86400),
                "UpdatedDateUTC": ms_date(START - (200 - n) * 86400),
            }
        )
    payroll["PayrollCalendars"] = copy.deepcopy(rows)
    return rows


CALS = "/payroll.xro/1.0/PayrollCalendars"


def test_au_payroll_calendars_where_order_page_and_if_modified_since(env):
    rows = calendars(env)

    def names(**kw: Any) -> list[str]:
        r = env.get(CALS, **kw)
        assert r.status_code == 200, r.json
        return [c["Name"] for c in r.json["PayrollCalendars"]]

    # 100 a page, as every AU payroll list
    assert names() == [r["Name"] for r in rows[:100]]
    assert names(query_string={"page": 2}) == [r["Name"] for r in rows[100:]]
    assert names(query_string={"where": 'Name=="no such calendar"'}) == []
    monthly = names(query_string={"where": 'CalendarType=="MONTHLY"', "order": "Name DESC"})
    assert monthly == sorted(r["Name"] for r in rows if r["CalendarType"] == "MONTHLY")[::-1]
    since = datetime.fromtimestamp(START - 97.5 * 86400, UTC).isoformat()
    assert names(headers={"If-Modified-Since": since}) == [r["Name"] for r in rows[103:]]
    assert names(headers={"If-Modified-Since": "2035-01-01T00:00:00"}) == []
    # one by id, as before
    one = env.get(f"{CALS}/{rows[4]['PayrollCalendarID']}")
    assert one.json["PayrollCalendars"] == [rows[4]]


@pytest.mark.parametrize("path", [CALS, "/payroll.xro/1.0/PayItems"])
def test_au_payroll_settings_lists_refuse_a_bad_query_as_employees_do(env, path):
    calendars(env)
    kind = "PayrollCalendar" if path == CALS else "EarningsRate"
    r = env.get(path, query_string={"where": "NoSuchField==1"})
    assert r.status_code == 400
    assert r.json["Type"] == "QueryParseException"
    assert (
        r.json["Message"]
        == f"No property or field 'NoSuchField' exists in type '{kind}' (at index 0)"
    )
    r = env.get(path, query_string={"order": "Nope DESC"})
    assert r.status_code == 400 and r.json["Type"] == "QueryParseException"
    employees = env.get("/payroll.xro/1.0/Employees", query_string={"page": 0})
    r = env.get(path, query_string={"page": 0})
    assert (r.status_code, r.json) == (employees.status_code, employees.json)


def test_au_pay_items_where_and_order_apply_to_each_kind(env):
    payroll = env.org(AU)["payroll"]
    everything = env.get("/payroll.xro/1.0/PayItems").json["PayItems"]
    name = payroll["LeaveTypes"][0]["Name"]
    r = env.get("/payroll.xro/1.0/PayItems", query_string={"where": f'Name=="{name}"'})
    assert r.status_code == 200
    got = r.json["PayItems"]
    assert [x["Name"] for x in got["LeaveTypes"]] == [name]
    assert got["EarningsRates"] == got["DeductionTypes"] == got["ReimbursementTypes"] == []
    r = env.get("/payroll.xro/1.0/PayItems", query_string={"order": "Name DESC"})
    rates = [x["Name"] for x in r.json["PayItems"]["EarningsRates"]]
    assert rates == sorted((x["Name"] for x in everything["EarningsRates"]), key=str.casefold)[::-1]
    # a field only earnings rates have is not a field of the other kinds
    r = env.get("/payroll.xro/1.0/PayItems", query_string={"where": 'EarningsType=="X"'})
    assert r.status_code == 400
    assert "exists in type 'DeductionType'" in r.json["Message"]
