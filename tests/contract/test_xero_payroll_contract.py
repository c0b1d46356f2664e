"""Xero's official SDK (xero-python) reads back every payroll hours record the simulator holds.

The Demo Company's AU (payroll 1.0) and UK (payroll 2.0) organisations, after an export-like
round of writes (draft timesheets, leave), are read through ``PayrollAuApi`` and
``PayrollUkApi`` over HTTP: every pay calendar, timesheet and leave record comes back with the
same ids, dates and hours. Each raw answer, and each write's answer, also validates against
the official OpenAPI specs.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock, SimServer
from core.sandbox.demo_data import build_demo_company, generate_large
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import DEMO_CLIENT_ID, XeroConfig
from core.sandbox.xero_payroll import au_date, parse_day

from .xero_spec import require_specs, validate_response

pytest.importorskip("xero_python", reason="pip install -e '.[test]'")

from xero_python.api_client import ApiClient, Configuration
from xero_python.api_client.oauth2 import OAuth2Token
from xero_python.payrollau import PayrollAuApi
from xero_python.payrolluk import PayrollUkApi

START = 1_796_515_200.0  # 2026-12-06
SCOPES = frozenset({"payroll.timesheets", "payroll.employees", "payroll.settings"})


@dataclass(frozen=True)
class _Access:
    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)


@pytest.fixture(scope="module")
def sim():
    require_specs("payroll-au", "payroll-uk")
    data = build_demo_company()
    au_org, uk_org = data["xero"]["organisations"][:2]
    store = CompanyStore.from_dict(data)
    tenants = frozenset(o["tenantId"] for o in data["xero"]["organisations"])
    api = XeroApi(
        store, ManualClock(START), XeroConfig(), lambda r: _Access(True, None, "g", tenants, SCOPES)
    )

    def app(environ, start_response):
        return (api.handle(Request(environ)) or Response("", 404))(environ, start_response)

    server = SimServer(app).start()
    http = requests.Session()
    http.headers.update({"Authorization": "Bearer t", "Accept": "application/json"})

    def call(method: str, path: str, tenant: str, body: Any = None) -> Any:
        r = http.request(
            method, server.base_url + path, json=body, headers={"xero-tenant-id": tenant}
        )
        assert r.status_code == 200, r.text
        return r.json()

    au, uk = au_org["tenantId"], uk_org["tenantId"]
    emp = {e["FirstName"] + " " + e["LastName"]: e for e in au_org["payroll"]["Employees"]}
    rate = au_org["payroll"]["EarningsRates"][0]["EarningsRateID"]
    annual = next(t for t in au_org["payroll"]["LeaveTypes"] if t["Name"] == "Annual Leave")
    writes: list[tuple[str, str, str, int, Any]] = []
    for who in ("Chip Davis", "Zoé Lefèvre"):
        for start, end in (
            (date(2026, 11, 16), date(2026, 11, 22)),
            (date(2026, 11, 23), date(2026, 11, 29)),
        ):
            body = [
                {
                    "EmployeeID": emp[who]["EmployeeID"],
                    "StartDate": au_date(start),
                    "EndDate": au_date(end),
                    "TimesheetLines": [
                        {"EarningsRateID": rate, "NumberOfUnits": [7.6, 8, 6.5, 0, 7.25, 0, 0]}
                    ],
                }
            ]
            writes.append(
                (
                    "payroll-au",
                    "POST",
                    "/Timesheets",
                    200,
                    call("POST", "/payroll.xro/1.0/Timesheets", au, body),
                )
            )
    leave = [
        {
            "EmployeeID": emp["Chip Davis"]["EmployeeID"],
            "LeaveTypeID": annual["LeaveTypeID"],
            "Title": "Annual Leave",
            "StartDate": au_date(date(2026, 11, 19)),
            "EndDate": au_date(date(2026, 11, 19)),
        }
    ]
    writes.append(
        (
            "payroll-au",
            "POST",
            "/LeaveApplications",
            200,
            call("POST", "/payroll.xro/1.0/LeaveApplications", au, leave),
        )
    )

    uk_emp = {e["firstName"] + " " + e["lastName"]: e for e in uk_org["payroll"]["Employees"]}
    cal = uk_org["payroll"]["PayRunCalendars"][0]["payrollCalendarID"]
    regular = uk_org["payroll"]["EarningsRates"][0]["earningsRateID"]
    holiday = next(t for t in uk_org["payroll"]["LeaveTypes"] if t["name"] == "Holiday")
    for who in ("George Patel", "Chloé Bernard"):
        body = {
            "payrollCalendarID": cal,
            "employeeID": uk_emp[who]["employeeID"],
            "startDate": "2026-11-16",
            "endDate": "2026-11-29",
            "timesheetLines": [
                {"date": "2026-11-16", "earningsRateID": regular, "numberOfUnits": 7.5},
                {"date": "2026-11-18", "earningsRateID": regular, "numberOfUnits": 3.25},
            ],
        }
        writes.append(
            (
                "payroll-uk",
                "POST",
                "/Timesheets",
                200,
                call("POST", "/payroll.xro/2.0/Timesheets", uk, body),
            )
        )
        writes.append(
            (
                "payroll-uk",
                "POST",
                "/Employees/{EmployeeID}/Leave",
                200,
                call(
                    "POST",
                    f"/payroll.xro/2.0/Employees/{uk_emp[who]['employeeID']}/Leave",
                    uk,
                    {
                        "leaveTypeID": holiday["leaveTypeID"],
                        "description": "Holiday",
                        "startDate": "2026-11-26",
                        "endDate": "2026-11-27",
                    },
                ),
            )
        )

    token = {
        "access_token": "t",
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + 1800,
        "scope": sorted(SCOPES),
    }
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=DEMO_CLIENT_ID, client_secret="unused")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda t: None,
    )
    ns = {
        "store": store,
        "au": au,
        "uk": uk,
        "call": call,
        "writes": writes,
        "au_api": PayrollAuApi(client, base_url=server.base_url + "/payroll.xro/1.0"),
        "uk_api": PayrollUkApi(client, base_url=server.base_url + "/payroll.xro/2.0"),
    }
    yield ns
    http.close()
    server.stop()


def _payroll(sim, tenant: str) -> dict[str, Any]:
    return sim["store"].xero_org(sim[tenant])["payroll"]


def test_writes_answer_in_the_documented_shapes(sim):
    for spec, method, path, status, body in sim["writes"]:
        validate_response(spec, method, path, status, body)


def test_sdk_reads_back_every_au_calendar_timesheet_and_leave(sim):
    api, tenant, payroll = sim["au_api"], sim["au"], _payroll(sim, "au")
    cals = api.get_payroll_calendars(tenant).payroll_calendars
    assert [str(c.payroll_calendar_id) for c in cals] == [
        c["PayrollCalendarID"] for c in payroll["PayrollCalendars"]
    ]
    assert cals[0].calendar_type.value == "WEEKLY" and cals[0].start_date == date(2026, 11, 16)
    held = payroll["Timesheets"]
    assert len(held) == 5  # Olivia Brown's approved one and the four drafts written above
    read = api.get_timesheets(tenant).timesheets
    assert sorted(str(t.timesheet_id) for t in read) == sorted(t["TimesheetID"] for t in held)
    for record in held:
        one = api.get_timesheet(tenant, record["TimesheetID"]).timesheet
        assert str(one.employee_id) == record["EmployeeID"]
        assert one.start_date == parse_day(record["StartDate"])
        assert one.end_date == parse_day(record["EndDate"])
        assert one.status.value == record["Status"]
        assert float(one.hours) == pytest.approx(record["Hours"])
        assert [list(map(float, x.number_of_units)) for x in one.timesheet_lines] == [
            x["NumberOfUnits"] for x in record["TimesheetLines"]
        ]
    leave = payroll["LeaveApplications"]
    assert len(leave) == 1
    read_leave = api.get_leave_applications(tenant).leave_applications
    assert [str(x.leave_application_id) for x in read_leave] == [
        x["LeaveApplicationID"] for x in leave
    ]
    one = api.get_leave_application(tenant, leave[0]["LeaveApplicationID"]).leave_applications[0]
    assert one.start_date == date(2026, 11, 19)
    assert [float(p.number_of_units) for p in one.leave_periods] == [7.6]
    assert one.leave_periods[0].pay_period_start_date == date(2026, 11, 16)


def test_sdk_reads_back_every_uk_calendar_timesheet_and_leave(sim):
    api, tenant, payroll = sim["uk_api"], sim["uk"], _payroll(sim, "uk")
    cals = api.get_pay_run_calendars(tenant).pay_run_calendars
    assert [str(c.payroll_calendar_id) for c in cals] == [
        c["payrollCalendarID"] for c in payroll["PayRunCalendars"]
    ]
    rates = api.get_earnings_rates(tenant).earnings_rates
    assert [r.current_record for r in rates] == [
        r["currentRecord"] for r in payroll["EarningsRates"]
    ]
    held = payroll["Timesheets"]
    assert len(held) == 3
    read = api.get_timesheets(tenant).timesheets
    assert sorted(str(t.timesheet_id) for t in read) == sorted(t["timesheetID"] for t in held)
    for record in held:
        one = api.get_timesheet(tenant, record["timesheetID"]).timesheet
        assert str(one.employee_id) == record["employeeID"]
        assert one.status == record["status"]
        assert float(one.total_hours) == pytest.approx(record["totalHours"])
        assert sorted(
            (str(x.date)[:10], float(x.number_of_units)) for x in one.timesheet_lines
        ) == sorted((x["date"][:10], x["numberOfUnits"]) for x in record["timesheetLines"])
    count = 0
    for emp_id, records in payroll["EmployeeLeave"].items():
        read_leave = api.get_employee_leaves(tenant, emp_id).leave
        assert [str(x.leave_id) for x in read_leave] == [x["leaveID"] for x in records]
        for x in read_leave:
            assert [float(p.number_of_units) for p in x.periods] == [15.0]
        count += len(records)
    assert count == 2


def test_raw_reads_validate_against_the_specs(sim):
    call, au, uk = sim["call"], sim["au"], sim["uk"]
    au_pay, uk_pay = _payroll(sim, "au"), _payroll(sim, "uk")
    validate_response(
        "payroll-au",
        "GET",
        "/PayrollCalendars",
        200,
        call("GET", "/payroll.xro/1.0/PayrollCalendars", au),
        strict_properties=True,
    )
    validate_response(
        "payroll-au",
        "GET",
        "/Timesheets",
        200,
        call("GET", "/payroll.xro/1.0/Timesheets", au),
        strict_properties=True,
    )
    tid = au_pay["Timesheets"][0]["TimesheetID"]
    validate_response(
        "payroll-au",
        "GET",
        "/Timesheets/{TimesheetID}",
        200,
        call("GET", f"/payroll.xro/1.0/Timesheets/{tid}", au),
        strict_properties=True,
    )
    validate_response(
        "payroll-au",
        "GET",
        "/LeaveApplications",
        200,
        call("GET", "/payroll.xro/1.0/LeaveApplications", au),
        strict_properties=True,
    )
    validate_response(
        "payroll-uk",
        "GET",
        "/PayRunCalendars",
        200,
        call("GET", "/payroll.xro/2.0/PayRunCalendars", uk),
        strict_properties=True,
    )
    validate_response(
        "payroll-uk",
        "GET",
        "/EarningsRates",
        200,
        call("GET", "/payroll.xro/2.0/EarningsRates", uk),
        strict_properties=True,
    )
    validate_response(
        "payroll-uk",
        "GET",
        "/Timesheets",
        200,
        call("GET", "/payroll.xro/2.0/Timesheets", uk),
        strict_properties=True,
    )
    tid = uk_pay["Timesheets"][0]["timesheetID"]
    validate_response(
        "payroll-uk",
        "GET",
        "/Timesheets/{TimesheetID}",
        200,
        call("GET", f"/payroll.xro/2.0/Timesheets/{tid}", uk),
        strict_properties=True,
    )
    emp_id = next(iter(uk_pay["EmployeeLeave"]))
    validate_response(
        "payroll-uk",
        "GET",
        "/Employees/{EmployeeID}/Leave",
        200,
        call("GET", f"/payroll.xro/2.0/Employees/{emp_id}/Leave", uk),
        strict_properties=True,
    )
    assert json.dumps(uk_pay["EmployeeLeave"])  # keyed by employee id, JSON-ready


def test_sdk_updates_rejects_and_lists_au_leave_and_updates_deletes_uk_leave(sim):
    """What an export sends when time off changes after its leave was sent, and what its
    undo sends, through xero-python: AU update (POST /LeaveApplications/{id}) and reject,
    the v1 list without the rejected application and /v2 with it; UK PUT and DELETE of
    employee leave. Each raw answer validates against the spec."""
    from xero_python.payrollau.models import LeaveApplication, LeavePeriod
    from xero_python.payrolluk.models import EmployeeLeave

    call, au, uk = sim["call"], sim["au"], sim["uk"]
    au_api, uk_api = sim["au_api"], sim["uk_api"]
    au_pay, uk_pay = _payroll(sim, "au"), _payroll(sim, "uk")
    au_before = json.dumps(au_pay["LeaveApplications"], sort_keys=True)
    uk_before = json.dumps(uk_pay["EmployeeLeave"], sort_keys=True)
    try:
        emp = next(e for e in au_pay["Employees"] if e["FirstName"] == "Zoé")
        annual = next(t for t in au_pay["LeaveTypes"] if t["Name"] == "Annual Leave")
        made = call(
            "POST",
            "/payroll.xro/1.0/LeaveApplications",
            au,
            [
                {
                    "EmployeeID": emp["EmployeeID"],
                    "LeaveTypeID": annual["LeaveTypeID"],
                    "Title": "Annual Leave",
                    "StartDate": au_date(date(2026, 11, 19)),
                    "EndDate": au_date(date(2026, 11, 20)),
                }
            ],
        )["LeaveApplications"][0]
        lid = made["LeaveApplicationID"]
        updated = au_api.update_leave_application(
            au,
            lid,
            [
                LeaveApplication(
                    leave_application_id=lid,
                    employee_id=emp["EmployeeID"],
                    leave_type_id=annual["LeaveTypeID"],
                    title="Annual Leave",
                    start_date=date(2026, 11, 19),
                    end_date=date(2026, 11, 19),
                    leave_periods=[
                        LeavePeriod(
                            number_of_units=3.8,
                            pay_period_start_date=date(2026, 11, 16),
                            pay_period_end_date=date(2026, 11, 22),
                        )
                    ],
                )
            ],
        ).leave_applications[0]
        assert str(updated.leave_application_id) == lid and updated.end_date == date(2026, 11, 19)
        assert [float(p.number_of_units) for p in updated.leave_periods] == [3.8]
        rejected = au_api.reject_leave_application(au, lid).leave_applications[0]
        assert rejected.leave_periods[0].leave_period_status.value == "REJECTED"
        assert lid not in [
            str(x.leave_application_id)
            for x in au_api.get_leave_applications(au).leave_applications
        ]
        v2 = {
            str(x.leave_application_id): x
            for x in au_api.get_leave_applications_v2(au).leave_applications
        }
        assert v2[lid].leave_periods[0].leave_period_status.value == "REJECTED"
        validate_response(
            "payroll-au",
            "GET",
            "/LeaveApplications/v2",
            200,
            call("GET", "/payroll.xro/1.0/LeaveApplications/v2", au),
            strict_properties=True,
        )
        validate_response(
            "payroll-au",
            "GET",
            "/LeaveApplications/{LeaveApplicationID}",
            200,
            call("GET", f"/payroll.xro/1.0/LeaveApplications/{lid}", au),
            strict_properties=True,
        )

        george = next(e for e in uk_pay["Employees"] if e["firstName"] == "George")
        (mine,) = uk_pay["EmployeeLeave"][george["employeeID"]]
        body = EmployeeLeave(
            leave_type_id=mine["leaveTypeID"],
            description="Holiday",
            start_date=date(2026, 11, 26),
            end_date=date(2026, 11, 26),
        )
        put = uk_api.update_employee_leave(uk, george["employeeID"], mine["leaveID"], body).leave
        assert str(put.leave_id) == mine["leaveID"] and put.end_date.date() == date(2026, 11, 26)
        assert [float(p.number_of_units) for p in put.periods] == [7.5]
        uk_api.delete_employee_leave(uk, george["employeeID"], mine["leaveID"])
        assert uk_api.get_employee_leaves(uk, george["employeeID"]).leave == []
    finally:
        au_pay["LeaveApplications"] = json.loads(au_before)
        uk_pay["EmployeeLeave"] = json.loads(uk_before)


def test_the_simulators_leave_description_limit_is_the_specs():
    """NZ/UK EmployeeLeave requires ``description`` "(max length = 50)": the simulator's
    limit and the app's title limit are the specs'."""
    import re

    from core.sandbox.xero_payroll import LEAVE_DESCRIPTION_MAX
    from core.services.xero.client import LEAVE_TITLE_MAX

    from .xero_spec import load_spec

    require_specs("payroll-uk", "payroll-nz")
    for name in ("payroll-uk", "payroll-nz"):
        leave = load_spec(name)["components"]["schemas"]["EmployeeLeave"]
        assert "description" in leave["required"]
        text = leave["properties"]["description"]["description"]
        limit = int(re.search(r"max length = (\d+)", text).group(1))
        assert LEAVE_DESCRIPTION_MAX == LEAVE_TITLE_MAX == limit


def _check_salary_and_wages(read: Any, rows: list[dict[str, Any]]) -> None:
    """xero-python's SalaryAndWages model read back exactly the simulator's rows."""
    got = read.salary_and_wages
    assert [str(x.salary_and_wages_id) for x in got] == [r["salaryAndWagesID"] for r in rows]
    for x, r in zip(got, rows, strict=True):
        assert str(x.earnings_rate_id) == r["earningsRateID"]
        assert x.payment_type == r["paymentType"] and x.status == r["status"]
        assert str(x.effective_from)[:10] == parse_day(r["effectiveFrom"]).isoformat()
        assert float(x.number_of_units_per_week) == r["numberOfUnitsPerWeek"]
    assert read.pagination.item_count == len(rows) and read.pagination.page_size == 100


def test_sdk_reads_every_uk_employees_salary_and_wages(sim):
    """UK ``GET /Employees/{EmployeeID}/SalaryAndWages`` through ``PayrollUkApi``; each raw
    answer validates against the spec."""
    api, tenant, payroll = sim["uk_api"], sim["uk"], _payroll(sim, "uk")
    assert {e["employeeID"] for e in payroll["Employees"]} == set(payroll["SalaryAndWages"])
    for emp in payroll["Employees"]:
        rows = payroll["SalaryAndWages"][emp["employeeID"]]
        _check_salary_and_wages(api.get_employee_salary_and_wages(tenant, emp["employeeID"]), rows)
        validate_response(
            "payroll-uk",
            "GET",
            "/Employees/{EmployeeID}/SalaryAndWages",
            200,
            sim["call"](
                "GET", f"/payroll.xro/2.0/Employees/{emp['employeeID']}/SalaryAndWages", tenant
            ),
            strict_properties=True,
        )


def test_sdk_reads_every_nz_employees_salary_and_wages():
    """NZ (a generated organisation: the Demo Company has none) through ``PayrollNzApi``."""
    from xero_python.payrollnz import PayrollNzApi

    require_specs("payroll-nz")
    data = generate_large(20, 6, 5, "NZ", 3)
    org = data["xero"]["organisations"][0]
    store = CompanyStore.from_dict(data)
    tenants = frozenset({org["tenantId"]})
    api = XeroApi(
        store, ManualClock(START), XeroConfig(), lambda r: _Access(True, None, "g", tenants, SCOPES)
    )

    def app(environ, start_response):
        return (api.handle(Request(environ)) or Response("", 404))(environ, start_response)

    server = SimServer(app).start()
    token = {
        "access_token": "t",
        "token_type": "Bearer",
        "expires_in": 1800,
        "expires_at": time.time() + 1800,
        "scope": sorted(SCOPES),
    }
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id=DEMO_CLIENT_ID, client_secret="unused")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda t: None,
    )
    nz_api = PayrollNzApi(client, base_url=server.base_url + "/payroll.xro/2.0")
    try:
        payroll = org["payroll"]
        for emp in payroll["Employees"]:
            rows = payroll["SalaryAndWages"][emp["employeeID"]]
            read = nz_api.get_employee_salary_and_wages(org["tenantId"], emp["employeeID"])
            _check_salary_and_wages(read, rows)
            assert [float(x.days_per_week) for x in read.salary_and_wages] == [
                r["daysPerWeek"] for r in rows
            ]
            raw = requests.get(
                f"{server.base_url}/payroll.xro/2.0/Employees/{emp['employeeID']}/SalaryAndWages",
                headers={"Authorization": "Bearer t", "xero-tenant-id": org["tenantId"]},
                timeout=10,
            )
            assert raw.status_code == 200
            validate_response(
                "payroll-nz",
                "GET",
                "/Employees/{EmployeeID}/SalaryAndWages",
                200,
                raw.json(),
                strict_properties=True,
            )
    finally:
        server.stop()
