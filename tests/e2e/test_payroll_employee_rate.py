"""NZ/UK: each person's hours go on the earnings rate of their OWN salary and wages.

NZ/UK payroll 2.0 employees carry no ordinary earnings rate; each one's is in
``GET /Employees/{EmployeeID}/SalaryAndWages`` (``SalaryAndWage``: ``earningsRateID``,
``paymentType`` Hourly/Salary, ``status``, ``effectiveFrom``; xero-payroll-uk.yaml and
xero-payroll-nz.yaml). The app reads it for the linked employees with hours to send, and
uses the hourly line in effect for the person's period; never the organisation's first
regular rate, never an overtime or allowance rate. On the UK Demo Company's first fortnight
(resources/demo/README.md): Oliver Hughes and Sophie Turner have approved hours, Amelia
Clarke has no pay calendar.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date, timedelta

import pytest

from core.app.payroll import export_hours, own_rate, preview_hours
from core.app.sync import sync
from core.engine import payroll as eng
from core.services.xero.client import XeroClient
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    approved_hours,
    assert_same_hours,
    employee_id,
    reasons,
    shifted,
    xero_sheets,
)

UK = 1


@pytest.fixture
def uk(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)  # people link on import
    return ctx, conn, ctx.sandbox.store


def payroll_of(store):
    return store.xero_orgs[UK]["payroll"]


def add_regular_rate(store, name: str, first: bool) -> str:
    """A second current regular-earnings rate of the organisation (its id)."""
    payroll = payroll_of(store)
    regular = next(r for r in payroll["EarningsRates"] if r["name"] == "Regular Hours")
    rate = dict(copy.deepcopy(regular), earningsRateID=str(uuid.uuid4()), name=name)
    payroll["EarningsRates"].insert(0 if first else len(payroll["EarningsRates"]), rate)
    store.save()
    return rate["earningsRateID"]


def rate_names(store, emp_id: str, start: date) -> set[str]:
    """The names of the earnings rates of the lines of the employee's Xero timesheet."""
    payroll = payroll_of(store)
    names = {r["earningsRateID"]: r["name"] for r in payroll["EarningsRates"]}
    (sheet,) = [
        s
        for s in payroll["Timesheets"]
        if s["employeeID"] == emp_id and s["startDate"][:10] == start.isoformat()
    ]
    return {names[line["earningsRateID"]] for line in sheet["timesheetLines"]}


def set_wages(store, name: str, rows: list[dict]) -> None:
    payroll_of(store)["SalaryAndWages"][employee_id(store, UK, name)] = rows
    store.save()


def wage_row(store, name: str, **changes) -> dict:
    """A copy of the person's active salary and wages line, changed."""
    rows = payroll_of(store)["SalaryAndWages"][employee_id(store, UK, name)]
    active = next(r for r in rows if r["status"] == "Active")
    return dict(copy.deepcopy(active), salaryAndWagesID=str(uuid.uuid4()), **changes)


# ---------------------------------------------------------------------------- the auditor's case
def test_a_second_regular_rate_listed_first_does_not_take_everyones_hours(uk):
    """The organisation lists "Apprentice Hours" (regular earnings, current) before "Regular
    Hours": everyone's hours still go on their own line's rate, "Regular Hours"."""
    ctx, conn, store = uk
    add_regular_rate(store, "Apprentice Hours", first=True)
    start = shifted(store, UK_FORTNIGHT1)
    end = start + timedelta(days=13)
    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] == 2  # Oliver, Sophie
    for name in ("Oliver Hughes", "Sophie Turner"):
        emp = employee_id(store, UK, name)
        assert rate_names(store, emp, start) == {"Regular Hours"}, name
        assert_same_hours(
            xero_sheets(store, UK, emp)[start][1], approved_hours(store, name, start, end)
        )
    people = {p.name: p for p in result.preview.people if p.action == "create"}
    assert {p.rate_name for p in people.values()} == {"Regular Hours"}
    carried = {x["who"]: x["rate"] for x in result.as_json()["earnings_rates"]}
    assert carried == {"Oliver Hughes": "Regular Hours", "Sophie Turner": "Regular Hours"}


def test_each_person_gets_their_own_rate(uk):
    """Sophie Turner is paid on "Apprentice Hours" (listed last), Oliver Hughes on "Regular
    Hours" (his History line on the 2023 rates was replaced in 2024): each timesheet carries
    its own person's rate, and the preview names it."""
    ctx, conn, store = uk
    apprentice = add_regular_rate(store, "Apprentice Hours", first=False)
    set_wages(store, "Sophie Turner", [wage_row(store, "Sophie Turner", earningsRateID=apprentice)])
    start = shifted(store, UK_FORTNIGHT1)
    preview = preview_hours(ctx, conn, start)
    names = {p.name: p.rate_name for p in preview.people if p.action == "create"}
    assert names == {"Oliver Hughes": "Regular Hours", "Sophie Turner": "Apprentice Hours"}
    export_hours(ctx, conn, period=start)
    assert rate_names(store, employee_id(store, UK, "Sophie Turner"), start) == {"Apprentice Hours"}
    assert rate_names(store, employee_id(store, UK, "Oliver Hughes"), start) == {"Regular Hours"}


# ---------------------------------------------------------------------------- no hourly rate
def test_a_salaried_employees_hours_are_not_sent_and_say_why(uk):
    ctx, conn, store = uk
    set_wages(
        store,
        "Sophie Turner",
        [wage_row(store, "Sophie Turner", paymentType="Salary", ratePerUnit=None)],
    )
    start = shifted(store, UK_FORTNIGHT1)
    result = export_hours(ctx, conn, period=start)
    sophie = next(p for p in result.preview.people if p.name == "Sophie Turner")
    assert sophie.action == "skip" and sophie.regular_hours > 0
    why = reasons(result, "Sophie Turner")
    assert "paid a salary" in why and "not sent" in why and "salary and wages" in why
    assert start not in xero_sheets(store, UK, employee_id(store, UK, "Sophie Turner"))
    # the others are sent as before
    assert start in xero_sheets(store, UK, employee_id(store, UK, "Oliver Hughes"))
    assert result.as_json()["timesheets"]["created"] == 1


