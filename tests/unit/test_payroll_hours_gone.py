"""Hours this app sent that are gone from QuickBooks Time (core/engine/payroll.py, pure, no
network): a person whose every shift of the period was deleted after their hours went to
Xero is still planned, and our draft is emptied (or Xero would pay hours that no longer
exist); an empty draft, a draft that is not ours and one no longer a draft are left alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.engine import payroll as eng
from core.services.xero.mapping import au_timesheet_body

from .test_payroll_leave_edits import MON, inputs, shift

WORK = 700
SENT = {("2026-11-16", "rate", ""): 7.6, ("2026-11-17", "rate", ""): 8.0}


def plan(shifts=(), *, sheet_hours=SENT, draft=True, ours=True) -> eng.PayrollPlan:
    given = inputs(list(shifts), draft=draft, sheet_hours=sheet_hours)
    return eng.plan_payroll(given if ours else replace(given, ours=frozenset()))


def test_every_shift_deleted_empties_our_draft():
    result = plan()
    (person,) = result.people
    assert person.name == "Olivia Brown" and person.xero_id == "ts1"
    assert (person.action, person.days, person.lines()) == ("update", {}, {})
    assert person.before == SENT  # what Xero holds now, for the preview and for undo
    assert result.writes == 1 and not result.is_empty


def test_an_empty_draft_of_ours_plans_nothing():
    assert plan(sheet_hours={}).people == []
    assert plan(sheet_hours={("2026-11-16", "rate", ""): 0.0}).people == []


def test_a_draft_not_ours_or_no_longer_a_draft_is_left_alone():
    assert plan(ours=False).people == []
    assert plan(draft=False).people == []


def test_hours_of_another_period_do_not_plan_this_one():
    # our draft of the week before holds hours; this week has none: nothing planned here
    given = inputs([], sheet_hours=SENT)
    before = MON - timedelta(days=7)
    sheet = eng.XeroTimesheet("ts1", "emp-1", before, MON - timedelta(days=1), True, SENT)
    assert eng.plan_payroll(replace(given, xero_timesheets={"ts1": sheet})).people == []


def test_hours_still_there_update_as_before():
    (person,) = plan([shift(20, MON.isoformat(), 7.6, code=WORK)]).people
    assert person.action == "update" and person.days == {MON.isoformat(): 7.6}


def test_au_replacing_sends_each_line_held_at_zero_if_it_must_go():
    # emptied: every (rate, tracking) line the draft holds, at zero units (not an empty list)
    held = {**SENT, ("2026-11-18", "rate", "site-b"): 4.0, ("2026-11-16", "other", ""): 1.0}
    assert eng.au_replacing({}, held) == {
        ("2026-11-16", "other", ""): 0.0,
        ("2026-11-16", "rate", ""): 0.0,
        ("2026-11-18", "rate", "site-b"): 0.0,
    }
    # a line still sent is sent as it is; only the ones it leaves out are added at zero
    new = {("2026-11-17", "RATE", ""): 6.0}
    assert eng.au_replacing(new, held) == {
        **new,
        ("2026-11-16", "other", ""): 0.0,
        ("2026-11-18", "rate", "site-b"): 0.0,
    }
    assert eng.au_replacing(SENT, {}) == SENT
    # through the AU body: one line per (rate, tracking), every day at zero
    body = au_timesheet_body("emp-1", MON, MON + timedelta(days=6), eng.au_replacing({}, SENT))
    assert body["TimesheetLines"] == [{"EarningsRateID": "rate", "NumberOfUnits": [0.0] * 7}]


def test_a_shift_over_midnight_dated_on_the_approval_day_is_approved_whole():
    """QuickBooks Time approves a timesheet whole, by its date: a shift dated on approved_to
    that runs past midnight is approved on both days it covers (before: the hours after
    midnight were held back as 'not approved yet', which nobody could act on, while
    bill-time billed them). One dated the day after is not approved at all."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Australia/Sydney")

    def night(sid: int, day):
        start = datetime(day.year, day.month, day.day, 22, 30, tzinfo=zone)
        end = start + timedelta(hours=3)
        return eng.Shift(sid, 1, WORK, start, end, day, 3 * 3600, "Australia/Sydney")

    given = inputs([night(30, MON + timedelta(days=2)), night(31, MON + timedelta(days=3))])
    user = eng.PayUser(1, "Olivia Brown", MON + timedelta(days=2), MON + timedelta(days=4))
    (person,) = eng.plan_payroll(replace(given, users={1: user}, xero_timesheets={})).people
    wed, thu, fri = (MON + timedelta(days=n) for n in (2, 3, 4))
    assert person.days == {wed.isoformat(): 1.5, thu.isoformat(): 1.5}
    left = {(lo.day, lo.hours) for lo in person.left_out}
    assert left == {(thu.isoformat(), 1.5), (fri.isoformat(), 1.5)}  # the one dated Thursday
