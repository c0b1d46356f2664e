"""The Xero simulator's answers validate against Xero's official OpenAPI schemas.

The organisations served here are built from the specs' own examples (the closest thing to
real API output we have), so a failure means the simulator's envelope or transformation
(paging, summaryOnly, list trimming, invoice answers, error bodies) left the documented
shape. The helper in ``xero_spec.py`` is the one the demo data will be validated with.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import XeroConfig

from .xero_spec import (
    SpecValidationError,
    load_spec,
    require_specs,
    response_example,
    validate_response,
    validate_schema,
)

AU = "bbbbbbbb-0000-4000-8000-000000000001"
NZ = "bbbbbbbb-0000-4000-8000-000000000002"
UK = "bbbbbbbb-0000-4000-8000-000000000003"
SCOPES = frozenset(
    {
        "accounting.contacts.read",
        "accounting.settings.read",
        "accounting.transactions",
        "payroll.employees.read",
        "payroll.settings.read",
    }
)


@pytest.fixture(autouse=True, scope="module")
def _specs():
    require_specs()


@dataclass(frozen=True)
class _Access:
    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)


def _examples(spec: str, method: str, path: str, key: str, status: int = 200) -> list[Any]:
    body = response_example(spec, method, path, status)
    return copy.deepcopy(body[key])


def _spec_company() -> dict[str, Any]:
    """Three organisations whose records are the spec examples."""
    organisation = _examples("accounting", "GET", "/Organisation", "Organisations")[0]
    contacts = _examples("accounting", "GET", "/Contacts", "Contacts")
    contacts += _examples("accounting", "GET", "/Contacts/{ContactID}", "Contacts")
    # the contact the spec's PUT /Invoices request example points at
    invoice_contact = _examples("accounting", "PUT", "/Invoices", "Invoices")[0]["Contact"]
    contacts.append(invoice_contact)
    archived = copy.deepcopy(contacts[1])
    archived.update(ContactID=str(uuid.uuid4()), Name="Archived Ltd", ContactStatus="ARCHIVED")
    contacts.append(archived)
    items = _examples("accounting", "GET", "/Items/{ItemID}", "Items")
    items += _examples("accounting", "GET", "/Items", "Items")[1:]
    option = _examples(
        "accounting", "PUT", "/TrackingCategories/{TrackingCategoryID}/Options", "Options"
    )[0]
    cats = _examples("accounting", "GET", "/TrackingCategories", "TrackingCategories")
    cats[0]["Options"] = [
        option,
        dict(option, TrackingOptionID=str(uuid.uuid4()), Name="Old option", Status="ARCHIVED"),
    ]
    cats.append(dict(cats[1], TrackingCategoryID=str(uuid.uuid4()), Name="Old", Status="ARCHIVED"))

    def accounting(tenant: str, version: str) -> dict[str, Any]:
        org = dict(copy.deepcopy(organisation), Version=version, CountryCode=version[:2])
        return {
            "tenantId": tenant,
            "tenantName": org["Name"],
            "Organisation": org,
            "Contacts": copy.deepcopy(contacts),
            "Items": copy.deepcopy(items),
            "TrackingCategories": copy.deepcopy(cats),
        }

    au = accounting(AU, "AU")
    au_detail = _examples("payroll-au", "GET", "/Employees/{EmployeeID}", "Employees")
    terminated = dict(
        copy.deepcopy(au_detail[0]),
        EmployeeID=str(uuid.uuid4()),
        Status="TERMINATED",
        TerminationDate="/Date(1583967733054+0000)/",
    )
    pay_items = response_example("payroll-au", "GET", "/PayItems", 200)["PayItems"]
    au["payroll"] = {
        "Employees": _examples("payroll-au", "GET", "/Employees", "Employees")
        + au_detail
        + [terminated],
        **pay_items,
    }
    nz = accounting(NZ, "NZ")
    nz["payroll"] = {
        "Employees": _examples("payroll-nz", "GET", "/Employees", "employees"),
        "LeaveTypes": _examples("payroll-nz", "GET", "/LeaveTypes", "leaveTypes"),
    }
    uk = accounting(UK, "UK")
    uk["payroll"] = {
        "Employees": _examples("payroll-uk", "GET", "/Employees", "employees"),
        "LeaveTypes": _examples("payroll-uk", "GET", "/LeaveTypes", "leaveTypes"),
    }
    return {"xero": {"organisations": [au, nz, uk]}, "qbtime": {}}


class Sim:
    def __init__(self, config: XeroConfig | None = None) -> None:
        self.store = CompanyStore.from_dict(_spec_company())
        self.api = XeroApi(
            self.store,
            ManualClock(1_552_327_126.164),
            config or XeroConfig(),
            lambda r: _Access(True, None, "g", frozenset({AU, NZ, UK}), SCOPES),
        )

        def app(environ, start_response):
            response = self.api.handle(Request(environ)) or Response("", status=599)
            return response(environ, start_response)

        self.client = Client(app)

    def call(self, method: str, path: str, tenant: str = AU, expect: int = 200, **kw: Any):
        r = self.client.open(
            path,
            method=method,
            headers={
                "Authorization": "Bearer t",
                "xero-tenant-id": tenant,
                "Accept": "application/json",
            },
            **kw,
        )
        assert r.status_code == expect, r.get_data(as_text=True)
        return r.json


@pytest.fixture(scope="module")
def sim() -> Sim:
    return Sim()


def _pascal_envelope(body: dict[str, Any]) -> None:
    assert body["Status"] == "OK"
    uuid.UUID(body["Id"])
    assert body["ProviderName"]
    assert body["DateTimeUTC"].startswith("/Date(") and body["DateTimeUTC"].endswith(")/")


def _camel_envelope(body: dict[str, Any]) -> None:
    uuid.UUID(body["id"])
    assert body["providerName"] and body["httpStatusCode"] == "OK"
    assert body["problem"] is None
    assert body["dateTimeUTC"][:4].isdigit() and "T" in body["dateTimeUTC"]


# ============================================================================ the helper
@pytest.mark.parametrize(
    ("spec", "method", "path"),
    [
        ("accounting", "GET", "/Organisation"),
        ("accounting", "GET", "/Contacts"),
        ("accounting", "GET", "/Contacts/{ContactID}"),
        ("accounting", "GET", "/Items"),
        ("accounting", "GET", "/Items/{ItemID}"),
        ("accounting", "GET", "/TrackingCategories"),
        ("accounting", "PUT", "/Invoices"),
        ("accounting", "POST", "/Invoices"),
        ("payroll-au", "GET", "/Employees"),
        ("payroll-au", "GET", "/Employees/{EmployeeID}"),
        ("payroll-au", "GET", "/PayItems"),
        ("payroll-nz", "GET", "/Employees"),
        ("payroll-nz", "GET", "/Employees/{EmployeeID}"),
        ("payroll-nz", "GET", "/LeaveTypes"),
        ("payroll-uk", "GET", "/Employees"),
        ("payroll-uk", "GET", "/Employees/{EmployeeID}"),
        ("payroll-uk", "GET", "/LeaveTypes"),
    ],
)
def test_spec_examples_pass_the_validator(spec, method, path):
    validate_response(spec, method, path, 200, response_example(spec, method, path, 200))


def test_validator_catches_wrong_shapes():
    body = response_example("accounting", "GET", "/Contacts", 200)
    body["Contacts"][0]["ContactID"] = "42"
    body["Contacts"][0]["UpdatedDateUTC"] = "2017-08-21T20:49:04"  # not MS-JSON
    body["Contacts"][0]["ContactStatus"] = "DELETED"
    body["pagination"]["page"] = "1"
    with pytest.raises(SpecValidationError) as info:
        validate_response("accounting", "GET", "/Contacts", 200, body)
    text = str(info.value)
    for needle in ("ContactID", "UpdatedDateUTC", "ContactStatus", "pagination/page"):
        assert needle in text
    employee = _examples("payroll-au", "GET", "/Employees", "Employees")[0]
    del employee["LastName"]
    with pytest.raises(SpecValidationError, match="LastName"):
        validate_schema("payroll-au", "Employee", employee)
    nz = _examples("payroll-nz", "GET", "/Employees", "employees")[0]
    nz["gender"] = "X"
    with pytest.raises(SpecValidationError, match="gender"):
        validate_schema("payroll-nz", "Employee", nz)
    typo = _examples("accounting", "GET", "/Items", "Items")[0]
    typo["Codee"] = "x"
    validate_schema("accounting", "Item", typo)
    with pytest.raises(SpecValidationError, match="Codee"):
        validate_schema("accounting", "Item", typo, strict_properties=True)
    with pytest.raises(KeyError):
        validate_response("accounting", "GET", "/Nope", 200, {})
    # envelope fields: checked when present, allowed in strict mode
    envelope = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "App",
        "DateTimeUTC": "/Date(1552331874897)/",
        "Items": [],
    }
    validate_response("accounting", "GET", "/Items", 200, envelope, strict_properties=True)
    with pytest.raises(SpecValidationError, match="DateTimeUTC"):
        validate_response(
            "accounting", "GET", "/Items", 200, dict(envelope, DateTimeUTC="2019-03-11T19:17:54")
        )
    camel = {
        "id": str(uuid.uuid4()),
        "providerName": "App",
        "httpStatusCode": "OK",
        "dateTimeUTC": "2020-08-24T20:16:14.6198711",
        "problem": None,
        "leaveTypes": [],
    }
    validate_response("payroll-nz", "GET", "/LeaveTypes", 200, camel, strict_properties=True)


def test_spec_is_loaded_once():
    assert load_spec("accounting") is load_spec("xero_accounting.yaml")


# ============================================================================ accounting
def test_organisation(sim):
    body = sim.call("GET", "/api.xro/2.0/Organisation")
    _pascal_envelope(body)
    validate_response("accounting", "GET", "/Organisation", 200, body)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=1",
        "?page=1&pageSize=2",
        "?page=2&pageSize=2",
        "?summaryOnly=true",
        "?summaryOnly=true&page=1",
        "?includeArchived=true&order=Name DESC",
        '?where=IsCustomer==true AND Name.Contains("a")',
        "?searchTerm=warren",
    ],
)
def test_contacts(sim, query):
    body = sim.call("GET", "/api.xro/2.0/Contacts" + query)
    _pascal_envelope(body)
    assert body["Contacts"]
    validate_response("accounting", "GET", "/Contacts", 200, body)
    assert ("pagination" in body) == ("page=" in query)


def test_one_contact(sim):
    contact_id = sim.store.xero_org(AU)["Contacts"][2]["ContactID"]
    body = sim.call("GET", f"/api.xro/2.0/Contacts/{contact_id}")
    validate_response("accounting", "GET", "/Contacts/{ContactID}", 200, body)


@pytest.mark.parametrize("query", ["", "?where=IsSold==true&order=Code ASC", "?unitdp=4"])
def test_items(sim, query):
    body = sim.call("GET", "/api.xro/2.0/Items" + query)
    _pascal_envelope(body)
    assert body["Items"]
    validate_response("accounting", "GET", "/Items", 200, body)
    item_id = body["Items"][0]["ItemID"]
    one = sim.call("GET", f"/api.xro/2.0/Items/{item_id}")
    validate_response("accounting", "GET", "/Items/{ItemID}", 200, one)


@pytest.mark.parametrize("query", ["", "?includeArchived=true", '?where=Status=="ACTIVE"'])
def test_tracking_categories(sim, query):
    body = sim.call("GET", "/api.xro/2.0/TrackingCategories" + query)
    _pascal_envelope(body)
    validate_response("accounting", "GET", "/TrackingCategories", 200, body)
    cat_id = body["TrackingCategories"][0]["TrackingCategoryID"]
    one = sim.call("GET", f"/api.xro/2.0/TrackingCategories/{cat_id}")
    validate_response("accounting", "GET", "/TrackingCategories/{TrackingCategoryID}", 200, one)


def _invoice_request() -> dict[str, Any]:
    spec = load_spec("accounting")
    return copy.deepcopy(
        spec["paths"]["/Invoices"]["put"]["requestBody"]["content"]["application/json"]["example"]
    )


def test_put_and_post_invoices(sim):
    body = sim.call("PUT", "/api.xro/2.0/Invoices", json=_invoice_request())
    _pascal_envelope(body)
    validate_response("accounting", "PUT", "/Invoices", 200, body)
    invoice = body["Invoices"][0]
    assert invoice["StatusAttributeString"] == "OK"
    update = {"Invoices": [{"InvoiceID": invoice["InvoiceID"], "Reference": "Changed"}]}
    body = sim.call("POST", "/api.xro/2.0/Invoices", json=update)
    validate_response("accounting", "POST", "/Invoices", 200, body)
    mixed = _invoice_request()
    mixed["Invoices"].append(dict(mixed["Invoices"][0], Type="NOPE"))
    body = sim.call("PUT", "/api.xro/2.0/Invoices?summarizeErrors=false", json=mixed)
    assert [i["StatusAttributeString"] for i in body["Invoices"]] == ["OK", "ERROR"]
    validate_response("accounting", "PUT", "/Invoices", 200, body)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=1",
        "?summaryOnly=true&page=1&pageSize=1000",
        "?Statuses=DRAFT,AUTHORISED",
        '?where=Type=="ACCREC"',
    ],
)
def test_get_invoices(sim, query):
    sim.call("PUT", "/api.xro/2.0/Invoices", json=_invoice_request())
    body = sim.call("GET", "/api.xro/2.0/Invoices" + query)
    _pascal_envelope(body)
    assert body["Invoices"]
    validate_response("accounting", "GET", "/Invoices", 200, body)
    assert ("pagination" in body) == ("page=" in query)
    assert ("LineItems" in body["Invoices"][0]) == (query == "?page=1")


def test_accounting_400s(sim):
    bad = _invoice_request()
    bad["Invoices"][0]["LineItems"][0]["Description"] = ""
    body = sim.call("PUT", "/api.xro/2.0/Invoices", json=bad, expect=400)
    validate_response("accounting", "PUT", "/Invoices", 400, body)
    validate_response(
        "accounting",
        "POST",
        "/Invoices",
        400,
        sim.call("POST", "/api.xro/2.0/Invoices", json=bad, expect=400),
    )
    assert body["Elements"][0]["ValidationErrors"]
    body = sim.call("GET", "/api.xro/2.0/Contacts?where=Nope==1", expect=400)
    validate_schema("accounting", "Error", body)


def test_high_volume_exception_is_an_error_body():
    sim = Sim(XeroConfig(high_volume_threshold=2))
    body = sim.call("GET", "/api.xro/2.0/Contacts?where=IsCustomer==true&page=1", expect=400)
    assert body["Type"] == "HighVolumeException"
    validate_schema("accounting", "Error", body)


# ============================================================================ payroll AU
def test_au_employees(sim):
    body = sim.call("GET", "/payroll.xro/1.0/Employees")
    _pascal_envelope(body)
    assert len(body["Employees"]) == 3  # the terminated one is not listed by default
    validate_response("payroll-au", "GET", "/Employees", 200, body)
    terminated = sim.call("GET", '/payroll.xro/1.0/Employees?where=Status=="TERMINATED"')
    validate_response("payroll-au", "GET", "/Employees", 200, terminated)
    one = sim.call("GET", f"/payroll.xro/1.0/Employees/{body['Employees'][2]['EmployeeID']}")
    validate_response("payroll-au", "GET", "/Employees/{EmployeeID}", 200, one)
    err = sim.call("GET", "/payroll.xro/1.0/Employees?where=hi==1", expect=400)
    validate_response("payroll-au", "GET", "/Employees", 400, err)


def test_au_pay_items(sim):
    body = sim.call("GET", "/payroll.xro/1.0/PayItems")
    _pascal_envelope(body)
    validate_response("payroll-au", "GET", "/PayItems", 200, body)
    assert [t["IsPaidLeave"] for t in body["PayItems"]["LeaveTypes"]] == [True, True, False]


# ============================================================================ payroll NZ / UK
@pytest.mark.parametrize(("tenant", "spec"), [(NZ, "payroll-nz"), (UK, "payroll-uk")])
def test_v2_employees_and_leave_types(sim, tenant, spec):
    body = sim.call("GET", "/payroll.xro/2.0/Employees?page=1", tenant=tenant)
    _camel_envelope(body)
    assert body["pagination"]["pageSize"] == 100
    validate_response(spec, "GET", "/Employees", 200, body)
    first = body["employees"][0]
    filtered = sim.call(
        "GET", f"/payroll.xro/2.0/Employees?filter=firstName=={first['firstName']}", tenant=tenant
    )
    validate_response(spec, "GET", "/Employees", 200, filtered)
    one = sim.call("GET", f"/payroll.xro/2.0/Employees/{first['employeeID']}", tenant=tenant)
    validate_response(spec, "GET", "/Employees/{EmployeeID}", 200, one)
    leave = sim.call("GET", "/payroll.xro/2.0/LeaveTypes?ActiveOnly=true", tenant=tenant)
    _camel_envelope(leave)
    validate_response(spec, "GET", "/LeaveTypes", 200, leave)
    err = sim.call("GET", "/payroll.xro/2.0/Employees?filter=nope==1", tenant=tenant, expect=400)
    validate_response(spec, "GET", "/Employees", 400, err)


# ============================================================================ the Demo Company
DEMO_FILE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "company.json"


def test_demo_company_as_served_matches_the_specs():
    """Every GET the wizard makes, on every organisation of the shipped Demo Company."""
    if not DEMO_FILE.is_file():
        pytest.skip(f"no Demo Company file at {DEMO_FILE}")
    store = CompanyStore.from_dict(json.loads(DEMO_FILE.read_text(encoding="utf-8")))
    tenants = frozenset(o["tenantId"] for o in store.xero_orgs)
    api = XeroApi(
        store,
        ManualClock(1_700_000_000),
        XeroConfig(minute_limit=10**6),
        lambda r: _Access(True, None, "g", tenants, SCOPES),
    )

    def app(environ, start_response):
        response = api.handle(Request(environ)) or Response("", status=599)
        return response(environ, start_response)

    client = Client(app)
    problems: list[str] = []
    for org in store.xero_orgs:
        calls = [
            ("accounting", "/Organisation", "/api.xro/2.0/Organisation"),
            ("accounting", "/Contacts", "/api.xro/2.0/Contacts"),
            ("accounting", "/Contacts", "/api.xro/2.0/Contacts?page=1&includeArchived=true"),
            ("accounting", "/Contacts", "/api.xro/2.0/Contacts?page=1&summaryOnly=true"),
            ("accounting", "/Items", "/api.xro/2.0/Items"),
            (
                "accounting",
                "/TrackingCategories",
                "/api.xro/2.0/TrackingCategories?includeArchived=true",
            ),
        ]
        version = org["Organisation"].get("Version")
        if version == "AU" and "payroll" in org:
            calls += [
                ("payroll-au", "/Employees", "/payroll.xro/1.0/Employees"),
                ("payroll-au", "/PayItems", "/payroll.xro/1.0/PayItems"),
            ]
        elif version in ("NZ", "UK") and "payroll" in org:
            spec = "payroll-" + version.lower()
            calls += [
                (spec, "/Employees", "/payroll.xro/2.0/Employees"),
                (spec, "/LeaveTypes", "/payroll.xro/2.0/LeaveTypes"),
            ]
        for spec, template, url in calls:
            r = client.get(
                url,
                headers={
                    "Authorization": "Bearer t",
                    "xero-tenant-id": org["tenantId"],
                    "Accept": "application/json",
                },
            )
            if r.status_code != 200:
                problems.append(f"{org['tenantName']} {url}: HTTP {r.status_code}")
                continue
            try:
                validate_response(spec, "GET", template, 200, r.json, strict_properties=True)
            except SpecValidationError as exc:
                problems += [f"{org['tenantName']} {url}: {e}" for e in exc.errors]
    assert not problems, "\n".join(problems[:40])
