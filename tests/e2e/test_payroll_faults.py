"""A payroll export under injected Xero and QuickBooks Time faults (the Demo Company's fault
plans): after at most three exports, Xero holds exactly one draft timesheet per person and
period with QuickBooks Time's approved hours and one leave record, nothing stays at
"intent", and one more export writes nothing. 429s are waited out (virtual time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.app.payroll import export_hours
from core.app.sync import sync
from core.errors import BridgeError
from core.sandbox.common import FaultPlan
from core.sandbox.xero_payroll import parse_day
from core.store.models import JournalEntry
from tests.e2e.test_payroll_export import (
    AU_WEEK1,
    UK_FORTNIGHT1,
    approved_hours,
    assert_same_hours,
    employee_id,
    link_holiday,
    shifted,
    xero_sheets,
)
from tests.reliability.support import MemoryBackend, open_demo

KINDS = ("429", "500", "503", "reset", "lost_response")


def _open(tmp_path, org):
    faults = {
        "qbtime_faults": FaultPlan(seed=1, stall_s=0.6),
        "xero_faults": FaultPlan(seed=2, stall_s=0.6),
    }
    ctx, conn = open_demo(
        org,
        tmp_path / "home",
        tmp_path / "state",
        MemoryBackend(),
        sandbox_kwargs=faults,
        timeout=(2.0, 0.3),
    )
    # the simulators live in the same virtual time as the client's waits: a 429's
    # Retry-After is waited out (at once) and the simulator's minute window moves with it
    ctx.sandbox.clock.now = ctx.vtime.now
    sync(ctx, conn)
    return ctx, conn


def _converge(ctx, conn, period):
    for _ in range(3):
        try:
            result = export_hours(ctx, conn, period=period)
        except BridgeError:
            continue
        if result.run is None or not result.failed:
            break
    final = export_hours(ctx, conn, period=period)
    assert final.run is None, final.as_json()
    assert JournalEntry.select().where(JournalEntry.state == "intent").count() == 0


@pytest.mark.parametrize("kind", KINDS)
def test_uk_export_under_xero_faults_converges_with_no_duplicate(tmp_path, kind):
    ctx, conn = _open(tmp_path, "UK")
    link_holiday(conn)
    store = ctx.sandbox.store
    period = shifted(store, UK_FORTNIGHT1)
    faults = ctx.sandbox.xero_faults
    for method in ("POST", "DELETE", "PUT"):
        faults.force(kind, 2, path_contains="payroll.xro/2.0/", method=method)
    faults.force(kind, 1, path_contains="payroll.xro/2.0/Timesheets", method="GET")
    ctx.sandbox.qbtime_faults.force(kind, 1, path_contains="/api/v1/timesheets", method="GET")
    _converge(ctx, conn, period)
    payroll = store.xero_orgs[1]["payroll"]
    for name in ("Oliver Hughes", "Sophie Turner"):
        emp = employee_id(store, 1, name)
        sheets = [
            t
            for t in payroll["Timesheets"]
            if t["employeeID"] == emp and parse_day(t["startDate"]) == period
        ]
        assert len(sheets) == 1, name
        assert_same_hours(
            xero_sheets(store, 1, emp)[period][1],
            approved_hours(store, name, period, period + timedelta(days=13)),
        )
    assert len(payroll["EmployeeLeave"][employee_id(store, 1, "Oliver Hughes")]) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_au_export_under_xero_faults_converges_with_no_duplicate(tmp_path, kind):
    ctx, conn = _open(tmp_path, "AU")
    store = ctx.sandbox.store
    period = shifted(store, AU_WEEK1)
    ctx.sandbox.xero_faults.force(
        kind, 2, path_contains="payroll.xro/1.0/Timesheets", method="POST"
    )
    _converge(ctx, conn, period)
    olivia = employee_id(store, 0, "Olivia Brown")
    sheets = [
        t
        for t in store.xero_orgs[0]["payroll"]["Timesheets"]
        if t["EmployeeID"] == olivia and parse_day(t["StartDate"]) == period
    ]
    assert len(sheets) == 1
    assert_same_hours(
        xero_sheets(store, 0, olivia)[period][1],
        approved_hours(store, "Olivia Brown", period, period + timedelta(days=6)),
    )


@pytest.mark.parametrize("kind", KINDS)
def test_au_leave_update_and_withdrawal_under_faults_converge_once(tmp_path, kind):
    """Time off changed, then deleted, after its leave application was sent; the update
    (POST /LeaveApplications/{id}) and the reject meet a fault: after a few sends Xero holds
    one application, updated, then rejected, and one more send writes nothing."""
    from tests.e2e.test_payroll_export import AU_WEEK2, edit, time_off

    ctx, conn = _open(tmp_path, "AU")
    store = ctx.sandbox.store
    period = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll = store.xero_orgs[0]["payroll"]
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    _converge(ctx, conn, period)  # the first send (a slow answer on this machine is retried)
    (app,) = payroll["LeaveApplications"]
    thursday, friday = time_off(store, "Olivia Brown")
    edit(friday, duration=3.8 * 3600)
    faults = ctx.sandbox.xero_faults
    faults.force(kind, 2, path_contains="payroll.xro/1.0/LeaveApplications/", method="POST")
    _converge(ctx, conn, period)
    assert [a["LeaveApplicationID"] for a in payroll["LeaveApplications"]] == [
        app["LeaveApplicationID"]
    ]
    assert app["LeavePeriods"][0]["NumberOfUnits"] == pytest.approx(11.4)
    store.qbtime["timesheets"] = [
        t for t in store.qbtime["timesheets"] if t["id"] not in (thursday["id"], friday["id"])
    ]
    faults.force(kind, 2, path_contains="/reject", method="POST")
    _converge(ctx, conn, period)
    assert len(payroll["LeaveApplications"]) == 1
    assert app["LeavePeriods"][0]["LeavePeriodStatus"] == "REJECTED"


@pytest.mark.parametrize("kind", KINDS)
def test_uk_leave_update_and_withdrawal_under_faults_converge_once(tmp_path, kind):
    from tests.e2e.test_payroll_export import edit, time_off

    ctx, conn = _open(tmp_path, "UK")
    link_holiday(conn)
    store = ctx.sandbox.store
    period = shifted(store, UK_FORTNIGHT1)
    _converge(ctx, conn, period)  # the first send (a slow answer on this machine is retried)
    oliver = employee_id(store, 1, "Oliver Hughes")
    leave = store.xero_orgs[1]["payroll"]["EmployeeLeave"][oliver]
    (first,) = leave
    monday, tuesday = time_off(store, "Oliver Hughes")
    edit(tuesday, duration=3 * 3600)
    faults = ctx.sandbox.xero_faults
    faults.force(kind, 2, path_contains="/Leave/", method="PUT")
    _converge(ctx, conn, period)
    assert [x["leaveID"] for x in leave] == [first["leaveID"]]
    assert leave[0]["periods"][0]["numberOfUnits"] == pytest.approx(10.5)
    store.qbtime["timesheets"] = [
        t for t in store.qbtime["timesheets"] if t["id"] not in (monday["id"], tuesday["id"])
    ]
    faults.force(kind, 2, path_contains="/Leave/", method="DELETE")
    _converge(ctx, conn, period)
    assert store.xero_orgs[1]["payroll"]["EmployeeLeave"][oliver] == []
