"""The Demo Company file and the large-organisation generator (core/sandbox/demo_data.py)."""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import random
import re
import unicodedata
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rapidfuzz import fuzz

from core.sandbox import generate
from core.sandbox.demo_data import (
    EMPLOYEE_CASES,
    NEAR_MISS_CASES,
    build_demo_company,
    employee_cases_markdown,
    generate_large,
    near_miss_table_markdown,
)
from core.sandbox.demo_hours import HOUR_CASES, hour_cases_markdown

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILE = ROOT / "resources" / "demo" / "company.json"
DEMO_README = ROOT / "resources" / "demo" / "README.md"
REGENERATE = "python -m core.sandbox.generate --demo --out resources/demo/company.json"

MS_DATE = re.compile(r"^/Date\(\d+\+0000\)/$")
ISO_V2 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$")
ISO_QBT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --------------------------------------------------------------------------- a simple normaliser

LEGAL_SUFFIXES = {"pty", "ltd", "limited", "inc", "ltee", "llp", "llc", "enr", "corp"}


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def norm(name: str) -> str:
    """Case, accents, '&'/'and'/'et', punctuation, spacing, invisible blanks and a trailing
    legal suffix do not count."""
    text = strip_accents(unicodedata.normalize("NFKC", name)).casefold()
    text = text.replace("&", " and ")
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"[^\w\s]", "", text)
    words = ["and" if w == "et" else w for w in text.split()]
    while words and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def strip_suffix(name: str) -> str:
    """The name without its trailing legal-form words ("Pty Ltd", "Limited", "Inc." ...)."""
    words = name.split()
    while words and strip_accents(words[-1]).casefold().strip(".") in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def depunct(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", "", name).replace("-", " ").split())


# --------------------------------------------------------------------------- fixtures / lookups


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_demo_company()


@pytest.fixture(scope="module")
def large_au() -> dict[str, Any]:
    return generate_large()  # 10,000 contacts, 300 employees, 500 items, AU, seed 1


def org_by_key(data: dict[str, Any], key: str) -> dict[str, Any]:
    for org in data["xero"]["organisations"]:
        info = org["Organisation"]
        if key == "CA" and info["CountryCode"] == "CA":
            return org
        if info["Version"] == key:
            return org
    raise AssertionError(f"no organisation {key}")


def contacts_named(org: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [c for c in org["Contacts"] if c["Name"] == name]


def top_level_customers(qbt: dict[str, Any]) -> list[dict[str, Any]]:
    return [j for j in qbt["jobcodes"] if j["parent_id"] == 0 and j["type"] == "regular"]


def people(org: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """(first, last, email or "", terminated) of the org's payroll employees, any region."""
    out = []
    for emp in org.get("payroll", {}).get("Employees", []):
        if "EmployeeID" in emp:
            out.append(
                (
                    emp["FirstName"],
                    emp["LastName"],
                    emp.get("Email", ""),
                    emp["Status"] == "TERMINATED",
                )
            )
        else:
            out.append(
                (
                    emp["firstName"],
                    emp["lastName"],
                    emp["email"] or "",
                    emp.get("endDate") is not None,
                )
            )
    return out


def qbt_users(qbt: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(u["first_name"], u["last_name"], u["email"]): u for u in qbt["users"]}


# --------------------------------------------------------------------------- the committed file


def test_committed_demo_file_is_what_the_builder_produces(demo):
    assert DEMO_FILE.is_file(), f"missing {DEMO_FILE}; run {REGENERATE}"
    committed = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    assert committed == demo, (
        f"resources/demo/company.json drifted from build_demo_company(); run {REGENERATE}"
    )


def test_builder_is_deterministic_and_ignores_global_random():
    random.seed(1)
    first = build_demo_company()
    random.seed(2)
    assert build_demo_company() == first
    assert json.dumps(first, ensure_ascii=False) == json.dumps(
        build_demo_company(), ensure_ascii=False
    )


def test_readme_embeds_the_generated_tables(demo):
    text = DEMO_README.read_text(encoding="utf-8")
    for org in demo["xero"]["organisations"]:
        row = f"| {org['tenantName']} |"
        assert row in text and f"| {len(org['Contacts'])} | {len(org['Items'])} |" in text, (
            f"README summary of {org['tenantName']} is stale"
        )
    assert near_miss_table_markdown() in text, (
        "README near-miss table is stale (generate --readme-tables)"
    )
    assert employee_cases_markdown() in text, (
        "README employee table is stale (generate --readme-tables)"
    )


# --------------------------------------------------------------------------- format and organisations


def test_company_file_format(demo):
    assert set(demo) == {"xero", "qbtime"}
    orgs = demo["xero"]["organisations"]
    assert len(orgs) == 3
    for org in orgs:
        assert {
            "tenantId",
            "tenantName",
            "tenantType",
            "Organisation",
            "Contacts",
            "Items",
            "TrackingCategories",
        } <= set(org)
        assert org["tenantType"] == "ORGANISATION"
        assert org["tenantName"] == org["Organisation"]["Name"]
        for key in (
            "OrganisationID",
            "Name",
            "LegalName",
            "PaysTax",
            "Version",
            "OrganisationType",
            "BaseCurrency",
            "CountryCode",
            "IsDemoCompany",
            "OrganisationStatus",
            "Timezone",
            "ShortCode",
            "OrganisationEntityType",
            "Class",
            "Edition",
            "LineOfBusiness",
            "Addresses",
            "Phones",
            "ExternalLinks",
            "PaymentTerms",
            "CreatedDateUTC",
        ):
            assert key in org["Organisation"], key
        assert MS_DATE.match(org["Organisation"]["CreatedDateUTC"])
    qbt = demo["qbtime"]
    assert set(qbt) == {
        "token",
        "current_user_id",
        "company",
        "users",
        "jobcodes",
        "jobcode_assignments",
        "customfields",
        "customfielditems",
        "locations",
        "timesheets",
        "time_off_requests",
        "time_off_request_entries",
        "time_off_request_notes",
        "demo_shift_days",
    }
    assert qbt["demo_shift_days"] is None, "the simulator moves the hours on first start"
    assert qbt["token"].startswith("S.1__demo") and len(qbt["token"]) > 20
    assert qbt["current_user_id"] == 1
    assert qbt["company"]["name"] and qbt["company"]["client_url"]
    assert qbt["locations"] == []


def test_three_regions(demo):
    au, uk, ca = (org_by_key(demo, k) for k in ("AU", "UK", "CA"))
    assert (au["Organisation"]["Version"], au["Organisation"]["CountryCode"]) == ("AU", "AU")
    assert (uk["Organisation"]["Version"], uk["Organisation"]["CountryCode"]) == ("UK", "GB")
    assert (ca["Organisation"]["Version"], ca["Organisation"]["CountryCode"]) == ("GLOBAL", "CA")
    assert (
        au["Organisation"]["BaseCurrency"],
        uk["Organisation"]["BaseCurrency"],
        ca["Organisation"]["BaseCurrency"],
    ) == ("AUD", "GBP", "CAD")
    assert "payroll" in au and "payroll" in uk
    assert "payroll" not in ca, "Global-edition organisations have no payroll API"


# --------------------------------------------------------------------------- contacts


@pytest.mark.parametrize("key", ["AU", "UK", "CA"])
def test_contacts_cover_every_kind(demo, key):
    org = org_by_key(demo, key)
    contacts = org["Contacts"]
    assert len(contacts) >= 60
    assert len({c["Name"] for c in contacts}) == len(contacts)
    customers = [c for c in contacts if c["IsCustomer"]]
    never = [c for c in contacts if not c["IsCustomer"] and not c["IsSupplier"]]
    suppliers = [c for c in contacts if c["IsSupplier"]]
    archived = [c for c in contacts if c["ContactStatus"] == "ARCHIVED"]
    assert len(customers) >= 25 and len(never) >= 3 and len(suppliers) >= 3 and len(archived) >= 2
    assert any(c["IsCustomer"] and c["IsSupplier"] for c in contacts)
    assert {c["ContactStatus"] for c in contacts} <= {"ACTIVE", "ARCHIVED"}
    assert any(len(c["Name"]) > 64 for c in contacts), "a name longer than QB Time's 64 characters"
    assert any(c["ContactPersons"] for c in contacts)

    def filled(contact, kind):
        slot = next(a for a in contact["Addresses"] if a["AddressType"] == kind)
        return bool(slot["AddressLine1"] or slot["City"])

    for c in contacts:
        assert [a["AddressType"] for a in c["Addresses"]] == ["STREET", "POBOX"]
        for a in c["Addresses"]:
            assert all(isinstance(v, str) for v in a.values()), (
                "Xero returns empty strings, not nulls"
            )
        assert [p["PhoneType"] for p in c["Phones"]] == ["DDI", "DEFAULT", "FAX", "MOBILE"]
        assert MS_DATE.match(c["UpdatedDateUTC"])
        assert isinstance(c["EmailAddress"], str)
    with_address = [c for c in contacts if filled(c, "STREET") or filled(c, "POBOX")]
    assert len(with_address) >= 0.75 * len(contacts)
    assert any(filled(c, "POBOX") and not filled(c, "STREET") for c in contacts)
    assert any(filled(c, "STREET") and filled(c, "POBOX") for c in contacts)
    if key == "CA":
        names = {c["Name"] for c in contacts}
        assert {"Café Saint-Éloi Ltée", "Boulangerie Côté & Fils"} <= names
        assert sum(1 for n in names if strip_accents(n) != n) >= 15


def test_two_au_contacts_normalise_to_the_same_name(demo):
    au = org_by_key(demo, "AU")
    keys = Counter(norm(c["Name"]) for c in au["Contacts"])
    assert keys["smith family trust"] == 2
    assert {"Smith Family Trust", "SMITH FAMILY TRUST "} <= {c["Name"] for c in au["Contacts"]}


# --------------------------------------------------------------------------- items and tracking


@pytest.mark.parametrize("key", ["AU", "UK", "CA"])
def test_items(demo, key):
    items = org_by_key(demo, key)["Items"]
    assert len(items) >= 15
    assert len({i["Code"] for i in items}) == len(items)
    tracked = [i for i in items if i["IsTrackedAsInventory"]]
    purchase_only = [i for i in items if not i["IsSold"]]
    importable = [i for i in items if i["IsSold"] and not i["IsTrackedAsInventory"]]
    assert len(tracked) >= 2 and len(purchase_only) >= 2 and len(importable) >= 8
    for i in items:
        assert len(i["Code"]) <= 30 and len(i["Name"]) <= 50
        assert MS_DATE.match(i["UpdatedDateUTC"])
    for i in tracked:
        assert i["InventoryAssetAccountCode"] and i["PurchaseDetails"]["COGSAccountCode"]
    for i in purchase_only:
        assert i["SalesDetails"] == {} and i["IsPurchased"] and "Description" not in i
    assert sum(1 for i in importable if "UnitPrice" in i["SalesDetails"]) >= 8


@pytest.mark.parametrize("key", ["AU", "UK", "CA"])
def test_tracking_categories(demo, key):
    cats = org_by_key(demo, key)["TrackingCategories"]
    active = [c for c in cats if c["Status"] == "ACTIVE"]
    assert len(active) == 2 and len(cats) <= 4
    assert all(c["Options"] for c in active)
    assert any(o["Status"] == "ARCHIVED" for c in active for o in c["Options"])


# --------------------------------------------------------------------------- payroll


def test_au_payroll_shape(demo):
    payroll = org_by_key(demo, "AU")["payroll"]
    assert set(payroll) == {
        "Employees",
        "LeaveTypes",
        "EarningsRates",
        "PayrollCalendars",
        "Timesheets",
        "LeaveApplications",
        "Settings",
    }
    # GET /Settings: the timesheet tracking category is one of the organisation's (Region)
    sheet_cat = payroll["Settings"]["TrackingCategories"]["TimesheetCategories"]
    region = next(c for c in org_by_key(demo, "AU")["TrackingCategories"] if c["Name"] == "Region")
    assert sheet_cat == {
        "TrackingCategoryID": region["TrackingCategoryID"],
        "TrackingCategoryName": "Region",
    }
    employees = payroll["Employees"]
    assert len(employees) >= 12
    rate_ids = {r["EarningsRateID"] for r in payroll["EarningsRates"]}
    for emp in employees:
        assert {
            "EmployeeID",
            "FirstName",
            "LastName",
            "Status",
            "StartDate",
            "UpdatedDateUTC",
        } <= set(emp)
        assert not any(k[0].islower() for k in emp), "AU payroll 1.0 is PascalCase"
        assert emp["Status"] in ("ACTIVE", "TERMINATED")
        assert ("TerminationDate" in emp) == (emp["Status"] == "TERMINATED")
        for key in ("StartDate", "DateOfBirth", "UpdatedDateUTC", "TerminationDate"):
            if key in emp:
                assert MS_DATE.match(emp[key]), (key, emp[key])
        assert emp["OrdinaryEarningsRateID"] in rate_ids
    assert sum(e["Status"] == "TERMINATED" for e in employees) >= 2
    assert sum("Email" not in e for e in employees) >= 2
    leave = {lt["Name"]: lt for lt in payroll["LeaveTypes"]}
    assert leave["Unpaid Leave"]["IsPaidLeave"] is False
    assert leave["Annual Leave"]["IsPaidLeave"] is True
    assert all(
        {"LeaveTypeID", "IsPaidLeave", "CurrentRecord", "TypeOfUnits"} <= set(lt)
        for lt in payroll["LeaveTypes"]
    )
    assert any(lt["CurrentRecord"] is False for lt in payroll["LeaveTypes"])


def test_uk_payroll_shape(demo):
    payroll = org_by_key(demo, "UK")["payroll"]
    assert set(payroll) == {
        "Employees",
        "LeaveTypes",
        "PayRunCalendars",
        "EarningsRates",
        "Timesheets",
        "EmployeeLeave",
        "SalaryAndWages",
    }
    employees = payroll["Employees"]
    assert len(employees) >= 12
    for emp in employees:
        assert {"employeeID", "firstName", "lastName", "email", "startDate"} <= set(emp)
        assert not any(k[0].isupper() for k in emp), "payroll 2.0 is camelCase"
        assert "status" not in emp and "Status" not in emp, "2.0 employees have no status field"
        assert ISO_V2.match(emp["startDate"]) and ISO_V2.match(emp["updatedDateUTC"])
        if emp.get("endDate") is not None:
            assert ISO_V2.match(emp["endDate"]) and emp["endDate"] > emp["startDate"]
    terminated = [e for e in employees if e.get("endDate")]
    assert len(terminated) >= 2
    assert sum(e["email"] is None for e in employees) >= 2
    leave = {lt["name"]: lt for lt in payroll["LeaveTypes"]}
    assert leave["Unpaid Leave"]["isPaidLeave"] is False
    assert all(
        {
            "leaveTypeID",
            "name",
            "isPaidLeave",
            "showOnPayslip",
            "isActive",
            "updatedDateUTC",
            "isStatutoryLeave",
        }
        <= set(lt)
        for lt in payroll["LeaveTypes"]
    )
    assert any(lt["isStatutoryLeave"] for lt in payroll["LeaveTypes"])
    assert any(not lt["isActive"] for lt in payroll["LeaveTypes"])


@pytest.mark.parametrize("key", ["AU", "UK"])
def test_same_name_twice_with_different_emails(demo, key):
    names = Counter((f, last) for f, last, _e, _t in people(org_by_key(demo, key)))
    twins = [n for n, count in names.items() if count == 2]
    assert twins
    emails = {e for f, last, e, _t in people(org_by_key(demo, key)) if (f, last) == twins[0]}
    assert len(emails) == 2


# --------------------------------------------------------------------------- near-miss catalogue


REQUIRED_CATEGORIES = {
    "exact",
    "exact_with_children",
    "case",
    "duplicate_in_xero",
    "accents",
    "ampersand",
    "suffix",
    "spaces",
    "punctuation",
    "invisible",
    "fuzzy",
    "truncated",
    "numbered_duplicate",
    "archived_in_qbtime",
    "xero_not_customer",
    "xero_archived",
    "qbtime_only",
    "xero_only_long",
}
NEAR = {
    "case",
    "accents",
    "ampersand",
    "suffix",
    "spaces",
    "punctuation",
    "invisible",
    "fuzzy",
    "truncated",
    "numbered_duplicate",
    "duplicate_in_xero",
}


def test_every_category_is_present_au_first():
    by_org = {
        org: {c.category for c in NEAR_MISS_CASES if c.org == org} for org in ("AU", "UK", "CA")
    }
    assert by_org["AU"] == REQUIRED_CATEGORIES
    for org in ("UK", "CA"):
        assert len(by_org[org] & NEAR) >= 3, f"{org} needs near misses to review"
        assert "exact" in by_org[org] and "qbtime_only" in by_org[org]


@pytest.mark.parametrize(
    "case", NEAR_MISS_CASES, ids=lambda c: f"{c.org}-{c.category}-{c.qbtime_name or c.xero_name}"
)
def test_near_miss_case_holds(demo, case):
    qbt = demo["qbtime"]
    org = org_by_key(demo, case.org)
    x, q = case.xero_name, case.qbtime_name
    job = None
    if q is not None:
        jobs = [j for j in top_level_customers(qbt) if j["name"] == q]
        assert len(jobs) == 1, f"QB Time customer {q!r} missing"
        job = jobs[0]
        assert len(q) <= 64
    contact = None
    if x is not None:
        found = contacts_named(org, x)
        assert len(found) == 1, f"Xero contact {x!r} missing in {case.org}"
        contact = found[0]

    cat = case.category
    if cat == "qbtime_only":
        every = [c["Name"] for o in demo["xero"]["organisations"] for c in o["Contacts"]]
        assert norm(q) not in {norm(n) for n in every}
        assert job["active"]
        return
    if cat == "xero_only_long":
        assert len(x) > 64 and contact["IsCustomer"]
        assert not any(
            norm(j["name"]) == norm(x) or x.startswith(j["name"]) for j in top_level_customers(qbt)
        )
        return
    if cat == "xero_archived":
        assert x == q and contact["ContactStatus"] == "ARCHIVED" and job["active"]
        return
    if cat == "xero_not_customer":
        assert x == q and not contact["IsCustomer"] and not contact["IsSupplier"] and job["active"]
        return
    assert contact["ContactStatus"] == "ACTIVE" and contact["IsCustomer"]
    if cat == "archived_in_qbtime":
        assert x == q and job["active"] is False
        return
    assert job["active"]
    if cat in ("exact", "exact_with_children"):
        assert x == q
        if cat == "exact_with_children":
            children = [j for j in qbt["jobcodes"] if j["parent_id"] == job["id"]]
            assert job["has_children"] and len(children) >= 2
    elif cat == "case":
        assert x != q and x.casefold() == q.casefold()
    elif cat == "duplicate_in_xero":
        twins = [c for c in org["Contacts"] if norm(c["Name"]) == norm(x)]
        assert len(twins) == 2 and norm(x) == norm(q)
    elif cat == "accents":
        assert x != q and strip_accents(x) == q
    elif cat == "ampersand":
        assert "&" in x and q in (x.replace("&", "and"), x.replace("&", "et"))
    elif cat == "suffix":
        assert x != q and strip_suffix(x) == strip_suffix(q)
    elif cat == "spaces":
        assert x != q and " ".join(x.split()) == " ".join(q.split())
    elif cat == "punctuation":
        assert x != q and depunct(x) == depunct(q)
    elif cat == "invisible":
        assert x != q and unicodedata.normalize("NFKC", q) == x
        assert any(unicodedata.category(ch) in ("Zs", "Cf") and ch != " " for ch in q)
    elif cat == "fuzzy":
        assert norm(x) != norm(q) and fuzz.ratio(norm(x), norm(q)) >= 85
    elif cat == "truncated":
        assert len(x) > 64 and len(q) <= 64 and x.startswith(q)
    elif cat == "numbered_duplicate":
        assert re.fullmatch(re.escape(x) + r"[-\s]*\d+", q)
    else:  # pragma: no cover - a new category needs a rule here
        pytest.fail(f"unchecked category {cat}")
    if cat in NEAR - {"fuzzy", "truncated", "numbered_duplicate"}:
        assert norm(x) == norm(q)


def test_catalogue_lists_every_overlap(demo):
    """No accidental twins: each QB Time customer matches (by the normaliser) exactly the Xero
    contacts the catalogue says it does."""
    declared: dict[str, set[tuple[str, str]]] = {}
    for case in NEAR_MISS_CASES:
        if (
            case.qbtime_name
            and case.xero_name
            and case.category not in ("fuzzy", "numbered_duplicate")
        ):
            declared.setdefault(case.qbtime_name, set()).add((case.org, case.xero_name))
    keys = {"AU": "AU", "UK": "UK", "GLOBAL": "CA"}
    for job in top_level_customers(demo["qbtime"]):
        found = {
            (keys[o["Organisation"]["Version"]], c["Name"])
            for o in demo["xero"]["organisations"]
            for c in o["Contacts"]
            if norm(c["Name"]) == norm(job["name"])
            or (len(c["Name"]) > 64 and c["Name"].startswith(job["name"]))
        }
        assert found == declared.get(job["name"], set()), job["name"]


# --------------------------------------------------------------------------- employee cases


def test_every_employee_category_is_present():
    au = {c.category for c in EMPLOYEE_CASES if c.org == "AU"}
    assert {
        "exact",
        "other_email",
        "name_case",
        "accents",
        "nickname",
        "no_email_qbtime",
        "no_email_both",
        "duplicate_name_in_xero",
        "terminated_in_xero",
        "archived_in_qbtime",
        "xero_only",
        "qbtime_only",
    } <= au
    assert {"exact", "name_case", "other_email"} <= {
        c.category for c in EMPLOYEE_CASES if c.org == "UK"
    }


@pytest.mark.parametrize(
    "case", EMPLOYEE_CASES, ids=lambda c: f"{c.org}-{c.category}-{(c.xero or c.qbtime)[1]}"
)
def test_employee_case_holds(demo, case):
    qbt = demo["qbtime"]
    users = qbt_users(qbt)
    staff = people(org_by_key(demo, case.org))
    triples = {(f, last, e): t for f, last, e, t in staff}
    if case.xero is not None:
        assert case.xero in triples, f"Xero employee {case.xero} missing"
    if case.qbtime is not None:
        assert case.qbtime in users, f"QB Time user {case.qbtime} missing"
    x, q, cat = case.xero, case.qbtime, case.category
    if cat == "xero_only":
        assert not any(
            (u[0].casefold(), u[1].casefold()) == (x[0].casefold(), x[1].casefold()) for u in users
        )
        return
    if cat == "qbtime_only":
        every = [p for o in demo["xero"]["organisations"] for p in people(o)]
        assert not any(
            (p[0].casefold(), p[1].casefold()) == (q[0].casefold(), q[1].casefold()) for p in every
        )
        return
    user = users[q]
    terminated = triples[x]
    if cat == "exact":
        assert x == q and user["active"] and not terminated
    elif cat == "duplicate_name_in_xero":
        assert x[:2] == q[:2] and x[2] != q[2]
        assert sum(1 for p in staff if p[:2] == x[:2]) == 2
    elif cat == "other_email":
        assert x[:2] == q[:2] and x[2] and q[2] and x[2] != q[2]
    elif cat == "name_case":
        assert x[:2] != q[:2] and [s.casefold() for s in x] == [s.casefold() for s in q]
    elif cat == "accents":
        assert x != q and tuple(strip_accents(s) for s in x) == q
    elif cat == "nickname":
        assert x[2] == q[2] and x[1].casefold() == q[1].casefold() and x[0] != q[0]
        assert fuzz.ratio(x[0].casefold(), q[0].casefold()) >= 60
    elif cat == "no_email_qbtime":
        assert x[:2] == q[:2] and x[2] and q[2] == ""
    elif cat == "no_email_both":
        assert x == q and x[2] == ""
    elif cat == "terminated_in_xero":
        assert x == q and terminated and user["active"]
    elif cat == "archived_in_qbtime":
        assert x == q and not terminated and user["active"] is False
    else:  # pragma: no cover
        pytest.fail(f"unchecked category {cat}")


# --------------------------------------------------------------------------- QB Time invariants


def check_qbtime_invariants(qbt: dict[str, Any]) -> None:
    for kind in ("users", "jobcodes", "jobcode_assignments", "customfields", "customfielditems"):
        ids = [o["id"] for o in qbt[kind]]
        assert len(ids) == len(set(ids)), f"duplicate {kind} ids"
        assert all(isinstance(i, int) and i > 0 for i in ids)
    users = {u["id"]: u for u in qbt["users"]}
    jobcodes = {j["id"]: j for j in qbt["jobcodes"]}

    # users
    names = Counter(u["username"].casefold() for u in qbt["users"])
    assert max(names.values()) == 1, "usernames must be unique"
    for u in qbt["users"]:
        assert u["username"] and u["first_name"] and u["last_name"]
        assert u["customfields"] == ""
        assert DAY.match(u["hire_date"]) or u["hire_date"] == "0000-00-00"
        assert (u["term_date"] == "0000-00-00") == u["active"]
        assert ISO_QBT.match(u["created"]) and ISO_QBT.match(u["last_modified"])
        assert u["last_modified"] >= u["created"]
        if u["active"]:
            assert u["permissions"]["time_tracking"] is True
        assert set(u["pto_balances"]) == {
            str(j["id"]) for j in qbt["jobcodes"] if j["type"] != "regular"
        }
    owner = users[qbt["current_user_id"]]
    assert owner["id"] == 1 and owner["active"]
    assert all(
        owner["permissions"][k]
        for k in ("admin", "manage_jobcodes", "manage_users", "time_tracking")
    )

    # jobcodes
    siblings = Counter((j["parent_id"], j["name"].strip().casefold()) for j in qbt["jobcodes"])
    assert max(siblings.values()) == 1, [k for k, v in siblings.items() if v > 1]
    codes = Counter(
        (j["parent_id"], j["short_code"].casefold()) for j in qbt["jobcodes"] if j["short_code"]
    )
    assert not codes or max(codes.values()) == 1
    for j in qbt["jobcodes"]:
        assert 0 < len(j["name"]) <= 64
        assert j["type"] in ("regular", "pto", "unpaid_time_off")
        assert (
            j["filtered_customfielditems"] == ""
            and j["required_customfields"] == []
            and j["locations"] == []
        )
        assert ISO_QBT.match(j["created"]) and ISO_QBT.match(j["last_modified"])
        if j["type"] != "regular":
            assert j["parent_id"] == 0
        if j["parent_id"]:
            parent = jobcodes[j["parent_id"]]
            assert parent["type"] == "regular" and parent["has_children"]
        assert j["has_children"] == any(c["parent_id"] == j["id"] for c in qbt["jobcodes"])
        if j["short_code"]:
            assert j["short_code"].isalnum()

    # assignments
    for a in qbt["jobcode_assignments"]:
        assert a["user_id"] in users and a["jobcode_id"] in jobcodes
        if a["active"]:
            assert jobcodes[a["jobcode_id"]]["active"]

    # custom fields
    assert sum(1 for f in qbt["customfields"] if f["active"]) <= 6
    fields = {f["id"]: f for f in qbt["customfields"]}
    short = Counter(i["short_code"].casefold() for i in qbt["customfielditems"])
    assert max(short.values()) == 1, "custom field item short codes are unique account-wide"
    per_field = Counter(
        (i["customfield_id"], i["name"].casefold()) for i in qbt["customfielditems"]
    )
    assert max(per_field.values()) == 1
    for item in qbt["customfielditems"]:
        assert item["customfield_id"] in fields and item["short_code"].isalnum()
    for f in qbt["customfields"]:
        assert f["applies_to"] == "timesheet" and f["type"] in ("managed-list", "free-form")


def test_demo_qbtime_invariants(demo):
    check_qbtime_invariants(demo["qbtime"])


def test_demo_qbtime_content(demo):
    qbt = demo["qbtime"]
    time_off = {j["name"]: j for j in qbt["jobcodes"] if j["type"] != "regular"}
    assert time_off["Annual Leave"]["type"] == "pto" and time_off["Sick Leave"]["type"] == "pto"
    assert time_off["Unpaid Leave"]["type"] == "unpaid_time_off"
    assert "Congé annuel" in time_off
    active_fields = [f for f in qbt["customfields"] if f["active"]]
    assert 1 <= len(active_fields) <= 3, "leave room for the import's own fields"
    assert any(f["name"] == "Equipment" and f["type"] == "managed-list" for f in active_fields)
    assert any(not f["active"] for f in qbt["customfields"])
    assert len(qbt["jobcode_assignments"]) >= 3
    assert any(not a["active"] for a in qbt["jobcode_assignments"])
    assert any(j["parent_id"] for j in qbt["jobcodes"]), "a customer with child jobs"


# --------------------------------------------------------------------------- ids


# OrganisationID is left out: it is the organisation's tenantId.
XERO_ID_KEYS = {
    "tenantId",
    "ContactID",
    "ItemID",
    "TrackingCategoryID",
    "TrackingOptionID",
    "EmployeeID",
    "employeeID",
    "LeaveTypeID",
    "leaveTypeID",
    "EarningsRateID",
}


def collect_ids(
    node: Any, parent_key: str | None = None, out: list[str] | None = None
) -> list[str]:
    """Every value of an identity key (not the references to it, like OrdinaryEarningsRateID)."""
    out = [] if out is None else out
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Timesheets", "LeaveApplications", "EmployeeLeave", "Settings"):
                # the payroll records written by an export only refer to employees; the
                # payroll settings refer to a tracking category
                continue
            if key in XERO_ID_KEYS and isinstance(value, str):
                # an option's TrackingCategoryID would be a reference; options carry none here
                out.append(value)
            else:
                collect_ids(value, key, out)
    elif isinstance(node, list):
        for value in node:
            collect_ids(value, parent_key, out)
    return out


@pytest.mark.parametrize(
    "builder",
    [build_demo_company, lambda: generate_large(2000, 80, 60, "UK", 3)],
    ids=["demo", "large-uk"],
)
def test_xero_ids_are_unique_uuids(builder):
    data = builder()
    ids = collect_ids(data["xero"])
    assert len(ids) == len(set(ids))
    for value in ids:
        assert str(uuid.UUID(value)) == value


# --------------------------------------------------------------------------- the large generator


def test_large_default_is_sized(large_au):
    # Its speed is a benchmark's business (make bench), not a timed unit test's.
    org = large_au["xero"]["organisations"][0]
    assert len(large_au["xero"]["organisations"]) == 1
    assert len(org["Contacts"]) == 10000 and len(org["Items"]) == 500
    assert len(org["payroll"]["Employees"]) == 300
    assert len({c["Name"] for c in org["Contacts"]}) == 10000


def test_large_is_deterministic_per_seed():
    a = generate_large(contacts=500, employees=40, items=30, region="NZ", seed=5)
    assert a == generate_large(contacts=500, employees=40, items=30, region="NZ", seed=5)
    assert a != generate_large(contacts=500, employees=40, items=30, region="NZ", seed=6)


@pytest.mark.parametrize(
    "region,country,has_payroll",
    [
        ("AU", "AU", True),
        ("UK", "GB", True),
        ("NZ", "NZ", True),
        ("GLOBAL", "CA", False),
        ("US", "US", False),
    ],
)
def test_large_regions(region, country, has_payroll):
    data = generate_large(contacts=400, employees=25, items=20, region=region, seed=2)
    org = data["xero"]["organisations"][0]
    assert (
        org["Organisation"]["Version"] == region and org["Organisation"]["CountryCode"] == country
    )
    assert ("payroll" in org) is has_payroll
    if region == "AU":
        assert "Status" in org["payroll"]["Employees"][0] and org["payroll"]["EarningsRates"]
    elif has_payroll:
        emp = org["payroll"]["Employees"][0]
        assert "employeeID" in emp and "status" not in emp
        lt = org["payroll"]["LeaveTypes"][0]
        assert ("isStatutoryLeave" in lt) is (region == "UK") and ("typeOfUnits" in lt) is (
            region == "NZ"
        )
    assert len(org["Contacts"]) == 400 and len(org["Items"]) == 20
    check_qbtime_invariants(data["qbtime"])


def test_large_qbtime_holds_a_realistic_share(large_au):
    org = large_au["xero"]["organisations"][0]
    qbt = large_au["qbtime"]
    check_qbtime_invariants(qbt)
    customers = [c for c in org["Contacts"] if c["IsCustomer"]]
    names = {c["Name"] for c in org["Contacts"]}
    keys = {norm(c["Name"]) for c in org["Contacts"]}
    jobs = top_level_customers(qbt)
    exact = [j for j in jobs if j["name"] in names]
    near = [j for j in jobs if j["name"] not in names and norm(j["name"]) in keys]
    alone = [j for j in jobs if norm(j["name"]) not in keys]
    assert 0.1 * len(customers) <= len(exact) <= 0.4 * len(customers)
    assert len(near) >= 0.02 * len(customers)
    assert len(alone) >= 10
    staff = {(f, last, e) for f, last, e, t in people(org) if not t}
    users = set(qbt_users(qbt))
    assert len(staff & users) >= 0.25 * len(staff)
    assert len(users - staff) >= 5  # near misses and the owner


def test_large_rejects_bad_arguments():
    with pytest.raises(ValueError):
        generate_large(region="FR")
    with pytest.raises(ValueError):
        generate_large(contacts=-1)


# --------------------------------------------------------------------------- the CLI


def test_cli_demo_writes_the_committed_content(tmp_path, capsys):
    out = tmp_path / "company.json"
    assert generate.main(["--demo", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == build_demo_company()
    assert "3 organisation(s)" in capsys.readouterr().out


def test_cli_large(tmp_path):
    out = tmp_path / "big.json"
    assert (
        generate.main(
            [
                "--out",
                str(out),
                "--contacts",
                "120",
                "--employees",
                "15",
                "--items",
                "16",
                "--seed",
                "4",
                "--region",
                "uk",
            ]
        )
        == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data == generate_large(contacts=120, employees=15, items=16, region="UK", seed=4)


def test_cli_requires_out():
    with pytest.raises(SystemExit):
        generate.main([])


# --------------------------------------------------------------------------- hours (issue 13)

HOURS_ZONES = {"AU": "Australia/Sydney", "UK": "Europe/London"}
#: the pay periods, Monday to Sunday: AU weekly, UK fortnightly
PERIODS = {
    "AU": (("2026-11-16", "2026-11-22"), ("2026-11-23", "2026-11-29")),
    "UK": (("2026-11-02", "2026-11-15"), ("2026-11-16", "2026-11-29")),
}


def linked_to(demo: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """QB Time users that link on import: first, last and e-mail equal to an active employee's."""
    employees = {
        (first, last, email)
        for first, last, email, terminated in people(org_by_key(demo, key))
        if email and not terminated
    }
    return [
        u
        for u in demo["qbtime"]["users"]
        if u["active"] and (u["first_name"], u["last_name"], u["email"]) in employees
    ]


def user_named(qbt: dict[str, Any], name: str) -> dict[str, Any]:
    found = [u for u in qbt["users"] if f"{u['first_name']} {u['last_name']}" == name]
    assert len(found) == 1, name
    return found[0]


def sheets_of(qbt: dict[str, Any], user: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in qbt["timesheets"] if t["user_id"] == user["id"]]


def code_named(qbt: dict[str, Any], name: str) -> dict[str, Any]:
    return next(j for j in qbt["jobcodes"] if j["name"] == name and j["parent_id"] == 0)


def test_hours_go_to_the_linked_users_and_one_unlinked(demo):
    qbt = demo["qbtime"]
    with_hours = {t["user_id"] for t in qbt["timesheets"]}
    au, uk = linked_to(demo, "AU"), linked_to(demo, "UK")
    assert {f"{u['first_name']} {u['last_name']}" for u in au} == {
        "Olivia Brown",
        "Noah Williams",
        "Jack Wilson",
    }
    assert {f"{u['first_name']} {u['last_name']}" for u in uk} == {
        "Oliver Hughes",
        "Amelia Clarke",
        "Sophie Turner",
    }
    dave = user_named(qbt, "Dave Kowalski")
    assert with_hours == {u["id"] for u in au + uk} | {dave["id"]}


@pytest.mark.parametrize("key", ["AU", "UK"])
def test_hours_fill_both_pay_periods_in_the_company_time_zone(demo, key):
    from zoneinfo import ZoneInfo

    qbt = demo["qbtime"]
    zone = ZoneInfo(HOURS_ZONES[key])
    (first_start, first_end), (last_start, last_end) = PERIODS[key]
    for start, end in PERIODS[key]:
        assert (
            _dt.date.fromisoformat(start).weekday() == 0
            and _dt.date.fromisoformat(end).weekday() == 6
        )
    assert (_dt.date.fromisoformat(first_end) + _dt.timedelta(days=1)).isoformat() == last_start
    people_here = linked_to(demo, key) + ([user_named(qbt, "Dave Kowalski")] if key == "AU" else [])
    for user in people_here:
        sheets = sheets_of(qbt, user)
        for start, end in PERIODS[key]:
            worked = [t for t in sheets if start <= t["date"] <= end and t["type"] == "regular"]
            assert sum(t["duration"] for t in worked) >= 2 * 6 * 3600, (user["last_name"], start)
        for t in sheets:
            assert first_start <= t["date"] <= last_end
            assert t["tz_str"] == HOURS_ZONES[key]
            if t["start"]:
                moment = _dt.datetime.fromisoformat(t["start"])
                assert moment.utcoffset() == moment.astimezone(zone).utcoffset()
                assert t["tz"] * 3600 == moment.utcoffset().total_seconds()
                assert t["date"] == t["start"][:10]
            if t["end"]:
                assert (
                    _dt.datetime.fromisoformat(t["end"]) - _dt.datetime.fromisoformat(t["start"])
                ).total_seconds() == t["duration"]


def test_hours_are_realistic_and_never_overlap(demo):
    qbt = demo["qbtime"]
    by_user_day: Counter[tuple[int, str]] = Counter()
    for user_id in {t["user_id"] for t in qbt["timesheets"]}:
        shifts = sorted(
            (t for t in qbt["timesheets"] if t["user_id"] == user_id and t["start"]),
            key=lambda t: t["start"],
        )
        for a, b in itertools.pairwise(shifts):
            assert a["end"] and _dt.datetime.fromisoformat(a["end"]) <= _dt.datetime.fromisoformat(
                b["start"]
            )
        for t in qbt["timesheets"]:
            if t["user_id"] == user_id and t["type"] == "regular":
                by_user_day[(user_id, t["date"])] += t["duration"]
    assert all(v <= 12 * 3600 for v in by_user_day.values())
    weekdays = [
        v for (_, day), v in by_user_day.items() if _dt.date.fromisoformat(day).weekday() < 5
    ]
    assert sum(1 for v in weekdays if 6 * 3600 <= v <= 9 * 3600) >= 0.9 * len(weekdays)
    ids = [t["id"] for t in qbt["timesheets"]]
    assert len(ids) == len(set(ids)) and max(ids) < 2**63


def test_timesheet_jobcodes_are_trackable(demo):
    """Each timesheet's code is active, has no children and is assigned to the user."""
    qbt = demo["qbtime"]
    jobcodes = {j["id"]: j for j in qbt["jobcodes"]}
    assigned = {(a["user_id"], a["jobcode_id"]) for a in qbt["jobcode_assignments"] if a["active"]}
    active_fields = {str(f["id"]) for f in qbt["customfields"] if f["active"]}
    for t in qbt["timesheets"]:
        job = jobcodes[t["jobcode_id"]]
        assert job["active"] and not job["has_children"]
        assert job["assigned_to_all"] or (t["user_id"], job["id"]) in assigned
        assert set(t["customfields"]) == active_fields


def test_every_hour_trap_is_in_the_readme():
    text = (Path(__file__).resolve().parents[2] / "resources" / "demo" / "README.md").read_text(
        "utf-8"
    )
    assert hour_cases_markdown() in text, "README hours table is stale"
    traps = {c.trap for c in HOUR_CASES}
    assert traps >= {
        "approved",
        "submitted_only",
        "not_submitted",
        "on_the_clock",
        "over_midnight",
        "billable_items",
        "annual_leave",
        "unpaid_leave",
        "unlinked_leave",
        "no_employee",
    }


def leave_requests(qbt: dict[str, Any], user: dict[str, Any], code: dict[str, Any], status: str):
    entries = {e["id"]: e for e in qbt["time_off_request_entries"]}
    for request in qbt["time_off_requests"]:
        rows = [entries[i] for i in request["time_off_request_entries"]]
        if (
            request["user_id"] == user["id"]
            and request["status"] == status
            and all(e["jobcode_id"] == code["id"] for e in rows)
        ):
            yield request, rows


@pytest.mark.parametrize("case", HOUR_CASES, ids=lambda c: f"{c.org}-{c.trap}-{c.person}")
def test_hour_case_holds(demo, case):
    qbt = demo["qbtime"]
    user = user_named(qbt, case.person)
    sheets = sheets_of(qbt, user)
    (first_start, first_end), (last_start, last_end) = PERIODS[case.org]
    later = [t for t in sheets if last_start <= t["date"] <= last_end and t["type"] == "regular"]
    timesheets = {t["id"]: t for t in qbt["timesheets"]}
    xero = org_by_key(demo, case.org)
    if case.trap == "approved":
        assert user["approved_to"] >= last_end and later
    elif case.trap == "submitted_only":
        assert user["approved_to"] < last_start and user["submitted_to"] >= last_end and later
    elif case.trap == "not_submitted":
        assert (
            user["submitted_to"] < last_start
            and user["approved_to"] <= user["submitted_to"]
            and later
        )
        assert user["approved_to"] >= first_end, "the earlier period is approved"
    elif case.trap == "over_midnight":
        night = [t for t in sheets if t["end"] and t["end"][:10] != t["start"][:10]]
        assert night and all(t["date"] == t["start"][:10] for t in night)
    elif case.trap == "on_the_clock":
        open_ = [t for t in sheets if t["on_the_clock"]]
        assert len(open_) == 1 and open_[0]["end"] == "" and open_[0]["duration"] == 0
    elif case.trap == "billable_items":
        items_field = next(f for f in qbt["customfields"] if f["name"] == "Service Item")
        xero_items = {i["Name"] for i in xero["Items"]}
        contacts = {c["Name"] for c in xero["Contacts"]}
        jobcodes = {j["id"]: j for j in qbt["jobcodes"]}
        billed = [t for t in sheets if t["customfields"].get(str(items_field["id"]))]
        assert len(billed) >= 3
        for t in billed:
            job = jobcodes[t["jobcode_id"]]
            customer = jobcodes[job["parent_id"]] if job["parent_id"] else job
            assert job["billable"] and customer["name"] in contacts
            assert t["customfields"][str(items_field["id"])] in xero_items
    elif case.trap in ("annual_leave", "unpaid_leave", "unlinked_leave"):
        name = {
            "annual_leave": "Annual Leave",
            "unpaid_leave": "Unpaid Leave",
            "unlinked_leave": "Holiday",
        }[case.trap]
        code = code_named(qbt, name)
        assert code["type"] == ("unpaid_time_off" if case.trap == "unpaid_leave" else "pto")
        found = list(leave_requests(qbt, user, code, "approved"))
        assert found
        for _request, rows in found:
            for entry in rows:
                assert entry["status"] == "approved" and entry["approver_user_id"]
                generated = timesheets[entry["approved_timesheet_id"]]
                assert (
                    generated["user_id"],
                    generated["jobcode_id"],
                    generated["date"],
                    generated["duration"],
                ) == (user["id"], code["id"], entry["date"], entry["duration"])
                assert generated["type"] == "manual" and entry["date"] <= user["approved_to"]
                assert first_start <= entry["date"] <= last_end
        if case.trap == "unlinked_leave":
            leave_types = xero["payroll"]["LeaveTypes"]
            assert all((lt.get("Name") or lt.get("name")) != "Holiday" for lt in leave_types)
    elif case.trap == "pending_leave":
        code = code_named(qbt, "Annual Leave")
        found = list(leave_requests(qbt, user, code, "pending"))
        assert found
        for _request, rows in found:
            for entry in rows:
                assert entry["approved_timesheet_id"] == 0 and entry["approver_user_id"] == 0
                assert not [
                    t
                    for t in sheets
                    if t["jobcode_id"] == code["id"] and t["date"] == entry["date"]
                ]
    elif case.trap == "no_employee":
        assert later and user["approved_to"] >= last_end
        for org_key in ("AU", "UK"):
            for first, last, email, _ in people(org_by_key(demo, org_key)):
                assert (first.casefold(), last.casefold()) != (
                    user["first_name"].casefold(),
                    user["last_name"].casefold(),
                )
                assert not email or email.casefold() != user["email"].casefold()
    else:
        raise AssertionError(f"no check for {case.trap}")


def test_time_off_objects_hang_together(demo):
    qbt = demo["qbtime"]
    requests = {r["id"]: r for r in qbt["time_off_requests"]}
    notes = {n["id"]: n for n in qbt["time_off_request_notes"]}
    for entry in qbt["time_off_request_entries"]:
        request = requests[entry["time_off_request_id"]]
        assert entry["id"] in request["time_off_request_entries"]
        assert entry["user_id"] == request["user_id"] and entry["status"] == request["status"]
        assert (
            entry["start_time"][:10] == entry["date"] and entry["tz_string"] in HOURS_ZONES.values()
        )
    for request in requests.values():
        for note_id in request["time_off_request_notes"]:
            assert notes[note_id]["time_off_request_id"] == request["id"]
    users = {u["id"]: u for u in qbt["users"]}
    for user in users.values():
        assert DAY.match(user["approved_to"]) and DAY.match(user["submitted_to"])
        assert user["approved_to"] <= user["submitted_to"]


def test_a_very_large_generated_account_s_stamps_stay_in_the_past():
    """QuickBooks Time never stamps a change in the future. A generated account's objects
    came up to 12 hours apart: at 100,000 contacts the stamps reached 2036, the product's
    cursors followed, and every later change was hidden from incremental reads (the
    growth benchmark's re-imports read nothing). Past QBT_BUSY_TS they come a minute
    apart at most; before it, the stamps are as they were (smaller accounts unchanged)."""
    from core.sandbox import demo_data as dd

    rng = random.Random(7)
    account = dd._QBTime(rng, dd._Ids(random.Random(8)), "Co", "co")
    stamps = [_dt.datetime.fromisoformat(account._stamp()[0]).timestamp() for _ in range(200_000)]
    steps = [b - a for a, b in itertools.pairwise(stamps)]
    assert max(stamps) < _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC).timestamp()
    late = [s for a, s in zip(stamps, steps, strict=False) if a >= dd.QBT_BUSY_TS]
    assert late and max(late) <= 60
    early = [s for a, s in zip(stamps, steps, strict=False) if a < dd.QBT_BUSY_TS]
    assert early and min(early) >= 60 and max(early) > 3_600  # as before: 60 s to 12 h
