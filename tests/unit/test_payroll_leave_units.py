"""Leave of a Xero leave type counted in days (NZ ``typeOfUnits``, AU ``TypeOfUnits``) is never
sent as hours: 8 hours of sick leave went out as ``numberOfUnits`` 8 — eight days paid and
taken from the balance. QuickBooks Time counts time off in hours; such leave is left out,
with why and what to do."""

from __future__ import annotations

from dataclasses import replace

from core.engine import payroll as eng
from core.services.xero.mapping import map_au_leave_type, map_v2_leave_type
from tests.unit.test_payroll_leave_edits import inputs, shift


def _with_units(units: str) -> eng.PayrollInputs:
    base = inputs([shift(10, "2026-11-19", 8.0)])
    kinds = dict(base.leave_types)
    kinds["lt-annual"] = replace(kinds["lt-annual"], units=units)
    return replace(base, leave_types=kinds)


def test_leave_of_a_type_counted_in_days_is_left_out_with_why():
    plan = eng.plan_payroll(_with_units("Days"))
    (person,) = plan.people
    assert all(b.action == "skip" for b in person.leave)
    assert plan.writes == 0
    said = " ".join(p.reason("en") for p in person.problems)
    assert 'leave type "Annual Leave" it is linked to is not counted in hours' in said
    assert "n’est pas compté en heures" in " ".join(p.reason("fr") for p in person.problems)
    assert [(x.day, x.hours) for x in person.left_out] == [("2026-11-19", 8.0)]
    assert "does not count in hours" in person.left_out[0].reason("en")


def test_leave_counted_in_hours_or_unsaid_is_sent():
    for units in ("Hours", "hours", ""):
        (person,) = eng.plan_payroll(_with_units(units)).people
        assert [b.action for b in person.leave] == ["create"], units
        assert person.leave[0].hours == 8.0


def test_the_units_are_read_from_both_payroll_apis():
    nz = map_v2_leave_type(
        {"leaveTypeID": "a", "name": "Sick Leave", "isPaidLeave": True, "typeOfUnits": "Days"}
    )
    au = map_au_leave_type(
        {"LeaveTypeID": "b", "Name": "Annual Leave", "IsPaidLeave": True, "TypeOfUnits": "Hours"}
    )
    uk = map_v2_leave_type({"leaveTypeID": "c", "name": "Holiday", "isPaidLeave": True})
    assert (nz.units, au.units, uk.units) == ("Days", "Hours", "")


def test_a_day_with_more_work_than_it_holds_is_held_back():
    """A manual timesheet of 30 hours on one day (or timesheets that overlap) went to the
    payslip as 30 hours with no word. That day is held back, with why; the others are sent."""
    base = inputs([shift(10, "2026-11-17", 30.0), shift(11, "2026-11-18", 7.5)])
    base = replace(base, time_off_codes={}, leave_links={})
    (person,) = eng.plan_payroll(base).people
    assert person.days == {"2026-11-18": 7.5}
    assert [(x.day, x.hours) for x in person.left_out] == [("2026-11-17", 30.0)]
    assert "More work than a day holds on 2026-11-17" in person.problems[0].reason("en")
    assert [src[2] for src in person.sources] == ["2026-11-18"]
