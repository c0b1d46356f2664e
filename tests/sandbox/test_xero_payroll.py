"""The Demo Company's Xero payroll hours (core/sandbox/xero_payroll.py through XeroApi).

AU payroll 1.0 (PayrollCalendars, Timesheets, LeaveApplications) and UK payroll 2.0
(PayRunCalendars, EarningsRates, Timesheets with lines, employee leave), on the committed
Demo Company's AU and UK organisations and their traps (resources/demo/README.md).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from core.sandbox.common import CompanyStore, ManualClock
from core.sandbox.demo_data import build_demo_company
from core.sandbox.xero_api import XeroApi
from core.sandbox.xero_config import XeroConfig
from core.sandbox.xero_payroll import au_date, is_period, period_containing, shift_payroll_dates

START = 1_796_515_200.0  # 2026-12-06T00:00:00Z
DEMO = build_demo_company()
AU_ORG, UK_ORG = DEMO["xero"]["organisations"][0], DEMO["xero"]["organisations"][1]
AU, UK, CA = (o["tenantId"] for o in DEMO["xero"]["organisations"])
WRITE = frozenset({"payroll.timesheets", "payroll.employees", "payroll.settings.read"})
READ = frozenset({"payroll.timesheets.read", "payroll.employees.read", "payroll.settings.read"})


@dataclass(frozen=True)
class FakeAccess:
    ok: bool
    error: Response | None
    grant_id: str | None
    tenant_ids: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)


class Env:
    def __init__(self, tmp_path=None) -> None:
        self.clock = ManualClock(START)
        self.store = CompanyStore.from_dict(DEMO, state_dir=tmp_path)
        tokens = {
            "write": WRITE,
            "read": READ,
            "settings": frozenset({"payroll.settings.read"}),
            "timesheets": frozenset({"payroll.timesheets", "payroll.settings.read"}),
        }
        tenants = frozenset({AU, UK, CA})

        def check(request: Request) -> FakeAccess:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            return FakeAccess(True, None, "g", tenants, tokens[token])

        self.api = XeroApi(self.store, self.clock, XeroConfig(), check)

        def app(environ, start_response):
            return (self.api.handle(Request(environ)) or Response("", 599))(environ, start_response)

        self.client = Client(app)

    def call(
        self, method: str, path: str, tenant: str = AU, token: str = "write", body: Any = None
    ):
        headers = {
            "Authorization": f"Bearer {token}",
            "xero-tenant-id": tenant,
            "Accept": "application/json",
        }
        kw: dict[str, Any] = {}
        if body is not None:
            kw = {"data": json.dumps(body), "content_type": "application/json"}
        return self.client.open(path, method=method, headers=headers, **kw)

    def payroll(self, tenant: str) -> dict[str, Any]:
        org = self.store.xero_org(tenant)
        assert org is not None
        return org["payroll"]


@pytest.fixture
def env() -> Env:
    return Env()


def au_employee(first: str, last: str, email: str | None = None) -> dict[str, Any]:
    return next(
        e
        for e in AU_ORG["payroll"]["Employees"]
        if e["FirstName"] == first
        and e["LastName"] == last
        and (email is None or e.get("Email") == email)
    )


def uk_employee(first: str, last: str, email: str | None = None) -> dict[str, Any]:
    return next(
        e
        for e in UK_ORG["payroll"]["Employees"]
        if e["firstName"] == first
        and e["lastName"] == last
        and (email is None or e.get("email") == email)
    )


ORDINARY = AU_ORG["payroll"]["EarningsRates"][0]["EarningsRateID"]
UK_REGULAR = UK_ORG["payroll"]["EarningsRates"][0]["earningsRateID"]
UK_CAL = UK_ORG["payroll"]["PayRunCalendars"][0]["payrollCalendarID"]


def au_sheet(
    emp: dict[str, Any],
    start: date,
    end: date,
    units: list[float],
    rate: str = ORDINARY,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "EmployeeID": emp["EmployeeID"],
        "StartDate": au_date(start),
        "EndDate": au_date(end),
        "TimesheetLines": [{"EarningsRateID": rate, "NumberOfUnits": units}],
        **extra,
    }


def messages(resp) -> list[str]:
    return [m["Message"] for el in resp.json["Elements"] for m in el["ValidationErrors"]]


# ============================================================================ periods
def test_periods_from_the_calendar_anchor():
    anchor = date(2026, 11, 16)
    assert period_containing("WEEKLY", anchor, date(2026, 11, 25)) == (
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert period_containing("Fortnightly", anchor, date(2026, 11, 3)) == (
        date(2026, 11, 2),
        date(2026, 11, 15),
    )
    assert is_period("WEEKLY", anchor, date(2026, 11, 9), date(2026, 11, 15))
    assert not is_period("WEEKLY", anchor, date(2026, 11, 10), date(2026, 11, 16))
    assert not is_period("FORTNIGHTLY", anchor, date(2026, 11, 23), date(2026, 12, 6))


# ============================================================================ AU 1.0
def test_au_calendars_listed_and_by_id(env):
    r = env.call("GET", "/payroll.xro/1.0/PayrollCalendars", token="settings")
    assert r.status_code == 200
    cals = r.json["PayrollCalendars"]
    assert [c["CalendarType"] for c in cals] == ["WEEKLY", "FORTNIGHTLY"]
    one = env.call("GET", f"/payroll.xro/1.0/PayrollCalendars/{cals[0]['PayrollCalendarID']}")
    assert one.json["PayrollCalendars"] == cals[:1]


def test_au_timesheet_created_as_draft_then_updated(env):
    harper = au_employee("Harper", "Singh")
    units = [8.0, 7.5, 0, 6.25, 8, 0, 0]
    r = env.call(
        "POST",
        "/payroll.xro/1.0/Timesheets",
        body=[au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), units)],
    )
    assert r.status_code == 200, r.json
    ts = r.json["Timesheets"][0]
    assert ts["Status"] == "DRAFT" and ts["Hours"] == 29.75
    assert ts["TimesheetLines"][0]["NumberOfUnits"] == units
    # a second create for the same person and period is refused; the update by id works
    again = env.call(
        "POST",
        "/payroll.xro/1.0/Timesheets",
        body=[au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), units)],
    )
    assert again.status_code == 400
    upd = env.call(
        "POST",
        f"/payroll.xro/1.0/Timesheets/{ts['TimesheetID']}",
        body=[au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), [1] * 7)],
    )
    assert upd.status_code == 200 and upd.json["Timesheets"][0]["Hours"] == 7
    got = env.call("GET", f"/payroll.xro/1.0/Timesheets/{ts['TimesheetID']}", token="read")
    assert got.json["Timesheet"]["Hours"] == 7
    listed = env.call(
        "GET",
        "/payroll.xro/1.0/Timesheets",
        token="read",
    )
    assert ts["TimesheetID"] in [t["TimesheetID"] for t in listed.json["Timesheets"]]
    where = env.call(
        "GET",
        f'/payroll.xro/1.0/Timesheets?where=EmployeeID==GUID("{harper["EmployeeID"]}")',
        token="read",
    )
    assert [t["TimesheetID"] for t in where.json["Timesheets"]] == [ts["TimesheetID"]]
    # no DELETE in AU payroll 1.0
    assert env.call("DELETE", f"/payroll.xro/1.0/Timesheets/{ts['TimesheetID']}").status_code == 405


def test_au_update_with_no_lines_keeps_the_lines_and_zero_units_empty_them(env):
    """Nothing we could read says AU payroll 1.0 clears a timesheet's lines when an update sends
    an empty (or no) TimesheetLines: the simulator keeps them (the stricter reading), and a draft
    is emptied by sending each line with zero units."""
    harper = au_employee("Harper", "Singh")
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    made = env.call(
        "POST", "/payroll.xro/1.0/Timesheets", body=[au_sheet(harper, start, end, [8, 4] + [0] * 5)]
    )
    assert made.status_code == 200, made.json
    tid = made.json["Timesheets"][0]["TimesheetID"]
    for lines in ([], None):
        body = au_sheet(harper, start, end, [0] * 7)
        if lines is None:
            del body["TimesheetLines"]
        else:
            body["TimesheetLines"] = lines
        kept = env.call("POST", f"/payroll.xro/1.0/Timesheets/{tid}", body=[body])
        assert kept.status_code == 200, kept.json
        assert kept.json["Timesheets"][0]["Hours"] == 12
        got = env.call("GET", f"/payroll.xro/1.0/Timesheets/{tid}", token="read").json["Timesheet"]
        assert got["Hours"] == 12
        assert got["TimesheetLines"][0]["NumberOfUnits"] == [8, 4, 0, 0, 0, 0, 0]
    # the same through POST /Timesheets naming the timesheet
    named = dict(au_sheet(harper, start, end, [0] * 7), TimesheetID=tid, TimesheetLines=[])
    assert (
        env.call("POST", "/payroll.xro/1.0/Timesheets", body=[named]).json["Timesheets"][0]["Hours"]
        == 12
    )
    zero = env.call(
        "POST", f"/payroll.xro/1.0/Timesheets/{tid}", body=[au_sheet(harper, start, end, [0] * 7)]
    )
    assert zero.status_code == 200 and zero.json["Timesheets"][0]["Hours"] == 0
    got = env.call("GET", f"/payroll.xro/1.0/Timesheets/{tid}", token="read").json["Timesheet"]
    assert got["Hours"] == 0 and got["TimesheetLines"][0]["NumberOfUnits"] == [0] * 7
    # a new timesheet with no lines is an empty draft
    fresh = dict(au_sheet(harper, date(2026, 11, 23), date(2026, 11, 29), []), TimesheetLines=[])
    created = env.call("POST", "/payroll.xro/1.0/Timesheets", body=[fresh])
    assert created.status_code == 200, created.json
    assert created.json["Timesheets"][0]["TimesheetLines"] == []


def test_au_traps(env):
    harper = au_employee("Harper", "Singh")
    cases = [
        (
            au_sheet(harper, date(2026, 11, 17), date(2026, 11, 23), [1] * 7),
            "Provided period doesn't correspond with a pay period",
        ),
        (au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), [1] * 6), "one value per day"),
        (
            au_sheet(
                au_employee("Jack", "Wilson", "jack.wilson@maisonverdure.com.au"),
                date(2026, 11, 16),
                date(2026, 11, 22),
                [1] * 7,
            ),
            "payroll calendar",
        ),
        (
            au_sheet(
                harper,
                date(2026, 11, 16),
                date(2026, 11, 22),
                [1] * 7,
                rate=au_employee("Noah", "Williams")["OrdinaryEarningsRateID"],
            ),
            "no longer active",
        ),
        (
            au_sheet(
                au_employee("Olivia", "Brown"), date(2026, 11, 23), date(2026, 11, 29), [1] * 7
            ),
            "not a draft",
        ),
        (
            au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), [1] * 7, Status="APPROVED"),
            "draft",
        ),
    ]
    for body, expected in cases:
        r = env.call("POST", "/payroll.xro/1.0/Timesheets", body=[body])
        assert r.status_code == 400, expected
        assert r.json["Type"] == "ValidationException"
        assert any(expected in m for m in messages(r)), (expected, messages(r))
    olivia = next(t for t in env.payroll(AU)["Timesheets"] if t["Status"] == "APPROVED")
    r = env.call(
        "POST",
        f"/payroll.xro/1.0/Timesheets/{olivia['TimesheetID']}",
        body=[
            au_sheet(
                au_employee("Olivia", "Brown"), date(2026, 11, 23), date(2026, 11, 29), [0] * 7
            )
        ],
    )
    assert r.status_code == 400 and any("not a draft" in m for m in messages(r))
    assert olivia["Hours"] == 38.0
    assert len(env.payroll(AU)["Timesheets"]) == 1  # nothing written by any refusal


def test_au_leave_applications(env):
    harper = au_employee("Harper", "Singh")
    types = {t["Name"]: t for t in AU_ORG["payroll"]["LeaveTypes"]}
    body = {
        "EmployeeID": harper["EmployeeID"],
        "LeaveTypeID": types["Annual Leave"]["LeaveTypeID"],
        "Title": "Annual Leave",
        "StartDate": au_date(date(2026, 11, 19)),
        "EndDate": au_date(date(2026, 11, 24)),
        "LeavePeriods": [
            {
                "PayPeriodStartDate": au_date(date(2026, 11, 16)),
                "PayPeriodEndDate": au_date(date(2026, 11, 22)),
                "NumberOfUnits": 15.2,
            }
        ],
    }
    r = env.call("POST", "/payroll.xro/1.0/LeaveApplications", body=[body])
    assert r.status_code == 200, r.json
    leave = r.json["LeaveApplications"][0]
    assert [p["NumberOfUnits"] for p in leave["LeavePeriods"]] == [15.2, 15.2]
    got = env.call(
        "GET", f"/payroll.xro/1.0/LeaveApplications/{leave['LeaveApplicationID']}", token="read"
    )
    assert got.json["LeaveApplications"][0]["Title"] == "Annual Leave"
    unpaid = dict(body, LeaveTypeID=types["Unpaid Leave"]["LeaveTypeID"])
    r = env.call("POST", "/payroll.xro/1.0/LeaveApplications", body=[unpaid])
    assert r.status_code == 400 and any("Unpaid" in m for m in messages(r))
    # leave needs payroll.employees; timesheets payroll.timesheets
    assert (
        env.call(
            "POST", "/payroll.xro/1.0/LeaveApplications", body=[body], token="timesheets"
        ).status_code
        == 401
    )
    assert (
        env.call(
            "POST",
            "/payroll.xro/1.0/Timesheets",
            token="read",
            body=[au_sheet(harper, date(2026, 11, 16), date(2026, 11, 22), [1] * 7)],
        ).status_code
        == 401
    )


def test_non_payroll_org_refused(env):
    assert (
        env.call("GET", "/payroll.xro/1.0/Timesheets", tenant=CA, token="read").status_code == 403
    )
    assert (
        env.call("GET", "/payroll.xro/2.0/Timesheets", tenant=AU, token="read").status_code == 405
    )


# ============================================================================ UK 2.0
def uk_body(
    emp: dict[str, Any], start: str, end: str, lines: list[tuple[str, float]]
) -> dict[str, Any]:
    return {
        "payrollCalendarID": UK_CAL,
        "employeeID": emp["employeeID"],
        "startDate": start,
        "endDate": end,
        "timesheetLines": [
            {"date": d, "earningsRateID": UK_REGULAR, "numberOfUnits": u} for d, u in lines
        ],
    }


def test_uk_timesheet_lifecycle(env):
    george = uk_employee("George", "Patel")
    r = env.call(
        "POST",
        "/payroll.xro/2.0/Timesheets",
        tenant=UK,
        body=uk_body(george, "2026-11-16", "2026-11-29", [("2026-11-16", 8), ("2026-11-17", 7.5)]),
    )
    assert r.status_code == 200, r.json
    ts = r.json["timesheet"]
    assert ts["status"] == "Draft" and ts["totalHours"] == 15.5
    tid = ts["timesheetID"]
    line = env.call(
        "POST",
        f"/payroll.xro/2.0/Timesheets/{tid}/Lines",
        tenant=UK,
        body={"date": "2026-11-18", "earningsRateID": UK_REGULAR, "numberOfUnits": 4},
    )
    assert line.status_code == 200
    lid = line.json["timesheetLine"]["timesheetLineID"]
    put = env.call(
        "PUT",
        f"/payroll.xro/2.0/Timesheets/{tid}/Lines/{lid}",
        tenant=UK,
        body={"date": "2026-11-18", "earningsRateID": UK_REGULAR, "numberOfUnits": 5},
    )
    assert put.status_code == 200
    got = env.call("GET", f"/payroll.xro/2.0/Timesheets/{tid}", tenant=UK, token="read")
    assert got.json["timesheet"]["totalHours"] == 20.5
    listed = env.call(
        "GET",
        f"/payroll.xro/2.0/Timesheets?filter=employeeId=={george['employeeID']}&status=Draft",
        tenant=UK,
        token="read",
    )
    assert [t["timesheetID"] for t in listed.json["timesheets"]] == [tid]
    assert listed.json["pagination"]["itemCount"] == 1
    assert (
        env.call("POST", f"/payroll.xro/2.0/Timesheets/{tid}/Approve", tenant=UK).json["timesheet"][
            "status"
        ]
        == "Approved"
    )
    refused = env.call("DELETE", f"/payroll.xro/2.0/Timesheets/{tid}/Lines/{lid}", tenant=UK)
    assert refused.status_code == 400 and refused.json["title"] == "BadRequest"
    assert "not a draft" in refused.json["invalidFields"][0]["reason"]
    assert (
        env.call("POST", f"/payroll.xro/2.0/Timesheets/{tid}/RevertToDraft", tenant=UK).json[
            "timesheet"
        ]["status"]
        == "Draft"
    )
    assert (
        env.call("DELETE", f"/payroll.xro/2.0/Timesheets/{tid}/Lines/{lid}", tenant=UK).status_code
        == 200
    )
    assert env.call("DELETE", f"/payroll.xro/2.0/Timesheets/{tid}", tenant=UK).status_code == 200
    assert env.call("GET", f"/payroll.xro/2.0/Timesheets/{tid}", tenant=UK).status_code == 404


def test_uk_traps(env):
    george = uk_employee("George", "Patel")
    inactive = UK_ORG["payroll"]["EarningsRates"][-1]["earningsRateID"]
    cases = [
        (uk_body(george, "2026-11-17", "2026-11-30", []), "pay period"),
        (
            uk_body(uk_employee("Amelia", "Clarke"), "2026-11-16", "2026-11-29", []),
            "payroll calendar",
        ),
        (uk_body(uk_employee("Oliver", "Hughes"), "2026-11-16", "2026-11-29", []), "not a draft"),
        (uk_body(george, "2026-11-16", "2026-11-29", [("2026-11-30", 1)]), "within"),
        (
            dict(
                uk_body(george, "2026-11-16", "2026-11-29", []),
                timesheetLines=[
                    {"date": "2026-11-16", "earningsRateID": inactive, "numberOfUnits": 1}
                ],
            ),
            "no longer active",
        ),
    ]
    for body, expected in cases:
        r = env.call("POST", "/payroll.xro/2.0/Timesheets", tenant=UK, body=body)
        assert r.status_code == 400, expected
        assert r.json["status"] == "400"
        assert expected in r.json["invalidFields"][0]["reason"], (expected, r.json)
    assert len(env.payroll(UK)["Timesheets"]) == 1


def test_uk_calendars_rates_and_leave(env):
    cals = env.call("GET", "/payroll.xro/2.0/PayRunCalendars", tenant=UK, token="settings")
    assert cals.json["payRunCalendars"][0]["calendarType"] == "Fortnightly"
    rates = env.call("GET", "/payroll.xro/2.0/EarningsRates", tenant=UK, token="settings")
    assert any(not r["currentRecord"] for r in rates.json["earningsRates"])
    george = uk_employee("George", "Patel")
    types = {t["name"]: t["leaveTypeID"] for t in UK_ORG["payroll"]["LeaveTypes"]}
    path = f"/payroll.xro/2.0/Employees/{george['employeeID']}/Leave"
    r = env.call(
        "POST",
        path,
        tenant=UK,
        body={
            "leaveTypeID": types["Holiday"],
            "description": "Holiday",
            "startDate": "2026-11-19",
            "endDate": "2026-11-20",
        },
    )
    assert r.status_code == 200, r.json
    leave = r.json["leave"]
    assert leave["periods"][0]["numberOfUnits"] == 15
    assert [x["leaveID"] for x in env.call("GET", path, tenant=UK, token="read").json["leave"]] == [
        leave["leaveID"]
    ]
    unpaid = env.call(
        "POST",
        path,
        tenant=UK,
        body={
            "leaveTypeID": types["Unpaid Leave"],
            "startDate": "2026-11-19",
            "endDate": "2026-11-19",
        },
    )
    assert unpaid.status_code == 400
    assert env.call("DELETE", f"{path}/{leave['leaveID']}", tenant=UK).status_code == 200
    assert env.payroll(UK)["EmployeeLeave"][george["employeeID"]] == []
    assert env.call("POST", path, tenant=UK, token="timesheets", body={}).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": None}, "description"),
        ({"description": "   "}, "description"),
        ({"description": 7}, "description"),
        ({"description": "x" * 51}, "description"),
        ({"startDate": "2026-11-19junk"}, "startDate"),
        ({"endDate": "2026-11-20T99:99"}, "startDate"),
        ({"startDate": "20261119"}, "startDate"),
        ({"startDate": "2026-11-19 10:00"}, "startDate"),
    ],
)
def test_uk_leave_needs_a_description_of_at_most_50_and_real_dates(env, change, field):
    """Both payroll 2.0 specs: EmployeeLeave requires ``description`` "(max length = 50)",
    and ``startDate``/``endDate`` are ``format: date`` (a trailing time is read as one)."""
    george = uk_employee("George", "Patel")
    types = {t["name"]: t["leaveTypeID"] for t in UK_ORG["payroll"]["LeaveTypes"]}
    path = f"/payroll.xro/2.0/Employees/{george['employeeID']}/Leave"
    body = {
        "leaveTypeID": types["Holiday"],
        "description": "x" * 50,
        "startDate": "2026-11-19",
        "endDate": "2026-11-20T00:00:00",
        **change,
    }
    body = {k: v for k, v in body.items() if v is not None}
    r = env.call("POST", path, tenant=UK, body=body)
    assert r.status_code == 400, r.json
    assert r.json["invalidFields"][0]["name"] == field
    assert not env.payroll(UK).get("EmployeeLeave", {}).get(george["employeeID"])
    # the same leave with 50 characters and dates (one with a time of day) is taken
    good = {**body, "description": "x" * 50, "startDate": "2026-11-19"}
    good["endDate"] = "2026-11-20T00:00:00"
    assert env.call("POST", path, tenant=UK, body=good).status_code == 200


def test_writes_persist_to_the_state_dir(tmp_path):
    env = Env(tmp_path)
    george = uk_employee("George", "Patel")
    env.call(
        "POST",
        "/payroll.xro/2.0/Timesheets",
        tenant=UK,
        body=uk_body(george, "2026-11-02", "2026-11-15", [("2026-11-03", 2)]),
    )
    again = CompanyStore.load(None, tmp_path)
    org = again.xero_org(UK)
    assert org is not None and len(org["payroll"]["Timesheets"]) == 2


def test_shift_moves_hours_not_calendars():
    data = json.loads(json.dumps(DEMO))
    au = data["xero"]["organisations"][0]
    shift_payroll_dates(au, 14)
    assert au["payroll"]["Timesheets"][0]["StartDate"] == au_date(date(2026, 12, 7))
    assert au["payroll"]["PayrollCalendars"] == AU_ORG["payroll"]["PayrollCalendars"]
    uk = data["xero"]["organisations"][1]
    shift_payroll_dates(uk, -14)
    assert uk["payroll"]["Timesheets"][0]["startDate"] == "2026-11-02T00:00:00"
    assert uk["payroll"]["Timesheets"][0]["timesheetLines"][0]["date"] == "2026-11-02T00:00:00"
    assert str(uuid.UUID(uk["payroll"]["Timesheets"][0]["timesheetID"]))


def test_a_new_demo_state_moves_payroll_hours_once(tmp_path):
    from core.sandbox.common import demo_shift_days

    data = json.loads(json.dumps(DEMO))
    data["qbtime"]["demo_shift_days"] = None
    later = START + 28 * 86400  # four weeks on: the hours move by 28 days
    assert demo_shift_days(later) == 28
    store = CompanyStore.from_dict(data, state_dir=tmp_path)
    XeroApi(store, ManualClock(later), XeroConfig(), lambda r: None)
    sheet = store.xero_org(AU)["payroll"]["Timesheets"][0]
    assert sheet["StartDate"] == au_date(date(2026, 12, 21))
    uk = store.xero_org(UK)["payroll"]["Timesheets"][0]
    assert uk["startDate"] == "2026-12-14T00:00:00"
    # a restart (or a second simulator on the same state) does not move them again
    again = CompanyStore.load(None, tmp_path)
    XeroApi(again, ManualClock(later + 90 * 86400), XeroConfig(), lambda r: None)
    assert again.xero_org(AU)["payroll"]["Timesheets"][0]["StartDate"] == sheet["StartDate"]
    # a company file without the marker keeps its dates
    data = json.loads(json.dumps(DEMO))
    data["qbtime"].pop("demo_shift_days", None)
    plain = CompanyStore.from_dict(data)
    XeroApi(plain, ManualClock(later), XeroConfig(), lambda r: None)
    assert plain.xero_org(AU)["payroll"]["Timesheets"] == AU_ORG["payroll"]["Timesheets"]


# ============================================================================ timesheet category
def _options(org: dict[str, Any], name: str) -> list[str]:
    cat = next(c for c in org["TrackingCategories"] if c["Name"] == name)
    return [o["TrackingOptionID"] for o in cat["Options"]]


def test_au_settings_name_the_timesheet_category_and_lines_take_only_its_options(env):
    region = next(c for c in AU_ORG["TrackingCategories"] if c["Name"] == "Region")
    got = env.call("GET", "/payroll.xro/1.0/Settings", token="settings")
    assert got.status_code == 200, got.json
    assert got.json["Settings"]["TrackingCategories"]["TimesheetCategories"] == {
        "TrackingCategoryID": region["TrackingCategoryID"],
        "TrackingCategoryName": "Region",
    }
    assert env.call("GET", "/payroll.xro/1.0/Settings", token="timesheets").status_code == 200
    assert env.call("POST", "/payroll.xro/1.0/Settings", body={}).status_code == 405

    harper = au_employee("Harper", "Singh")
    start, end = date(2026, 11, 16), date(2026, 11, 22)
    # an option of another tracking category: the real error
    other = _options(AU_ORG, "Service Line")[0]
    made = env.call(
        "POST",
        "/payroll.xro/1.0/Timesheets",
        body=[au_sheet(harper, start, end, [1.0] * 7)],
    )
    assert made.status_code == 200
    tid = made.json["Timesheets"][0]["TimesheetID"]
    sheet = au_sheet(harper, start, end, [1.0] * 7)
    sheet["TimesheetLines"][0]["TrackingItemID"] = other
    refused = env.call("POST", f"/payroll.xro/1.0/Timesheets/{tid}", body=[sheet])
    assert refused.status_code == 400
    assert messages(refused) == ["The tracking item could not be found."]
    # an option of the timesheet category (Region): taken, one line per rate and option
    north = _options(AU_ORG, "Region")[0]
    sheet["TimesheetLines"] = [
        {"EarningsRateID": ORDINARY, "NumberOfUnits": [2.0] + [0.0] * 6},
        {"EarningsRateID": ORDINARY, "TrackingItemID": north, "NumberOfUnits": [1.5] + [0.0] * 6},
    ]
    ok = env.call("POST", f"/payroll.xro/1.0/Timesheets/{tid}", body=[sheet])
    assert ok.status_code == 200, ok.json
    lines = ok.json["Timesheets"][0]["TimesheetLines"]
    assert [(ln.get("TrackingItemID"), ln["NumberOfUnits"][0]) for ln in lines] == [
        (None, 2.0),
        (north, 1.5),
    ]


def test_uk_tracking_settings_and_a_line_without_a_timesheet_category(env):
    got = env.call("GET", "/payroll.xro/2.0/Settings/trackingCategories", tenant=UK, token="read")
    assert got.status_code == 200, got.json
    assert got.json["trackingCategories"] == {} and got.json["problem"] is None
    # no timesheet category set: no tracking item is accepted on a line
    george = uk_employee("George", "Patel")
    body = uk_body(george, "2026-11-16", "2026-11-29", [("2026-11-16", 8)])
    body["timesheetLines"][0]["trackingItemID"] = _options(
        UK_ORG, UK_ORG["TrackingCategories"][0]["Name"]
    )[0]
    r = env.call("POST", "/payroll.xro/2.0/Timesheets", tenant=UK, body=body)
    assert r.status_code == 400
    # once the organisation sets a timesheet category, its options are taken
    cat = UK_ORG["TrackingCategories"][0]
    env.payroll(UK)["Settings"] = {
        "trackingCategories": {"timesheetTrackingCategoryID": cat["TrackingCategoryID"]}
    }
    got = env.call("GET", "/payroll.xro/2.0/Settings/trackingCategories", tenant=UK, token="read")
    assert (
        got.json["trackingCategories"]["timesheetTrackingCategoryID"] == cat["TrackingCategoryID"]
    )
    r = env.call("POST", "/payroll.xro/2.0/Timesheets", tenant=UK, body=body)
    assert r.status_code == 200, r.json
    assert (
        r.json["timesheet"]["timesheetLines"][0]["trackingItemID"]
        == body["timesheetLines"][0]["trackingItemID"]
    )


def _au_leave_body(employee: dict[str, Any], units: float = 7.6) -> dict[str, Any]:
    types = {t["Name"]: t for t in AU_ORG["payroll"]["LeaveTypes"]}
    return {
        "EmployeeID": employee["EmployeeID"],
        "LeaveTypeID": types["Annual Leave"]["LeaveTypeID"],
        "Title": "Annual Leave",
        "StartDate": au_date(date(2026, 11, 19)),
        "EndDate": au_date(date(2026, 11, 19)),
        "LeavePeriods": [
            {
                "PayPeriodStartDate": au_date(date(2026, 11, 16)),
                "PayPeriodEndDate": au_date(date(2026, 11, 22)),
                "NumberOfUnits": units,
            }
        ],
    }


def test_au_leave_reject_approve_and_what_each_list_shows(env):
    """Xero-OpenAPI #559: reject takes a REQUESTED or SCHEDULED application, approve only a
    REQUESTED one; GET /LeaveApplications leaves requested and rejected ones out, /v2 lists
    them; a rejected or processed application cannot be updated or rejected."""
    harper = au_employee("Harper", "Singh")
    base = "/payroll.xro/1.0/LeaveApplications"
    made = env.call("POST", base, body=[_au_leave_body(harper)]).json["LeaveApplications"][0]
    lid = made["LeaveApplicationID"]
    listed = lambda path: [  # noqa: E731
        x["LeaveApplicationID"]
        for x in env.call("GET", path, token="read").json["LeaveApplications"]
    ]
    assert lid in listed(base) and lid in listed(f"{base}/v2")
    # approve: only a requested one
    r = env.call("POST", f"{base}/{lid}/approve")
    assert r.status_code == 400 and messages(r) == [
        "Only a requested leave application can be approved."
    ]
    # an update of a scheduled one is taken (same id)
    upd = dict(_au_leave_body(harper, 3.8), LeaveApplicationID=lid)
    r = env.call("POST", f"{base}/{lid}", body=[upd])
    assert r.status_code == 200 and r.json["LeaveApplications"][0]["LeaveApplicationID"] == lid
    assert r.json["LeaveApplications"][0]["LeavePeriods"][0]["NumberOfUnits"] == 3.8
    # reject: needs payroll.employees; then the 1.0 list no longer has it, /v2 and by id do
    assert env.call("POST", f"{base}/{lid}/reject", token="timesheets").status_code == 401
    assert env.call("GET", f"{base}/{lid}/reject", token="read").status_code == 405
    r = env.call("POST", f"{base}/{lid}/reject")
    assert r.status_code == 200, r.json
    assert r.json["LeaveApplications"][0]["LeavePeriods"][0]["LeavePeriodStatus"] == "REJECTED"
    assert lid not in listed(base) and lid in listed(f"{base}/v2")
    one = env.call("GET", f"{base}/{lid}", token="read").json["LeaveApplications"][0]
    assert one["LeavePeriods"][0]["LeavePeriodStatus"] == "REJECTED"
    # a rejected one: not rejected again, not updated, not approved
    for path, body in ((f"{base}/{lid}/reject", None), (f"{base}/{lid}", [upd])):
        r = env.call("POST", path, body=body)
        assert r.status_code == 400
        assert messages(r) == ["The leave application has been rejected and cannot be changed."]
    assert env.call("POST", f"{base}/{lid}/approve").status_code == 400
    assert env.call("POST", f"{base}/{uuid.uuid4()}/reject").status_code == 404
    # a requested one can be approved (it becomes scheduled) or rejected
    req = env.call("POST", base, body=[_au_leave_body(harper)]).json["LeaveApplications"][0]
    held = next(
        a
        for a in env.payroll(AU)["LeaveApplications"]
        if a["LeaveApplicationID"] == req["LeaveApplicationID"]
    )
    held["LeavePeriods"][0]["LeavePeriodStatus"] = "REQUESTED"
    assert req["LeaveApplicationID"] not in listed(base)
    r = env.call("POST", f"{base}/{req['LeaveApplicationID']}/approve")
    assert r.status_code == 200
    assert held["LeavePeriods"][0]["LeavePeriodStatus"] == "SCHEDULED"
    # processed (in a posted pay run): neither updated nor rejected
    held["LeavePeriods"][0]["LeavePeriodStatus"] = "PROCESSED"
    frozen = json.dumps(held, sort_keys=True)
    upd2 = dict(_au_leave_body(harper, 1.0), LeaveApplicationID=req["LeaveApplicationID"])
    for path, body in (
        (f"{base}/{req['LeaveApplicationID']}/reject", None),
        (f"{base}/{req['LeaveApplicationID']}", [upd2]),
    ):
        r = env.call("POST", path, body=body)
        assert r.status_code == 400
        assert messages(r) == ["The leave has been processed in a pay run and cannot be changed."]
    assert json.dumps(held, sort_keys=True) == frozen
    assert req["LeaveApplicationID"] in listed(base)


def test_uk_completed_leave_cannot_be_changed_or_deleted(env):
    george = uk_employee("George", "Patel")
    types = {t["name"]: t["leaveTypeID"] for t in UK_ORG["payroll"]["LeaveTypes"]}
    path = f"/payroll.xro/2.0/Employees/{george['employeeID']}/Leave"
    body = {
        "leaveTypeID": types["Holiday"],
        "description": "Holiday",
        "startDate": "2026-11-19",
        "endDate": "2026-11-20",
    }
    leave = env.call("POST", path, tenant=UK, body=body).json["leave"]
    one = f"{path}/{leave['leaveID']}"
    r = env.call("PUT", one, tenant=UK, body=dict(body, endDate="2026-11-19"))
    assert r.status_code == 200 and r.json["leave"]["periods"][0]["numberOfUnits"] == 7.5
    held = env.payroll(UK)["EmployeeLeave"][george["employeeID"]][0]
    held["periods"][0]["periodStatus"] = "Completed"
    frozen = json.dumps(held, sort_keys=True)
    for method, payload in (("PUT", body), ("DELETE", None)):
        r = env.call(method, one, tenant=UK, body=payload)
        assert r.status_code == 400, method
        assert "processed in a pay run" in json.dumps(r.json)
    assert json.dumps(held, sort_keys=True) == frozen
