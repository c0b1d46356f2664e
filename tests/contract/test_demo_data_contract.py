"""Every object of the Demo Company file (and of the large generator) against the official
material in ``<shared>/specs``: Xero OpenAPI component schemas and list-response envelopes
(``tests/contract/xero_spec.py``), QuickBooks Time object shapes (``tests/contract/qbtime_shapes.py``).

Xero objects are validated with ``strict_properties=True``: a field the spec does not know
fails, so the demo data cannot invent fields. Skipped with a reason when the shared specs
folder is absent (set ``XQB_SHARED_DIR``).
"""

from __future__ import annotations

from typing import Any

import pytest

from core.sandbox.demo_data import build_demo_company, generate_large
from tests.contract import qbtime_shapes, xero_spec

QBT_KINDS = (
    "users",
    "jobcodes",
    "jobcode_assignments",
    "customfields",
    "customfielditems",
    "locations",
)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    return build_demo_company()


@pytest.fixture(scope="module")
def larges() -> dict[str, dict[str, Any]]:
    return {
        region: generate_large(contacts=300, employees=30, items=25, region=region, seed=11)
        for region in ("AU", "UK", "NZ", "GLOBAL", "US")
    }


def _require_xero() -> None:
    xero_spec.require_specs("accounting", "payroll-au", "payroll-nz", "payroll-uk")


def _require_qbtime() -> None:
    if qbtime_shapes.spec_dir() is None:
        pytest.skip(
            "QuickBooks Time specs not found in <shared>/specs/qbtime "
            "(set XQB_SHARED_DIR to the shared folder)"
        )


def _xero_problems(org: dict[str, Any]) -> list[str]:
    """Every schema violation in one organisation of a company file.

    Each list is validated as the body of the GET that returns it (strict properties): an
    error names the object by its index, e.g. ``Contacts/12/Addresses/0/Country``.
    """
    problems: list[str] = []
    name = org["tenantName"]

    def envelope(spec: str, path: str, body: dict[str, Any]) -> None:
        try:
            xero_spec.validate_response(spec, "GET", path, 200, body, strict_properties=True)
        except xero_spec.SpecValidationError as exc:
            problems.extend(f"{name} GET {path}: {e}" for e in exc.errors)

    envelope("accounting", "/Organisation", {"Organisations": [org["Organisation"]]})
    envelope("accounting", "/Contacts", {"Contacts": org["Contacts"]})
    envelope("accounting", "/Items", {"Items": org["Items"]})
    envelope("accounting", "/TrackingCategories", {"TrackingCategories": org["TrackingCategories"]})
    envelope("accounting", "/TaxRates", {"TaxRates": org["TaxRates"]})
    envelope("accounting", "/Accounts", {"Accounts": org["Accounts"]})
    envelope("accounting", "/Currencies", {"Currencies": org["Currencies"]})

    payroll = org.get("payroll")
    version = org["Organisation"]["Version"]
    if payroll is None:
        return problems
    if version == "AU":
        envelope("payroll-au", "/Employees", {"Employees": payroll["Employees"]})
        envelope(
            "payroll-au",
            "/PayItems",
            {
                "PayItems": {
                    "EarningsRates": payroll["EarningsRates"],
                    "LeaveTypes": payroll["LeaveTypes"],
                }
            },
        )
    else:
        spec = {"UK": "payroll-uk", "NZ": "payroll-nz"}[version]
        envelope(spec, "/Employees", {"employees": payroll["Employees"], "problem": None})
        envelope(spec, "/LeaveTypes", {"leaveTypes": payroll["LeaveTypes"], "problem": None})
        # one object through its component schema as well (the form other tests use)
        for emp in payroll["Employees"][:1]:
            try:
                xero_spec.validate_schema(spec, "Employee", emp, strict_properties=True)
            except xero_spec.SpecValidationError as exc:
                problems.extend(f"{name} Employee: {e}" for e in exc.errors)
    return problems


def _qbtime_problems(qbt: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for kind in QBT_KINDS:
        for obj in qbt[kind]:
            # allow_quirks=False: the demo data never uses 1/0 or "yes"/"no" booleans.
            problems += qbtime_shapes.check_object(kind, obj, allow_quirks=False)
    owner = next(u for u in qbt["users"] if u["id"] == qbt["current_user_id"])
    problems += qbtime_shapes.check_object("current_user", owner, allow_quirks=False)
    return problems


@pytest.mark.parametrize("key", ["AU", "UK", "CA"])
def test_demo_xero_objects_match_the_openapi_specs(demo, key):
    _require_xero()
    orgs = {"AU": 0, "UK": 1, "CA": 2}
    org = demo["xero"]["organisations"][orgs[key]]
    problems = _xero_problems(org)
    assert not problems, "\n".join(problems[:50])


def test_demo_qbtime_objects_match_the_official_shapes(demo):
    _require_qbtime()
    problems = _qbtime_problems(demo["qbtime"])
    assert not problems, "\n".join(problems[:50])


@pytest.mark.parametrize("region", ["AU", "UK", "NZ", "GLOBAL", "US"])
def test_large_generator_output_matches_the_specs(larges, region):
    _require_xero()
    _require_qbtime()
    data = larges[region]
    problems = _xero_problems(data["xero"]["organisations"][0]) + _qbtime_problems(data["qbtime"])
    assert not problems, "\n".join(problems[:50])
