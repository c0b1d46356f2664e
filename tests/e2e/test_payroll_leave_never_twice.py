"""A piece of time off is in Xero as leave at most once, when its code's link or its day
changes after it was sent (an audit found each of these paid twice):

- sent as Annual Leave, paid in a posted pay run, then the code linked to Personal/Carer's
  Leave: it was sent again as Personal/Carer's Leave, said as "no longer approved";
- sent as Annual Leave, Annual Leave made inactive, the code relinked as the app says: the
  new leave was created while the old one stayed (30.4 h for 15.2 h), nothing said;
- sent in one period's leave, then moved in QuickBooks Time to the next period: the next
  period's send created leave while the earlier leave still held the day, nothing said.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.app.payroll import export_hours, preview_hours
from core.app.sync import sync, undo
from core.engine.leave import save_leave_links
from core.services.fetch import load_snapshot
from tests.e2e.test_payroll_export import (
    AU_WEEK2,
    UK_FORTNIGHT1,
    edit,
    employee_id,
    link_holiday,
    reasons,
    shifted,
    time_off,
    user_named,
)


# ---------------------------------------------------------------------------- helpers
def au_setup(demo_ctx):
    ctx, conn = demo_ctx("AU")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[0]["payroll"]
    olivia = employee_id(store, 0, "Olivia Brown")
    # the payroll officer deleted Olivia's approved timesheet in Xero (as tests/e2e do)
    payroll["Timesheets"] = [t for t in payroll["Timesheets"] if t["EmployeeID"] != olivia]
    return ctx, conn, store, payroll, shifted(store, AU_WEEK2)


def au_standing(payroll) -> list[tuple[str, list[tuple[float, str]]]]:
    """The AU leave applications Xero holds (not rejected): (type, [(units, status)])."""
    names = {lt["LeaveTypeID"]: lt["Name"] for lt in payroll["LeaveTypes"]}
    return [
        (names[a["LeaveTypeID"]], [(p["NumberOfUnits"], p["LeavePeriodStatus"]) for p in ps])
        for a in payroll["LeaveApplications"]
        if (ps := a["LeavePeriods"]) and {p["LeavePeriodStatus"] for p in ps} != {"REJECTED"}
    ]


def relink(conn, code_name: str, old: str, new: str) -> None:
    """The user links time-off code ``code_name`` to leave type ``new`` instead of ``old``."""
    snap = load_snapshot(conn)
    code = next(j for j in snap.jobcodes if j.name == code_name)
    was = next(lt for lt in snap.leave_types if lt.name == old)
    now = next(lt for lt in snap.leave_types if lt.name.startswith(new))
    save_leave_links(conn, {was.leave_type_id: None, now.leave_type_id: code.id}, snap.leave_types)


def person(preview, who):
    return next(p for p in preview.people if p.name == who)


def actions(preview, who):
    return [(b.action, b.name, b.hours) for b in person(preview, who).leave if b.action != "skip"]


# ---------------------------------------------------------------------------- the link changed
def test_au_paid_leave_is_not_sent_again_when_its_code_is_linked_to_another_type(demo_ctx):
    ctx, conn, _store, payroll, start = au_setup(demo_ctx)
    export_hours(ctx, conn, period=start)
    for p in payroll["LeaveApplications"][0]["LeavePeriods"]:
        p["LeavePeriodStatus"] = "PROCESSED"  # the pay run was posted in Xero
    relink(conn, "Annual Leave", "Annual Leave", "Personal")

    preview = preview_hours(ctx, conn, start)
    assert actions(preview, "Olivia Brown") == [("locked", "Annual Leave", 15.2)]
    assert preview.plan.writes == 0
    result = export_hours(ctx, conn, period=start)
    assert au_standing(payroll) == [("Annual Leave", [(15.2, "PROCESSED")])]
    assert result.as_json()["leave"]["created"] == 0 and result.as_json()["leave"]["locked"] == 1
    said = reasons(result, "Olivia Brown")
    assert "no longer approved" not in said  # (it is: only the link changed)
    assert (
        'was sent to Xero as "Annual Leave" leave, which Xero included in a pay run that is '
        'posted, before its code was linked to "Personal/Carer\'s Leave": it is paid, so it '
        "was not sent again"
    ) in said
    fr = " ".join(p.reason("fr") for p in person(result.preview, "Olivia Brown").problems)
    assert "il n’a donc pas été renvoyé" in fr


def test_au_leave_of_a_type_made_inactive_is_withdrawn_when_relinked(demo_ctx):
    ctx, conn, _store, payroll, start = au_setup(demo_ctx)
    export_hours(ctx, conn, period=start)
    annual = next(lt for lt in payroll["LeaveTypes"] if lt["Name"] == "Annual Leave")
    annual["CurrentRecord"] = False
    relink(conn, "Annual Leave", "Annual Leave", "Personal")  # as INACTIVE_LEAVE says

    preview = preview_hours(ctx, conn, start)
    # the old leave goes first: the new one is never in Xero beside it
    assert actions(preview, "Olivia Brown") == [
        ("withdraw", "Annual Leave", 0),
        ("create", "Personal/Carer's Leave", 15.2),
    ]
    said = " ".join(p.reason for p in preview.problems if p.who == "Olivia Brown")
    assert 'was sent to Xero as "Annual Leave" leave before its code was linked' in said
    result = export_hours(ctx, conn, period=start)
    assert not result.failed
    assert au_standing(payroll) == [("Personal/Carer's Leave", [(15.2, "SCHEDULED")])]
    assert export_hours(ctx, conn, period=start).run is None  # once


def test_au_relinked_leave_sent_undone_and_sent_again(demo_ctx):
    ctx, conn, _store, payroll, start = au_setup(demo_ctx)
    export_hours(ctx, conn, period=start)
    relink(conn, "Annual Leave", "Annual Leave", "Personal")
    second = export_hours(ctx, conn, period=start)
    assert second.as_json()["leave"]["withdrawn"] == 1
    assert au_standing(payroll) == [("Personal/Carer's Leave", [(15.2, "SCHEDULED")])]
    undo(ctx, conn, second.run.id)  # Annual Leave back, Personal/Carer's Leave rejected
    assert au_standing(payroll) == [("Annual Leave", [(15.2, "SCHEDULED")])]
    again = export_hours(ctx, conn, period=start)
    assert again.as_json()["leave"]["withdrawn"] == 1 and again.as_json()["leave"]["created"] == 1
    assert au_standing(payroll) == [("Personal/Carer's Leave", [(15.2, "SCHEDULED")])]
    assert export_hours(ctx, conn, period=start).run is None


def test_uk_leave_of_a_type_made_inactive_is_deleted_when_relinked(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[1]["payroll"]
    start = shifted(store, UK_FORTNIGHT1)
    link_holiday(conn)
    export_hours(ctx, conn, period=start)
    oliver = employee_id(store, 1, "Oliver Hughes")
    assert len(payroll["EmployeeLeave"][oliver]) == 1
    next(lt for lt in payroll["LeaveTypes"] if lt["name"] == "Holiday")["isActive"] = False
    relink(conn, "Annual Leave", "Holiday", "Compassionate Leave")

    result = export_hours(ctx, conn, period=start)
    assert not result.failed
    assert result.as_json()["leave"]["withdrawn"] == 1 and result.as_json()["leave"]["created"] == 1
    names = {lt["leaveTypeID"]: lt["name"] for lt in payroll["LeaveTypes"]}
    (leave,) = payroll["EmployeeLeave"][oliver]  # the Holiday leave deleted
    assert names[leave["leaveTypeID"]] == "Compassionate Leave"
    assert sum(p["numberOfUnits"] for p in leave["periods"]) == pytest.approx(15.0)
    assert "before its code was linked" in reasons(result, "Oliver Hughes")
    assert export_hours(ctx, conn, period=start).run is None


# ---------------------------------------------------------------------------- the day moved
def move_friday_to_next_week(store, start: date):
    _thursday, friday = time_off(store, "Olivia Brown")
    edit(friday, date=(start + timedelta(days=7)).isoformat())  # next Monday
    user = user_named(store, "Olivia Brown")
    user["approved_to"] = user["submitted_to"] = (start + timedelta(days=13)).isoformat()
    return friday


def test_au_time_off_moved_to_the_next_period_waits_for_its_earlier_leave(demo_ctx):
    ctx, conn, store, payroll, start = au_setup(demo_ctx)
    export_hours(ctx, conn, period=start)
    friday = move_friday_to_next_week(store, start)
    week3 = start + timedelta(days=7)

    preview = preview_hours(ctx, conn, week3)
    olivia = person(preview, "Olivia Brown")
    assert [b.action for b in olivia.leave] == ["skip"]
    assert [(x.day, x.hours) for x in olivia.left_out if "another pay period" in x.reason()] == [
        (friday["date"], 7.6)
    ]
    result = export_hours(ctx, conn, period=week3)
    assert result.as_json()["leave"]["created"] == 0
    assert au_standing(payroll) == [("Annual Leave", [(15.2, "SCHEDULED")])]
    said = reasons(result, "Olivia Brown")
    assert f"Time off of {friday['date']} was moved in QuickBooks Time out of the leave" in said
    assert f"Send the pay period holding {start + timedelta(days=3)} again first" in said

    # as said: the earlier period first (its leave keeps Thursday), then this one
    assert export_hours(ctx, conn, period=start).as_json()["leave"]["updated"] == 1
    assert au_standing(payroll) == [("Annual Leave", [(7.6, "SCHEDULED")])]
    last = export_hours(ctx, conn, period=week3)
    assert last.as_json()["leave"]["created"] == 1
    assert "was moved" not in reasons(last, "Olivia Brown")
    assert au_standing(payroll) == [
        ("Annual Leave", [(7.6, "SCHEDULED")]),
        ("Annual Leave", [(7.6, "SCHEDULED")]),
    ]
    assert export_hours(ctx, conn, period=week3).run is None
    # undo and send again keep working
    undo(ctx, conn, last.run.id)
    assert au_standing(payroll) == [("Annual Leave", [(7.6, "SCHEDULED")])]
    assert export_hours(ctx, conn, period=week3).as_json()["leave"]["created"] == 1
    assert len(au_standing(payroll)) == 2


def test_au_time_off_moved_out_of_paid_leave_is_not_sent_again(demo_ctx):
    ctx, conn, store, payroll, start = au_setup(demo_ctx)
    export_hours(ctx, conn, period=start)
    for p in payroll["LeaveApplications"][0]["LeavePeriods"]:
        p["LeavePeriodStatus"] = "PROCESSED"
    move_friday_to_next_week(store, start)
    result = export_hours(ctx, conn, period=start + timedelta(days=7))
    assert result.as_json()["leave"]["created"] == 0
    assert au_standing(payroll) == [("Annual Leave", [(15.2, "PROCESSED")])]
    assert "it is paid there, so it was not sent again" in reasons(result, "Olivia Brown")


def test_uk_time_off_moved_to_the_next_period_waits_for_its_earlier_leave(demo_ctx):
    ctx, conn = demo_ctx("UK")
    sync(ctx, conn)
    store = ctx.sandbox.store
    payroll = store.xero_orgs[1]["payroll"]
    start = shifted(store, UK_FORTNIGHT1)
    link_holiday(conn)
    export_hours(ctx, conn, period=start)
    oliver = employee_id(store, 1, "Oliver Hughes")
    _monday, tuesday = time_off(store, "Oliver Hughes")
    edit(tuesday, date=(start + timedelta(days=15)).isoformat())  # next fortnight's Tuesday
    fortnight2 = start + timedelta(days=14)
    # (the payroll officer deleted Oliver's approved timesheet of that fortnight in Xero)
    payroll["Timesheets"] = [
        t
        for t in payroll["Timesheets"]
        if t["employeeID"] != oliver or not t["startDate"].startswith(fortnight2.isoformat())
    ]

    def held() -> float:
        return sum(
            p["numberOfUnits"] for x in payroll["EmployeeLeave"][oliver] for p in x["periods"]
        )

    result = export_hours(ctx, conn, period=fortnight2)
    assert result.as_json()["leave"]["created"] == 0 and held() == pytest.approx(15.0)
    assert "was moved in QuickBooks Time out of the leave" in reasons(result, "Oliver Hughes")
    assert export_hours(ctx, conn, period=start).as_json()["leave"]["updated"] == 1
    assert export_hours(ctx, conn, period=fortnight2).as_json()["leave"]["created"] == 1
    assert held() == pytest.approx(15.0) and len(payroll["EmployeeLeave"][oliver]) == 2
