"""An organisation file (a held-out organisation, a Demo Company state saved before salary and
wages were modelled) that gives no ``SalaryAndWages``: the simulator answers as Xero would for
an employee set up for pay (paid by the hour on the ordinary rate from their first day), so
their hours are sent as before, not listed as "no salary and wages in effect"."""

from __future__ import annotations

from datetime import timedelta

from core.app.payroll import export_hours
from tests.e2e.test_payroll_employee_rate import UK, payroll_of, rate_names, uk  # noqa: F401
from tests.e2e.test_payroll_export import (
    UK_FORTNIGHT1,
    approved_hours,
    assert_same_hours,
    employee_id,
    shifted,
    xero_sheets,
)


def test_an_organisation_file_without_salary_and_wages_still_sends_hours(uk):  # noqa: F811
    ctx, conn, store = uk
    del payroll_of(store)["SalaryAndWages"]
    store.save()
    start = shifted(store, UK_FORTNIGHT1)
    end = start + timedelta(days=13)
    result = export_hours(ctx, conn, period=start)
    assert result.as_json()["timesheets"]["created"] == 2, result.as_json()
    for name in ("Oliver Hughes", "Sophie Turner"):
        emp = employee_id(store, UK, name)
        assert rate_names(store, emp, start) == {"Regular Hours"}, name
        assert_same_hours(
            xero_sheets(store, UK, emp)[start][1], approved_hours(store, name, start, end)
        )