def test_no_line_in_effect_for_the_period_is_listed_with_what_to_do(uk):
    """Sophie's only line starts after the period (Pending): nothing is in effect for it."""
    ctx, conn, store = uk
    start = shifted(store, UK_FORTNIGHT1)
    end = start + timedelta(days=13)
    later = (end + timedelta(days=20)).isoformat() + "T00:00:00"
    set_wages(
        store,
        "Sophie Turner",
        [wage_row(store, "Sophie Turner", effectiveFrom=later, status="Pending")],
    )
    result = export_hours(ctx, conn, period=start)
    why = reasons(result, "Sophie Turner")
    assert f"in effect for {start.isoformat()} to {end.isoformat()}" in why
    assert "Add their hourly rate" in why
    assert start not in xero_sheets(store, UK, employee_id(store, UK, "Sophie Turner"))


def test_never_another_rate_when_the_employees_is_gone(uk):
    """Sophie's line names a rate the organisation no longer lists: nothing is sent for her
    (no other rate, overtime or not, stands in)."""
    ctx, conn, store = uk
    set_wages(
        store, "Sophie Turner", [wage_row(store, "Sophie Turner", earningsRateID=str(uuid.uuid4()))]
    )
    payroll = payroll_of(store)
    payroll["EarningsRates"].sort(key=lambda r: r["earningsType"] != "OvertimeEarnings")
    store.save()
    start = shifted(store, UK_FORTNIGHT1)
    result = export_hours(ctx, conn, period=start)
    assert "ordinary earnings rate" in reasons(result, "Sophie Turner")
    assert start not in xero_sheets(store, UK, employee_id(store, UK, "Sophie Turner"))
    assert rate_names(store, employee_id(store, UK, "Oliver Hughes"), start) == {"Regular Hours"}


# ---------------------------------------------------------------------------- the reads
def test_salary_and_wages_are_read_only_for_linked_employees_with_hours(uk, monkeypatch):
    ctx, conn, store = uk
    asked: list[list[str]] = []
    real = XeroClient.salary_and_wages

    def spy(self, employee_ids):
        asked.append(list(employee_ids))
        return real(self, asked[-1])

    monkeypatch.setattr(XeroClient, "salary_and_wages", spy)
    start = shifted(store, UK_FORTNIGHT1)
    preview_hours(ctx, conn, start)
    # Amelia Clarke has hours but no pay calendar; nobody else linked has hours
    assert asked == [
        sorted(employee_id(store, UK, n).lower() for n in ("Oliver Hughes", "Sophie Turner"))
    ]


def test_au_keeps_the_employees_ordinary_earnings_rate(demo_ctx, monkeypatch):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)

    def refuse(self, employee_ids):  # AU employees carry OrdinaryEarningsRateID
        raise AssertionError("AU has no salary and wages to read")

    monkeypatch.setattr(XeroClient, "salary_and_wages", refuse)
    store = ctx.sandbox.store
    preview = preview_hours(ctx, conn, shifted(store, AU_WEEK1))
    emps = {e["EmployeeID"].lower(): e for e in store.xero_orgs[0]["payroll"]["Employees"]}
    sending = [p for p in preview.people if p.action == "create"]
    assert sending
    for person in sending:
        assert person.rate_id == emps[person.employee_id]["OrdinaryEarningsRateID"].lower()


# ---------------------------------------------------------------------------- the line in effect
D = date.fromisoformat


def row(rate: str, start: str, status: str = "Active", hourly: bool = True) -> dict:
    return {"rate_id": rate, "hourly": hourly, "status": status, "effective_from": D(start)}


@pytest.mark.parametrize(
    ("rows", "last_day", "expected"),
    [
        # a History line replaced by a later one: the later one from its first day
        (
            [row("old", "2019-04-18", "History"), row("new", "2024-04-01")],
            "2026-11-15",
            ("new", ""),
        ),
        # ... and the History line for a period before the change
        (
            [row("old", "2019-04-18", "History"), row("new", "2024-04-01")],
            "2024-03-17",
            ("old", ""),
        ),
        # a line that starts after the period is not in effect for it
        ([row("new", "2026-12-01", "Pending")], "2026-11-15", ("", "no_wages")),
        ([], "2026-11-15", ("", "no_wages")),
        # paid a salary, no hourly line
        ([row("reg", "2020-01-01", hourly=False)], "2026-11-15", ("", "salary")),
        # a salary and an hourly line: the hourly one
        (
            [row("sal", "2020-01-01", hourly=False), row("hr", "2021-01-01")],
            "2026-11-15",
            ("hr", ""),
        ),
        # two hourly lines: a current regular rate first, then the one that started last
        ([row("ot", "2022-01-01"), row("reg", "2020-01-01")], "2026-11-15", ("reg", "")),
        ([row("reg", "2020-01-01"), row("reg2", "2022-01-01")], "2026-11-15", ("reg2", "")),
    ],
)
def test_the_line_in_effect(rows, last_day, expected):
    assert own_rate(rows, D(last_day), {"reg", "reg2", "new", "old", "hr"} - {"ot"}) == expected


def test_the_messages_are_the_engines():
    assert "paid a salary" in eng.SALARIED and "{start}" in eng.NO_WAGES
