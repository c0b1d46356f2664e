"""Time off on a code linked to a Xero leave type that was made inactive in Xero since: Xero
refuses leave of such a type, so the preview says so and the send leaves it out (a preview
line with a reason, never a failed run: DOMAIN.md). It was planned as sent, then the run
failed with Xero's raw "The leave type is no longer active"."""

from __future__ import annotations

from datetime import timedelta

from core.app.payroll import export_hours, preview_hours
from core.app.sync import sync
from tests.e2e.test_payroll_export import (
    AU_WEEK2,
    UK_FORTNIGHT1,
    employee_id,
    link_holiday,
    reasons,
    shifted,
)


def test_au_leave_of_an_inactive_leave_type_is_left_out_with_why(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[0]["payroll"]
    start = shifted(store, AU_WEEK2)
    olivia = employee_id(store, 0, "Olivia Brown")
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    annual = next(lt for lt in payroll["LeaveTypes"] if lt["Name"] == "Annual Leave")
    annual["CurrentRecord"] = False

    preview = preview_hours(ctx, conn, start)
    person = next(p for p in preview.people if p.name == "Olivia Brown")
    assert all(b.action == "skip" for b in person.leave)
    result = export_hours(ctx, conn, period=start)
    out = result.as_json()
    assert not result.failed
    assert out["timesheets"]["created"] == 1 and out["leave"]["created"] == 0
    assert payroll.get("LeaveApplications", []) == []
    said = reasons(result, "Olivia Brown")
    assert '"Annual Leave" it is linked to is no longer active in Xero' in said
    person = next(p for p in result.preview.people if p.name == "Olivia Brown")
    assert "n’est plus actif dans Xero" in " ".join(p.reason("fr") for p in person.problems)


def test_uk_leave_already_sent_is_left_alone_once_its_type_is_inactive(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[1]["payroll"]
    start = shifted(store, UK_FORTNIGHT1)
    link_holiday(conn)
    first = export_hours(ctx, conn, period=start)
    assert first.as_json()["leave"]["created"] >= 1
    oliver = employee_id(store, 1, "Oliver Hughes")
    sent = [dict(x) for x in payroll["EmployeeLeave"][oliver]]
    assert sent
    holiday = next(lt for lt in payroll["LeaveTypes"] if lt["name"] == "Holiday")
    holiday["isActive"] = False

    again = export_hours(ctx, conn, period=start)
    out = again.as_json()
    assert not again.failed
    assert out["leave"]["created"] == out["leave"]["updated"] == out["leave"]["withdrawn"] == 0
    assert payroll["EmployeeLeave"][oliver] == sent
    said = reasons(again, "Oliver Hughes")
    assert 'was sent before its Xero leave type "Holiday" was made inactive' in said
    assert "was not sent" not in said  # (it is in Xero)
    person = next(p for p in again.preview.people if p.name == "Oliver Hughes")
    assert not [x for x in person.left_out if "no longer active" in x.reason("en")]
    assert start + timedelta(days=13) == again.preview.period.end
