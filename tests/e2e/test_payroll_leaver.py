"""An employee who left (AU: TERMINATED with a TerminationDate; NZ/UK: an endDate) is paid
for their final period: their approved hours up to their last day are sent, hours dated
after it are left out with why. They were read as "not linked to a Xero employee" (the
export read active employees only), with a remedy that could not work."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from core.app.payroll import export_hours
from core.app.sync import sync
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    approved_hours,
    employee_id,
    reasons,
    shifted,
    xero_sheets,
)


def _ms(day: date) -> str:
    stamp = datetime.combine(day, time(), UTC).timestamp()
    return f"/Date({int(stamp * 1000)}+0000)/"


def _check(store, org, who, emp, start, end, last, result):
    out = result.as_json()
    assert out["timesheets"]["created"] >= 1, out
    assert "not linked to a Xero employee" not in reasons(result, who)
    days = xero_sheets(store, org, emp)[start][1]
    want = approved_hours(store, who, start, end)
    assert days, "the final period's hours were not sent"
    assert set(days) == {d for d, h in want.items() if d <= last.isoformat() and round(h, 2) > 0}
    for day, hours in days.items():
        assert hours == pytest.approx(want[day], abs=0.01)
    after = round(sum(h for d, h in want.items() if d > last.isoformat()), 2)
    assert after > 0
    said = reasons(result, who)
    assert f"{after:g} h dated after this person's last day in Xero ({last})" in said
    person = next(p for p in result.preview.people if p.name == who)
    assert any("dernier jour" in p.reason("fr") for p in person.problems)


def test_au_final_period_of_a_terminated_employee(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    last = start + timedelta(days=2)
    olivia = employee_id(store, 0, "Olivia Brown")
    record = next(
        e for e in store.xero_orgs[0]["payroll"]["Employees"] if e["EmployeeID"] == olivia
    )
    record["Status"], record["TerminationDate"] = "TERMINATED", _ms(last)
    result = export_hours(ctx, conn, period=start)
    _check(store, 0, "Olivia Brown", olivia, start, start + timedelta(days=6), last, result)


def test_uk_final_period_of_an_employee_with_an_end_date(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, UK_FORTNIGHT1)
    last = start + timedelta(days=8)
    oliver = employee_id(store, 1, "Oliver Hughes")
    record = next(
        e for e in store.xero_orgs[1]["payroll"]["Employees"] if e["employeeID"] == oliver
    )
    record["endDate"] = f"{last.isoformat()}T00:00:00"
    result = export_hours(ctx, conn, period=start)
    _check(store, 1, "Oliver Hughes", oliver, start, start + timedelta(days=13), last, result)


def test_au_terminated_without_a_last_day_sends_nothing_and_says_why(demo_ctx):
    """TERMINATED with no TerminationDate: no day can be told before or after the last one.
    The whole week went out to a former employee with no word (a review of this change)."""
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    start = shifted(store, AU_WEEK1)
    olivia = employee_id(store, 0, "Olivia Brown")
    record = next(
        e for e in store.xero_orgs[0]["payroll"]["Employees"] if e["EmployeeID"] == olivia
    )
    record["Status"] = "TERMINATED"
    record.pop("TerminationDate", None)
    result = export_hours(ctx, conn, period=start)
    assert xero_sheets(store, 0, olivia).get(start, (None, {}))[1] == {}
    said = reasons(result, "Olivia Brown")
    assert "no longer works here, but gives no last day" in said
    assert "not linked to a Xero employee" not in said
