"""Leave this app sent follows its time off (core/engine/payroll.py, pure, no network).

Time off already sent as Xero leave, then changed in QuickBooks Time before the pay run:
the plan updates that leave (with what Xero holds before), withdraws it when the time off is
gone (even when the person has nothing else in the period), never changes leave in a posted
pay run (and says so), and matches leave by the timesheets it was sent from, then by days.
"""

from __future__ import annotations

from datetime import date

from core.engine import payroll as eng

MON = date(2026, 11, 16)
PTO, SICK = 901, 902


def shift(sid: int, day: str, hours: float, code: int = PTO, user: int = 1) -> eng.Shift:
    return eng.Shift(
        sid,
        user,
        code,
        None,
        None,
        date.fromisoformat(day),
        int(hours * 3600),
        "",
        False,
        "lm",
        "manual",
    )


def inputs(shifts, our_leave=(), *, draft: bool = True, sheet_hours=None) -> eng.PayrollInputs:
    sheets = {}
    if sheet_hours is not None:
        sheets["ts1"] = eng.XeroTimesheet(
            "ts1", "emp-1", MON, date(2026, 11, 22), draft, sheet_hours
        )
    return eng.PayrollInputs(
        today=date(2026, 12, 1),
        period_day=MON,
        users={1: eng.PayUser(1, "Olivia Brown", date(2026, 11, 30), None)},
        links={1: "emp-1"},
        employees={"emp-1": eng.PayEmployee("emp-1", "Olivia Brown", "cal", "rate")},
        calendars={"cal": eng.PayCalendar("cal", "Weekly", "WEEKLY", MON)},
        rates={"rate": eng.EarningsRate("rate", "Ordinary Hours", True)},
        time_off_codes={PTO: ("Annual Leave", "pto"), SICK: ("Sick", "pto")},
        leave_links={PTO: "lt-annual", SICK: "lt-sick"},
        leave_types={
            "lt-annual": eng.LeaveKind("lt-annual", "Annual Leave", True),
            "lt-sick": eng.LeaveKind("lt-sick", "Personal Leave", True),
        },
        shifts=shifts,
        xero_timesheets=sheets,
        ours=frozenset({"ts1"}),
        our_leave=our_leave,
    )


def ours(lid="lv1", start="2026-11-19", end="2026-11-20", hours=15.2, *, ids=(10, 11), **kw):
    return eng.OurLeave(
        lid,
        "emp-1",
        kw.pop("type_id", "lt-annual"),
        start,
        end,
        hours,
        timesheet_ids=frozenset(ids),
        **kw,
    )


def blocks(plan):
    (person,) = plan.people
    return [b for b in person.leave if b.action != "skip"]


def test_time_off_as_sent_is_unchanged_and_plans_nothing():
    plan = eng.plan_payroll(
        inputs([shift(10, "2026-11-19", 7.6), shift(11, "2026-11-20", 7.6)], [ours()])
    )
    (block,) = blocks(plan)
    assert (block.action, block.xero_id) == ("unchanged", "lv1")
    assert plan.writes == 0


def test_fewer_hours_update_our_leave_with_before_and_after():
    plan = eng.plan_payroll(
        inputs([shift(10, "2026-11-19", 7.6), shift(11, "2026-11-20", 3.8)], [ours()])
    )
    (block,) = blocks(plan)
    assert block.action == "update" and block.xero_id == "lv1"
    assert block.before == ("2026-11-19", "2026-11-20", 15.2)
    assert (block.start, block.end, block.hours) == ("2026-11-19", "2026-11-20", 11.4)
    assert plan.writes == 1 and plan.people[0].leave_hours == 11.4


def test_moved_days_update_the_same_leave_found_by_its_timesheets():
    # both days moved a week later than the leave Xero holds: no overlap, same timesheets
    plan = eng.plan_payroll(
        inputs([shift(10, "2026-11-17", 7.6), shift(11, "2026-11-18", 7.6)], [ours()])
    )
    (block,) = blocks(plan)
    assert (block.action, block.start, block.end) == ("update", "2026-11-17", "2026-11-18")


def test_deleted_time_off_withdraws_our_leave_even_with_nothing_else_in_the_period():
    plan = eng.plan_payroll(inputs([], [ours()]))
    (person,) = plan.people
    (block,) = person.leave
    assert block.action == "withdraw" and block.xero_id == "lv1"
    assert block.days == {} and block.hours == 0
    assert (block.start, block.end, block.before) == (
        "2026-11-19",
        "2026-11-20",
        ("2026-11-19", "2026-11-20", 15.2),
    )
    assert block.name == "Annual Leave"
    assert person.action == "none" and plan.writes == 1


def test_another_leave_type_is_not_an_update():
    plan = eng.plan_payroll(
        inputs([shift(10, "2026-11-19", 7.6, SICK), shift(11, "2026-11-20", 7.6, SICK)], [ours()])
    )
    assert sorted(b.action for b in blocks(plan)) == ["create", "withdraw"]


def test_timesheets_decide_between_two_of_our_leave_records():
    # two records overlap Thursday; the one sent from timesheet 11 is the one updated
    first = ours("lv-a", "2026-11-19", "2026-11-19", 7.6, ids=(10,))
    second = ours("lv-b", "2026-11-19", "2026-11-20", 7.6, ids=(11,))
    plan = eng.plan_payroll(inputs([shift(11, "2026-11-19", 7.6)], [first, second]))
    got = {b.xero_id: b.action for b in blocks(plan)}
    assert got == {"lv-b": "update", "lv-a": "withdraw"}


def test_leave_in_a_posted_pay_run_is_never_changed_and_is_said():
    locked = ours(locked=True)
    plan = eng.plan_payroll(inputs([shift(10, "2026-11-19", 7.6)], [locked]))
    (block,) = blocks(plan)
    assert block.action == "locked" and plan.writes == 0
    assert [p.message for p in plan.problems] == [eng.LEAVE_LOCKED]
    assert "pay run that is posted" in plan.problems[0].reason()
    assert plan.people[0].leave_hours == 0
    gone = eng.plan_payroll(inputs([], [locked]))
    assert [b.action for b in gone.people[0].leave] == ["locked"]
    assert [p.message for p in gone.problems] == [eng.LEAVE_GONE_LOCKED]
    assert gone.writes == 0
    # unchanged time off in a posted pay run: nothing to say
    same = eng.plan_payroll(
        inputs([shift(10, "2026-11-19", 7.6), shift(11, "2026-11-20", 7.6)], [locked])
    )
    assert [b.action for b in blocks(same)] == ["unchanged"] and not same.problems


def test_a_timesheet_that_blocks_the_person_blocks_their_leave_changes_too():
    plan = eng.plan_payroll(
        inputs([shift(10, "2026-11-19", 3.8)], [ours()], draft=False, sheet_hours={})
    )
    assert plan.writes == 0
    assert all(b.action == "skip" for b in plan.people[0].leave)


def test_leave_of_another_period_is_not_ours_to_withdraw():
    plan = eng.plan_payroll(inputs([], [ours(start="2026-11-26", end="2026-11-26")]))
    assert plan.people == [] and plan.writes == 0
