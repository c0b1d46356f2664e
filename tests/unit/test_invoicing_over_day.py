"""Billing holds back a day with more work than a day holds (timesheets that overlap, a
mistyped 30-hour manual entry), as payroll does: a customer is never billed an impossible day;
the other days are billed, and the preview says which days and what to do."""

from __future__ import annotations

from tests.unit.test_invoicing_lines_and_moved_hours import Books, billed_once, problems, sheet


def test_a_day_with_more_than_a_day_of_work_is_not_billed_and_the_other_days_are():
    sheets = [
        sheet(1, 11, "2026-11-30", 30.0),  # a manual entry mistyped
        sheet(2, 11, "2026-12-01", 4.0),
    ]
    plan = Books().plan(sheets)
    (inv,) = plan.invoices
    assert [t.id for line in inv.lines for t in line.timesheets] == [2]
    assert inv.hours == 4.0
    assert problems(plan) == [
        (
            "Olivia Brown",
            "More work than a day holds on 2026-11-30 in QuickBooks Time (timesheets that "
            "overlap, or a manual entry mistyped): those days' 30.00 billable hours are not "
            "billed. Correct the timesheets in QuickBooks Time, then bill again.",
        )
    ]


def test_overlapping_timesheets_on_two_customers_are_held_back_on_both():
    # 14 h for one council and 13 h for another on the same day: 27 h, neither is billed
    sheets = [
        sheet(1, 11, "2026-11-30", 14.0),
        sheet(2, 20, "2026-11-30", 13.0),
        sheet(3, 30, "2026-12-01", 3.0),
    ]
    plan = Books().plan(sheets)
    assert [(i.contact_name, i.hours) for i in plan.invoices] == [("Mosman Rowing Club", 3.0)]
    ((who, why),) = problems(plan)
    assert who == "Olivia Brown" and "2026-11-30" in why and "27.00" in why


def test_a_full_day_and_the_clock_going_back_are_billed():
    sheets = [sheet(1, 11, "2026-11-30", 24.0), sheet(2, 12, "2026-12-01", 25.0)]
    plan = Books().plan(sheets)
    assert not problems(plan)
    assert plan.invoices[0].hours == 49.0


def test_an_impossible_day_already_on_our_draft_comes_off_it_when_corrected_later():
    books = Books()
    first = [sheet(1, 11, "2026-11-30", 8.0), sheet(2, 11, "2026-12-01", 4.0)]
    books.send(books.plan(first))
    # a second timesheet over the first one's day, typed as 20 hours: the day now holds 28
    again = books.plan([*first, sheet(3, 12, "2026-11-30", 20.0)])
    (inv,) = again.invoices
    assert inv.action == "update" and inv.hours == 4.0
    books.send(again)
    assert books.hours_on("c-nb") == 4.0
    # corrected in QuickBooks Time (2 hours): the day is billed again, nothing twice
    books.send(books.plan([*first, sheet(3, 12, "2026-11-30", 2.0, "v2")]))
    assert books.hours_on("c-nb") == 14.0
    billed_once(books)


def test_an_impossible_day_already_on_an_approved_invoice_stays_billed_there():
    books = Books()
    first = [sheet(1, 11, "2026-11-30", 8.0)]
    books.send(books.plan(first))
    books.approve("c-nb")
    plan = books.plan([*first, sheet(2, 20, "2026-11-30", 20.0)])
    # the approved invoice is left as it is; the new hours of that day are held back
    assert [i.contact_name for i in plan.invoices if i.action in ("create", "update")] == []
    ((who, why),) = problems(plan)
    assert who == "Olivia Brown" and "20.00" in why
