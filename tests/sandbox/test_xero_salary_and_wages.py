"""NZ/UK ``GET /Employees/{EmployeeID}/SalaryAndWages`` in the Xero simulator.

The specs (xero-payroll-uk.yaml, xero-payroll-nz.yaml ``getEmployeeSalaryAndWages``): the
employee's ``SalaryAndWage`` rows (``earningsRateID``, ``paymentType`` Hourly/Salary,
``status``, ``effectiveFrom``…) in a ``SalaryAndWages`` envelope (``pagination``,
``problem``), ``page`` "by default the number of the records per set is 100"; scopes
``payroll.employees`` or ``payroll.employees.read``. The Demo Company gives every NZ/UK
employee their rows (resources/demo/README.md).
"""

from __future__ import annotations

import copy
import uuid

import pytest
from werkzeug.wrappers import Request

from core.sandbox.common import CompanyStore
from core.sandbox.demo_data import generate_large
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import XeroConfig
from tests.contract.xero_spec import require_specs, validate_response
from tests.sandbox.test_xero_payroll import (
    AU,
    CA,
    READ,
    UK,
    UK_ORG,
    Env,
    FakeAccess,
    uk_employee,
)

PATH = "/payroll.xro/2.0/Employees/{}/SalaryAndWages"


@pytest.fixture
def env() -> Env:
    return Env()


class NzEnv(Env):
    """Env over a generated NZ organisation (generate_large), its one tenant allowed."""

    def __init__(self, data: dict) -> None:
        super().__init__()
        self.store = CompanyStore.from_dict(data)
        tenant = data["xero"]["organisations"][0]["tenantId"]

        def check(request: Request) -> FakeAccess:
            return FakeAccess(True, None, "g", frozenset({tenant}), READ)

        self.api = XeroApi(self.store, self.clock, XeroConfig(), check)


def rows_of(env: Env, emp_id: str) -> list[dict]:
    return env.payroll(UK)["SalaryAndWages"][emp_id]


def test_every_demo_employee_has_salary_and_wages_in_the_specs_shape(env):
    require_specs("payroll-uk")
    regular = UK_ORG["payroll"]["EarningsRates"][0]
    assert regular["name"] == "Regular Hours"
    for emp in UK_ORG["payroll"]["Employees"]:
        resp = env.call("GET", PATH.format(emp["employeeID"]), tenant=UK, token="read")
        assert resp.status_code == 200
        body = resp.get_json()
        validate_response(
            "payroll-uk",
            "GET",
            "/Employees/{EmployeeID}/SalaryAndWages",
            200,
            body,
            strict_properties=True,
        )
        rows = body["salaryAndWages"]
        assert body["problem"] is None and rows == rows_of(env, emp["employeeID"])
        assert body["pagination"] == {
            "page": 1,
            "pageSize": 100,
            "pageCount": 1,
            "itemCount": len(rows),
        }
        active = [r for r in rows if r["status"] == "Active"]
        assert len(active) == 1 and active[0]["earningsRateID"] == regular["earningsRateID"]
    harry = uk_employee("Harry", "Evans")
    assert [r["paymentType"] for r in rows_of(env, harry["employeeID"])] == ["Salary"]
    oliver = uk_employee("Oliver", "Hughes")
    assert [r["status"] for r in rows_of(env, oliver["employeeID"])] == ["History", "Active"]


def test_unknown_employee_is_404_as_for_the_employee_itself(env):
    missing = str(uuid.uuid4())
    resp = env.call("GET", PATH.format(missing), tenant=UK)
    same = env.call("GET", f"/payroll.xro/2.0/Employees/{missing}", tenant=UK)
    assert resp.status_code == same.status_code == 404
    body, other = resp.get_json(), same.get_json()
    assert {k: v for k, v in body.items() if k != "instance"} == {
        k: v for k, v in other.items() if k != "instance"
    }
    assert body["title"] == "NotFound"


def test_pages_of_100(env):
    emp = uk_employee("George", "Patel")["employeeID"]
    (row,) = rows_of(env, emp)
    many = []
    for i in range(150):
        extra = copy.deepcopy(row)
        extra["salaryAndWagesID"] = str(uuid.uuid4())
        extra["status"] = "History" if i else "Active"
        many.append(extra)
    env.payroll(UK)["SalaryAndWages"][emp] = many
    first = env.call("GET", PATH.format(emp), tenant=UK).get_json()
    second = env.call("GET", PATH.format(emp) + "?page=2", tenant=UK).get_json()
    third = env.call("GET", PATH.format(emp) + "?page=3", tenant=UK).get_json()
    assert first["salaryAndWages"] == many[:100] and second["salaryAndWages"] == many[100:]
    assert first["pagination"] == {"page": 1, "pageSize": 100, "pageCount": 2, "itemCount": 150}
    assert second["pagination"]["page"] == 2 and third["salaryAndWages"] == []
    bad = env.call("GET", PATH.format(emp) + "?page=x", tenant=UK)
    assert bad.status_code == 400 and bad.get_json()["invalidFields"][0]["name"] == "page"


def test_read_only_with_an_employees_scope(env):
    emp = uk_employee("George", "Patel")["employeeID"]
    # (a token without the scope: Xero's 401 AuthorizationUnsuccessful, as for the others)
    assert env.call("GET", PATH.format(emp), tenant=UK, token="settings").status_code == 401
    assert env.call("GET", PATH.format(emp), tenant=UK, token="read").status_code == 200
    # (POST exists in Xero: the simulator, which does not write salary and wages, says so)
    post = env.call("POST", PATH.format(emp), tenant=UK, body={"earningsRateID": "x"})
    assert post.status_code == 405


def test_not_for_au_nor_an_organisation_without_payroll(env):
    emp = uk_employee("George", "Patel")["employeeID"]
    assert env.call("GET", PATH.format(emp), tenant=AU).status_code == 405
    assert env.call("GET", PATH.format(emp), tenant=CA).status_code == 403  # (_no_payroll)


def test_nz_rows_carry_nz_fields_and_validate():
    require_specs("payroll-nz")
    data = generate_large(20, 8, 5, "NZ", 3)
    org = data["xero"]["organisations"][0]
    env = NzEnv(data)
    payroll = org["payroll"]
    assert set(payroll["SalaryAndWages"]) == {e["employeeID"] for e in payroll["Employees"]}
    emp = payroll["Employees"][0]["employeeID"]
    resp = env.call("GET", PATH.format(emp), tenant=org["tenantId"])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    validate_response(
        "payroll-nz",
        "GET",
        "/Employees/{EmployeeID}/SalaryAndWages",
        200,
        body,
        strict_properties=True,
    )
    (row,) = body["salaryAndWages"]
    assert row["paymentType"] == "Hourly" and row["daysPerWeek"] == 5.0
    assert row["earningsRateID"] == payroll["EarningsRates"][0]["earningsRateID"]
