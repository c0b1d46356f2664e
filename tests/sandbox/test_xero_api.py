"""The Demo Company's Xero Accounting/Payroll API simulator (core/sandbox/xero_api.py).

Every test talks to ``XeroApi.handle`` through werkzeug's test client (no sockets, no
sleeping: a ManualClock drives the rate-limit windows); one test goes through a real
SimServer over HTTP. A fake ``check_access`` maps bearer tokens to (tenants, scopes).
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from core.sandbox import xero_api
from core.sandbox.common import CompanyStore, ManualClock, SimServer, ms_date
from core.sandbox.xero_api import (
    MAX_BODY_BYTES,
    QueryParseError,
    XeroApi,
    compile_where,
    xero_error_response,
)
from core.sandbox.xero_config import XeroConfig

START = 1_700_000_000.0  # 2023-11-14T22:13:20Z
AU = "aaaaaaaa-0000-4000-8000-000000000001"
NZ = "aaaaaaaa-0000-4000-8000-000000000002"
UK = "aaaaaaaa-0000-4000-8000-000000000003"
US = "aaaaaaaa-0000-4000-8000-000000000004"
GL = "aaaaaaaa-0000-4000-8000-000000000005"
BIG = "aaaaaaaa-0000-4000-8000-000000000006"
OTHER = "aaaaaaaa-0000-4000-8000-000000000099"  # exists, but not connected to the grant
ALL_READ = frozenset(
    {
        "accounting.contacts.read",
        "accounting.settings.read",
        "accounting.transactions",
        "payroll.employees.read",
        "payroll.settings.read",
        "offline_access",
    }
)


# ----------------------------------------------------------------------------- fakes
@dataclass(frozen=True)
class FakeAccess:
    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)


def fake_check_access(tokens: dict[str, tuple[frozenset[str], frozenset[str]]]):
    def check(request: Request) -> FakeAccess:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip()
        if token not in tokens:
            body = {
                "Type": None,
                "Title": "Unauthorized",
                "Status": 401,
                "Detail": "AuthenticationUnsuccessful",
                "Instance": str(uuid.uuid4()),
                "Extensions": {},
            }
            return FakeAccess(
                False, Response(json.dumps(body), 401, content_type="application/json"), None
            )
        tenants, scopes = tokens[token]
        return FakeAccess(True, None, "grant-" + token, tenants, scopes)

    return check


# ----------------------------------------------------------------------------- data
def when(days: float) -> str:
    return ms_date(START - days * 86400)


def contact(name: str, **kw: Any) -> dict[str, Any]:
    c = {
        "ContactID": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)),
        "ContactStatus": "ACTIVE",
        "Name": name,
        "Addresses": [{"AddressType": "STREET", "City": "Sydney"}],
        "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": "555"}],
        "UpdatedDateUTC": when(10),
        "ContactGroups": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "ContactPersons": [{"FirstName": "Pat", "LastName": "Lee"}],
        "SalesDefaultLineAmountType": "EXCLUSIVE",
        "HasAttachments": False,
        "Balances": {"AccountsReceivable": {"Outstanding": 10.0, "Overdue": 0.0}},
    }
    c.update(kw)
    return c


def accounting_org(tenant: str, version: str, **extra: Any) -> dict[str, Any]:
    org = {
        "tenantId": tenant,
        "tenantName": f"Org {version}",
        "Organisation": {
            "OrganisationID": str(uuid.uuid4()),
            "Name": f"Org {version}",
            "Version": version,
            "CountryCode": version[:2],
            "BaseCurrency": "AUD",
        },
        "Contacts": [
            contact(
                "Acme Pty",
                IsCustomer=True,
                EmailAddress="ap@acme.test",
                AccountNumber="A-1",
                ContactNumber="C001",
                FirstName="Ann",
                LastName="Smith",
            ),
            contact(
                "Bolt Supplies",
                IsSupplier=True,
                EmailAddress="hi@bolt.test",
                FirstName="Bob",
                LastName="Jones",
                UpdatedDateUTC=when(1),
            ),
            contact("Cobalt Labs", IsCustomer=True, ContactNumber="C003", UpdatedDateUTC=when(5)),
            contact(
                "Old Mill", ContactStatus="ARCHIVED", IsCustomer=True, EmailAddress="old@mill.test"
            ),
            contact(
                "delta design",
                IsCustomer=True,
                EmailAddress="DD@Delta.test",
                MergedToContactID=str(uuid.uuid4()),
            ),
        ],
        "Items": [
            {
                "ItemID": str(uuid.uuid4()),
                "Code": "SRV",
                "Name": "Service hour",
                "Description": "Consulting",
                "IsSold": True,
                "IsPurchased": False,
                "IsTrackedAsInventory": False,
                "UpdatedDateUTC": when(3),
                "SalesDetails": {"UnitPrice": 95.12345, "AccountCode": "200", "TaxType": "OUTPUT"},
                "PurchaseDetails": {},
            },
            {
                "ItemID": str(uuid.uuid4()),
                "Code": "BOLT",
                "Name": "Bolt",
                "IsSold": True,
                "IsPurchased": True,
                "IsTrackedAsInventory": True,
                "UpdatedDateUTC": when(20),
                "InventoryAssetAccountCode": "630",
                "QuantityOnHand": 5.0,
                "SalesDetails": {"UnitPrice": 2.5},
                "PurchaseDetails": {"UnitPrice": 1.0},
            },
            {
                "ItemID": str(uuid.uuid4()),
                "Code": "RAW",
                "Name": "Raw input",
                "IsSold": False,
                "IsPurchased": True,
                "IsTrackedAsInventory": False,
                "UpdatedDateUTC": when(1),
                "SalesDetails": {},
                "PurchaseDetails": {"UnitPrice": 3.0},
            },
        ],
        "TrackingCategories": [
            {
                "TrackingCategoryID": str(uuid.uuid4()),
                "Name": "Region",
                "Status": "ACTIVE",
                "Options": [
                    {"TrackingOptionID": str(uuid.uuid4()), "Name": "North", "Status": "ACTIVE"},
                    {"TrackingOptionID": str(uuid.uuid4()), "Name": "South", "Status": "ARCHIVED"},
                    {"TrackingOptionID": str(uuid.uuid4()), "Name": "Gone", "Status": "DELETED"},
                ],
            },
            {
                "TrackingCategoryID": str(uuid.uuid4()),
                "Name": "Old",
                "Status": "ARCHIVED",
                "Options": [
                    {"TrackingOptionID": str(uuid.uuid4()), "Name": "X", "Status": "ACTIVE"}
                ],
            },
            {
                "TrackingCategoryID": str(uuid.uuid4()),
                "Name": "Deleted",
                "Status": "DELETED",
                "Options": [],
            },
        ],
    }
    org.update(extra)
    return org


def au_employee(i: int, status: str = "ACTIVE") -> dict[str, Any]:
    e = {
        "EmployeeID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"au{i}")),
        "FirstName": f"First{i}",
        "LastName": f"Last{i}",
        "Status": status,
        "Email": f"e{i}@au.test",
        "DateOfBirth": "/Date(572313600000+0000)/",
        "StartDate": "/Date(1547164800000+0000)/",
        "UpdatedDateUTC": when(i % 30),
        "HomeAddress": {"AddressLine1": "1 St", "City": "X"},
        "PayTemplate": {"EarningsLines": []},
        "BankAccounts": [],
        "Gender": "F",
    }
    if status == "TERMINATED":
        e["TerminationDate"] = "/Date(1600000000000+0000)/"
    return e


def v2_employee(i: int, **kw: Any) -> dict[str, Any]:
    e = {
        "employeeID": str(uuid.uuid5(uuid.NAMESPACE_URL, f"v2-{i}")),
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "dateOfBirth": "1990-12-01T00:00:00",
        "gender": "M",
        "email": None,
        "phoneNumber": None,
        "startDate": "2019-02-07T00:00:00",
        "address": {"addressLine1": "30 King ST", "city": "Rangiora"},
        "payrollCalendarID": str(uuid.uuid4()),
        "updatedDateUTC": "2019-09-24T05:08:45",
        "createdDateUTC": "2019-09-22T23:58:23",
        "endDate": None,
    }
    e.update(kw)
    return e


@functools.cache
def company() -> dict[str, Any]:
    """Built once; CompanyStore.from_dict deep-copies it for every test."""
    au = accounting_org(
        AU,
        "AU",
        payroll={
            "Employees": [au_employee(i) for i in range(150)]
            + [au_employee(900, "TERMINATED"), au_employee(901, "TERMINATED")],
            "LeaveTypes": [
                {
                    "LeaveTypeID": str(uuid.uuid4()),
                    "Name": "Annual Leave",
                    "TypeOfUnits": "Hours",
                    "IsPaidLeave": True,
                    "ShowOnPayslip": True,
                    "CurrentRecord": True,
                    "IsQualifyingEarnings": True,
                    "UpdatedDateUTC": when(2),
                }
            ],
            "EarningsRates": [
                {
                    "EarningsRateID": str(uuid.uuid4()),
                    "Name": "Ordinary Hours",
                    "EarningsType": "ORDINARYTIMEEARNINGS",
                    "RateType": "RATEPERUNIT",
                    "TypeOfUnits": "Hours",
                    "CurrentRecord": True,
                    "UpdatedDateUTC": when(40),
                }
            ],
        },
    )
    nz = accounting_org(
        NZ,
        "NZ",
        payroll={
            "Employees": [v2_employee(i) for i in range(150)]
            + [v2_employee(500, firstName="John", lastName="Smith", endDate="2021-01-01T00:00:00")],
            "LeaveTypes": [
                {
                    "leaveTypeID": str(uuid.uuid4()),
                    "name": "Annual Leave",
                    "isPaidLeave": True,
                    "showOnPayslip": True,
                    "isActive": True,
                    "updatedDateUTC": "2019-09-22T23:09:32Z",
                    "typeOfUnits": "Hours",
                },
                {
                    "leaveTypeID": str(uuid.uuid4()),
                    "name": "Old Leave",
                    "isPaidLeave": False,
                    "showOnPayslip": False,
                    "isActive": False,
                    "updatedDateUTC": "2019-09-22T23:09:32Z",
                    "typeOfUnits": "Hours",
                },
            ],
        },
    )
    uk = accounting_org(
        UK,
        "UK",
        payroll={
            "Employees": [
                v2_employee(1, isOffPayrollWorker=False, contracts=[]),
                v2_employee(2, isOffPayrollWorker=True, contracts=[]),
            ],
            "LeaveTypes": [
                {
                    "leaveTypeID": str(uuid.uuid4()),
                    "name": "Holiday",
                    "isPaidLeave": True,
                    "showOnPayslip": True,
                    "isActive": True,
                    "isStatutoryLeave": False,
                }
            ],
        },
    )
    us = accounting_org(US, "US")
    gl = accounting_org(GL, "GLOBAL")
    other = accounting_org(OTHER, "AU")
    big = accounting_org(BIG, "AU")
    big["Contacts"] = [
        {
            "ContactID": str(uuid.UUID(int=i + 1)),
            "ContactStatus": "ACTIVE",
            "Name": f"Contact {i:05d}",
            "EmailAddress": f"c{i}@big.test",
            "IsCustomer": i % 3 == 0,
            "UpdatedDateUTC": ms_date(START - i),
        }
        for i in range(2500)
    ]
    return {"xero": {"organisations": [au, nz, uk, us, gl, other, big]}, "qbtime": {}}


# ----------------------------------------------------------------------------- fixtures
class Env:
    def __init__(
        self,
        tmp_path,
        config: XeroConfig | None = None,
        api_cls: type[XeroApi] = XeroApi,
        persist: bool = False,
    ) -> None:
        self.clock = ManualClock(START)
        self.config = config or XeroConfig(high_volume_threshold=1000)
        self.store = CompanyStore.from_dict(company(), state_dir=tmp_path if persist else None)
        tenants = frozenset({AU, NZ, UK, US, GL, BIG})
        self.tokens = {
            "all": (tenants, ALL_READ),
            "contacts-only": (tenants, frozenset({"accounting.contacts.read"})),
            "settings-only": (tenants, frozenset({"accounting.settings.read"})),
            "invoices-granular": (
                tenants,
                frozenset({"accounting.invoices", "accounting.contacts.read"}),
            ),
            "no-payroll-scope": (
                tenants,
                frozenset({"accounting.contacts.read", "accounting.settings.read"}),
            ),
        }
        self.api = api_cls(self.store, self.clock, self.config, fake_check_access(self.tokens))

        def app(environ, start_response):
            response = self.api.handle(Request(environ)) or Response("not mine", status=599)
            return response(environ, start_response)

        self.client = Client(app)

    def call(
        self,
        method: str,
        path: str,
        tenant: str | None = AU,
        token: str | None = "all",
        accept: str | None = "application/json",
        headers: dict[str, str] | None = None,
        **kw: Any,
    ):
        h: dict[str, str] = {}
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        if tenant is not None:
            h["xero-tenant-id"] = tenant
        if accept is not None:
            h["Accept"] = accept
        h.update(headers or {})
        return self.client.open(path, method=method, headers=h, **kw)

    def get(self, path: str, **kw: Any):
        return self.call("GET", path, **kw)

    def org(self, tenant: str) -> dict[str, Any]:
        org = self.store.xero_org(tenant)
        assert org is not None
        return org


@pytest.fixture
def env(tmp_path) -> Env:
    return Env(tmp_path)


def names(resp) -> list[str]:
    return [c["Name"] for c in resp.json["Contacts"]]


def assert_envelope(body: dict[str, Any], clock_now: float) -> None:
    assert set(body) >= {"Id", "Status", "ProviderName", "DateTimeUTC"}
    uuid.UUID(body["Id"])
    assert body["Status"] == "OK"
    assert body["DateTimeUTC"] == f"/Date({round(clock_now * 1000)})/"


# ============================================================================ organisation
def test_organisation_envelope_and_not_ours(env):
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 200
    assert_envelope(r.json, START)
    assert r.json["Organisations"][0]["Version"] == "AU"
    assert env.api.handle(Request.from_values("/connections")) is None
    assert env.api.handle(Request.from_values("/identity/connect/token")) is None


def test_paths_are_case_insensitive_and_unknown_routes_404(env):
    assert env.get("/api.xro/2.0/organisation").status_code == 200
    r = env.get("/api.xro/2.0/Nope")
    assert r.status_code == 404
    assert r.get_data(as_text=True) == "The resource you're looking for cannot be found"
    assert env.call("DELETE", "/api.xro/2.0/Contacts").status_code == 405


def test_xml_unless_json_is_asked_for(env):
    r = env.get("/api.xro/2.0/Organisation", accept=None)
    assert r.mimetype == "text/xml"
    assert r.get_data(as_text=True).startswith("<Response")
    assert "<Organisations><Organisation>" in r.get_data(as_text=True)
    r = env.get("/api.xro/2.0/Contacts", accept="*/*")
    assert r.mimetype == "text/xml"
    assert "<Contacts><Contact>" in r.get_data(as_text=True)


# ============================================================================ auth / tenant / scopes
def test_missing_or_foreign_tenant_is_403_and_not_counted(env):
    for tenant in (None, OTHER, "not-a-tenant"):
        r = env.get("/api.xro/2.0/Contacts", tenant=tenant)
        assert r.status_code == 403
        body = r.json
        assert {k: body[k] for k in ("Type", "Title", "Status", "Detail", "Extensions")} == {
            "Type": None,
            "Title": "Forbidden",
            "Status": 403,
            "Detail": "AuthenticationUnsuccessful",
            "Extensions": {},
        }
        uuid.UUID(body["Instance"])
        assert "X-MinLimit-Remaining" not in r.headers
    ok = env.get("/api.xro/2.0/Contacts")
    assert ok.headers["X-MinLimit-Remaining"] == "59"  # the 403s did not count


def test_bad_token_answers_check_access_error(env):
    r = env.get("/api.xro/2.0/Contacts", token="stolen")
    assert r.status_code == 401
    assert r.json["Title"] == "Unauthorized"
    r = env.get("/api.xro/2.0/Contacts", token=None)
    assert r.status_code == 401


def test_tenant_header_matches_case_insensitively(env):
    assert env.get("/api.xro/2.0/Organisation", tenant=AU.upper()).status_code == 200


@pytest.mark.parametrize(
    ("token", "path", "status"),
    [
        ("settings-only", "/api.xro/2.0/Contacts", 401),
        ("contacts-only", "/api.xro/2.0/Items", 401),
        ("contacts-only", "/api.xro/2.0/Organisation", 401),
        ("contacts-only", "/api.xro/2.0/TrackingCategories", 401),
        ("settings-only", "/api.xro/2.0/Items", 200),
        ("invoices-granular", "/api.xro/2.0/Items", 200),
        ("contacts-only", "/api.xro/2.0/Contacts", 200),
        ("no-payroll-scope", "/payroll.xro/1.0/Employees", 401),
        ("no-payroll-scope", "/payroll.xro/1.0/PayItems", 401),
    ],
)
def test_scopes(env, token, path, status):
    r = env.get(path, token=token)
    assert r.status_code == status
    if status == 401:
        assert r.json["Detail"] == "AuthorizationUnsuccessful"
        assert "X-MinLimit-Remaining" in r.headers  # tenant known: counted, headers sent


def test_invoice_write_needs_transactions_or_invoices_scope(env):
    body = {
        "Invoices": [
            {
                "Type": "ACCREC",
                "Contact": {"Name": "Acme Pty"},
                "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1}],
            }
        ]
    }
    assert (
        env.call("PUT", "/api.xro/2.0/Invoices", token="contacts-only", json=body).status_code
        == 401
    )
    assert (
        env.call("PUT", "/api.xro/2.0/Invoices", token="invoices-granular", json=body).status_code
        == 200
    )


# ============================================================================ contacts
def test_unpaged_contacts_return_all_active_with_list_detail_only(env):
    r = env.get("/api.xro/2.0/Contacts")
    assert r.status_code == 200
    assert "pagination" not in r.json
    assert names(r) == ["Acme Pty", "Bolt Supplies", "Cobalt Labs", "delta design"]
    first = r.json["Contacts"][0]
    assert first["ContactPersons"] == []  # list answers leave these empty
    assert "SalesDefaultLineAmountType" not in first
    assert first["Addresses"]  # still there without summaryOnly
    assert all("MergedToContactID" not in c for c in r.json["Contacts"])


def test_paged_contacts_carry_detail_and_pagination(env):
    r = env.get("/api.xro/2.0/Contacts?page=1")
    assert r.json["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 1, "itemCount": 4}
    first = r.json["Contacts"][0]
    assert first["ContactPersons"] == [{"FirstName": "Pat", "LastName": "Lee"}]
    assert first["SalesDefaultLineAmountType"] == "EXCLUSIVE"
    assert any("MergedToContactID" in c for c in r.json["Contacts"])


def test_paging_counts_and_page_size_cap(env):
    r = env.get("/api.xro/2.0/Contacts?page=1", tenant=BIG)
    assert len(r.json["Contacts"]) == 100
    assert r.json["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 25, "itemCount": 2500}
    r = env.get("/api.xro/2.0/Contacts?page=5&pageSize=500", tenant=BIG)
    assert len(r.json["Contacts"]) == 500
    assert r.json["pagination"]["pageCount"] == 5
    assert r.json["Contacts"][0]["Name"] == "Contact 02000"
    r = env.get("/api.xro/2.0/Contacts?page=6&pageSize=500", tenant=BIG)
    assert r.json["Contacts"] == [] and r.json["pagination"]["page"] == 6
    r = env.get("/api.xro/2.0/Contacts?page=1&pageSize=5000", tenant=BIG)
    assert len(r.json["Contacts"]) == 1000  # clamped to config.max_page_size
    assert r.json["pagination"] == {"page": 1, "pageSize": 1000, "pageCount": 3, "itemCount": 2500}
    assert env.get("/api.xro/2.0/Contacts?page=0").status_code == 400
    assert env.get("/api.xro/2.0/Contacts?page=abc").status_code == 400


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ('ContactStatus=="ACTIVE"', ["Acme Pty", "Bolt Supplies", "Cobalt Labs", "delta design"]),
        ("IsCustomer==true", ["Acme Pty", "Cobalt Labs", "delta design"]),
        ("IsSupplier == true", ["Bolt Supplies"]),
        ("IsCustomer==true AND IsSupplier==false", ["Acme Pty", "Cobalt Labs", "delta design"]),
        ('IsSupplier==true OR Name=="Cobalt Labs"', ["Bolt Supplies", "Cobalt Labs"]),
        ('(IsSupplier==true OR Name=="Cobalt Labs") AND Name.StartsWith("B")', ["Bolt Supplies"]),
        ('IsCustomer==true && !(Name=="Acme Pty")', ["Cobalt Labs", "delta design"]),
        ('Name.Contains("o")', ["Bolt Supplies", "Cobalt Labs"]),
        ('Name.EndsWith("Pty")', ["Acme Pty"]),
        ('Name.ToLower()=="delta design"', ["delta design"]),
        ('Name.ToLower().Contains("acme")', ["Acme Pty"]),
        ('Name=="acme pty"', []),  # == is case-sensitive
        ('EmailAddress=="hi@bolt.test"', ["Bolt Supplies"]),
        ('AccountNumber=="A-1"', ["Acme Pty"]),
        ('ContactNumber=="C003"', ["Cobalt Labs"]),
        ('FirstName=="Bob" and LastName=="Jones"', ["Bolt Supplies"]),
        ('name = "Acme Pty"', ["Acme Pty"]),  # `=` and case-insensitive property names
        ("ContactNumber!=null", ["Acme Pty", "Cobalt Labs"]),
        ('EmailAddress!=null AND EmailAddress.Contains("bolt")', ["Bolt Supplies"]),
        (f'ContactID==Guid("{uuid.uuid5(uuid.NAMESPACE_DNS, "Cobalt Labs")}")', ["Cobalt Labs"]),
        ("UpdatedDateUTC >= DateTime(2023,11,12)", ["Bolt Supplies"]),
    ],
)
def test_where_filters(env, where, expected):
    r = env.get("/api.xro/2.0/Contacts", query_string={"where": where})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert names(r) == expected


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ('Foo=="x"', "No property or field 'Foo' exists in type 'Contact'"),
        ('Name=="x', "Unterminated string literal"),
        ("Name==", "Expression expected"),
        ("(IsCustomer==true", "')' or operator expected"),
        ("IsCustomer==true AND", "Expression expected"),
        (
            'ContactID=="5cc8cf28-567e-4d43-b287-687cfcaec47c"',
            "Operator '==' incompatible with operand types 'Guid' and 'String'",
        ),
        (
            'IsCustomer=="true"',
            "Operator '==' incompatible with operand types 'Boolean' and 'String'",
        ),
        ("IsCustomer==null", "incompatible"),
        ("Name", "Expression of type 'Boolean' expected"),
        ('Name.Frobnicate("x")', "No applicable method 'Frobnicate'"),
        ('Name > "A"', "Operator '>' incompatible"),
        ('Guid("nope")==ContactID', "Guid should contain 32 digits"),
        ("IsCustomer==true IsSupplier==true", "Syntax error"),
        ("Name=='Acme'", "Syntax error"),
    ],
)
def test_unparseable_where_is_query_parse_exception(env, where, message):
    r = env.get("/api.xro/2.0/Contacts", query_string={"where": where})
    assert r.status_code == 400
    assert r.json["ErrorNumber"] == 16
    assert r.json["Type"] == "QueryParseException"
    assert message in r.json["Message"]


def test_method_on_missing_property_is_500_like_xero(env):
    # Cobalt Labs has no EmailAddress: Xero fails the whole call (pyxero#181).
    r = env.get("/api.xro/2.0/Contacts", query_string={"where": 'EmailAddress.Contains("x")'})
    assert r.status_code == 500
    assert r.json["Type"] == "UnknownErrorException"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='abcINSTmoe"()=!<>&|.,_ 0129NameIsCustomer', max_size=40))
def test_where_parser_never_crashes(text):
    """Any input either compiles or is a QueryParseException; a compiled filter either
    answers or hits a null (the documented 500), never anything else."""
    try:
        predicate, _ = compile_where(text, "Contact")
    except QueryParseError:
        return
    try:
        predicate({"Name": "x", "IsCustomer": True, "ContactID": str(uuid.uuid4())})
    except xero_api._NullReference:
        pass


def test_order(env):
    r = env.get("/api.xro/2.0/Contacts?order=Name DESC")
    assert names(r) == ["delta design", "Cobalt Labs", "Bolt Supplies", "Acme Pty"]
    r = env.get("/api.xro/2.0/Contacts?order=UpdatedDateUTC DESC")
    assert names(r)[0] == "Bolt Supplies"
    r = env.get("/api.xro/2.0/Contacts?order=IsCustomer, Name DESC")
    assert names(r) == ["Bolt Supplies", "delta design", "Cobalt Labs", "Acme Pty"]
    r = env.get("/api.xro/2.0/Contacts?order=Nope ASC")
    assert r.status_code == 400 and r.json["Type"] == "QueryParseException"


def test_include_archived(env):
    assert "Old Mill" not in names(env.get("/api.xro/2.0/Contacts"))
    assert "Old Mill" in names(env.get("/api.xro/2.0/Contacts?includeArchived=true"))
    # archived stay hidden even when the filter names them, unless includeArchived
    r = env.get("/api.xro/2.0/Contacts", query_string={"where": 'ContactStatus=="ARCHIVED"'})
    assert names(r) == []
    r = env.get(
        "/api.xro/2.0/Contacts",
        query_string={"where": 'ContactStatus=="ARCHIVED"', "includeArchived": "true"},
    )
    assert names(r) == ["Old Mill"]


def test_summary_only_drops_heavy_fields(env):
    for qs in ("summaryOnly=true", "summaryOnly=true&page=1"):
        r = env.get(f"/api.xro/2.0/Contacts?{qs}")
        assert r.status_code == 200
        for c in r.json["Contacts"]:
            for heavy in ("Addresses", "Phones", "ContactPersons", "Balances", "ContactGroups"):
                assert heavy not in c
            assert {"ContactID", "Name", "ContactStatus", "IsCustomer"} <= set(c)
    r = env.get("/api.xro/2.0/Contacts?summaryOnly=true&page=1")
    assert r.json["Contacts"][0]["SalesDefaultLineAmountType"] == "EXCLUSIVE"


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("acme", ["Acme Pty"]),
        ("SMITH", ["Acme Pty"]),
        ("c003", ["Cobalt Labs"]),
        ("delta.TEST", ["delta design"]),
        ("bob", ["Bolt Supplies"]),
        ("zzz", []),
    ],
)
def test_search_term(env, term, expected):
    assert names(env.get("/api.xro/2.0/Contacts", query_string={"searchTerm": term})) == expected


def test_ids(env):
    acme = str(uuid.uuid5(uuid.NAMESPACE_DNS, "Acme Pty"))
    cobalt = str(uuid.uuid5(uuid.NAMESPACE_DNS, "Cobalt Labs"))
    r = env.get(f"/api.xro/2.0/Contacts?IDs={acme},{cobalt.upper()}")
    assert names(r) == ["Acme Pty", "Cobalt Labs"]
    too_many = ",".join(str(uuid.uuid4()) for _ in range(53))
    assert env.get(f"/api.xro/2.0/Contacts?IDs={too_many}").status_code == 404
    assert env.get("/api.xro/2.0/Contacts?IDs=nope").status_code == 400


def test_if_modified_since(env):
    # Bolt Supplies changed 1 day ago, Cobalt 5, the others 10.
    since = datetime.fromtimestamp(START - 6 * 86400, UTC)
    r = env.get(
        "/api.xro/2.0/Contacts", headers={"If-Modified-Since": format_datetime(since, usegmt=True)}
    )
    assert names(r) == ["Bolt Supplies", "Cobalt Labs"]
    r = env.get("/api.xro/2.0/Contacts", headers={"If-Modified-Since": since.isoformat()})
    assert names(r) == ["Bolt Supplies", "Cobalt Labs"]
    # accurate to the second and strictly after: same second -> not returned
    same = datetime.fromtimestamp(START - 86400 + 0.9, UTC).isoformat()
    assert names(env.get("/api.xro/2.0/Contacts", headers={"If-Modified-Since": same})) == []
    before = datetime.fromtimestamp(START - 86400 - 1, UTC).isoformat()
    assert names(env.get("/api.xro/2.0/Contacts", headers={"If-Modified-Since": before})) == [
        "Bolt Supplies"
    ]


def test_high_volume_exception(env):
    def get(**qs):
        return env.get("/api.xro/2.0/Contacts", tenant=BIG, query_string=qs)

    for qs in (
        {"where": "IsCustomer==true", "page": 1},
        {"where": 'ContactStatus=="ACTIVE"', "page": 1},
        {"order": "EmailAddress", "page": 1},
        {},
        {"summaryOnly": "true"},
    ):  # unpaged is not allowed either
        r = get(**qs)
        assert r.status_code == 400, qs
        assert r.json == {
            "ErrorNumber": 51,
            "Type": "HighVolumeException",
            "Message": r.json["Message"],
        }
        assert r.json["Message"].startswith("Your request is not filtering Contacts efficiently")
    ok = get(where='Name.StartsWith("Contact 0001")', page=1, order="UpdatedDateUTC DESC")
    assert ok.status_code == 200 and len(ok.json["Contacts"]) == 10
    ok = get(where='EmailAddress=="c7@big.test" OR AccountNumber=="x"', page=1)
    assert names(ok) == ["Contact 00007"]
    ok = get(summaryOnly="true", page=2, pageSize=1000)
    assert ok.status_code == 200 and len(ok.json["Contacts"]) == 1000
    # the same filter is fine in a small organisation
    assert env.get("/api.xro/2.0/Contacts?where=IsCustomer==true").status_code == 200


def test_get_one_contact(env):
    acme = str(uuid.uuid5(uuid.NAMESPACE_DNS, "Acme Pty"))
    r = env.get(f"/api.xro/2.0/Contacts/{acme}")
    assert r.status_code == 200 and names(r) == ["Acme Pty"]
    assert r.json["Contacts"][0]["ContactPersons"]  # full detail
    assert names(env.get("/api.xro/2.0/Contacts/C003")) == ["Cobalt Labs"]
    old = str(uuid.uuid5(uuid.NAMESPACE_DNS, "Old Mill"))
    assert names(env.get(f"/api.xro/2.0/Contacts/{old}")) == ["Old Mill"]
    r = env.get(f"/api.xro/2.0/Contacts/{uuid.uuid4()}")
    assert r.status_code == 404 and r.mimetype == "text/plain"


# ============================================================================ items / tracking
def test_items(env):
    r = env.get("/api.xro/2.0/Items")
    assert [i["Code"] for i in r.json["Items"]] == ["SRV", "BOLT", "RAW"]
    assert "pagination" not in r.json
    assert r.json["Items"][0]["SalesDetails"]["UnitPrice"] == 95.12
    r = env.get("/api.xro/2.0/Items?unitdp=4")
    assert r.json["Items"][0]["SalesDetails"]["UnitPrice"] == 95.1235
    r = env.get(
        "/api.xro/2.0/Items", query_string={"where": "IsSold==true AND IsTrackedAsInventory==false"}
    )
    assert [i["Code"] for i in r.json["Items"]] == ["SRV"]
    r = env.get("/api.xro/2.0/Items", query_string={"where": "IsSold==true", "order": "Code ASC"})
    assert [i["Code"] for i in r.json["Items"]] == ["BOLT", "SRV"]
    since = datetime.fromtimestamp(START - 5 * 86400, UTC).isoformat()
    r = env.get("/api.xro/2.0/Items", headers={"If-Modified-Since": since})
    assert [i["Code"] for i in r.json["Items"]] == ["SRV", "RAW"]
    r = env.get("/api.xro/2.0/Items", query_string={"where": 'IsSold=="yes"'})
    assert r.status_code == 400 and r.json["Type"] == "QueryParseException"
    item_id = env.org(AU)["Items"][0]["ItemID"]
    assert env.get(f"/api.xro/2.0/Items/{item_id}").json["Items"][0]["Code"] == "SRV"
    assert env.get("/api.xro/2.0/Items/BOLT").json["Items"][0]["Code"] == "BOLT"
    assert env.get(f"/api.xro/2.0/Items/{uuid.uuid4()}").status_code == 404


def test_tracking_categories(env):
    r = env.get("/api.xro/2.0/TrackingCategories")
    cats = r.json["TrackingCategories"]
    assert [c["Name"] for c in cats] == ["Region"]
    assert [o["Name"] for o in cats[0]["Options"]] == ["North"]
    r = env.get("/api.xro/2.0/TrackingCategories?includeArchived=true")
    cats = r.json["TrackingCategories"]
    assert [c["Name"] for c in cats] == ["Region", "Old"]
    assert [o["Name"] for o in cats[0]["Options"]] == ["North", "South"]
    r = env.get(
        "/api.xro/2.0/TrackingCategories",
        query_string={"where": 'Status=="ACTIVE"', "includeArchived": "true"},
    )
    assert [c["Name"] for c in r.json["TrackingCategories"]] == ["Region"]
    # If-Modified-Since is not supported there: ignored
    r = env.get(
        "/api.xro/2.0/TrackingCategories",
        headers={"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"},
    )
    assert [c["Name"] for c in r.json["TrackingCategories"]] == ["Region"]


# ============================================================================ payroll
def test_au_employees_paging_default_active_and_summary(env):
    p1 = env.get("/payroll.xro/1.0/Employees")
    assert p1.status_code == 200
    assert_envelope(p1.json, START)
    assert "pagination" not in p1.json
    assert len(p1.json["Employees"]) == 100  # pages even without `page`
    e = p1.json["Employees"][0]
    assert {"EmployeeID", "FirstName", "LastName", "Status", "Email"} <= set(e)
    assert "HomeAddress" not in e and "PayTemplate" not in e  # summarised list
    p2 = env.get("/payroll.xro/1.0/Employees?page=2")
    assert len(p2.json["Employees"]) == 50  # terminated excluded by default
    assert all(x["Status"] == "ACTIVE" for x in p2.json["Employees"])
    assert env.get("/payroll.xro/1.0/Employees?page=3").json["Employees"] == []
    r = env.get("/payroll.xro/1.0/Employees", query_string={"where": 'Status=="TERMINATED"'})
    assert [x["FirstName"] for x in r.json["Employees"]] == ["First900", "First901"]
    r = env.get("/payroll.xro/1.0/Employees", query_string={"where": 'FirstName=="First7"'})
    assert [x["LastName"] for x in r.json["Employees"]] == ["Last7"]
    r = env.get("/payroll.xro/1.0/Employees", query_string={"where": 'hi=="x"'})
    assert r.status_code == 400
    assert r.json["Type"] == "QueryParseException" and r.json["ErrorNumber"] == 16
    since = datetime.fromtimestamp(START - 2.5 * 86400, UTC).isoformat()
    r = env.get("/payroll.xro/1.0/Employees", headers={"If-Modified-Since": since})
    assert {x["FirstName"] for x in r.json["Employees"]} == {
        f"First{i}" for i in range(150) if i % 30 < 2.5
    }
    one = env.org(AU)["payroll"]["Employees"][3]
    r = env.get(f"/payroll.xro/1.0/Employees/{one['EmployeeID']}")
    assert r.json["Employees"][0]["HomeAddress"] == one["HomeAddress"]  # full detail
    assert env.get(f"/payroll.xro/1.0/Employees/{uuid.uuid4()}").status_code == 404


def test_au_pay_items(env):
    r = env.get("/payroll.xro/1.0/PayItems")
    assert r.status_code == 200
    pay = r.json["PayItems"]
    assert set(pay) == {"EarningsRates", "DeductionTypes", "LeaveTypes", "ReimbursementTypes"}
    assert pay["LeaveTypes"][0]["Name"] == "Annual Leave"
    assert pay["DeductionTypes"] == []
    since = datetime.fromtimestamp(START - 10 * 86400, UTC).isoformat()
    pay = env.get("/payroll.xro/1.0/PayItems", headers={"If-Modified-Since": since}).json[
        "PayItems"
    ]
    assert pay["EarningsRates"] == [] and len(pay["LeaveTypes"]) == 1


def test_nz_employees_and_leave_types(env):
    r = env.get("/payroll.xro/2.0/Employees", tenant=NZ)
    body = r.json
    assert r.status_code == 200
    assert set(body) == {
        "id",
        "providerName",
        "dateTimeUTC",
        "httpStatusCode",
        "pagination",
        "problem",
        "employees",
    }
    assert body["httpStatusCode"] == "OK" and body["problem"] is None
    assert body["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 151}
    assert len(body["employees"]) == 100
    p2 = env.get("/payroll.xro/2.0/Employees?page=2", tenant=NZ).json
    assert len(p2["employees"]) == 51  # ended employees are listed (no status in 2.0)
    r = env.get("/payroll.xro/2.0/Employees?filter=firstName==John,lastName==Smith", tenant=NZ)
    assert [e["endDate"] for e in r.json["employees"]] == ["2021-01-01T00:00:00"]
    r = env.get("/payroll.xro/2.0/Employees?filter=email==x", tenant=NZ)
    assert r.status_code == 400
    assert r.json["title"] == "BadRequest" and r.json["status"] == "400"
    emp = env.org(NZ)["payroll"]["Employees"][0]
    one = env.get(f"/payroll.xro/2.0/Employees/{emp['employeeID']}", tenant=NZ).json
    assert one["employee"] == emp and one["pagination"] is None and one["problem"] is None
    r = env.get(f"/payroll.xro/2.0/Employees/{uuid.uuid4()}", tenant=NZ)
    assert r.status_code == 404 and r.json["title"] == "NotFound"
    lt = env.get("/payroll.xro/2.0/LeaveTypes", tenant=NZ).json
    assert [t["name"] for t in lt["leaveTypes"]] == ["Annual Leave", "Old Leave"]
    lt = env.get("/payroll.xro/2.0/LeaveTypes?page=1&ActiveOnly=true", tenant=NZ).json
    assert [t["name"] for t in lt["leaveTypes"]] == ["Annual Leave"]
    assert lt["pagination"]["itemCount"] == 1
    # If-Modified-Since is not a parameter of the 2.0 lists: ignored
    r = env.get(
        "/payroll.xro/2.0/Employees",
        tenant=NZ,
        headers={"If-Modified-Since": "Thu, 01 Jan 2099 00:00:00 GMT"},
    )
    assert r.json["pagination"]["itemCount"] == 151


def test_uk_employees(env):
    r = env.get("/payroll.xro/2.0/Employees?filter=isOffPayrollWorker==true", tenant=UK)
    assert [e["firstName"] for e in r.json["employees"]] == ["First2"]
    assert (
        env.get("/payroll.xro/2.0/Employees?filter=isOffPayrollWorker==true", tenant=NZ).status_code
        == 400
    )  # UK only
    lt = env.get("/payroll.xro/2.0/LeaveTypes", tenant=UK).json
    assert lt["leaveTypes"][0]["isStatutoryLeave"] is False


@pytest.mark.parametrize(
    ("tenant", "path", "status"),
    [
        (US, "/payroll.xro/1.0/Employees", 403),
        (US, "/payroll.xro/2.0/Employees", 403),
        (GL, "/payroll.xro/1.0/PayItems", 403),
        (GL, "/payroll.xro/2.0/LeaveTypes", 403),
        (NZ, "/payroll.xro/1.0/Employees", 403),
        (UK, "/payroll.xro/1.0/Employees", 403),
        (AU, "/payroll.xro/2.0/Employees", 405),
    ],
)
def test_payroll_only_in_its_region(env, tenant, path, status):
    r = env.get(path, tenant=tenant)
    assert r.status_code == status
    if status == 403:
        assert r.json["Title"] == "Forbidden"
        assert r.json["Detail"] == "AuthorizationUnsuccessful"


# ============================================================================ rate limits
def test_minute_limit_retry_after_and_reset(env):
    for i in range(60):
        r = env.get("/api.xro/2.0/Organisation")
        assert r.status_code == 200
        assert r.headers["X-MinLimit-Remaining"] == str(59 - i)
        env.clock.advance(0.5)
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Problem"] == "minute"
    assert r.headers["Retry-After"] == "30"  # the window opened 30 s ago
    assert r.headers["X-MinLimit-Remaining"] == "0"
    assert r.headers["X-DayLimit-Remaining"] == "4940"
    env.clock.advance(10)
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 429 and r.headers["Retry-After"] == "20"
    assert r.headers["X-DayLimit-Remaining"] == "4940"  # rejected calls do not count
    # other tenants have their own window
    assert env.get("/api.xro/2.0/Organisation", tenant=NZ).status_code == 200
    env.clock.advance(20)
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 200
    assert r.headers["X-MinLimit-Remaining"] == "59"
    assert r.headers["X-DayLimit-Remaining"] == "4939"


def test_day_limit(tmp_path):
    env = Env(tmp_path, XeroConfig(day_limit=5, minute_limit=1000))
    for _ in range(5):
        assert env.get("/api.xro/2.0/Organisation").status_code == 200
        env.clock.advance(3600)
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Problem"] == "day"
    assert r.headers["Retry-After"] == str(86400 - 5 * 3600)
    assert r.headers["X-DayLimit-Remaining"] == "0"
    env.clock.advance(86400 - 5 * 3600)
    assert env.get("/api.xro/2.0/Organisation").status_code == 200


def test_app_minute_limit_spans_tenants(tmp_path):
    env = Env(tmp_path, XeroConfig(app_minute_limit=3))
    assert env.get("/api.xro/2.0/Organisation", tenant=AU).headers["X-AppMinLimit-Remaining"] == "2"
    assert env.get("/api.xro/2.0/Organisation", tenant=NZ).status_code == 200
    assert env.get("/api.xro/2.0/Organisation", tenant=UK).status_code == 200
    r = env.get("/api.xro/2.0/Organisation", tenant=US)
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "appminute"


def test_remaining_headers_on_every_answer(env):
    for path in (
        "/api.xro/2.0/Contacts?where=Nope==1",
        "/api.xro/2.0/Contacts/C999",
        "/api.xro/2.0/Nowhere",
        "/payroll.xro/2.0/Employees",
    ):
        r = env.get(path)
        assert r.status_code >= 400
        for h in ("X-MinLimit-Remaining", "X-DayLimit-Remaining", "X-AppMinLimit-Remaining"):
            assert h in r.headers, (path, h)


class SlowApi(XeroApi):
    gate = threading.Event()
    entered = threading.Semaphore(0)

    def _dispatch(self, request, tenant, access):
        if request.args.get("slow"):
            self.entered.release()
            assert self.gate.wait(10)
        return super()._dispatch(request, tenant, access)


def test_concurrency_limit(tmp_path):
    SlowApi.gate = threading.Event()
    SlowApi.entered = threading.Semaphore(0)
    env = Env(tmp_path, api_cls=SlowApi)
    results: list[int] = []

    def slow_call() -> None:
        c = Client(env.client.application)
        r = c.get(
            "/api.xro/2.0/Organisation?slow=1",
            headers={
                "Authorization": "Bearer all",
                "xero-tenant-id": AU,
                "Accept": "application/json",
            },
        )
        results.append(r.status_code)

    threads = [threading.Thread(target=slow_call) for _ in range(5)]
    for t in threads:
        t.start()
    for _ in range(5):
        assert SlowApi.entered.acquire(timeout=10)
    r = env.get("/api.xro/2.0/Organisation")
    assert r.status_code == 429
    assert r.headers["X-Rate-Limit-Problem"] == "concurrent"
    assert "Retry-After" not in r.headers
    assert env.get("/api.xro/2.0/Organisation", tenant=NZ).status_code == 200  # per tenant
    SlowApi.gate.set()
    for t in threads:
        t.join(10)
    assert results == [200] * 5
    assert env.get("/api.xro/2.0/Organisation").status_code == 200


def test_fault_error_responses():
    r = xero_error_response(429)
    assert r.status_code == 429 and r.headers["X-Rate-Limit-Problem"] == "minute"
    assert r.headers["Retry-After"] == "1"
    r = xero_error_response(503)
    assert r.status_code == 503 and r.get_data(as_text=True) == (
        "The Xero API is currently offline for maintenance"
    )
    r = xero_error_response(500)
    assert r.status_code == 500 and json.loads(r.get_data())["Type"] == "UnknownErrorException"


# ============================================================================ invoices
def invoice(**kw: Any) -> dict[str, Any]:
    inv = {
        "Type": "ACCREC",
        "Contact": {"ContactID": str(uuid.uuid5(uuid.NAMESPACE_DNS, "Cobalt Labs"))},
        "Date": "2024-03-11",
        "DueDate": "2024-04-10",
        "Status": "DRAFT",
        "LineItems": [
            {
                "Description": "Consulting",
                "Quantity": 2,
                "UnitAmount": 20,
                "AccountCode": "200",
                "TaxType": "NONE",
            }
        ],
    }
    inv.update(kw)
    return inv


def test_put_invoice_creates_and_persists(tmp_path):
    env = Env(tmp_path, persist=True)
    cobalt = next(c for c in env.org(AU)["Contacts"] if c["Name"] == "Cobalt Labs")
    cobalt["IsCustomer"] = False
    before_update = cobalt["UpdatedDateUTC"]
    r = env.call("PUT", "/api.xro/2.0/Invoices", json={"Invoices": [invoice()]})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert_envelope(r.json, START)
    inv = r.json["Invoices"][0]
    assert inv["InvoiceNumber"] == "INV-0001" and inv["StatusAttributeString"] == "OK"
    assert (
        inv["Date"] == "/Date(1710115200000+0000)/" and inv["DateString"] == "2024-03-11T00:00:00"
    )
    assert inv["DueDate"] == "/Date(1712707200000+0000)/"
    assert inv["Total"] == 40.0 and inv["LineItems"][0]["LineAmount"] == 40.0
    assert inv["Contact"]["Name"] == "Cobalt Labs"
    uuid.UUID(inv["InvoiceID"])
    stored = env.org(AU)["Invoices"]
    assert [i["InvoiceID"] for i in stored] == [inv["InvoiceID"]]
    assert cobalt["IsCustomer"] is True and cobalt["UpdatedDateUTC"] == before_update
    saved = json.loads((tmp_path / "company.json").read_text())
    au = next(o for o in saved["xero"]["organisations"] if o["tenantId"] == AU)
    assert au["Invoices"][0]["InvoiceNumber"] == "INV-0001"
    r = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice())  # a bare Invoice object
    assert r.json["Invoices"][0]["InvoiceNumber"] == "INV-0002"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Type": "BILL"}, "not a valid Invoice Type"),
        ({"Type": None}, "Invoice Type must be specified"),
        ({"Contact": None}, "A Contact must be specified"),
        ({"Contact": {"ContactID": str(uuid.uuid4())}}, "ContactID was not found"),
        ({"Contact": {"ContactNumber": "NOPE"}}, "ContactNumber was not found"),
        ({"Contact": {"ContactID": str(uuid.uuid5(uuid.NAMESPACE_DNS, "Old Mill"))}}, "archived"),
        ({"Date": "11/03/2024"}, "is not a valid date"),
        ({"DueDate": "2024-02-30"}, "is not a valid date"),
        ({"LineItems": [{"Quantity": 1, "UnitAmount": 3}]}, "description field is mandatory"),
        (
            {"LineItems": [{"Description": "x", "ItemCode": "NOPE"}]},
            "Item code 'NOPE' is not valid",
        ),
        (
            {"LineItems": [{"Description": "x", "Quantity": -1, "UnitAmount": 1}]},
            "Quantity must not be less than zero",
        ),
        (
            {
                "LineItems": [
                    {
                        "Description": "x",
                        "Quantity": 1,
                        "UnitAmount": 1,
                        "Tracking": [{"Name": "Region", "Option": "South"}],
                    }
                ]
            },
            "Tracking option 'South' is not valid",
        ),
        ({"Status": "PAID"}, "not a valid Status"),
        ({"Status": "AUTHORISED", "DueDate": None}, "Due Date is required"),
        (
            {
                "Status": "AUTHORISED",
                "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1}],
            },
            "Account code must be specified",
        ),
        ({"InvoiceID": str(uuid.uuid4())}, "InvoiceID cannot be specified"),
        # the spec's CurrencyCode enum and InvoiceNumber maxLength 255
        ({"CurrencyCode": "XYZ"}, "'XYZ' is not a valid currency code"),
        ({"CurrencyCode": "aud"}, "'aud' is not a valid currency code"),
        ({"CurrencyCode": ["AUD"]}, "is not a valid currency code"),
        ({"InvoiceNumber": "N" * 256}, "at most 255 characters"),
        ({"InvoiceNumber": 12345}, "at most 255 characters"),
    ],
)
def test_invoice_validation_400(env, change, message):
    bad = invoice(**change)
    bad = {k: v for k, v in bad.items() if v is not None}
    r = env.call("PUT", "/api.xro/2.0/Invoices", json={"Invoices": [invoice(), bad]})
    assert r.status_code == 400
    body = r.json
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    assert body["Message"] == "A validation exception occurred"
    assert len(body["Elements"]) == 1
    messages = [e["Message"] for e in body["Elements"][0]["ValidationErrors"]]
    assert any(message in m for m in messages), messages
    assert "Invoices" not in env.org(AU)  # nothing written: the batch failed as a whole


def test_invoice_currency_and_number_within_the_spec_are_taken(env):
    r = env.call(
        "PUT",
        "/api.xro/2.0/Invoices",
        json={"Invoices": [invoice(CurrencyCode="AUD", InvoiceNumber="N" * 255)]},
    )
    assert r.status_code == 200, r.json
    assert r.json["Invoices"][0]["CurrencyCode"] == "AUD"
    assert r.json["Invoices"][0]["InvoiceNumber"] == "N" * 255


def test_summarize_errors_false_gives_partial_success(env):
    r = env.call(
        "PUT",
        "/api.xro/2.0/Invoices?summarizeErrors=false",
        json={"Invoices": [invoice(), invoice(Type="NOPE"), invoice()]},
    )
    assert r.status_code == 200
    statuses = [i.get("StatusAttributeString") for i in r.json["Invoices"]]
    assert statuses == ["OK", "ERROR", "OK"]
    assert r.json["Invoices"][1]["ValidationErrors"]
    assert r.json["Invoices"][1]["HasErrors"] is True
    assert len(env.org(AU)["Invoices"]) == 2


def test_duplicate_invoice_number_and_item_defaults(env):
    env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(InvoiceNumber="X-1"))
    r = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(InvoiceNumber="X-1"))
    assert r.status_code == 400
    assert r.json["Elements"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."
    r = env.call(
        "PUT",
        "/api.xro/2.0/Invoices",
        query_string={"unitdp": 4},  # the item's four-decimal price (else rounded to two)
        json=invoice(
            LineItems=[
                {
                    "ItemCode": "SRV",
                    "Quantity": 1.5,
                    "Tracking": [{"Name": "Region", "Option": "North"}],
                }
            ]
        ),
    )
    line = r.json["Invoices"][0]["LineItems"][0]
    assert line["Description"] == "Consulting" and line["UnitAmount"] == 95.1235
    assert line["AccountCode"] == "200" and line["LineAmount"] == 142.69


def test_unknown_contact_name_creates_a_contact(env):
    r = env.call(
        "PUT",
        "/api.xro/2.0/Invoices",
        json={
            "Invoices": [
                invoice(Contact={"Name": "Brand New Ltd"}),
                invoice(Contact={"Name": "Brand New Ltd"}),
            ]
        },
    )
    assert r.status_code == 200
    created = [c for c in env.org(AU)["Contacts"] if c["Name"] == "Brand New Ltd"]
    assert len(created) == 1 and created[0]["IsCustomer"] is True
    ids = {i["Contact"]["ContactID"] for i in r.json["Invoices"]}
    assert ids == {created[0]["ContactID"]}


def test_post_updates_by_invoice_id(env):
    r = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice())
    inv = r.json["Invoices"][0]
    env.clock.advance(120)
    r = env.call(
        "POST",
        "/api.xro/2.0/Invoices",
        json={
            "Invoices": [
                {"InvoiceID": inv["InvoiceID"], "Status": "AUTHORISED", "Reference": "Week 12"}
            ]
        },
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    out = r.json["Invoices"][0]
    assert out["Status"] == "AUTHORISED" and out["Reference"] == "Week 12"
    assert out["InvoiceNumber"] == inv["InvoiceNumber"]
    assert out["UpdatedDateUTC"] == ms_date(START + 120)
    assert len(env.org(AU)["Invoices"]) == 1
    r = env.call(
        "POST",
        "/api.xro/2.0/Invoices",
        json={"Invoices": [{"InvoiceID": inv["InvoiceID"], "Status": "DRAFT"}]},
    )
    assert r.status_code == 400
    assert "not of valid status" in r.json["Elements"][0]["ValidationErrors"][0]["Message"]
    # POST without an id creates
    r = env.call("POST", "/api.xro/2.0/Invoices", json=invoice())
    assert r.json["Invoices"][0]["InvoiceNumber"] == "INV-0002"


def test_idempotency_key(env):
    key = {"Idempotency-Key": "batch-0001"}
    first = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(), headers=key)
    again = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(), headers=key)
    assert first.status_code == again.status_code == 200
    assert first.json == again.json
    assert len(env.org(AU)["Invoices"]) == 1
    other = env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(Reference="changed"), headers=key)
    assert other.status_code == 400
    assert len(env.org(AU)["Invoices"]) == 1
    assert (
        env.call(
            "PUT", "/api.xro/2.0/Invoices", json=invoice(), headers={"Idempotency-Key": "k" * 129}
        ).status_code
        == 400
    )
    # keys are per organisation
    assert (
        env.call("PUT", "/api.xro/2.0/Invoices", json=invoice(), tenant=NZ, headers=key).status_code
        == 200
    )


def test_body_limits_and_malformed_json(env):
    big = json.dumps({"Invoices": [invoice(Reference="x" * (MAX_BODY_BYTES + 10))]})
    r = env.call("PUT", "/api.xro/2.0/Invoices", data=big, content_type="application/json")
    assert r.status_code == 413
    r = env.call("PUT", "/api.xro/2.0/Invoices", data="{nope", content_type="application/json")
    assert r.status_code == 400 and r.json["Type"] == "PostDataInvalidException"
    r = env.call(
        "PUT", "/api.xro/2.0/Invoices", data=json.dumps(invoice()), content_type="text/plain"
    )
    assert r.status_code == 400
    r = env.call("PUT", "/api.xro/2.0/Invoices", json={"Invoices": []})
    assert r.status_code == 400


# ============================================================================ over HTTP
def test_over_http_with_sim_server(env):
    def app(environ, start_response):
        response = env.api.handle(Request(environ)) or Response("", status=404)
        return response(environ, start_response)

    server = SimServer(app).start()
    try:
        r = requests.get(
            f"{server.base_url}/api.xro/2.0/Contacts",
            params={"page": 1},
            headers={
                "Authorization": "Bearer all",
                "xero-tenant-id": AU,
                "Accept": "application/json",
            },
            timeout=5,
        )
        assert r.status_code == 200
        assert r.json()["pagination"]["itemCount"] == 4
        assert r.headers["X-MinLimit-Remaining"] == "59"
    finally:
        server.stop()


def test_get_invoices_honours_since_paging_summary_statuses_and_ids(env):
    """GET /Invoices as the spec describes it: If-Modified-Since (to the second, strictly
    after), page/pageSize with a pagination block, summaryOnly drops the lines, Statuses and
    IDs filter, bad values are refused; the contact's UpdatedDateUTC never moves."""
    ids = []
    for status in ("DRAFT", "AUTHORISED", "DRAFT"):
        r = env.call(
            "PUT",
            "/api.xro/2.0/Invoices",
            token="invoices-granular",
            json={"Invoices": [invoice(Status=status)]},
        )
        assert r.status_code == 200, r.get_data(as_text=True)
        ids.append(r.json["Invoices"][0]["InvoiceID"])
        env.clock.advance(10)
    token = "invoices-granular"
    everything = env.get("/api.xro/2.0/Invoices", token=token).json["Invoices"]
    assert [i["InvoiceID"] for i in everything] == ids and "LineItems" not in everything[0]
    since = http_date_of(START + 5)
    recent = env.get(
        "/api.xro/2.0/Invoices", token=token, headers={"If-Modified-Since": since}
    ).json["Invoices"]
    assert [i["InvoiceID"] for i in recent] == ids[1:]
    page = env.get("/api.xro/2.0/Invoices?page=2&pageSize=2&summaryOnly=true", token=token).json
    assert page["pagination"] == {"page": 2, "pageSize": 2, "pageCount": 2, "itemCount": 3}
    assert [i["InvoiceID"] for i in page["Invoices"]] == ids[2:]
    assert "LineItems" not in page["Invoices"][0]
    assert "LineItems" in env.get("/api.xro/2.0/Invoices?page=1", token=token).json["Invoices"][0]
    drafts = env.get("/api.xro/2.0/Invoices?Statuses=DRAFT", token=token).json["Invoices"]
    assert [i["InvoiceID"] for i in drafts] == [ids[0], ids[2]]
    one = env.get(f"/api.xro/2.0/Invoices?IDs={ids[1]}", token=token).json["Invoices"]
    assert [i["InvoiceID"] for i in one] == [ids[1]]
    assert env.get("/api.xro/2.0/Invoices?Statuses=NOPE", token=token).status_code == 400
    assert env.get("/api.xro/2.0/Invoices?IDs=42", token=token).status_code == 400
    assert env.get("/api.xro/2.0/Invoices", token="contacts-only").status_code == 401


def http_date_of(ts: float) -> str:
    from email.utils import formatdate

    return formatdate(ts, usegmt=True)
